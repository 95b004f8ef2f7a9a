package dev.strata.provider.declared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watch of a declared inventory's file, through the real file system's watch service. */
class FileWatcherTest {

    @Test
    void aChangeAfterTheCloseIsDroppedNotThrown(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("inventory.yaml"), "nodes: []\n");
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch called = new CountDownLatch(1);
        FileWatcher watcher = FileWatcher.start(file, Duration.ofMillis(10), () -> {
            calls.incrementAndGet();
            called.countDown();
        });
        watcher.changed();
        assertThat(called.await(10, TimeUnit.SECONDS)).as("a change before the close is read").isTrue();

        watcher.close();
        // an event the watch thread took just before the close, or the provider switching files as it stops: before, the
        // closed scheduler's RejectedExecutionException ended the watch thread with a stack trace or failed the caller
        assertThatCode(watcher::changed).doesNotThrowAnyException();
        Thread.sleep(100); // well past the 10 ms settle time: a callback scheduled after the close would have run
        assertThat(calls).as("nothing is read after the close").hasValue(1);
    }
}
