package dev.strata.provider.baremetal.bmc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.provisioning.ProviderJournal;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable record of provisioning operations, one JSON record per operation, kept in one of two
 * places:
 * <ul>
 * <li><b>Strata's state store</b> ({@link ProviderJournal}, the default in Karaf): every instance
 *     of a highly available Strata reads the same records, so an operation the leader began before
 *     it died is resumed by the next leader, not repeated; a follower's write is refused, so a
 *     provider there never acts. Until the core's journal is there (at start-up, or while the store
 *     is down) every use is refused as unavailable, so nothing is sent to a BMC unrecorded. Records
 *     left in the local directory by an earlier version are imported when the journal comes.</li>
 * <li><b>A local directory</b> (configuration {@code journal = directory}): one file per operation,
 *     replaced atomically (written to a temporary file, forced to disk, renamed over the old one,
 *     the directory forced), so that a crash at any instant leaves either the old record or the new
 *     one, never a torn one. Right for one instance; another instance does not see it.</li>
 * </ul>
 * A record file that cannot be read (not JSON, cut short by a copy or an editor, a phase this
 * version does not know, a field missing, or a name other than its operation id gives: a copy) is not skipped: the operation it records may hold a
 * machine (being powered on, or given to a deployment), and only this record says so, so skipped
 * it would leave that machine free for the next {@code create}: two deployments on one machine.
 * Nor does it stop the provider: discovery goes on, and every use of the journal (a create, a
 * delete, a description, the labels discovery shows) is refused as unavailable naming the file
 * and what is wrong with it, nothing sent to a BMC, until the operator repairs the file or removes
 * it (once the machine is known to be free); the directory is read again at the next use, without
 * a restart. The files are never changed or removed by the provider. A temporary file a crash left
 * behind ({@code op-*.json.tmp}) is not a record and is ignored: the record it was to replace, if
 * any, is still in place, and nothing was sent to a BMC before it was renamed.
 * Holds no password or token; a virtual media URL is kept as the request gave it (a signed URL's
 * query included), since the provider must insert the same image when it resumes.
 *
 * <p>Why the provider keeps this record: a BMC has nowhere to hold Strata's labels (no tags),
 * and only the provider knows, between the moment it asked a BMC for a power change and the
 * moment the core stored the answer, that it did; the record is what lets a repeated
 * {@code create} with the same operation id resume instead of power-cycling the machine again.
 * Both places live outside the bundle, so a new version of the bundle reads the same records.
 */
public final class OperationJournal {

    private static final Logger LOG = LoggerFactory.getLogger(OperationJournal.class);

    /** Where the records are. */
    private interface Records {
        Optional<Operation> get(String operationId);

        Map<String, Operation> all();

        void put(Operation op, String json);

        String location();
    }

    private final Path directory;
    private final ObjectMapper json;
    private final boolean inStateStore;
    private volatile Records records;

    /** A journal in a local directory. */
    public OperationJournal(Path directory) {
        this.directory = directory;
        this.json = new ObjectMapper();
        this.inStateStore = false;
        this.records = openOrRefuse(() -> new DirectoryRecords(load(directory)));
    }

    /**
     * The records {@code open} gives, or, where one of the directory's record files cannot be read,
     * records that refuse every use as unavailable, naming the file, and call {@code open} again at
     * each use until it succeeds.
     */
    private Records openOrRefuse(java.util.function.Supplier<Records> open) {
        try {
            return open.get();
        } catch (UnreadableRecordException e) {
            LOG.error("{}", e.getMessage());
            return new Unreadable(open);
        }
    }

    private OperationJournal(Path legacyDirectory, String unavailable) {
        this.directory = legacyDirectory;
        this.json = new ObjectMapper();
        this.inStateStore = true;
        this.records = new Unavailable(unavailable);
    }

    /** Whether the records are kept in Strata's state store (once {@link #attach}ed), not in a directory. */
    public boolean inStateStore() {
        return inStateStore;
    }

