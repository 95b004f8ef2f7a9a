package dev.strata.platform.api.provider;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Implemented, optionally, by a provider service that can say what it is connected to, for
 * people: an account and its regions, a cloud's endpoint. {@code strata:providers} shows it.
 */
@ConsumerType
public interface DescribedProvider {

    /**
     * @return e.g. {@code account 123456789012, regions eu-central-1, us-east-1}; constant for the
     *     life of the service; never a credential
     */
    String description();
}
