package dev.strata.platform.api.model;

/** The four network fabrics Strata models. */
public enum FabricType {
    /** East-west and north-south data network between nodes of a site. */
    DATA,
    /** Links between sites. */
    WAN,
    /** Inside a node: PCIe and device links such as NVLink/NVSwitch. */
    PCIE,
    /** Remote DMA: InfiniBand, RoCE, EFA. */
    RDMA
}
