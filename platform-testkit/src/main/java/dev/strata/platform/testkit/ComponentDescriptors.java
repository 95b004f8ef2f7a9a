package dev.strata.platform.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * Reads a component's Declarative Services descriptor as the build generated it
 * ({@code OSGI-INF/<component class>.xml} beside the compiled class, bnd's default from the
 * {@code @Component} annotations), so that a provider's test calls the methods the framework will
 * call rather than the ones the test assumes. A vendor's provider test uses it as Strata's do:
 *
 * <pre>
 * Method modified = ComponentDescriptors.modifiedMethod(MyProvider.class, MyConfig.class);
 * modified.invoke(provider, changedConfig);   // as Declarative Services does on a configuration change
 * ComponentDescriptors.modified(provider, changedConfig, changedProperties);   // the same, what it throws unwrapped
 * </pre>
 *
 * Without a modified method, Declarative Services deactivates the component on every change of
 * its configuration and makes it again from the new one: a value the provider refuses then leaves
 * no provider at all until the file is corrected. So a descriptor that names none fails the test.
 */
public final class ComponentDescriptors {

    private ComponentDescriptors() {
    }

    /**
     * The name of the method that the descriptor of {@code component} names as its modified method.
     *
     * @throws AssertionError where the build generated no descriptor for {@code component} (naming
     *     the file looked for), or where it names no modified method (naming the file)
     */
    public static String modifiedMethodName(Class<?> component) {
        Element root = descriptor(component);
        String name = root.getAttribute("modified");
        if (name.isEmpty()) {
            throw new AssertionError("The component descriptor " + location(component) + " names no modified method, where one was"
                    + " expected (a @Modified method): without one, Declarative Services makes the component again on every"
                    + " configuration change, and a refused change leaves no component.");
        }
        return name;
    }

    /**
     * The method that the descriptor of {@code component} names as its modified method, taking
     * {@code parameterTypes} (usually the component's configuration type), made accessible so that
     * the test calls it as Declarative Services does.
     *
     * @throws AssertionError where there is no descriptor, it names no modified method, or
     *     {@code component} declares no method of that name taking {@code parameterTypes}
     */
    public static Method modifiedMethod(Class<?> component, Class<?>... parameterTypes) {
        String name = modifiedMethodName(component);
        Method method;
        try {
            method = component.getDeclaredMethod(name, parameterTypes);
        } catch (NoSuchMethodException e) {
            throw new AssertionError("The component descriptor " + location(component) + " names the modified method " + name
                    + ", but " + component.getName() + " declares no " + name + Arrays.toString(parameterTypes)
                    .replace('[', '(').replace(']', ')') + ".", e);
        }
        method.setAccessible(true);
        return method;
    }

