package dev.strata.platform.api.provider;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Component property type that sets {@link ProviderProperties#ID} and
 * {@link ProviderProperties#VENDOR} on a provider component:
 *
 * <pre>
 * &#64;Component(service = ComputeProvider.class)
 * &#64;StrataProvider(id = "baremetal", vendor = "baremetal")
 * public class SysfsComputeProvider implements ComputeProvider { ... }
 * </pre>
 */
@ComponentPropertyType
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface StrataProvider {
    /** Prefix of the generated property names. */
    String PREFIX_ = "strata.provider.";

    /** See {@link ProviderProperties#ID}. */
    String id();

    /** See {@link ProviderProperties#VENDOR}. */
    String vendor();
}
