package dev.strata.provider.openstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.provisioning.ProviderJournal;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the OpenStack provider remembers of its requests to Nova to create a server: per
 * operation, whether one was sent, when, and what became of it. Nova's tags say which server an
 * operation made once Nova lists it; this record covers the time before that, when a request
 * got no sure answer (no answer, a connection lost after sending, a gateway's 502, 503, 504 or
 * a status above 511) and Nova may still be making the server, or may have made it without listing it yet. Until the
 * record's {@link Entry#quietUntil()} has passed, a repeated {@code create} of that operation
 * only looks for the server by its tag and sends no new request, so no twin is made.
 *
 * <p><b>Where the records are kept.</b> A repeated {@code create} is a new call, possibly in a
 * new process (Strata restarted, or another instance of a highly available Strata took over), so
 * a field of the provider would not do. The records go to the core's {@link ProviderJournal},
 * which keeps them in Strata's state store next to the operation itself: they survive a restart
 * and a new bundle version, and every instance reads the same ones. The record is written
 * <em>before</em> the request is sent, so that a Strata that dies while the request is in flight
 * leaves a record saying so. Where the core offers no journal (the provider used without the core,
 * in tests and benchmarks, or before the state store is up), the records are kept in this
 * process's memory only and survive a new call, not a restart; the provider logs which.
 *
 * <p><b>A record that cannot be read</b> (damaged, or written by a Strata version that records
 * more than this one reads) says that a request was sent, but not when. It is taken as a request
 * sent when this process first read it, the latest it can have been sent: no new request goes out
 * for the operation until the time a request sent then takes to show has passed (the caller's
 * {@code unreadableQuiet}: the request timeout and the settle period, as for a request in flight
 * when Strata stopped), and until then the server is only looked for by its tag. A restart reads
 * the record anew and waits again; the record itself is left as it is until the next request of
 * the operation replaces it.
 *
 * <p>Records hold no credential: a state, instants, a server id and the error message of the
 * request (already free of credentials). Thread-safe.
 */
final class CreateJournal {

