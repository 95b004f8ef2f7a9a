package dev.strata.platform.core.store;

import static dev.strata.platform.core.store.H2HeaderGuard.accessible;
import static dev.strata.platform.core.store.H2HeaderGuard.field;
import static dev.strata.platform.core.store.H2HeaderGuard.method;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a start after a crash from rolling the embedded file back at the start after that.
 *
 * <p>Why: H2 (2.5.252) frees a dead chunk's space in memory and may write the next chunk there
 * before any chunk in the file records that the dead one is gone. A {@code kill -9} (or a power
 * cut) in that window is harmless by itself: the next start recovers the newest commit, whose
 * layout still lists the dead chunk at its old place. But that recovery marks the dead chunk as
 * taking no space and keeps its entry in the layout for good, and H2 writes the entry into every
 * later chunk. The start after the next clean stop checks the newest chunks the layout lists,
 * the dead one among them; its place now holds another chunk, so H2 takes the file for damaged
 * and recovers from the chunks it checked before that one, leaving out the newest: acknowledged
 * commits are lost, silently. Strata's own open does that at once (the migrations' connection
 * recovers and closes the database, the pool opens it again): the kill -9 tests' check found the
 * newest acknowledged placements and releases of a round missing, which the file held.
 *
 * <p>What: on the first connection of a start, before anything can close the database, dead chunks
 * that take no space are dropped as H2 drops a chunk it frees (from its chunks, its queue of dead
 * chunks and the layout; no live page refers to a dead chunk) and the change is committed. (H2
 * never frees a dead chunk that takes no space, and its queue of dead chunks stops at the first one
 * it cannot free.)
 *
 * <p>How: the layout, the chunks and their state are H2 internals, reached by reflection as in
 * {@link H2HeaderGuard}; an H2 without them gets one warning, and the start goes on as before.
 */
final class H2RecoveryRepair {

    private static final Logger LOG = LoggerFactory.getLogger(H2RecoveryRepair.class);

    private H2RecoveryRepair() {
    }

    /**
     * Removes the layout entries of dead chunks without space from the embedded store behind
     * {@code c} and commits; does nothing where there are none.
     *
     * @return the entries removed (empty where none, or where H2 does not offer what this needs)
     */
    static List<String> repair(Connection c, String where) {
        try {
            Object mvStore = H2Compaction.mvStore(c);
            Object fileStore = mvStore.getClass().getMethod("getFileStore").invoke(mvStore);
            Map<?, ?> layout = (Map<?, ?>) accessible(field(fileStore.getClass(), "layout")).get(fileStore);
            Map<?, ?> chunks = (Map<?, ?>) accessible(method(fileStore.getClass(), "getChunks")).invoke(fileStore);
            java.util.Collection<?> deadChunks = (java.util.Collection<?>) accessible(field(fileStore.getClass(), "deadChunks")).get(fileStore);
            Class<?> chunk = Class.forName("org.h2.mvstore.Chunk", false, fileStore.getClass().getClassLoader());
            Method isLive = accessible(chunk.getDeclaredMethod("isLive"));
            Method isAllocated = accessible(chunk.getDeclaredMethod("isAllocated"));
            Method metaKey = accessible(chunk.getDeclaredMethod("getMetaKey", int.class));
            Field id = chunk.getField("id");
            List<String> removed = new ArrayList<>();
            ReflectiveOperationException[] failure = {null};
            mvStore.getClass().getMethod("executeFilestoreOperation", Runnable.class).invoke(mvStore, (Runnable) () -> {
                try {
                    for (Object ch : List.copyOf(chunks.values())) {
                        if (!(Boolean) isLive.invoke(ch) && !(Boolean) isAllocated.invoke(ch)) {
                            // as H2 drops a chunk it frees (FileStore.dropUnusedChunks), less the space, which it has not
                            String key = (String) metaKey.invoke(null, id.getInt(ch));
                            chunks.remove(id.getInt(ch));
                            deadChunks.remove(ch);
                            if (layout.remove(key) != null) {
                                removed.add(key);
                            }
                        }
                    }
                } catch (ReflectiveOperationException e) {
                    failure[0] = e;
                }
            });
            if (failure[0] != null) {
                throw failure[0];
            }
            if (!removed.isEmpty()) {
                mvStore.getClass().getMethod("commit").invoke(mvStore);
                LOG.warn("The embedded state store {} was not stopped cleanly: removed {} layout entries of dead chunks H2's recovery "
                        + "left behind ({}), which would have made a later start roll back to an older commit", where, removed.size(),
                        removed);
            }
            return removed;
        } catch (ReflectiveOperationException | RuntimeException e) {
            Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ite && ite.getCause() != null ? ite.getCause() : e;
            LOG.warn("The embedded state store at {} cannot check what H2's crash recovery left in its layout ({}): after a kill -9 or a "
                    + "power cut, a later start may roll back to an older commit", where, JdbcStateStore.shown(cause.toString()));
            return List.of();
        }
    }
}
