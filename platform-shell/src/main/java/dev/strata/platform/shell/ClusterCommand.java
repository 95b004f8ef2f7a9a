package dev.strata.platform.shell;

import dev.strata.platform.api.cluster.Cluster;
import dev.strata.platform.api.cluster.ClusterInstance;
import dev.strata.platform.api.cluster.ClusterMode;
import dev.strata.platform.api.cluster.ClusterStatus;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code strata:cluster}: the instances sharing the state store and the leader. */
@Service
@Command(scope = "strata", name = "cluster", description = "Shows the Strata instances that share the state store, which one leads "
        + "and since when.")
public class ClusterCommand implements Action {

    @Reference(optional = true)
    Cluster cluster;

    @Option(name = "--no-format", description = "Plain output without table borders, for scripts")
    boolean noFormat;

    @Override
    public Object execute() {
        ClusterStatus s = Services.require(cluster, "state store").status();
        if (!noFormat) {
            System.out.println(Format.visible("Store     " + s.store()));
            boolean sharedWriters = s.mode() == ClusterMode.SHARED_WRITERS;
            System.out.println("Mode      " + mode(s.mode()));
            System.out.println(Format.visible("Leader    " + (s.leader() == null ? (s.writesRefused() != null ? NOT_LEADING_WHILE_REFUSED
                    : "none (election under way)")
                    : sharedWriters ? "none elected: every instance acts as one (this one since " + Format.time(s.leaderSince()) + ")"
                    : s.leader() + " at " + s.leaderAddress() + " since " + Format.time(s.leaderSince())
                            + (s.mode() == ClusterMode.ELECTED_LEADER ? ", epoch " + s.epoch() : ""))));
            System.out.println(Format.visible("This      " + s.self()));
            if (s.writesRefused() != null) {
                System.out.println(Format.visible("Writes    refused: " + s.writesRefused()));
            }
            System.out.println();
        }
        Table table = new Table("INSTANCE", "ADDRESS", "ROLE", "ALIVE", "STARTED", "LAST SEEN");
        for (ClusterInstance i : s.instances()) {
            table.row(i.id() + (i.id().equals(s.self()) ? " (this)" : ""), i.address(), i.role(), i.alive() ? "yes" : "no",
                    Format.time(i.startedAt()), Format.time(i.lastSeen()));
        }
        table.print(System.out, noFormat);
        return null;
    }

    /**
     * What the Mode line says of a mode. {@link ClusterMode} is the API's, and a later minor version
     * of it may add a mode; this shell, built against today's, shows such a mode by its name. A
     * switch over the modes without a default fails on a mode it does not name (an
     * IncompatibleClassChangeError, a MatchException from Java 21 on), which took the whole command
     * down.
     */
    static String mode(ClusterMode mode) {
        return switch (mode) {
            case ELECTED_LEADER -> "high availability: one leader elected through the database";
            case SHARED_WRITERS -> SHARED_WRITERS;
            case EMBEDDED -> "single instance (no election)";
            default -> mode.name();
        };
    }

    /**
     * What the Leader line says where none leads and this instance refuses writes for a reason of its own
     * ({@link ClusterStatus#writesRefused()}): an elected instance gives the leadership up then, and while an instance of the
     * other mode runs on the database no election succeeds, so none is under way.
     */
    static final String NOT_LEADING_WHILE_REFUSED = "none, and not an election under way: this instance does not lead while it refuses "
            + "writes (see Writes below)";

    /**
     * What the Mode line says of PostgreSQL with {@code highAvailability = false}: several
     * instances may share the database, and each writes; they record no heartbeat, so this one alone is listed.
     */
    static final String SHARED_WRITERS = "shared writers (highAvailability = false): every instance on this database writes, no leader "
            + "is elected; instances without an election are not tracked, so only this one is listed";
}
