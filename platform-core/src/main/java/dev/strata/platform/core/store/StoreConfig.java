package dev.strata.platform.core.store;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the state store ({@code etc/dev.strata.platform.core.store.cfg}). The
 * database password is never a configuration property: it is read from {@link #passwordFile()},
 * so that it appears in no {@code config:list}, log line or exception.
 */
@ObjectClassDefinition(name = "Strata state store", description = "Where Strata keeps its durable state: an embedded H2 file "
        + "database (default) or PostgreSQL shared by several instances.")
public @interface StoreConfig {

    @AttributeDefinition(description = "JDBC URL. Empty: the embedded H2 database in data/strata/store. PostgreSQL: "
            + "jdbc:postgresql://HOST:PORT/DATABASE (no password in the URL: use passwordFile).")
    String url() default "";

    @AttributeDefinition(description = "Database user.")
    String user() default "strata";

    @AttributeDefinition(description = "File holding the database password (its first line), relative to etc/; keep it readable "
            + "by Strata only. Empty: no password.")
    String passwordFile() default "";

    @AttributeDefinition(description = "Connections in the pool (1 to 64).")
    int poolSize() default 8;

    @AttributeDefinition(description = "How long to wait for a database connection, e.g. 10s.")
    String connectTimeout() default "10s";

    @AttributeDefinition(description = "PostgreSQL only: the longest wait for the database's answer on an open connection "
            + "(5s to 1h), e.g. 60s. A server or network that goes silent mid-statement then fails the write, which is not "
            + "acknowledged, instead of stopping the store's writer for good.")
    String socketTimeout() default "60s";

    @AttributeDefinition(description = "Embedded store only: fsync (every acknowledged write is on disk, one flush per group "
            + "commit) or write (handed to the operating system: survives a crash of Strata, not of the machine).")
    String durability() default "fsync";

    @AttributeDefinition(description = "Embedded store only: when less than this percentage of the file's chunks is live data, "
            + "the store's writer rewrites the live pages of the sparsest chunks older than 45 s (up to 4 MB at a time while idle, "
            + "1 MB at most once a second under load) so that their space is reused. 1 to 90; 0 turns online compaction off.")
    int compactFillRate() default 50;

    @AttributeDefinition(description = "PostgreSQL only: elect one leader among the instances sharing the database; the others "
            + "serve reads and refuse writes naming the leader.")
    boolean highAvailability() default true;

    @AttributeDefinition(description = "This instance's id in the cluster. Empty: one is generated at first start and kept in "
            + "data/strata/instance-id.")
    String instanceId() default "";

    @AttributeDefinition(description = "Where other instances and clients reach this one (shown by strata:cluster and in the "
            + "message a follower gives). Empty: the host name.")
    String advertisedAddress() default "";

    @AttributeDefinition(description = "PostgreSQL only: how often followers try to take the leadership and the leader checks "
            + "its lock, e.g. 1s.")
    String electionInterval() default "1s";

    @AttributeDefinition(description = "PostgreSQL with highAvailability only: how long a start waits for the first leader election "
            + "round (1s to 10m), e.g. 5s. A round that takes longer (a database far away, or one that does not answer) is left to end "
            + "on its own, and the instance starts as a follower, leading should that round, or a later one, elect it.")
    String electionStartWait() default "5s";

    @AttributeDefinition(description = "How many writes may wait for the store's writer (100 to 1000000). One more holds its caller "
            + "back until the writer has made room, for at most writeQueueWait; each waiting write holds its data in memory.")
    int writeQueueLimit() default 10_000;

    @AttributeDefinition(description = "How long a write waits for room among the writeQueueLimit writes waiting for the writer before "
            + "it fails, not stored (100ms to 10m), e.g. 10s.")
    String writeQueueWait() default "10s";
}
