package dev.strata.platform.api.model;

/** How a node is provided. */
public enum NodeKind { BARE_METAL, VIRTUAL_MACHINE, DECLARED }
