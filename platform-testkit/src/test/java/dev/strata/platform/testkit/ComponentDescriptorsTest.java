package dev.strata.platform.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The descriptors read are fixtures under {@code src/test/resources/OSGI-INF}, copied beside the
 * test classes as bnd places a component's generated descriptor beside its class.
 */
class ComponentDescriptorsTest {

    @Test
    void theModifiedMethodIsTheOneTheDescriptorNames() throws Exception {
        assertThat(ComponentDescriptors.modifiedMethodName(Described.class)).isEqualTo("changed");
        Method method = ComponentDescriptors.modifiedMethod(Described.class, String.class);
        Described component = new Described();
        method.invoke(component, "new settings");
        assertThat(component.settings).isEqualTo("new settings");
    }

    @Test
    void aDescriptorNamingNoModifiedMethodFailsNamingTheFile() {
        assertThatThrownBy(() -> ComponentDescriptors.modifiedMethodName(WithoutModified.class)).isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("The component descriptor " + classes().resolve("OSGI-INF")
                        .resolve(WithoutModified.class.getName() + ".xml") + " names no modified method");
    }

    @Test
    void aComponentWithoutADescriptorFailsNamingTheFileLookedFor() {
        assertThatThrownBy(() -> ComponentDescriptors.modifiedMethodName(ComponentDescriptorsTest.class)).isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("There is no component descriptor " + classes().resolve("OSGI-INF")
                        .resolve(ComponentDescriptorsTest.class.getName() + ".xml") + ",");
    }

    @Test
    void aModifiedMethodOfOtherParametersFailsNamingTheMethod() {
        assertThatThrownBy(() -> ComponentDescriptors.modifiedMethod(Described.class, Integer.class)).isInstanceOf(AssertionError.class)
                .hasMessageEndingWith("names the modified method changed, but " + Described.class.getName()
                        + " declares no changed(class java.lang.Integer).");
    }

    /**
     * The modified method the descriptor names is called as the framework calls it: the
     * configuration for its parameter of that type, the properties for its {@code Map} one.
     */
    @Test
    void modifiedCallsTheMethodTheDescriptorNamesWithTheConfigurationAndTheProperties() {
        Changing component = new Changing();
        ComponentDescriptors.modified(component, "new settings", Map.of("service.pid", "dev.strata.example~a"));
        assertThat(component.settings).isEqualTo("new settings");
        assertThat(component.pid).isEqualTo("dev.strata.example~a");
        Described described = new Described();
        ComponentDescriptors.modified(described, "only the configuration", Map.of());
        assertThat(described.settings).isEqualTo("only the configuration");
    }

    /** What the modified method throws is thrown as it is, as the framework sees it, not wrapped by reflection. */
    @Test
    void modifiedThrowsWhatTheMethodThrows() {
        assertThatThrownBy(() -> ComponentDescriptors.modified(new Changing(), "refused", Map.of()))
                .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("settings = 'refused' is invalid; expected anything else");
    }

    @Test
    void modifiedOfAComponentWhoseDescriptorNamesNoneFails() {
        assertThatThrownBy(() -> ComponentDescriptors.modified(new WithoutModified(), "x", Map.of())).isInstanceOf(AssertionError.class)
                .hasMessageContaining("names no modified method");
    }

    @Test
    void modifiedWithAConfigurationTheMethodDoesNotTakeFailsNamingTheMethod() {
        assertThatThrownBy(() -> ComponentDescriptors.modified(new Described(), 7, Map.of())).isInstanceOf(AssertionError.class)
                .hasMessageEndingWith("names the modified method changed, but " + Described.class.getName() + " declares no changed "
                        + "taking only the configuration (java.lang.Integer) and the properties (Map), where one was expected.");
    }

    /** An optional, dynamic, greedy reference is bound through the field the descriptor names. */
    @Test
    void anOptionalDynamicReferenceIsBoundThroughItsField() {
        Described component = new Described();
        Runnable service = () -> { };
        ComponentDescriptors.bindOptional(component, Runnable.class, service);
        assertThat(component.told).isSameAs(service);
    }

    /** A mandatory reference, which would keep the component from starting without its service, fails naming how it is declared. */
    @Test
    void aMandatoryReferenceFailsNamingHowItIsDeclared() {
        assertThatThrownBy(() -> ComponentDescriptors.bindOptional(new Described(), java.util.function.Supplier.class, () -> "x"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("has a reference to java.util.function.Supplier that is '1..1 static "
                        + "reluctant' (cardinality, policy, policy option), where '0..1 dynamic greedy' was expected");
    }

    @Test
    void aDescriptorWithoutTheReferenceFailsNamingTheService() {
        assertThatThrownBy(() -> ComponentDescriptors.bindOptional(new Described(), Comparable.class, o -> 0)).isInstanceOf(AssertionError.class)
                .hasMessageEndingWith(" has no reference to java.lang.Comparable, where one was expected.");
    }

    private static Path classes() {
        try {
            return Path.of(ComponentDescriptorsTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A component whose descriptor names its modified method. */
    static final class Described {
        String settings;
        volatile Runnable told;
        java.util.function.Supplier<?> needed;

        private void changed(String settings) {
            this.settings = settings;
        }
    }

    /** A component whose modified method takes its configuration and its properties, and refuses {@code refused}. */
    static final class Changing {
        String settings;
        String pid;

        private void changed(String settings, Map<String, Object> properties) {
            if (settings.equals("refused")) {
                throw new IllegalArgumentException("settings = 'refused' is invalid; expected anything else");
            }
            this.settings = settings;
            this.pid = (String) properties.get("service.pid");
        }
    }

    /** A component whose descriptor names none. */
    static final class WithoutModified {
    }
}
