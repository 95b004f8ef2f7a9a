package dev.strata.platform.core.store;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.locks.Lock;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the embedded file's store header where H2's crash recovery finds the newest commit.
 *
 * <p>Why: after a crash, H2 (2.2 to 2.5) looks for the newest chunk (one per commit) from the
 * chunk its store header names and from the chunk at the end of the file, then follows each
 * chunk's prediction of where the next one goes, expecting the next chunk id there. H2 writes the
 * header only now and then, and once the file reuses freed space that chain breaks in two ways:
 * <ul>
 * <li>a chunk lands elsewhere than predicted. H2 then writes the header again, but naming the chunk
 *     written <em>before</em> that one (it updates its last chunk only after writing the header),
 *     so the chain from the header stops short of the misplaced chunk until H2 writes the header
 *     again, up to 20 commits later;</li>
 * <li>the chunk the header names dies and its space is reused (at a few commits a minute, 20
 *     commits take longer than H2's 45 s retention time). H2 notices only after it has written the
 *     new chunk there.</li>
 * </ul>
 * A {@code kill -9} (or a power cut) in either window makes the next start roll back to an older
 * commit: acknowledged writes are lost, silently. Strata's kill tests found it once online
 * compaction made space reuse come early.
 *
 * <p>What: after each group commit and before it is acknowledged (and before the fsync, where
 * there is one), {@link #ensure()} makes sure, under H2's chunk-save lock, that the newest chunk
 * either ends the file (recovery reads it there) or is the one the header names; otherwise it has
 * H2 write its header again, now naming the newest chunk. The newest chunk stays live until a newer
 * commit, so it cannot be overwritten while the header names it; and where it ends the file,
 * recovery finds it there whatever the header names. That costs one 8 KB write at the start of the
 * file per commit written into reused space, under the same fsync.
 *
 * <p>How: the last chunk, the chunk-save lock and the header writer are H2 internals (protected or
 * private in {@code org.h2.mvstore}); they are reached by reflection, so the core bundle imports
 * nothing of H2. An H2 without them gets one warning at start.
 */
final class H2HeaderGuard implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(H2HeaderGuard.class);
    private static final int BLOCK_SIZE = 4096;

    private final Connection connection;
    private final Object fileStore;
    private final Lock saveChunkLock;
    private final Field lastChunk;
    private final Method size;
    private final Method storeHeader;
    private final Method writeStoreHeader;
    private final Field chunkId;
    private final Field chunkBlock;
    private final Field chunkLen;
    private final Field closed;
    private volatile long rewrites;

    private H2HeaderGuard(Connection connection, Object fileStore) throws ReflectiveOperationException {
        this.connection = connection;
        this.fileStore = fileStore;
        this.saveChunkLock = (Lock) accessible(field(fileStore.getClass(), "saveChunkLock")).get(fileStore);
        this.lastChunk = accessible(field(fileStore.getClass(), "lastChunk"));
        this.size = accessible(method(fileStore.getClass(), "size"));
        this.storeHeader = accessible(method(fileStore.getClass(), "getStoreHeader"));
        this.writeStoreHeader = accessible(method(fileStore.getClass(), "writeStoreHeader"));
        Class<?> chunk = Class.forName("org.h2.mvstore.Chunk", false, fileStore.getClass().getClassLoader());
        this.chunkId = chunk.getField("id");
        this.chunkBlock = chunk.getField("block");
        this.chunkLen = chunk.getField("len");
        this.closed = accessible(field(fileStore.getClass(), "closed"));
    }

    /**
     * Whether the H2 store this guard is attached to is closed: H2 closed the database (it does
     * when it cannot write a commit), or the database was opened again since, by a read.
     */
    boolean storeClosed() {
        try {
            return closed.getBoolean(fileStore);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false; // the writer's other checks still see a closed database
        }
    }

    /**
     * Reaches the H2 store behind {@code direct}, or returns null (with one warning in the log)
     * where that is not possible. The connection opened for it is kept until {@link #close()}.
     */
    static H2HeaderGuard attach(DataSource direct, String where) {
        Connection c = null;
        try {
            c = direct.getConnection();
            H2HeaderGuard guard = new H2HeaderGuard(c, H2Compaction.fileStore(c));
            guard.ensure(); // fails here, not on the writer, if H2's members do not answer
            return guard;
        } catch (ReflectiveOperationException | SQLException | IOException | RuntimeException e) {
            LOG.warn("The embedded state store at {} cannot keep H2's store header on its newest commit ({}): after a kill -9 or a "
                    + "power cut, H2 may start from an older commit and lose the last acknowledged writes", where,
                    e instanceof SQLException ? JdbcStateStore.describe(e) : JdbcStateStore.shown(e.toString()));
            H2Compaction.discard(c, e);
            return null;
        }
    }

    /**
     * Makes sure that H2's recovery finds the newest chunk; writes the store header again where it
     * would not. Called by the writer after a commit, before the fsync and the acknowledgement.
     *
     * @throws IOException when H2 cannot write its header (the commit must then not be acknowledged)
     */
    void ensure() throws IOException {
        saveChunkLock.lock();
        try {
            Object last = lastChunk.get(fileStore);
            if (last == null || reachable(last)) {
                return;
            }
            writeStoreHeader.invoke(fileStore);
            rewrites++;
        } catch (InvocationTargetException e) {
            throw new IOException("H2 could not write its store header: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IOException("H2's store header could not be checked: " + e, e);
        } finally {
            saveChunkLock.unlock();
        }
    }

    /** Whether recovery finds {@code last}: it ends the file, or the header names it. */
    private boolean reachable(Object last) throws ReflectiveOperationException {
        long fileBlocks = (Long) size.invoke(fileStore) / BLOCK_SIZE;
        if (chunkBlock.getLong(last) + chunkLen.getInt(last) >= fileBlocks) {
            return true;
        }
        Object named = ((Map<?, ?>) storeHeader.invoke(fileStore)).get("chunk");
        if (named == null) {
            return false;
        }
        int id = named instanceof Number n ? n.intValue() : Integer.parseInt(named.toString(), 16);
        return id == chunkId.getInt(last);
    }

    /** How many times the header was written again. */
    long rewrites() {
        return rewrites;
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.debug("Closing the header guard's connection: {}", JdbcStateStore.describe(e));
        }
    }

    /** A field the type or one of its superclasses declares (H2's internals; shared with {@link H2RecoveryRepair}). */
    static Field field(Class<?> type, String name) throws NoSuchFieldException {
        for (Class<?> t = type; t != null; t = t.getSuperclass()) {
            try {
                return t.getDeclaredField(name);
            } catch (NoSuchFieldException next) {
                // a superclass may declare it
            }
        }
        throw new NoSuchFieldException(type.getName() + "." + name);
    }

    /** A method without parameters the type or one of its superclasses declares. */
    static Method method(Class<?> type, String name) throws NoSuchMethodException {
        for (Class<?> t = type; t != null; t = t.getSuperclass()) {
            try {
                return t.getDeclaredMethod(name);
            } catch (NoSuchMethodException next) {
                // a superclass may declare it
            }
        }
        throw new NoSuchMethodException(type.getName() + "." + name + "()");
    }

    /** The member, made accessible. */
    static <T extends java.lang.reflect.AccessibleObject> T accessible(T member) {
        member.setAccessible(true);
        return member;
    }
}
