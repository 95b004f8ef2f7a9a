package dev.strata.platform.api.contract;

import java.io.InputStream;
import java.nio.file.Path;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Reads contract documents (YAML or JSON, UTF-8). Offered by the core; thread-safe. Every method
 * checks the size of the document before it parses it: a document over {@link #MAX_DOCUMENT_BYTES}
 * is refused as too large, without being read further.
 */
@ProviderType
public interface ContractReader {

    /** The largest contract document read: 1 MiB (a contract of a thousand members is about 100 KiB). */
    int MAX_DOCUMENT_BYTES = 1 << 20;

    /**
     * Parses and validates a contract document.
     *
     * @param text the YAML or JSON text, at most {@link #MAX_DOCUMENT_BYTES} characters
     * @param source names the document in messages (a file name, say)
     * @return the contract
     * @throws InvalidContractException listing every problem, each with its field path, the
     *     value and what was expected
     */
    Contract read(String text, String source);

    /**
     * Reads a contract file: it must be a regular file of at most {@link #MAX_DOCUMENT_BYTES}
     * bytes, encoded as UTF-8.
     *
     * @param file the file; messages name it as given
     * @return the contract
     * @throws InvalidContractException when the file is missing, not a regular file, unreadable,
     *     too large, not UTF-8 or not a valid contract; the message says which and what was expected
     */
    Contract read(Path file);

    /**
     * Reads a contract from a stream (standard input, say), at most {@link #MAX_DOCUMENT_BYTES}
     * bytes of UTF-8; stops reading once the limit is passed. The stream is not closed.
     *
     * @param in the stream
     * @param source names the document in messages
     * @return the contract
     * @throws InvalidContractException as {@link #read(Path)} does
     */
    Contract read(InputStream in, String source);
}
