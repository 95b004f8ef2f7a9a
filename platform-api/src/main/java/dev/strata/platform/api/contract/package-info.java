/**
 * The contract model: what a workload declares it needs (a gang of members with CPUs, memory,
 * GPUs, topology; fabric between members; sovereignty; isolation; priority; how it is deployed), and the reader
 * that turns a YAML/JSON document into one, reporting every error at once.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.3.0")
package dev.strata.platform.api.contract;
