package dev.strata.platform.api.model;

import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A place resources live.
 *
 * @param id unique site id, e.g. {@code fra-1}
 * @param providerId the provider that reported the site
 * @param region provider region, or null
 * @param zone provider zone, or null
 * @param country ISO 3166-1 alpha-2 country code (see {@link #isCountryCode(String)}), or null when unknown
 * @param jurisdictions the jurisdictions whose law applies at the site (e.g. {@code EU}, {@code DE})
 * @param operator the operator, or null when unknown
 * @param certifications certifications held by the site (e.g. {@code ISO27001}, {@code C5})
 * @param powerBudgetWatts the site's power budget in watts, 0 when unknown
 * @param floorSpaceSquareMetres usable floor space, 0 when unknown
 */
public record Site(
        String id,
        String providerId,
        String region,
        String zone,
        String country,
        Set<String> jurisdictions,
        Operator operator,
        Set<String> certifications,
        long powerBudgetWatts,
        double floorSpaceSquareMetres) {

    public Site {
        Checks.requireText(id, "site.id");
        Checks.requireText(providerId, "site.providerId");
        if (country != null && !isCountryCode(country)) {
            throw new IllegalArgumentException("site " + Checks.printable(id) + ": country '" + Checks.printable(country)
                    + "' is not an ISO 3166-1 alpha-2 country code; expected an upper-case code such as DE");
        }
        jurisdictions = Checks.copySet(jurisdictions, "site.jurisdictions");
        certifications = Checks.copySet(certifications, "site.certifications");
        Checks.requireNonNegative(powerBudgetWatts, "site.powerBudgetWatts");
        Checks.requireNonNegative(floorSpaceSquareMetres, "site.floorSpaceSquareMetres");
    }

    /**
     * The codes a site's country may take: the ISO 3166-1 alpha-2 codes the JDK lists as assigned,
     * and {@code XK}, the user-assigned code the EU, the IMF and the cloud providers use for Kosovo.
     */
    private static final Set<String> COUNTRY_CODES = Stream.concat(Stream.of(Locale.getISOCountries()), Stream.of("XK"))
            .collect(Collectors.toUnmodifiableSet());

    /**
     * Whether {@code code} is a country a site can be in and a contract can name: an assigned ISO 3166-1
     * alpha-2 code in upper case, or {@code XK} (Kosovo). Unions such as {@code EU} are jurisdictions,
     * not countries, and {@code XX} or a misspelling would match no contract, so both are refused.
     *
     * @param code the code, e.g. {@code DE}
     * @return true for a country code
     * @since 1.2
     */
    public static boolean isCountryCode(String code) {
        return code != null && COUNTRY_CODES.contains(code);
    }

    /** ISO 3166-1 alpha-3 country codes and the alpha-2 code of each, as the JDK lists them. */
    private static final java.util.Map<String, String> ALPHA3 = alpha3();

    private static java.util.Map<String, String> alpha3() {
        java.util.Map<String, String> codes = new java.util.HashMap<>();
        for (String alpha2 : Locale.getISOCountries()) {
            try {
                codes.put(new Locale("", alpha2).getISO3Country(), alpha2);
            } catch (java.util.MissingResourceException e) {
                // a code without an alpha-3 one: nothing to map
            }
        }
        codes.remove("");
        return java.util.Map.copyOf(codes);
    }

    /**
     * The country code a site uses for a country written as its ISO 3166-1 alpha-3 code
     * ({@code USA} gives {@code US}), for a reader to name the code to write instead: sites, and
     * so contracts, use alpha-2 codes only, and an alpha-3 one would match nothing.
     *
     * @param code the code, e.g. {@code DEU}
     * @return the alpha-2 code of that country, or empty when {@code code} is no country's alpha-3 code
     * @since 1.3
     */
    public static java.util.Optional<String> countryOfAlpha3(String code) {
        return java.util.Optional.ofNullable(code == null ? null : ALPHA3.get(code));
    }

    /** A site known only by id, for providers that report nothing else about where they run. */
    public static Site local(String id, String providerId) {
        return new Site(id, providerId, null, null, null, Set.of(), null, Set.of(), 0, 0);
    }

    /** A builder with no fields set except the defaults listed at {@link Builder}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this site's values, to make a changed copy. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Builds a {@link Site}, so that a field added to the record in a minor release does not
     * break the code that makes one. Defaults: no jurisdictions or certifications, no operator, country, region or zone, 0 budget and floor space; id and provider have none. {@link #build()} validates as the record does.
     * Not thread-safe; reusable.
     */
    public static final class Builder {
        private String id;
        private String providerId;
        private String region;
        private String zone;
        private String country;
        private Set<String> jurisdictions = Set.of();
        private Operator operator;
        private Set<String> certifications = Set.of();
        private long powerBudgetWatts;
        private double floorSpaceSquareMetres;

        private Builder() {
        }

        private Builder(Site r) {
            id = r.id;
            providerId = r.providerId;
            region = r.region;
            zone = r.zone;
            country = r.country;
            jurisdictions = r.jurisdictions;
            operator = r.operator;
            certifications = r.certifications;
            powerBudgetWatts = r.powerBudgetWatts;
            floorSpaceSquareMetres = r.floorSpaceSquareMetres;
        }

        /** See {@link Site#id()}. */
        public Builder id(String value) {
            id = value;
            return this;
        }

        /** See {@link Site#providerId()}. */
        public Builder providerId(String value) {
            providerId = value;
            return this;
        }

        /** See {@link Site#region()}. */
        public Builder region(String value) {
            region = value;
            return this;
        }

        /** See {@link Site#zone()}. */
        public Builder zone(String value) {
            zone = value;
            return this;
        }

        /** See {@link Site#country()}. */
        public Builder country(String value) {
            country = value;
            return this;
        }

        /** See {@link Site#jurisdictions()}. */
        public Builder jurisdictions(Set<String> value) {
            jurisdictions = value;
            return this;
        }

        /** See {@link Site#operator()}. */
        public Builder operator(Operator value) {
            operator = value;
            return this;
        }

        /** See {@link Site#certifications()}. */
        public Builder certifications(Set<String> value) {
            certifications = value;
            return this;
        }

        /** See {@link Site#powerBudgetWatts()}. */
        public Builder powerBudgetWatts(long value) {
            powerBudgetWatts = value;
            return this;
        }

        /** See {@link Site#floorSpaceSquareMetres()}. */
        public Builder floorSpaceSquareMetres(double value) {
            floorSpaceSquareMetres = value;
            return this;
        }

        /**
         * The site.
         *
         * @throws IllegalArgumentException or {@link NullPointerException} naming the field that
         *     is missing or out of range
         */
        public Site build() {
            return new Site(id, providerId, region, zone, country, jurisdictions, operator, certifications, powerBudgetWatts, floorSpaceSquareMetres);
        }
    }
}
