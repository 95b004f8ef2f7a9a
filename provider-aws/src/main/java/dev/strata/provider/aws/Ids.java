package dev.strata.provider.aws;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The ids the provider gives what it reports, stable across discoveries and bundle versions:
 * sites {@code <provider>:<zone>}, offers {@code <provider>:<zone>:<type>}, launched nodes
 * {@code <provider>:<instance id>}, EFA fabrics {@code <provider>:<zone>:efa-<Gbit/s>g}.
 */
final class Ids {

    private Ids() {
    }

    static String site(String providerId, String zone) {
        return providerId + ":" + zone;
    }

    static String offer(String providerId, String zone, String instanceType) {
        return providerId + ":" + zone + ":" + instanceType;
    }

    static String node(String providerId, String instanceId) {
        return providerId + ":" + instanceId;
    }

    static String efaFabric(String providerId, String zone, double gbps) {
        return providerId + ":" + zone + ":efa-" + new BigDecimal(Double.toString(gbps)).stripTrailingZeros().toPlainString() + "g";
    }

    /** An offer id taken apart. */
    record Offer(String zone, String instanceType) {
    }

    /** The zone and type of one of this provider's offer ids, or empty when the id is not one. */
    static Optional<Offer> parseOffer(String providerId, String offerId) {
        String prefix = providerId + ":";
        if (offerId == null || !offerId.startsWith(prefix)) {
            return Optional.empty();
        }
        String rest = offerId.substring(prefix.length());
        int colon = rest.indexOf(':');
        if (colon <= 0 || colon == rest.length() - 1 || rest.indexOf(':', colon + 1) >= 0) {
            return Optional.empty();
        }
        return Optional.of(new Offer(rest.substring(0, colon), rest.substring(colon + 1)));
    }

    /**
     * The configured region a zone belongs to: the longest region that prefixes the zone name and
     * is followed by the zone letter ({@code eu-central-1a}) or a local-zone suffix
     * ({@code us-east-1-bos-1a}).
     */
    static Optional<String> regionOf(String zone, List<String> regions) {
        String best = null;
        for (String region : regions) {
            if (zone.length() > region.length() && zone.startsWith(region)) {
                char next = zone.charAt(region.length());
                if ((Character.isLowerCase(next) && zone.length() == region.length() + 1) || next == '-') {
                    if (best == null || region.length() > best.length()) {
                        best = region;
                    }
                }
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * The RunInstances client token of an operation: the same for every repetition of the
     * operation, different for every other operation and provider, at most 64 ASCII characters.
     */
    static String clientToken(String providerId, String operationId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((providerId + "\n" + operationId).getBytes(StandardCharsets.UTF_8));
            return "strata-" + HexFormat.of().formatHex(digest, 0, 24);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