    /**
     * A journal in Strata's state store, refused as unavailable until {@link #attach} gives it the
     * core's {@link ProviderJournal}; {@code legacyDirectory} is where an earlier version kept its
     * records, imported then.
     */
    public static OperationJournal inStateStore(Path legacyDirectory) {
        return new OperationJournal(legacyDirectory, "the BMC operation journal is kept in Strata's state store, which is not available "
                + "yet (the core's ProviderJournal service is not there)");
    }

    /**
     * Keeps the records in the core's journal from now on, first importing the records of the
     * local directory that the journal lacks (the store's record wins where both have one). A record
     * that cannot be imported yet (this instance is a follower) is still read from the directory and
     * imported at a later use.
     */
    public void attach(ProviderJournal journal, String providerId) {
        if (!inStateStore) {
            throw new IllegalStateException("this BMC operation journal is kept in " + directory + ", not in the state store");
        }
        records = openOrRefuse(() -> {
            Map<String, Operation> legacy = Files.isDirectory(directory) ? load(directory) : Map.of();
            StoreRecords store = new StoreRecords(journal, providerId, legacy);
            store.importLegacy();
            LOG.info("BMC operation journal: {}{}", journal.location(), legacy.isEmpty() ? ""
                    : " (" + legacy.size() + " operations of " + directory + " looked at for import)");
            return store;
        });
    }

    /** The core's journal went away: refused as unavailable until it is attached again. */
    public void detach(String why) {
        records = new Unavailable(why);
    }

    /** Where the records are kept, for messages. */
    public String location() {
        return records.location();
    }

    public Path directory() {
        return directory;
    }

