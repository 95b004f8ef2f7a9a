package dev.strata.platform.api.contract;

/**
 * How the members of a gang must reach each other.
 *
 * @param oneRdmaFabric all members on nodes of one RDMA fabric (InfiniBand, RoCE, EFA)
 * @param minBandwidthGbps the least per-node bandwidth of that fabric, in Gbit/s; 0 for any
 */
public record FabricRequest(boolean oneRdmaFabric, double minBandwidthGbps) {
    public static final FabricRequest ANY = new FabricRequest(false, 0);

    public FabricRequest {
        if (minBandwidthGbps < 0) {
            throw new IllegalArgumentException("fabric.bandwidth is negative; expected 0 or more");
        }
    }
}
