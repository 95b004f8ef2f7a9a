package dev.strata.platform.api.deployment;

import java.time.Instant;
import java.util.Objects;

/**
 * One step of a deployment's history, as the provenance log recorded it.
 *
 * @param seq the provenance record's number ({@code strata:audit <seq>} shows it in full)
 * @param time when it was recorded
 * @param kind the record's kind: {@code deployment} (a state change), {@code provisioning} (a
 *     provider's answer), {@code drift} (a machine changed behind Strata's back), {@code leak}
 * @param actor who asked: the shell user, or {@code system} for the reconciler
 * @param summary one line saying what happened
 */
public record DeploymentEvent(long seq, Instant time, String kind, String actor, String summary) {
    public DeploymentEvent {
        Objects.requireNonNull(time, "event.time");
        Objects.requireNonNull(kind, "event.kind");
        Objects.requireNonNull(summary, "event.summary");
    }
}
