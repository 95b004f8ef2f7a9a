package dev.strata.platform.api.contract;

import org.osgi.annotation.versioning.ProviderType;

/** Reads contract documents (YAML or JSON). Offered by the core; thread-safe. */
@ProviderType
public interface ContractReader {

    /**
     * Parses and validates a contract document.
     *
     * @param text the YAML or JSON text
     * @param source names the document in messages (a file name, say)
     * @return the contract
     * @throws InvalidContractException listing every problem, each with its field path, the
     *     value and what was expected
     */
    Contract read(String text, String source);
}
