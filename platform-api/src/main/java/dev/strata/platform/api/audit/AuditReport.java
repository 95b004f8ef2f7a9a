package dev.strata.platform.api.audit;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of verifying the log.
 *
 * @param holds whether every record and checkpoint verified
 * @param records records verified
 * @param firstSeq first record
 * @param lastSeq last verified record
 * @param firstTime its time, or null
 * @param lastTime its time, or null
 * @param checkpoints checkpoints verified
 * @param signedThrough the last record a verified checkpoint covers
 * @param keyIds keys that signed them
 * @param failedSeq the first record that fails, 0 when none
 * @param failure why, or null
 * @param took how long it took
 */
public record AuditReport(boolean holds, long records, long firstSeq, long lastSeq, String firstTime, String lastTime, long checkpoints,
        long signedThrough, List<String> keyIds, long failedSeq, String failure, Duration took) {
    public AuditReport {
        keyIds = List.copyOf(keyIds);
    }
}