    /**
     * Calls the modified method that the descriptor of {@code component} names, as Declarative
     * Services does on a change of the component's configuration: {@code configuration} (the
     * component property type made from {@code properties}, as the framework makes it) for each
     * parameter of its type, and {@code properties} for a {@code Map} parameter. What the method
     * throws is thrown as it is, as the framework sees it (the {@code InvalidConfigurationException}
     * of a refused change, where the component lets one out), not wrapped by reflection.
     *
     * @throws AssertionError where there is no descriptor, it names no modified method, or
     *     {@code component} declares no method of that name (or more than one) taking only the
     *     configuration and the properties
     */
    public static void modified(Object component, Object configuration, Map<String, ?> properties) {
        Class<?> kind = component.getClass();
        String name = modifiedMethodName(kind);
        List<Method> found = new ArrayList<>();
        for (Method m : kind.getDeclaredMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() > 0
                    && Arrays.stream(m.getParameterTypes()).allMatch(t -> t == Map.class || t.isInstance(configuration))) {
                found.add(m);
            }
        }
        if (found.size() != 1) {
            throw new AssertionError("The component descriptor " + location(kind) + " names the modified method " + name + ", but "
                    + kind.getName() + " declares " + (found.isEmpty() ? "no" : found.size()) + " " + name + " taking only the"
                    + " configuration (" + (configuration == null ? "null" : configuration.getClass().getName()) + ") and the"
                    + " properties (Map), where one was expected.");
        }
        Method method = found.get(0);
        Map<String, ?> unmodifiable = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
        Object[] arguments = Arrays.stream(method.getParameterTypes()).map(t -> t == Map.class ? unmodifiable : configuration).toArray();
        method.setAccessible(true);
        try {
            method.invoke(component, arguments);
        } catch (IllegalAccessException e) {
            throw new AssertionError("The modified method " + name + " of " + kind.getName() + " could not be called: " + e, e);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new AssertionError("The modified method " + name + " of " + kind.getName() + " threw " + e.getCause(), e.getCause());
        }
    }

    /**
     * Binds {@code service} to {@code component} as Declarative Services does for the descriptor's
     * reference to {@code type}: sets its field, or calls its bind method. The reference must be
     * optional, dynamic and greedy, as one to a service that may come after the component, go, or
     * never be there (the core's {@code ConfigurationRejections} for a provider installed without
     * the core) must be: a mandatory one would keep the component from starting without it, a static
     * one would make it again when it comes.
     *
     * @throws AssertionError where the descriptor has no reference to {@code type}, one that is not
     *     optional, dynamic and greedy, or one whose field or bind method the component lacks
     */
    public static <S> void bindOptional(Object component, Class<S> type, S service) {
        Class<?> kind = component.getClass();
        NodeList references = descriptor(kind).getElementsByTagName("reference");
        for (int i = 0; i < references.getLength(); i++) {
            Element r = (Element) references.item(i);
            if (!r.getAttribute("interface").equals(type.getName())) {
                continue;
            }
            // as declared, or Declarative Services' default where the descriptor leaves it out
            String how = or(r.getAttribute("cardinality"), "1..1") + " " + or(r.getAttribute("policy"), "static") + " "
                    + or(r.getAttribute("policy-option"), "reluctant");
            if (!how.equals("0..1 dynamic greedy")) {
                throw new AssertionError("The component descriptor " + location(kind) + " has a reference to " + type.getName()
                        + " that is '" + how + "' (cardinality, policy, policy option), where '0..1 dynamic greedy' was"
                        + " expected: a service that may be missing, come or go while the component runs.");
            }
            try {
                if (!r.getAttribute("field").isEmpty()) {
                    Field field = kind.getDeclaredField(r.getAttribute("field"));
                    if (!java.lang.reflect.Modifier.isVolatile(field.getModifiers())) {
                        throw new AssertionError("The field " + field.getName() + " of " + kind.getName() + " holds a dynamic reference"
                                + " to " + type.getName() + " but is not volatile, as Declarative Services requires of it.");
                    }
                    field.setAccessible(true);
                    field.set(component, service);
                } else {
                    Method bind = kind.getDeclaredMethod(r.getAttribute("bind"), type);
                    bind.setAccessible(true);
                    bind.invoke(component, service);
                }
            } catch (ReflectiveOperationException e) {
                throw new AssertionError("The reference to " + type.getName() + " in " + location(kind)
                        + " could not be bound as Declarative Services binds it: " + e, e);
            }
            return;
        }
        throw new AssertionError("The component descriptor " + location(kind) + " has no reference to " + type.getName()
                + ", where one was expected.");
    }

    private static String or(String value, String otherwise) {
        return value.isEmpty() ? otherwise : value;
    }

    /** The root element of the component's descriptor, read from where the component's class was loaded. */
    private static Element descriptor(Class<?> component) {
        String entry = entry(component);
        Path location = codeLocation(component);
        try {
            if (location != null && Files.isDirectory(location)) {
                Path file = location.resolve(entry);
                if (!Files.isRegularFile(file)) {
                    throw missing(component);
                }
                try (InputStream in = Files.newInputStream(file)) {
                    return parse(in, component);
                }
            }
            if (location != null && Files.isRegularFile(location)) {
                try (JarFile jar = new JarFile(location.toFile())) {
                    ZipEntry found = jar.getEntry(entry);
                    if (found == null) {
                        throw missing(component);
                    }
                    try (InputStream in = jar.getInputStream(found)) {
                        return parse(in, component);
                    }
                }
            }
        } catch (IOException e) {
            throw new AssertionError("The component descriptor " + location(component) + " cannot be read: " + e.getMessage(), e);
        }
        throw missing(component);
    }

    private static Element parse(InputStream in, Class<?> component) throws IOException {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            return factory.newDocumentBuilder().parse(in).getDocumentElement();
        } catch (ParserConfigurationException | SAXException e) {
            throw new AssertionError("The component descriptor " + location(component) + " is no well-formed XML: " + e.getMessage(), e);
        }
    }

    private static AssertionError missing(Class<?> component) {
        return new AssertionError("There is no component descriptor " + location(component) + ", where the build was expected to"
                + " generate one from " + component.getName() + "'s @Component annotation (is the class a component, and did bnd"
                + " process it?).");
    }

    private static String entry(Class<?> component) {
        return "OSGI-INF/" + component.getName() + ".xml";
    }

    /** The descriptor's file as a person looks for it: under the directory or in the jar the class came from. */
    private static String location(Class<?> component) {
        Path location = codeLocation(component);
        if (location == null) {
            return entry(component);
        }
        return Files.isRegularFile(location) ? location + "!/" + entry(component) : location.resolve(entry(component)).toString();
    }

    private static Path codeLocation(Class<?> component) {
        CodeSource source = component.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return null;
        }
        try {
            return Path.of(source.getLocation().toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }
}
