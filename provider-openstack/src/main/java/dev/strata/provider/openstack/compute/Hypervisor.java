package dev.strata.provider.openstack.compute;

/**
 * A Nova hypervisor (compute node).
 *
 * @param id its id (the UUID of its compute node, which is also its Placement root provider's)
 * @param hostname the node name ({@code hypervisor_hostname}; the Placement root provider's name)
 * @param serviceHost the nova-compute service's host, which host targeting names
 * @param state {@code up} or {@code down}
 * @param status {@code enabled} or {@code disabled}
 * @param type the hypervisor type ({@code QEMU}, {@code fake}, {@code ironic})
 * @param disabledReason why the service is disabled, or null
 */
public record Hypervisor(String id, String hostname, String serviceHost, String state, String status, String type, String disabledReason) {

    public boolean up() {
        return "up".equalsIgnoreCase(state);
    }

    public boolean enabled() {
        return "enabled".equalsIgnoreCase(status);
    }
}
