package dev.strata.platform.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.Version;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * What Declarative Services does with a component's references, read from the component's
 * descriptor ({@code OSGI-INF/<class>.xml}, which bnd writes from its annotations), for unit
 * tests that construct the component directly and play the framework's part.
 */
public final class DeclarativeServices {

    private DeclarativeServices() {
    }

    /**
     * A reference to a service of a bundle, whose properties are read from {@code properties} at
     * each call: as the framework's, it answers the service's properties as they are now, so a
     * change of the map is a change of the service's properties. A null {@code bundle} is a
     * service unregistered meanwhile: its reference has no bundle.
     */
    @SuppressWarnings("unchecked")
    public static <S> ServiceReference<S> reference(Map<String, Object> properties, String bundle, Version version) {
        Bundle owner = (Bundle) Proxy.newProxyInstance(Bundle.class.getClassLoader(), new Class<?>[] {Bundle.class},
                (p, m, args) -> switch (m.getName()) {
                    case "getSymbolicName" -> bundle;
                    case "getVersion" -> version;
                    case "hashCode" -> System.identityHashCode(p);
                    case "equals" -> p == args[0];
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        return (ServiceReference<S>) Proxy.newProxyInstance(ServiceReference.class.getClassLoader(), new Class<?>[] {ServiceReference.class},
                (p, m, args) -> switch (m.getName()) {
                    case "getBundle" -> bundle == null ? null : owner;
                    case "getProperty" -> properties.get((String) args[0]);
                    case "hashCode" -> System.identityHashCode(p);
                    case "equals" -> p == args[0];
                    case "toString" -> "ServiceReference" + properties;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    /**
     * What Declarative Services does when the properties of a service bound to one of the
     * component's dynamic references change and the reference's target (if any) still matches: it
     * calls the reference's updated method, where the descriptor names one, with the service's
     * reference and the service; where it names none, the component is not told.
     *
     * @param service the interface of the reference, which the component has exactly one of
     */
    public static void propertiesChanged(Object component, Class<?> service, ServiceReference<?> reference, Object instance) {
        Element declared = reference(component.getClass(), service);
        String updated = declared.getAttribute("updated");
        if (updated.isEmpty()) {
            return;
        }
        try {
            Method method = component.getClass().getDeclaredMethod(updated, ServiceReference.class, service);
            method.setAccessible(true);
            method.invoke(component, reference, instance);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("the updated method " + updated + " named by the descriptor of " + component.getClass().getName()
                    + " does not take (ServiceReference, " + service.getSimpleName() + ")", e);
        }
    }

    private static Element reference(Class<?> component, Class<?> service) {
        String descriptor = "OSGI-INF/" + component.getName() + ".xml";
        Document xml;
        try (InputStream in = component.getClassLoader().getResourceAsStream(descriptor)) {
            assertThat(in).as(descriptor + " (bnd writes it when the classes are processed)").isNotNull();
            xml = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);
        } catch (Exception e) {
            throw new AssertionError("cannot read " + descriptor, e);
        }
        NodeList references = xml.getElementsByTagName("reference");
        Element found = null;
        for (int i = 0; i < references.getLength(); i++) {
            Element r = (Element) references.item(i);
            if (r.getAttribute("interface").equals(service.getName())) {
                assertThat(found).as("one reference to " + service.getName() + " in " + descriptor).isNull();
                found = r;
            }
        }
        assertThat(found).as("a reference to " + service.getName() + " in " + descriptor).isNotNull();
        return found;
    }
}
