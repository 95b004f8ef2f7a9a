package dev.strata.platform.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Arrays;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
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
