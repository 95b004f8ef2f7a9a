package dev.strata.platform.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.platform.metrics.ScrapeAuth.Outcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScrapeAuthTest {

    private static final String TOKEN = "3f9c1e7a2b8d4c6e0a5f1b9d7c3e2a4f";

    @TempDir
    Path etc;

    private Path tokenFile(String content) throws IOException {
        return Files.writeString(etc.resolve("metrics.token"), content, StandardCharsets.UTF_8);
    }

    /**
     * A token file that becomes readable by others after the first scrape (chmod, or a rotation
     * that writes the token anew with the usual umask) is warned of again: once for each new state
     * of the file, not at every scrape. Before, only the file as it was at the first scrape was
     * looked at.
     */
    @Test
    void aTokenFileMadeReadableByOthersLaterIsWarnedOfAgain() throws IOException {
        Path file = tokenFile(TOKEN);
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        ScrapeAuth auth = ScrapeAuth.configured("metrics.token", etc);
        assertThat(auth.check("Bearer " + TOKEN)).isEqualTo(Outcome.ALLOWED);
        assertThat(auth.readableByOthersWarnings()).as("rw-------").isZero();

        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(auth.check("Bearer " + TOKEN)).isEqualTo(Outcome.ALLOWED);
        assertThat(auth.check("Bearer " + TOKEN)).isEqualTo(Outcome.ALLOWED);
        assertThat(auth.readableByOthersWarnings()).as("chmod 644: warned once, not at every scrape").isEqualTo(1);

        String rotated = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b";
        Files.delete(file);
        Files.writeString(file, rotated, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        assertThat(auth.check("Bearer " + rotated)).isEqualTo(Outcome.ALLOWED);
        assertThat(auth.readableByOthersWarnings()).as("rotated into a file its group may read").isEqualTo(2);

        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertThat(auth.check("Bearer " + rotated)).isEqualTo(Outcome.ALLOWED);
        assertThat(auth.readableByOthersWarnings()).as("mended: nothing more").isEqualTo(2);
    }

    @Test
    void withoutATokenFileEveryScrapeIsAnswered() {
        ScrapeAuth auth = ScrapeAuth.configured("  ", etc);
        assertThat(auth.asksForToken()).isFalse();
        assertThat(auth.check(null)).isEqualTo(Outcome.ALLOWED);
        assertThat(auth.check("Bearer anything")).isEqualTo(Outcome.ALLOWED);
    }

    @Test
    void onlyTheTokenTheFileHoldsIsLetThrough() throws IOException {
        tokenFile(TOKEN + "\n");
        ScrapeAuth auth = ScrapeAuth.configured("metrics.token", etc);
        assertThat(auth.file()).isEqualTo(etc.resolve("metrics.token").toAbsolutePath().normalize());
        assertThat(auth.check("Bearer " + TOKEN)).isEqualTo(Outcome.ALLOWED);
        assertThat(auth.check("bearer   " + TOKEN + " ")).as("the scheme in any case, spaces around").isEqualTo(Outcome.ALLOWED);
        assertThat(auth.check(null)).isEqualTo(Outcome.UNAUTHORISED);
        assertThat(auth.check("")).isEqualTo(Outcome.UNAUTHORISED);
        assertThat(auth.check("Bearer")).isEqualTo(Outcome.UNAUTHORISED);
        assertThat(auth.check("Bearer ")).isEqualTo(Outcome.UNAUTHORISED);
        assertThat(auth.check(TOKEN)).as("no scheme").isEqualTo(Outcome.UNAUTHORISED);
        assertThat(auth.check("Basic " + TOKEN)).isEqualTo(Outcome.UNAUTHORISED);
        assertThat(auth.check("Bearer " + TOKEN.substring(1))).isEqualTo(Outcome.UNAUTHORISED);
        assertThat(auth.check("Bearer " + TOKEN + "0")).isEqualTo(Outcome.UNAUTHORISED);
        assertThat(auth.check("Bearer " + TOKEN.toUpperCase())).isEqualTo(Outcome.UNAUTHORISED);
    }

    @Test
    void aRewrittenFileRotatesTheTokenAtTheNextScrape() throws IOException {
        tokenFile(TOKEN);
        ScrapeAuth auth = ScrapeAuth.configured(etc.resolve("metrics.token").toString(), etc);
        assertThat(auth.check("Bearer " + TOKEN)).isEqualTo(Outcome.ALLOWED);
        String next = "b7e4a19c0d2f6e8a5c3b1d9f7e2a4c6b";
        tokenFile(next);
        assertThat(auth.check("Bearer " + TOKEN)).isEqualTo(Outcome.UNAUTHORISED);
        assertThat(auth.check("Bearer " + next)).isEqualTo(Outcome.ALLOWED);
    }

    @Test
    void aFileThatGivesNoTokenRefusesEveryScrapeUntilItDoes() throws IOException {
        ScrapeAuth auth = ScrapeAuth.configured("metrics.token", etc);
        assertThat(auth.check(null)).as("missing").isEqualTo(Outcome.UNAVAILABLE);
        assertThat(auth.check("Bearer " + TOKEN)).isEqualTo(Outcome.UNAVAILABLE);
        for (String bad : new String[] {"", "  \n", "short-token", TOKEN + "\n" + TOKEN, TOKEN.substring(0, 10) + " " + TOKEN,
                TOKEN + "é", TOKEN + "\u0007"}) {
            tokenFile(bad);
            assertThat(auth.check("Bearer " + bad.strip())).as("file holding %s", bad).isEqualTo(Outcome.UNAVAILABLE);
            assertThat(auth.check(null)).isEqualTo(Outcome.UNAVAILABLE);
        }
        tokenFile("x".repeat((int) ScrapeAuth.MAX_TOKEN_FILE + 1));
        assertThat(auth.check("Bearer " + "x".repeat((int) ScrapeAuth.MAX_TOKEN_FILE + 1))).isEqualTo(Outcome.UNAVAILABLE);
        tokenFile(TOKEN);
        assertThat(auth.check("Bearer " + TOKEN)).as("mended").isEqualTo(Outcome.ALLOWED);
        Files.delete(etc.resolve("metrics.token"));
        assertThat(auth.check("Bearer " + TOKEN)).as("deleted again").isEqualTo(Outcome.UNAVAILABLE);
    }

    /**
     * The token written where its file's path belongs ({@code tokenFile = <the token>}) names no
     * file: neither the endpoint's description, logged when the configuration is read, nor the
     * problem logged at each refused scrape shows it. Before, both showed the path, and with it the
     * token, in the log. A path that names a file is still shown.
     */
    @Test
    void aTokenWrittenWhereItsFilesPathBelongsIsNeverShown() throws IOException {
        String token = "4f9c2a7e1b6d8035c2e94a1f7b3d6e08a5c1f2e9d4b7a6c3";
        ScrapeAuth auth = ScrapeAuth.configured(token, etc);
        assertThat(auth.toString()).doesNotContain(token).contains("does not exist").contains(ScrapeAuth.UNSHOWN);
        assertThat(auth.check("Bearer " + token)).as("no file, no token: refused").isEqualTo(Outcome.UNAVAILABLE);
        assertThatThrownBy(() -> ScrapeAuth.token(etc.resolve(token))).hasMessageNotContaining(token).hasMessageContaining("does not exist");
        Path file = tokenFile(TOKEN);
        assertThat(ScrapeAuth.configured(file.getFileName().toString(), etc).toString()).isEqualTo("bearer token from " + file);
    }

    @Test
    void whatIsWrongWithATokenFileNamesTheFileAndTheRuleButNeverItsContent() throws IOException {
        Path file = tokenFile("secret-but-short");
        assertThatThrownBy(() -> ScrapeAuth.token(etc.resolve("absent"))).hasMessageContaining("does not exist")
                .hasMessageContaining("a relative path is taken from Karaf's etc/");
        tokenFile("hunter2hunter2");
        assertThatThrownBy(() -> ScrapeAuth.token(file)).hasMessageContaining(file.toString())
                .hasMessageContaining("14 characters").hasMessageContaining("at least 16").hasMessageNotContaining("hunter2");
        tokenFile("hunter2hunter2hunter2\nhunter2hunter2hunter2");
        assertThatThrownBy(() -> ScrapeAuth.token(file)).hasMessageContaining("more than one line").hasMessageNotContaining("hunter2");
        tokenFile("hunter2 hunter2 hunter2");
        assertThatThrownBy(() -> ScrapeAuth.token(file)).hasMessageContaining("visible ASCII").hasMessageNotContaining("hunter2");
        tokenFile("");
        assertThatThrownBy(() -> ScrapeAuth.token(file)).hasMessageContaining("is empty");
        tokenFile("\t " + TOKEN + " \r\n");
        assertThat(ScrapeAuth.token(file)).as("whitespace around the token is not part of it").isEqualTo(TOKEN);
    }

    /**
     * A token file that begins with a byte order mark (some editors write one at the start of a
     * UTF-8 file and do not show it) refuses every scrape, as a scraper reading the same file sends
     * the mark with the token, and says so: it was refused as holding "characters other than
     * visible ASCII (spaces, control characters or non-ASCII letters)", none of which the file shows.
     */
    @Test
    void aTokenFileBeginningWithAByteOrderMarkIsRefusedNamingTheMark() throws IOException {
        Path file = tokenFile("\uFEFF" + TOKEN + "\r\n");
        ScrapeAuth auth = ScrapeAuth.configured("metrics.token", etc);
        assertThat(auth.check("Bearer " + TOKEN)).isEqualTo(Outcome.UNAVAILABLE);
        assertThatThrownBy(() -> ScrapeAuth.token(file)).hasMessageContaining(file.toString()).hasMessageContaining("byte order mark")
                .hasMessageContaining("save the file without it").hasMessageNotContaining(TOKEN);
        tokenFile("\uFEFF");
        assertThatThrownBy(() -> ScrapeAuth.token(file)).hasMessageContaining("byte order mark");
        tokenFile(TOKEN + "\uFEFF");
        assertThatThrownBy(() -> ScrapeAuth.token(file)).hasMessageContaining("visible ASCII").hasMessageNotContaining(TOKEN);
        tokenFile(TOKEN + "\n");
        assertThat(auth.check("Bearer " + TOKEN)).as("saved without it").isEqualTo(Outcome.ALLOWED);
    }

    @Test
    void aTokenFileThatNamesNoPathRefusesEveryScrapeRatherThanNone() {
        ScrapeAuth auth = ScrapeAuth.configured("metrics\0.token", etc);
        assertThat(auth.asksForToken()).isTrue();
        assertThat(auth.check(null)).isEqualTo(Outcome.UNAVAILABLE);
        assertThat(auth.check("Bearer " + TOKEN)).isEqualTo(Outcome.UNAVAILABLE);
        assertThat(auth).hasToString("every scrape refused: tokenFile of configuration dev.strata.platform.metrics is not a valid path "
                + "(Nul character not allowed; " + ScrapeAuth.UNSHOWN + "); expected the path of a file holding the scrape token");
    }

    /** A token with a NUL in it, written where its file's path belongs, is no valid path; it is not shown either. */
    @Test
    void aTokenThatIsNoValidPathIsNeverShown() {
        String token = "4f9c2a7e1b6d8035\0c2e94a1f7b3d6e08a5c1f2e9d4b7a6c3";
        ScrapeAuth auth = ScrapeAuth.configured(token, etc);
        assertThat(auth.toString()).doesNotContain("4f9c2a7e1b6d8035").doesNotContain("c2e94a1f7b3d6e08a5c1f2e9d4b7a6c3")
                .contains("not a valid path");
    }

    /**
     * A token file that is not a regular file gives no token, and does not hold the scrape: a FIFO
     * would block the read until something writes to it (and every other scrape behind it, the file
     * being read under a lock), a device such as /dev/zero never ends.
     */
    @Test
    void aTokenFileThatIsNotARegularFileRefusesEveryScrapeAtOnce() throws Exception {
        Path fifo = etc.resolve("metrics.token");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true).start();
        assumeTrue(mkfifo.waitFor(30, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo is needed");
        ScrapeAuth auth = ScrapeAuth.configured("metrics.token", etc);
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            assertThat(auth.check("Bearer " + TOKEN)).as("a FIFO").isEqualTo(Outcome.UNAVAILABLE);
            assertThatThrownBy(() -> ScrapeAuth.token(fifo)).hasMessage("token file " + fifo
                    + " is not a regular file (a FIFO, a device or a socket); expected a file holding the token");
        });
        Files.delete(fifo);

        Path directory = Files.createDirectory(etc.resolve("metrics.token"));
        assertThat(auth.check("Bearer " + TOKEN)).as("a directory").isEqualTo(Outcome.UNAVAILABLE);
        assertThatThrownBy(() -> ScrapeAuth.token(directory)).hasMessage("token file " + directory
                + " is a directory; expected a file holding the token");
        Files.delete(directory);

        Path zero = Path.of("/dev/zero");
        if (Files.exists(zero)) {
            Files.createSymbolicLink(etc.resolve("metrics.token"), zero);
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThat(auth.check("Bearer " + TOKEN)).as("a link to /dev/zero")
                    .isEqualTo(Outcome.UNAVAILABLE));
            Files.delete(etc.resolve("metrics.token"));
        }
        Path real = etc.resolve("real.token");
        Files.writeString(real, TOKEN + "\n");
        Files.createSymbolicLink(etc.resolve("metrics.token"), real);
        assertThat(auth.check("Bearer " + TOKEN)).as("a link to a regular file is followed (as a mounted secret is one)")
                .isEqualTo(Outcome.ALLOWED);
    }

    /**
     * The token file was read under the lock every scrape takes, and waited for without a bound: a
     * read that hung (a file system that stopped answering, a FIFO put in the file's place between
     * its check and its read) held that scrape and every later one, each holding a server thread.
     * Now scrapes meanwhile are refused (503) once the timeout has passed, without reading again
     * while the hung read runs, and the file's token lets them through once it returns.
     */
    @Test
    void aTokenFileReadThatHangsHoldsNoScrapePastTheTimeout() throws Exception {
        Path file = tokenFile(TOKEN);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger reads = new AtomicInteger();
        ScrapeAuth auth = ScrapeAuth.reading(file, f -> {
            if (reads.incrementAndGet() == 1) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return ScrapeAuth.token(f);
        }, Duration.ofMillis(300));
        ExecutorService scrapes = Executors.newFixedThreadPool(4);
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                List<Future<Outcome>> outcomes = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    outcomes.add(scrapes.submit(() -> auth.check("Bearer " + TOKEN)));
                }
                for (Future<Outcome> outcome : outcomes) {
                    assertThat(outcome.get()).isEqualTo(Outcome.UNAVAILABLE);
                }
                assertThat(auth.check("Bearer " + TOKEN)).isEqualTo(Outcome.UNAVAILABLE);
            }, "scrapes waiting on a token file read that hangs");
            assertThat(reads).as("one read at a time").hasValue(1);
        } finally {
            release.countDown();
            scrapes.shutdownNow();
        }
        assertThat(auth.check("Bearer " + TOKEN)).isEqualTo(Outcome.ALLOWED);
        assertThat(auth.check("Bearer " + TOKEN.substring(1))).isEqualTo(Outcome.UNAUTHORISED);
    }

    /**
     * The token is the file's first line: the configuration recorder masks a secret file's first
     * line wherever a provider writes it, so a file whose token comes after a blank line would be
     * let through but not masked. It is refused as more than one line.
     */
    @Test
    void aTokenAfterABlankLineIsMoreThanOneLine() throws IOException {
        ScrapeAuth auth = ScrapeAuth.configured("metrics.token", etc);
        for (String content : new String[] {"\n" + TOKEN + "\n", "  \r\n" + TOKEN, "\n\n" + TOKEN}) {
            Path file = tokenFile(content);
            assertThat(auth.check("Bearer " + TOKEN)).as("file holding %s", content.replace("\n", "\\n").replace("\r", "\\r"))
                    .isEqualTo(Outcome.UNAVAILABLE);
            assertThatThrownBy(() -> ScrapeAuth.token(file)).hasMessageContaining("more than one line").hasMessageNotContaining(TOKEN);
        }
        tokenFile(" " + TOKEN + " \r\n\n");
        assertThat(auth.check("Bearer " + TOKEN)).as("spaces around it, blank lines after it").isEqualTo(Outcome.ALLOWED);
    }

    /**
     * A token file rewritten in place (truncated, then written: {@code echo new > file}, most
     * editors) reads empty for a moment, and a scrape in that moment was refused (503): Prometheus
     * recorded the target down at every rotation. The token read last stands while the file reads
     * empty for a moment, never an empty one, and the new token is taken once written.
     */
    @Test
    void aTokenFileRewrittenInPlaceKeepsTheLastTokenWhileItReadsEmpty() throws IOException {
        Path file = tokenFile(TOKEN + "\n");
        ScrapeAuth auth = ScrapeAuth.reading(file, Duration.ofMinutes(1));
        assertThat(auth.check("Bearer " + TOKEN)).isEqualTo(Outcome.ALLOWED);

        Files.write(file, new byte[0]); // truncated: the new token is not written yet
        assertThat(auth.check("Bearer " + TOKEN)).as("between the truncation and the write").isEqualTo(Outcome.ALLOWED);
        assertThat(auth.check("Bearer " + TOKEN.substring(1))).isEqualTo(Outcome.UNAUTHORISED);
        assertThat(auth.check(null)).isEqualTo(Outcome.UNAUTHORISED);
        assertThat(auth.check("Bearer ")).isEqualTo(Outcome.UNAUTHORISED);

        String rotated = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b";
        Files.writeString(file, rotated + "\n", StandardCharsets.UTF_8);
        assertThat(auth.check("Bearer " + rotated)).isEqualTo(Outcome.ALLOWED);
        assertThat(auth.check("Bearer " + TOKEN)).as("the token before the rotation").isEqualTo(Outcome.UNAUTHORISED);
    }

    /** A file that stays empty is refused as before, and so is one empty before it ever gave a token. */
    @Test
    void aTokenFileThatStaysEmptyOrWasNeverReadIsRefused() throws IOException {
        Path file = tokenFile(TOKEN + "\n");
        ScrapeAuth auth = ScrapeAuth.reading(file, Duration.ZERO);
        assertThat(auth.check("Bearer " + TOKEN)).isEqualTo(Outcome.ALLOWED);
        Files.write(file, new byte[0]);
        assertThat(auth.check("Bearer " + TOKEN)).as("empty past the grace").isEqualTo(Outcome.UNAVAILABLE);

        ScrapeAuth fresh = ScrapeAuth.reading(file, Duration.ofMinutes(1));
        assertThat(fresh.check("Bearer " + TOKEN)).as("empty at the first read").isEqualTo(Outcome.UNAVAILABLE);
    }
}
