package dev.strata.platform.api.model;

import java.util.Objects;

/**
 * Storage offered at a site.
 *
 * @param id unique pool id
 * @param storageClass block, file or object
 * @param siteId the site
 * @param capacityBytes total capacity in bytes
 * @param throughputMBps aggregate throughput in MB/s, 0 when unknown
 * @param iops aggregate IOPS, 0 when unknown
 * @param encrypted whether data at rest is encrypted
 */
public record StoragePool(String id, StorageClass storageClass, String siteId, long capacityBytes,
        double throughputMBps, long iops, boolean encrypted) {
    public StoragePool {
        Checks.requireText(id, "storage.id");
        Objects.requireNonNull(storageClass, "storage.storageClass");
        Checks.requireNonNegative(capacityBytes, "storage.capacityBytes");
        Checks.requireNonNegative(throughputMBps, "storage.throughputMBps");
        Checks.requireNonNegative(iops, "storage.iops");
    }
}