    private static final Logger LOG = LoggerFactory.getLogger(CreateJournal.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Memory records older than this are dropped where they decide nothing any more (no create of
     * an operation waits that long), or where the core's journal holds them; a
     * {@link Entry#lasting() lasting} one that only memory holds is kept.
     */
    private static final Duration KEEP_IN_MEMORY = Duration.ofDays(1);

    /** What became of the request to create an operation's server. */
    enum State {
        /** It is being sent; no answer yet (or Strata died before it came). */
        SENDING,
        /** Nova accepted it; {@link Entry#serverId()} is the server. */
        ACCEPTED,
        /** No sure answer: Nova may have made the server, or may still make it. */
        UNKNOWN,
        /** Surely no server: the request never reached Nova, or Nova refused it. */
        REFUSED,
        /**
         * Nova failed the request with an error of its own (500): it may have made the server
         * before failing, which is looked for until {@link Entry#quietUntil()}; the request is
         * never sent again for this operation.
         */
        FAILED
    }

    /**
     * The record of one operation's create request.
     *
     * @param state what became of it
     * @param at when it was sent, or when its outcome was learnt
     * @param quietUntil for {@link State#SENDING}, {@link State#UNKNOWN} and {@link State#FAILED}:
     *     before this instant no new request is sent for the operation, only its server looked
     *     for (after it, none is sent either for {@code FAILED}); otherwise null
     * @param serverId the server Nova answered with ({@link State#ACCEPTED}), or null
     * @param detail the error the request got, or null
     */
    record Entry(State state, Instant at, Instant quietUntil, String serverId, String detail) {

        Entry {
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(at, "at");
        }

        /** Whether Nova may have made a server for the operation. */
        boolean mayHaveMadeServer() {
            return state != State.REFUSED;
        }

        /**
         * Whether the record decides every later create of the operation, however late: Nova made
         * a server for it ({@link State#ACCEPTED}), so no other is made, or failed the request
         * ({@link State#FAILED}), which is never sent again. The core's journal keeps every record
         * for good; in memory these are kept as long as the process runs, as dropping one would
         * have a later create send the request again and make a second server for an operation
         * that made one.
         */
        boolean lasting() {
            return state == State.ACCEPTED || state == State.FAILED;
        }

        /** Whether the request's outcome is not known, so that no new one may be sent before {@link #quietUntil()}. */
        boolean unanswered() {
            return (state == State.SENDING || state == State.UNKNOWN || state == State.FAILED) && quietUntil != null;
        }

        String toJson() {
            ObjectNode n = JSON.createObjectNode();
            n.put("request", "POST /servers");
            n.put("state", state.name());
            n.put("at", at.toString());
            if (quietUntil != null) {
                n.put("quietUntil", quietUntil.toString());
            }
            if (serverId != null) {
                n.put("server", serverId);
            }
            if (detail != null) {
                n.put("detail", detail.length() > 2000 ? detail.substring(0, 2000) : detail);
            }
            return n.toString();
        }

        static Entry parse(String text) {
            try {
                JsonNode n = JSON.readTree(text);
                return new Entry(State.valueOf(n.path("state").asText()), Instant.parse(n.path("at").asText()), instant(n, "quietUntil"),
                        n.hasNonNull("server") ? n.get("server").asText() : null, n.hasNonNull("detail") ? n.get("detail").asText() : null);
            } catch (IOException | IllegalArgumentException | DateTimeParseException | NullPointerException e) {
                throw new IllegalArgumentException("not a record of a Nova create request: " + e.getMessage(), e);
            }
        }

        private static Instant instant(JsonNode n, String field) {
            return n.hasNonNull(field) ? Instant.parse(n.get(field).asText()) : null;
        }
    }

    private final Clock clock;
    private final Map<String, Entry> memory = new ConcurrentHashMap<>();
    /** The keys of the records in {@link #memory} that were written while no journal was attached: memory alone holds them. */
    private final java.util.Set<String> memoryOnly = ConcurrentHashMap.newKeySet();
    /** Records found unreadable, by key: their text and when this process first read it. */
    private final Map<String, Unreadable> unreadable = new ConcurrentHashMap<>();
    private final AtomicReference<ProviderJournal> journal = new AtomicReference<>();
    private final java.util.concurrent.atomic.AtomicBoolean toldMemoryOnly = new java.util.concurrent.atomic.AtomicBoolean();

    CreateJournal(Clock clock) {
        this.clock = clock;
    }

    /** Keeps the records in the core's journal from now on. */
    void attach(ProviderJournal j) {
        journal.set(j);
        LOG.info("OpenStack create requests are recorded in {}", j.location());
    }

    /** The core's journal went away: records are kept in memory until it is back. */
    void detach(ProviderJournal j) {
        if (journal.compareAndSet(j, null)) {
            LOG.info("OpenStack create requests are recorded in this process's memory until Strata's state store is back");
        }
    }

    /** Where the records are, for messages. */
    String location() {
        ProviderJournal j = journal.get();
        return j == null ? "this process's memory (no state store)" : j.location();
    }

    /** An unreadable record's text, and when this process first read it. */
    private record Unreadable(String text, Instant since) {
    }

    /**
     * The record of an operation: the journal's, or the one in memory where memory alone holds it
     * (written while no journal was attached) and it is the newer.
     *
     * @param unreadableQuiet for a record that cannot be read: how long after this process first
     *     read it no new request may be sent (a request sent just then is taken as in flight)
     * @throws ProviderUnavailableException when the journal cannot be read (nothing may be sent
     *     then: a request of unknown outcome may be recorded there)
     */
    Optional<Entry> get(String providerId, String operationId, Duration unreadableQuiet) {
        Entry inMemory = memory.get(key(providerId, operationId));
        ProviderJournal j = journal.get();
        if (j == null) {
            return Optional.ofNullable(inMemory);
        }
        Optional<String> text;
        try {
            text = j.get(providerId, operationId);
        } catch (RuntimeException e) {
            throw new ProviderUnavailableException("the record of operation " + operationId + "'s create request cannot be read from "
                    + j.location() + " (" + e.getMessage() + "); nothing was sent to Nova", e);
        }
        Entry stored = null;
        if (text.isPresent()) {
            try {
                stored = Entry.parse(text.get());
            } catch (IllegalArgumentException e) {
                // the parser quotes the record's text, which the state store holds as it was written or damaged: shown printable
                stored = unreadable(providerId, operationId, text.get(), InvalidConfigurationException.printable(e.getMessage()), j.location(),
                        unreadableQuiet);
            }
        }
        if (stored == null) {
            return Optional.ofNullable(inMemory);
        }
        // A record this process wrote to the journal yields to the journal's, which was written there last: by this process, or
        // by another instance that took the operation over since, whose clock may be off from this one's. Only a record memory
        // alone holds (written while no journal was attached) is weighed against the journal's by its instant.
        return Optional.of(inMemory != null && memoryOnly.contains(key(providerId, operationId)) && inMemory.at().isAfter(stored.at())
                ? inMemory : stored);
    }

    /**
     * Records what became of an operation's create request, durably where the core offers a
     * journal; returns once it is recorded.
     *
     * @throws ProviderUnavailableException when the journal did not record it (the caller must
     *     not act as if it had: in particular not send the request)
     */
    void put(String providerId, String operationId, Entry entry) {
        ProviderJournal j = journal.get();
        if (j == null && toldMemoryOnly.compareAndSet(false, true)) {
            LOG.info("OpenStack {}: no state store offers a journal; create requests are recorded in this process's memory only, "
                    + "which a restart forgets", providerId);
        }
        if (j != null) {
            try {
                j.put(providerId, operationId, entry.toJson());
            } catch (RuntimeException e) {
                throw new ProviderUnavailableException("the create request of operation " + operationId + " cannot be recorded in "
                        + j.location() + " (" + e.getMessage() + ")", e);
            }
        }
        Instant old = clock.instant().minus(KEEP_IN_MEMORY);
        memory.entrySet().removeIf(e -> e.getValue().at().isBefore(old) && (e.getValue().quietUntil() == null
                || e.getValue().quietUntil().isBefore(old)) && !(e.getValue().lasting() && memoryOnly.contains(e.getKey())));
        memoryOnly.retainAll(memory.keySet());
        unreadable.values().removeIf(u -> u.since().isBefore(old));
        String key = key(providerId, operationId);
        memory.put(key, entry);
        // after the record is in memory: a concurrent put's retainAll keeps the key of a record memory holds
        if (j == null) {
            memoryOnly.add(key);
        } else {
            memoryOnly.remove(key);
            unreadable.remove(key);
        }
    }

    /**
     * An unreadable record as a request of unknown outcome sent when this process first read it
     * (the same text read again keeps that instant, so the wait does not start over on each read).
     */
    private Entry unreadable(String providerId, String operationId, String text, String why, String location, Duration quiet) {
        Instant now = clock.instant();
        String key = key(providerId, operationId);
        Unreadable seen = unreadable.compute(key, (k, before) -> before != null && before.text().equals(text) ? before : new Unreadable(text, now));
        if (seen.since().equals(now)) {
            LOG.warn("OpenStack {}: the record of operation {} in {} is unreadable ({}); it is taken as a create request sent now, whose "
                    + "outcome is unknown: no new request for the operation before {}", providerId, operationId, location, why,
                    seen.since().plus(quiet));
        }
        return new Entry(State.UNKNOWN, seen.since(), seen.since().plus(quiet), null, "its record in " + location + " is unreadable (" + why
                + "), so when it was sent is not known; it is taken as sent at " + seen.since() + ", when this Strata first read the record");
    }

    private static String key(String providerId, String operationId) {
        return providerId + '\n' + operationId;
    }
}
