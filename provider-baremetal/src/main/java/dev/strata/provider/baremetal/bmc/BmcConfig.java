package dev.strata.provider.baremetal.bmc;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * One BMC: a factory configuration per BMC, {@code etc/dev.strata.provider.bmc-<name>.cfg}.
 * The password is read from {@link #passwordFile()} or given as {@code .password} (a private
 * property: it is never published with the service nor written to a log).
 */
@ObjectClassDefinition(name = "Strata BMC", description = "A baseboard management controller that Strata reads and drives "
        + "through Redfish or IPMI; one configuration per BMC.")
public @interface BmcConfig {

    @AttributeDefinition(description = "Name of the BMC, unique among the BMCs (letters, digits, '.', '_' and '-'); "
            + "empty: the address's host.")
    String name() default "";

    @AttributeDefinition(description = "Redfish: https://host[:port] (or http:// for emulators). IPMI: host[:port] (port 623 by default).")
    String address();

    @AttributeDefinition(description = "redfish or ipmi.")
    String protocol() default "redfish";

    @AttributeDefinition(description = "The BMC account.")
    String user();

    @AttributeDefinition(description = "File holding the password (first line); a relative path is relative to Karaf's etc/.")
    String passwordFile() default "";

    @AttributeDefinition(name = "Password", type = AttributeType.PASSWORD,
            description = "The password itself, when no password file is given (kept private: never published nor logged).")
    String _password() default "";

    @AttributeDefinition(description = "Redfish over https: the SHA-256 fingerprint of the BMC's certificate to pin "
            + "(64 hex digits, colons allowed, as 'openssl x509 -noout -fingerprint -sha256' prints it).")
    String certificateFingerprint() default "";

    @AttributeDefinition(description = "Redfish over https: a PEM file of CA certificates trusted for this BMC only "
            + "(instead of a fingerprint); the host name is checked.")
    String caFile() default "";

    @AttributeDefinition(description = "Redfish authentication: auto (a session where offered, else basic), session or basic.")
    String auth() default "auto";

    @AttributeDefinition(description = "IPMI: RMCP+ cipher suites to try in order, comma separated.")
    String cipherSuites() default "17,3";

    @AttributeDefinition(description = "IPMI: the ipmitool command.")
    String ipmitool() default "ipmitool";

    @AttributeDefinition(description = "Id of the site the machines are at (declared in the inventory).")
    String site() default "local";

    @AttributeDefinition(description = "Id of the power domain (rack, PDU) the machines draw from; empty when unknown.")
    String powerDomain() default "";

    @AttributeDefinition(description = "The most one request (or ipmitool command) may take, 100ms to 10m, e.g. 10s.")
    String requestTimeout() default "10s";

    @AttributeDefinition(description = "How often a request is tried when the BMC is unreachable or busy (503).")
    int attempts() default 3;
}
