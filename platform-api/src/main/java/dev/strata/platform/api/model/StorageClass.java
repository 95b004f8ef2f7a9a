package dev.strata.platform.api.model;

/** Storage access classes. */
public enum StorageClass { BLOCK, FILE, OBJECT }
