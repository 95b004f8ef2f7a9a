package dev.strata.platform.core.store;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Whether another process can lock a file (as another Strata, or H2 in another JVM, would before
 * opening the embedded store): run as a JVM of its own, it prints {@code free} or {@code locked}.
 */
public final class FileLockProbe {

    private FileLockProbe() {
    }

    public static void main(String[] args) throws Exception {
        try (FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            System.out.println(lock == null ? "locked" : "free");
            if (lock != null) {
                lock.release();
            }
        }
    }

    /** Asks a JVM of its own whether it can lock {@code file}. */
    static boolean lockedForAnotherProcess(Path file) throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", cp,
                FileLockProbe.class.getName(), file.toString())).redirectErrorStream(true).start();
        String answer;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            answer = String.join("\n", in.lines().toList());
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("the lock probe did not end");
        }
        if (!answer.equals("locked") && !answer.equals("free")) {
            throw new IllegalStateException("the lock probe answered: " + answer);
        }
        return answer.equals("locked");
    }
}
