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

    /** A builder with no fields set except the defaults listed at {@link Builder}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this storagePool's values, to make a changed copy. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Builds a {@link StoragePool}, so that a field added to the record in a minor release does not
     * break the code that makes one. Defaults: 0 capacity, throughput and IOPS, not encrypted; id, class and site have none. {@link #build()} validates as the record does.
     * Not thread-safe; reusable.
     */
    public static final class Builder {
        private String id;
        private StorageClass storageClass;
        private String siteId;
        private long capacityBytes;
        private double throughputMBps;
        private long iops;
        private boolean encrypted;

        private Builder() {
        }

        private Builder(StoragePool r) {
            id = r.id;
            storageClass = r.storageClass;
            siteId = r.siteId;
            capacityBytes = r.capacityBytes;
            throughputMBps = r.throughputMBps;
            iops = r.iops;
            encrypted = r.encrypted;
        }

        /** See {@link StoragePool#id()}. */
        public Builder id(String value) {
            id = value;
            return this;
        }

        /** See {@link StoragePool#storageClass()}. */
        public Builder storageClass(StorageClass value) {
            storageClass = value;
            return this;
        }

        /** See {@link StoragePool#siteId()}. */
        public Builder siteId(String value) {
            siteId = value;
            return this;
        }

        /** See {@link StoragePool#capacityBytes()}. */
        public Builder capacityBytes(long value) {
            capacityBytes = value;
            return this;
        }

        /** See {@link StoragePool#throughputMBps()}. */
        public Builder throughputMBps(double value) {
            throughputMBps = value;
            return this;
        }

        /** See {@link StoragePool#iops()}. */
        public Builder iops(long value) {
            iops = value;
            return this;
        }

        /** See {@link StoragePool#encrypted()}. */
        public Builder encrypted(boolean value) {
            encrypted = value;
            return this;
        }

        /**
         * The storagePool.
         *
         * @throws IllegalArgumentException or {@link NullPointerException} naming the field that
         *     is missing or out of range
         */
        public StoragePool build() {
            return new StoragePool(id, storageClass, siteId, capacityBytes, throughputMBps, iops, encrypted);
        }
    }
}
