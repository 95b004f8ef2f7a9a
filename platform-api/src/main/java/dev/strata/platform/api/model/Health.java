package dev.strata.platform.api.model;

import java.util.List;
import java.util.Objects;

/**
 * The health of a device as its provider reports it.
 *
 * @param status the overall status
 * @param reasons human-readable findings behind a status other than {@link Status#OK}
 */
public record Health(Status status, List<String> reasons) {
    public static final Health OK = new Health(Status.OK, List.of());
    public static final Health UNKNOWN = new Health(Status.UNKNOWN, List.of());

    public enum Status { OK, DEGRADED, FAILED, UNKNOWN }

    public Health {
        Objects.requireNonNull(status, "health.status");
        reasons = Checks.copyList(reasons, "health.reasons");
    }
}