    private Map<String, Operation> load(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ProviderUnavailableException("cannot create the BMC operation journal " + dir + ": " + e.getMessage(), e);
        }
        Map<String, Operation> found = new ConcurrentHashMap<>();
        List<String> unreadable = new ArrayList<>();
        // op-*.json: a temporary file a crash left behind (op-*.json.tmp) is no record
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "op-*.json")) {
            for (Path file : files) {
                try {
                    Operation op = fromJson(json.readTree(Files.readAllBytes(file)));
                    String named = fileName(op.operationId());
                    if (!file.getFileName().toString().equals(named)) {
                        // a copy or a rename of a record (op-1a2b copy.json): which of the two files is the operation's is not
                        // known, and the one read last would stand, perhaps an older phase of it
                        throw new IllegalArgumentException("its operation id gives the name " + named + ", not this one: a copy or a "
                                + "rename of a record, which leaves two records of one operation or one where the provider does not look");
                    }
                    found.put(op.operationId(), op);
                } catch (IOException | RuntimeException e) {
                    // the file's name is any the directory holds (a copy's, an editor's): shown as the API shows a value, like the
                    // values the problem quotes, so that a line break in it forges no line of the log
                    unreadable.add(InvalidConfigurationException.printable(file + " (" + problem(e) + ")"));
                }
            }
        } catch (IOException e) {
            throw new ProviderUnavailableException("cannot read the BMC operation journal " + dir + ": " + e.getMessage(), e);
        }
        if (!unreadable.isEmpty()) {
            unreadable.sort(null);
            throw new UnreadableRecordException("the BMC operation journal " + InvalidConfigurationException.printable(dir.toString()) + " holds " + (unreadable.size() == 1 ? "a record that "
                    + "cannot be read: " : unreadable.size() + " records that cannot be read: ") + String.join(", ", unreadable)
                    + "; expected a record as the provider writes it. The operation it records may hold a machine, so no machine is "
                    + "provisioned or deleted until the file is repaired, or removed once that machine is known to be free");
        }
        LOG.info("BMC operation journal {}: {} operations", dir, found.size());
        return found;
    }

    public Optional<Operation> get(String operationId) {
        return records.get(operationId);
    }

    /** Every operation, oldest first. */
    public List<Operation> all() {
        List<Operation> list = new ArrayList<>(records.all().values());
        list.sort(Comparator.comparing(Operation::createdAt).thenComparing(Operation::operationId));
        return list;
    }

    /** The operation that holds a node (any phase but GONE), if one does. */
    public Optional<Operation> holding(String nodeId) {
        return holding(all(), nodeId);
    }

    /** The operation of {@code operations} that holds a node (any phase but GONE), if one does. */
    static Optional<Operation> holding(List<Operation> operations, String nodeId) {
        return operations.stream().filter(o -> o.nodeId().equals(nodeId) && o.phase() != Operation.Phase.GONE)
                .min(Comparator.comparing(Operation::createdAt));
    }

    /** Writes the record durably, then makes it current; when it throws, nothing may be sent to the BMC. */
    public synchronized Operation put(Operation op) {
        String text;
        try {
            text = json.writerWithDefaultPrettyPrinter().writeValueAsString(toJson(op));
        } catch (IOException e) {
            throw new IllegalStateException("BMC operation " + op.operationId() + " cannot be written as JSON", e);
        }
        records.put(op, text);
        LOG.debug("Operation {} on {} is {}", op.operationId(), op.nodeId(), op.phase());
        return op;
    }

    /** The records of one instance, in files of a local directory, also kept in memory. */
    private final class DirectoryRecords implements Records {
        private final Map<String, Operation> operations;

        DirectoryRecords(Map<String, Operation> loaded) {
            this.operations = loaded;
        }

        @Override
        public Optional<Operation> get(String operationId) {
            return Optional.ofNullable(operations.get(operationId));
        }

        @Override
        public Map<String, Operation> all() {
            return operations;
        }

        @Override
        public void put(Operation op, String text) {
            Path file = directory.resolve(fileName(op.operationId()));
            Path temp = directory.resolve(file.getFileName() + ".tmp");
            try {
                try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE)) {
                    channel.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
                    channel.force(true);
                }
                try {
                    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
                }
                forceDirectory();
            } catch (IOException e) {
                throw new ProviderUnavailableException("cannot record BMC operation " + op.operationId() + " in " + directory + ": "
                        + e.getMessage() + "; nothing was sent to the BMC", e);
            }
            operations.put(op.operationId(), op);
        }

        @Override
        public String location() {
            return directory.toString();
        }
    }

    /**
     * The records in the core's journal, read from it at every use (another instance may have
     * written them), with the local directory's records that could not be imported yet.
     */
    private final class StoreRecords implements Records {
        private final ProviderJournal journal;
        private final String providerId;
        private final Map<String, Operation> pending;
        private volatile boolean told;

        StoreRecords(ProviderJournal journal, String providerId, Map<String, Operation> legacy) {
            this.journal = journal;
            this.providerId = providerId;
            this.pending = new ConcurrentHashMap<>(legacy);
        }

        /** Imports what the journal lacks; stops at the first refusal (a follower), to try again at a later use. */
        void importLegacy() {
            if (pending.isEmpty()) {
                return;
            }
            try {
                Map<String, String> stored = journal.all(providerId);
                int imported = 0;
                for (Operation op : List.copyOf(pending.values())) {
                    if (!stored.containsKey(op.operationId())) {
                        journal.put(providerId, op.operationId(), json.writerWithDefaultPrettyPrinter().writeValueAsString(toJson(op)));
                        imported++;
                    }
                    pending.remove(op.operationId());
                }
                if (imported > 0) {
                    LOG.info("Imported {} BMC operations from {} into {}", imported, directory, journal.location());
                }
            } catch (IOException | RuntimeException e) {
                if (!told) {
                    LOG.info("BMC operations of {} not imported into {} yet ({}); read from the directory until they are", directory,
                            journal.location(), e.getMessage());
                    told = true;
                } else {
                    LOG.debug("BMC operations of {} still not imported: {}", directory, e.getMessage());
                }
            }
        }

        @Override
        public Optional<Operation> get(String operationId) {
            importLegacy();
            Optional<Operation> stored = journal.get(providerId, operationId).map(OperationJournal.this::parse);
            return stored.isPresent() ? stored : Optional.ofNullable(pending.get(operationId));
        }

        @Override
        public Map<String, Operation> all() {
            importLegacy();
            Map<String, Operation> out = new java.util.HashMap<>(pending);
            journal.all(providerId).forEach((id, text) -> out.put(id, parse(text)));
            return out;
        }

        @Override
        public void put(Operation op, String text) {
            importLegacy();
            journal.put(providerId, op.operationId(), text);
            pending.remove(op.operationId());
        }

        @Override
        public String location() {
            return journal.location();
        }
    }

    /** A record file of the directory cannot be read (see {@link OperationJournal}). */
    private static final class UnreadableRecordException extends ProviderUnavailableException {
        private static final long serialVersionUID = 1L;

        UnreadableRecordException(String message) {
            super(message);
        }
    }

    /**
     * Records of a directory holding a record that cannot be read: every use refused as
     * unavailable, naming it, after the directory is read again (the operator may have repaired or
     * removed the file); once every record can be read, they are the records from then on.
     */
    private final class Unreadable implements Records {
        private final java.util.function.Supplier<Records> open;

        Unreadable(java.util.function.Supplier<Records> open) {
            this.open = open;
        }

        /** The records, read again; held under the journal's lock, as a write is, so that no write goes to records read before it. */
        private Records reopened() {
            synchronized (OperationJournal.this) {
                if (records != this) {
                    return records;
                }
                try {
                    Records readable = open.get();
                    records = readable;
                    LOG.info("BMC operation journal {}: every record can be read again", directory);
                    return readable;
                } catch (UnreadableRecordException e) {
                    throw new ProviderUnavailableException(e.getMessage() + "; nothing was sent to the BMC");
                }
            }
        }

        @Override
        public Optional<Operation> get(String operationId) {
            return reopened().get(operationId);
        }

        @Override
        public Map<String, Operation> all() {
            return reopened().all();
        }

        @Override
        public void put(Operation op, String text) {
            reopened().put(op, text);
        }

        @Override
        public String location() {
            return directory + " (not used until each of its records can be read)";
        }
    }

    /** No journal yet: every use refused, so that nothing is sent to a BMC without a record. */
    private static final class Unavailable implements Records {
        private final String why;

        Unavailable(String why) {
            this.why = why;
        }

        private ProviderUnavailableException refused() {
            return new ProviderUnavailableException(why + "; nothing was sent to the BMC");
        }

        @Override
        public Optional<Operation> get(String operationId) {
            throw refused();
        }

        @Override
        public Map<String, Operation> all() {
            throw refused();
        }

        @Override
        public void put(Operation op, String text) {
            throw refused();
        }

        @Override
        public String location() {
            return "(not available: " + why + ")";
        }
    }

    private void forceDirectory() {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // some file systems cannot open a directory for sync; the rename is still atomic there
        }
    }

    private Operation parse(String text) {
        try {
            return fromJson(json.readTree(text));
        } catch (IOException | RuntimeException e) {
            // where the records are (the store's kind and configured data directory), shown as the API shows a configured value,
            // as a record file's path is: the message reaches the log, where a line break in a directory's name would forge a line
            // the parser's own message quotes the record (a virtual media URL's signed query may be there): cut as a file's is
            throw new ProviderFailureException("the BMC operation record in " + InvalidConfigurationException.printable(records.location())
                    + " cannot be read: " + InvalidConfigurationException.printable(problem(e)));
        }
    }

    private ObjectNode toJson(Operation op) {
        ObjectNode o = json.createObjectNode();
        o.put("operationId", op.operationId());
        put(o, "deploymentId", op.deploymentId());
        put(o, "member", op.member());
        put(o, "tenant", op.tenant());
        o.put("nodeId", op.nodeId());
        o.put("bmc", op.bmc());
        o.put("system", op.system());
        put(o, "bootDevice", op.bootDevice());
        put(o, "virtualMedia", op.virtualMedia());
        put(o, "shutdown", op.shutdown());
        o.put("phase", op.phase().name());
        put(o, "powerAction", op.powerAction() == null ? null : op.powerAction().name());
        put(o, "powerRequestedAt", op.powerRequestedAt() == null ? null : op.powerRequestedAt().toString());
        o.put("createdAt", op.createdAt().toString());
        o.put("updatedAt", op.updatedAt().toString());
        put(o, "note", op.note());
        if (!op.steps().isEmpty()) {
            com.fasterxml.jackson.databind.node.ArrayNode steps = o.putArray("steps");
            op.steps().forEach(steps::add);
        }
        return o;
    }

    private static void put(ObjectNode o, String key, String value) {
        if (value != null) {
            o.put(key, value);
        }
    }

    private static Operation fromJson(JsonNode o) {
        if (o == null || !o.isObject()) {
            throw new IllegalArgumentException("no JSON object");
        }
        return new Operation(required(o, "operationId"), text(o, "deploymentId"), text(o, "member"), text(o, "tenant"),
                required(o, "nodeId"), required(o, "bmc"), required(o, "system"), text(o, "bootDevice"),
                text(o, "virtualMedia"), text(o, "shutdown"), named(o, "phase", Operation.Phase.class),
                o.hasNonNull("powerAction") ? named(o, "powerAction", PowerAction.class) : null,
                o.hasNonNull("powerRequestedAt") ? instant(o, "powerRequestedAt") : null,
                instant(o, "createdAt"), instant(o, "updatedAt"), text(o, "note"), steps(o));
    }

    /** A field the record must have: without it (no node id, say) the operation would hold no machine. */
    private static String required(JsonNode o, String key) {
        String text = text(o, key);
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("no " + key);
        }
        return text;
    }

    private static <E extends Enum<E>> E named(JsonNode o, String key, Class<E> type) {
        String text = required(o, key);
        try {
            return Enum.valueOf(type, text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + " '" + shown(text) + "', none of " + java.util.Arrays.toString(type.getEnumConstants()));
        }
    }

    private static java.time.Instant instant(JsonNode o, String key) {
        String text = required(o, key);
        try {
            return java.time.Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(key + " '" + shown(text) + "', not an instant");
        }
    }

    /**
     * A value of a damaged record, cut, for a message: its control and format characters, separators
     * and lone surrogates shown as the API shows a value ({@link InvalidConfigurationException#printable},
     * <code>&#92;u001b</code>), so that the message tells what the file holds; before, each was {@code ?}.
     */
    private static String shown(String text) {
        return InvalidConfigurationException.printable(text.length() > 40 ? text.substring(0, 40) + "..." : text);
    }

    /**
     * What is wrong with a record file, for a message. The parser's own message is cut before it
     * quotes the file (a virtual media URL's signed query may be there); its position is kept.
     */
    private static String problem(Exception e) {
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j) {
            String what = j.getOriginalMessage() == null ? "" : j.getOriginalMessage();
            int cut = what.length();
            for (char c : new char[] {':', '\'', '(', '\n'}) {
                int at = what.indexOf(c);
                if (at >= 0 && at < cut) {
                    cut = at;
                }
            }
            com.fasterxml.jackson.core.JsonLocation at = j.getLocation();
            return "not JSON: " + what.substring(0, cut).strip() + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr());
        }
        if (e instanceof IOException) {
            return "cannot be read: " + e;
        }
        return e.getMessage();
    }

    private static java.util.List<String> steps(JsonNode o) {
        java.util.List<String> steps = new java.util.ArrayList<>();
        o.path("steps").forEach(step -> steps.add(step.asText()));
        return steps;
    }

    private static String text(JsonNode o, String key) {
        return o.hasNonNull(key) ? o.path(key).asText() : null;
    }

    static String fileName(String operationId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(operationId.getBytes(StandardCharsets.UTF_8));
            return "op-" + HexFormat.of().formatHex(digest, 0, 16) + ".json";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
