package dev.strata.platform.api.provider;

/**
 * The service properties every provider service carries. Set them with {@link StrataProvider}
 * on the component rather than by hand.
 */
public final class ProviderProperties {

    private ProviderProperties() {
    }

    /**
     * The provider's id, unique in a Strata instance ({@code baremetal}, {@code aws-eu}): a
     * {@code String}, mandatory. Services of one bundle that share an id are one provider with
     * several capabilities. The id must stay the same across versions of the bundle, so that a
     * new version takes over the old one's resources. Letters, digits, '.', '_' or '-', 1 to 64
     * characters, starting with a letter or digit: Strata ignores a service with any other id and
     * logs an error naming it. A second service with the id and the capability of one that is
     * registered (another bundle's, or a second configuration of a factory component) is not used
     * while the first stays; Strata logs an error and shows a conflict warning naming both bundles,
     * and the second takes over, as a new version would, when the first goes.
     */
    public static final String ID = "strata.provider.id";

    /** The vendor ({@code aws}, {@code openstack}, {@code nvidia}, {@code baremetal}): a {@code String}, mandatory. */
    public static final String VENDOR = "strata.provider.vendor";

    /**
     * The provider's version: a {@code String}, optional. When absent, Strata reports the
     * version of the bundle that registered the service.
     */
    public static final String VERSION = "strata.provider.version";
}
