package dev.strata.provider.baremetal.bmc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.platform.api.exception.ProviderUnavailableException;
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
 * The durable record of provisioning operations: one JSON file per operation in a directory,
 * replaced atomically (written to a temporary file, forced to disk, renamed over the old one,
 * the directory forced) so that a crash at any instant leaves either the old record or the new
 * one, never a torn one. Holds no credential.
 *
 * <p>Why the provider keeps this record: a BMC has nowhere to hold Strata's labels (no tags),
 * and only the provider knows, between the moment it asked a BMC for a power change and the
 * moment the core stored the answer, that it did; the record is what lets a repeated
 * {@code create} with the same operation id resume instead of power-cycling the machine again.
 * The directory lives outside the bundle (Karaf's {@code data/} by default), so a new version of
 * the bundle reads the same records.
 */
public final class OperationJournal {

    private static final Logger LOG = LoggerFactory.getLogger(OperationJournal.class);

    private final Path directory;
    private final ObjectMapper json;
    private final Map<String, Operation> operations = new ConcurrentHashMap<>();

    public OperationJournal(Path directory) {
        this.directory = directory;
        this.json = new ObjectMapper();
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new ProviderUnavailableException("cannot create the BMC operation journal " + directory + ": " + e.getMessage(), e);
        }
        load();
    }

    public Path directory() {
        return directory;
    }

    private void load() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "op-*.json")) {
            for (Path file : files) {
                try {
                    Operation op = fromJson(json.readTree(Files.readAllBytes(file)));
                    operations.put(op.operationId(), op);
                } catch (IOException | RuntimeException e) {
                    LOG.error("Ignoring unreadable BMC operation record {}: {}", file, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new ProviderUnavailableException("cannot read the BMC operation journal " + directory + ": " + e.getMessage(), e);
        }
        LOG.info("BMC operation journal {}: {} operations", directory, operations.size());
    }

    public Optional<Operation> get(String operationId) {
        return Optional.ofNullable(operations.get(operationId));
    }

    /** Every operation, oldest first. */
    public List<Operation> all() {
        List<Operation> list = new ArrayList<>(operations.values());
        list.sort(Comparator.comparing(Operation::createdAt).thenComparing(Operation::operationId));
        return list;
    }

    /** The operation that holds a node (any phase but GONE), if one does. */
    public Optional<Operation> holding(String nodeId) {
        return operations.values().stream().filter(o -> o.nodeId().equals(nodeId) && o.phase() != Operation.Phase.GONE)
                .min(Comparator.comparing(Operation::createdAt));
    }

    /** Writes the record durably, then makes it current. */
    public synchronized Operation put(Operation op) {
        Path file = directory.resolve(fileName(op.operationId()));
        Path temp = directory.resolve(file.getFileName() + ".tmp");
        try {
            byte[] bytes = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(toJson(op));
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                channel.write(java.nio.ByteBuffer.wrap(bytes));
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
        LOG.debug("Operation {} on {} is {}", op.operationId(), op.nodeId(), op.phase());
        return op;
    }

    private void forceDirectory() {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // some file systems cannot open a directory for sync; the rename is still atomic there
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
        return new Operation(o.path("operationId").asText(), text(o, "deploymentId"), text(o, "member"), text(o, "tenant"),
                o.path("nodeId").asText(), o.path("bmc").asText(), o.path("system").asText(), text(o, "bootDevice"),
                text(o, "virtualMedia"), text(o, "shutdown"), Operation.Phase.valueOf(o.path("phase").asText()),
                o.hasNonNull("powerAction") ? PowerAction.valueOf(o.path("powerAction").asText()) : null,
                o.hasNonNull("powerRequestedAt") ? java.time.Instant.parse(o.path("powerRequestedAt").asText()) : null,
                java.time.Instant.parse(o.path("createdAt").asText()), java.time.Instant.parse(o.path("updatedAt").asText()),
                text(o, "note"), steps(o));
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
