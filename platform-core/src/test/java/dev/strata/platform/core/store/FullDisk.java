package dev.strata.platform.core.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import org.h2.store.fs.FileBase;
import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;

/**
 * H2's file system with a disk that can fill up: files opened through the {@code fulldisk:} prefix
 * are the plain files, whose writes fail with "No space left on device" while {@link #full} is
 * set, as on a disk that filled up, and which cannot be opened while {@link #unopenable} is set.
 */
public final class FullDisk extends FilePathWrapper {

    static final String SCHEME = "fulldisk";

    static volatile boolean full;

    /** While set, no file opens: "Permission denied". */
    static volatile boolean unopenable;

    /** How often a database file ({@code .mv.db}) was opened, each time H2 opened the database (or tried to). */
    static final java.util.concurrent.atomic.AtomicInteger databaseOpens = new java.util.concurrent.atomic.AtomicInteger();

    private static final FullDisk INSTANCE = new FullDisk();

    /** Registers the {@code fulldisk:} prefix with H2 (once per JVM). */
    static synchronized void register() {
        FilePath.register(INSTANCE);
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public FileChannel open(String mode) throws IOException {
        if (name.endsWith(".mv.db")) {
            databaseOpens.incrementAndGet();
        }
        if (unopenable) {
            throw new IOException("Permission denied");
        }
        return new Channel(getBase().open(mode));
    }

    private static final class Channel extends FileBase {
        private final FileChannel base;

        Channel(FileChannel base) {
            this.base = base;
        }

        private static void check() throws IOException {
            if (full) {
                throw new IOException("No space left on device");
            }
        }

        @Override
        public long size() throws IOException {
            return base.size();
        }

        @Override
        public long position() throws IOException {
            return base.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            base.position(newPosition);
            return this;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return base.read(dst);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return base.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            check();
            return base.write(src);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            check();
            return base.write(src, position);
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            check();
            base.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            check();
            base.force(metaData);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return base.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            base.close();
        }
    }
}
