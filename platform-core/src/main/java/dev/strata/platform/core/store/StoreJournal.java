package dev.strata.platform.core.store;

import dev.strata.platform.api.exception.StateStoreException;
import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.provisioning.ProviderJournal;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@link ProviderJournal} on Strata's state store: what a provider notes of its own operations is
 * kept where every instance of a highly available Strata reads it, and written only by the leader
 * (a follower's write is refused with the leader's name, so a provider there does not act).
 */
@Component(service = ProviderJournal.class, immediate = true)
public final class StoreJournal implements ProviderJournal {

    /** The most a write may take to become durable before the provider is told it is not. */
    static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_ID = 256;

    private final StateStore store;
    private final Duration writeTimeout;

    @Activate
    public StoreJournal(@Reference StateStore store) {
        this(store, WRITE_TIMEOUT);
    }

    StoreJournal(StateStore store, Duration writeTimeout) {
        this.store = store;
        this.writeTimeout = writeTimeout;
    }

    @Override
    public Optional<String> get(String providerId, String operationId) {
        return store.journal().get(id("provider id", providerId), id("operation id", operationId));
    }

    @Override
    public Map<String, String> all(String providerId) {
        return store.journal().all(id("provider id", providerId));
    }

    @Override
    public void put(String providerId, String operationId, String record) {
        id("provider id", providerId);
        id("operation id", operationId);
        if (record == null || record.isEmpty() || record.length() > MAX_RECORD) {
            throw new IllegalArgumentException("a journal record of " + (record == null ? "null" : record.length() + " characters")
                    + " for operation " + operationId + " of provider " + providerId + ": expected 1 to " + MAX_RECORD + " characters");
        }
        try {
            store.journal().put(providerId, operationId, record).get(writeTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StateStoreException("interrupted while the journal record of operation " + operationId + " of provider " + providerId
                    + " was being written to the state store at " + location() + "; it may or may not be stored");
        } catch (TimeoutException e) {
            // the write stays queued in the store's writer: it may still land, so say so (the
            // provider must not act, and must expect the record when it recovers its operations)
            throw new StateStoreException("the journal record of operation " + operationId + " of provider " + providerId
                    + " was not durable in the state store at " + location() + " within " + seconds(writeTimeout)
                    + "; the write is still queued and may be stored later");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof StrataException strata) {
                throw strata;
            }
            throw new StateStoreException("the journal record of operation " + operationId + " of provider " + providerId
                    + " could not be written to the state store at " + location() + ": " + cause, cause);
        }
    }

    @Override
    public String location() {
        StoreInfo info = store.info();
        return info.kind() + " " + info.location();
    }

    private static String seconds(Duration d) {
        return java.math.BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString() + " s";
    }

    private static String id(String what, String value) {
        if (value == null || value.isBlank() || value.length() > MAX_ID) {
            // the provider's id shown printable and cut (one of a megabyte went whole into the message, and so into the log)
            String shown = value == null ? "null" : value.length() > 80
                    ? "'" + dev.strata.platform.api.exception.InvalidConfigurationException.printable(value.substring(0, 80)) + "...' ("
                            + value.length() + " characters)"
                    : "'" + dev.strata.platform.api.exception.InvalidConfigurationException.printable(value) + "'";
            throw new IllegalArgumentException("an " + what + " of " + shown + ": expected 1 to " + MAX_ID + " characters, not blank");
        }
        return value;
    }
}
