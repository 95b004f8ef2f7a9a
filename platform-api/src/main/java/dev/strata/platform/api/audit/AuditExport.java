package dev.strata.platform.api.audit;

import java.nio.file.Path;
import java.util.List;

/**
 * An export written.
 *
 * @param file the log
 * @param records records written
 * @param checkpoints checkpoints written, the last one included
 * @param publicKeyFile the public keys, or null
 * @param keyIds the keys' ids
 * @param logId the log's id
 */
public record AuditExport(Path file, long records, long checkpoints, Path publicKeyFile, List<String> keyIds, String logId) {
    public AuditExport {
        keyIds = List.copyOf(keyIds);
    }
}
