package dev.strata.provider.openstack;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * One OpenStack cloud (region) that Strata discovers and provisions on: a factory configuration,
 * one instance per cloud ({@code etc/dev.strata.provider.openstack-<name>.cfg}). Secrets are
 * never configuration values: the configuration names files that hold them. Durations are a
 * number with a unit ({@code ns}, {@code us}, {@code ms}, {@code s}, {@code m}, {@code h}, {@code d}),
 * as everywhere in Strata.
 */
@ObjectClassDefinition(name = "Strata OpenStack cloud",
        description = "An OpenStack cloud: Keystone v3 credentials, the region's sovereignty facts, and how members become Nova servers.")
public @interface OpenStackConfig {

    @AttributeDefinition(name = "Provider id", description = "The provider id of this cloud in Strata (unique per cloud), e.g. openstack-fra1. "
            + "Node ids are <id>:<hypervisor host name>.")
    String strata_provider_id() default "openstack";

    @AttributeDefinition(description = "Keystone v3 URL, e.g. https://keystone.example.org:5000/v3")
    String authUrl();

    @AttributeDefinition(description = "How to authenticate", options = {
        @Option(value = "password", label = "user name and password"),
        @Option(value = "applicationCredential", label = "application credential id and secret")})
    String authType() default "password";

    @AttributeDefinition(description = "User name (authType password)")
    String userName() default "";

    @AttributeDefinition(description = "Name of the user's domain (authType password)")
    String userDomain() default "Default";

    @AttributeDefinition(description = "File holding the user's password, alone (a trailing newline is ignored); "
            + "readable by Strata only (authType password)")
    String passwordFile() default "";

    @AttributeDefinition(description = "Project name to scope the token to (authType password); or set projectId")
    String projectName() default "";

    @AttributeDefinition(description = "Project id to scope the token to (authType password); instead of projectName")
    String projectId() default "";

    @AttributeDefinition(description = "Name of the project's domain (with projectName)")
    String projectDomain() default "Default";

    @AttributeDefinition(description = "Application credential id (authType applicationCredential)")
    String applicationCredentialId() default "";

    @AttributeDefinition(description = "File holding the application credential's secret, alone (authType applicationCredential)")
    String applicationCredentialSecretFile() default "";

    @AttributeDefinition(description = "Region of the endpoints to use; empty when the cloud has one region")
    String region() default "";

    @AttributeDefinition(description = "Endpoint interface", options = {
        @Option(value = "public", label = "public"), @Option(value = "internal", label = "internal"), @Option(value = "admin", label = "admin")})
    String endpointInterface() default "public";

    @AttributeDefinition(description = "ISO 3166-1 alpha-2 country the region is in, e.g. DE; empty when unknown")
    String country() default "";

    @AttributeDefinition(description = "Jurisdictions whose law applies where the region is, e.g. EU, DE")
    String[] jurisdictions() default {};

    @AttributeDefinition(description = "Legal entity operating the cloud; empty when unknown")
    String operatorName() default "";

    @AttributeDefinition(description = "Jurisdictions the operator is subject to, e.g. EU, DE (a US-owned operator: US as well)")
    String[] operatorJurisdictions() default {};

    @AttributeDefinition(description = "Certifications of the region, e.g. ISO27001, BSI-C5")
    String[] certifications() default {};

    @AttributeDefinition(description = "How a member gets its flavor: match (the smallest existing flavor that holds it) "
            + "or create (create one when none matches; needs the admin role)", options = {
        @Option(value = "match", label = "match existing flavors only"), @Option(value = "create", label = "create a flavor when none matches")})
    String flavorPolicy() default "match";

    @AttributeDefinition(description = "Root disk in GiB of the flavors Strata creates (flavorPolicy create)")
    int flavorDisk() default 1;

    @AttributeDefinition(description = "Image (name or id) servers boot from, unless the member's parameters name one")
    String image() default "";

    @AttributeDefinition(description = "Networks of the servers: none (no network; clouds without tenant networks), "
            + "auto (Nova allocates one), or network UUIDs separated by commas")
    String networks() default "none";

    @AttributeDefinition(description = "Deadline to open a connection to a service (100ms to 5m)")
    String connectTimeout() default "5s";

    @AttributeDefinition(description = "The most one API call may take (100ms to 10m)")
    String requestTimeout() default "30s";

    @AttributeDefinition(description = "A server still building after this long is reported failed (1s to 1d)")
    String buildTimeout() default "10m";

    @AttributeDefinition(description = "Renew the Keystone token when less than this is left of it (0s to 1d)")
    String tokenRenewBefore() default "5m";

    @AttributeDefinition(description = "After a request to create a server whose outcome is unknown (no answer, a connection lost "
            + "after sending, or 502, 503, 504 or a status above 511 from a gateway), how long Strata looks for the server by its operation tag before it "
            + "asks Nova again; until then a repeated create of that operation sends nothing (1s to 1h)")
    String createSettle() default "60s";

    @AttributeDefinition(description = "Resource providers read at once during discovery (1 to 32)")
    int parallelism() default 4;

    @AttributeDefinition(description = "PCI devices that are GPUs, as nova-compute reports them to Placement ([pci]report_in_placement): "
            + "entries <resource class>=<GPU model>@<alias> separated by commas, e.g. CUSTOM_PCI_10DE_2330=NVIDIA H100 80GB HBM3@h100. "
            + "The class is CUSTOM_PCI_<VENDOR_ID>_<PRODUCT_ID> or the resource_class of nova.conf's [pci]device_spec; the alias is the "
            + "name of the [pci]alias in nova.conf that asks for one such device (flavors: pci_passthrough:alias=<alias>:<count>). "
            + "Empty: PCI devices are not GPUs (PGPU inventories are, without a mapping)")
    String[] pciGpus() default {};
}
