package dev.strata.platform.api.provider;

/** What a provider can do; one SPI each. */
public enum Capability {
    /** {@link ComputeProvider}: sites, nodes, power domains. */
    COMPUTE,
    /** {@link GpuProvider}: accelerators and their interconnect. */
    GPU,
    /** {@link FabricProvider}: data, WAN, PCIe and RDMA fabrics. */
    FABRIC,
    /** {@link StorageProvider}: storage pools. */
    STORAGE,
    /** {@link dev.strata.platform.api.provisioning.ProvisioningProvider}: machines made, described and deleted. */
    PROVISIONING
}
