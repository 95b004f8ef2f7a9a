package dev.strata.platform.api.exception;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How every one-line secret file is read ({@link InvalidConfigurationException#readSecretFile}): a
 * byte order mark and blanks around the secret are no part of it, and a file that is not one line of
 * secret alone is refused naming the PID, the property, the file and what was expected, never the value.
 */
class ReadSecretFileTest {

    private static final String PID = "dev.strata.x";
    private static final String SECRET = "s3cr3t-VALUE-x9";

    @TempDir
    Path dir;

    private Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    private static String read(Path file) {
        return InvalidConfigurationException.readSecretFile(PID, "passwordFile", file, "the password");
    }

    private void refused(Path file, String why) {
        assertThatThrownBy(() -> read(file)).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith(PID + ": passwordFile = '" + file.toAbsolutePath().normalize() + "' is invalid; expected ")
                .hasMessageContaining(why)
                .hasMessageNotContaining(SECRET)
                .satisfies(e -> assertThat(((InvalidConfigurationException) e).property()).isEqualTo("passwordFile"));
    }

    @Test
    void theSecretIsTheLineWithoutByteOrderMarkOrBlanks() throws Exception {
        assertThat(read(write("plain", SECRET))).isEqualTo(SECRET);
        assertThat(read(write("newline", SECRET + "\n"))).isEqualTo(SECRET);
        assertThat(read(write("windows", "\uFEFF" + SECRET + "\r\n"))).isEqualTo(SECRET);
        assertThat(read(write("blanks", "\n  \t" + SECRET + " \n\n"))).isEqualTo(SECRET);
        assertThat(read(write("inner", "pass word " + SECRET))).as("blanks inside are kept").isEqualTo("pass word " + SECRET);
    }

    /** Secrets that hold the words a name is known by, followed by other characters, are secrets, not names. */
    @Test
    void aSecretHoldingTheLettersOfKeyOrTokenIsAccepted() throws Exception {
        for (String secret : List.of("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "monkey+3/Tokenizer", "keyboard_cat_42",
                "tokenizer:9xY", "Xk_7-token-5Rq2-passwordless", "abcKey==", "abcKeyXY=", "Xtoken_9=", "dGhlIGtleQ==", "secret!key", "my key = 4")) {
            assertThat(read(write("s" + Math.abs(secret.hashCode()), secret + "\n"))).as(secret).isEqualTo(secret);
        }
    }

    /** A line that names the secret before its value, in each form a shell, a properties file, YAML or JSON writes. */
    @Test
    void aLineThatNamesTheSecretIsRefusedNamingItNeverTheValue() throws Exception {
        String[][] cases = {
            {"password=" + SECRET, "password"},
            {"\uFEFFPASSWORD = " + SECRET + "\n", "PASSWORD"},
            {"export OS_APPLICATION_CREDENTIAL_SECRET=" + SECRET, "OS_APPLICATION_CREDENTIAL_SECRET"},
            {"export OS_PASSWORD='" + SECRET + "'", "OS_PASSWORD"},
            {"db.passwd: " + SECRET, "db.passwd"},
            {"api_token:" + "\n", "api_token"},
            {"aws_secret_access_key = " + SECRET, "aws_secret_access_key"},
            {"{\"SecretAccessKey\": \"" + SECRET + "\"}", "SecretAccessKey"},
            {"{\n  \"Credentials\": {\n    \"SecretAccessKey\": \"" + SECRET + "\",\n  }\n}", "SecretAccessKey"},
            {"  'application_credential_secret': '" + SECRET + "'", "application_credential_secret"},
        };
        for (String[] c : cases) {
            Path file = write("named" + Math.abs(c[0].hashCode()), c[0]);
            refused(file, "expected a file holding the password" + InvalidConfigurationException.NAMED_LINE);
            if (!c[1].equals("password")) { // "the password" is what the file holds
                assertThatThrownBy(() -> read(file)).as("the name is not shown: a secret could be taken for one")
                        .hasMessageNotContaining(c[1]);
            }
        }
    }

    @Test
    void twoLinesAreRefused() throws Exception {
        refused(write("two", SECRET + "\n" + "another\n"), "alone, on one line (it holds more than one line that is not blank)");
        refused(write("gap", SECRET + "\n\n  \nanother"), "alone, on one line (it holds more than one line that is not blank)");
    }

    @Test
    void anEmptyFileIsRefused() throws Exception {
        refused(write("empty", ""), "expected a readable file holding the password alone, on one line (the file is empty)");
        refused(write("blank", "\uFEFF \n\t\n"), "alone, on one line (the file is empty)");
    }

    @Test
    void aFolderIsRefused() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("folder"));
        refused(folder, "expected a readable file holding the password alone (it is a folder)");
    }

    /** A FIFO is refused before it is opened: opening one waits for a writer, and the configuration would hang. */
    @Test
    void aFifoIsRefusedWithoutWaitingForAWriter() throws Exception {
        Path fifo = dir.resolve("fifo");
        Process mkfifo;
        try {
            mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            assumeThat(false).as("mkfifo is not available here").isTrue();
            return;
        }
        assumeThat(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0).as("mkfifo made a FIFO").isTrue();
        assertThat(org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10),
                () -> org.junit.jupiter.api.Assertions.assertThrows(InvalidConfigurationException.class, () -> read(fifo))))
                .hasMessageContaining("expected a readable file holding the password alone (it is no regular file but a FIFO, a socket or a device; it is not opened)");
    }

    @Test
    void aFileLargerThan64KiBIsRefusedUnread() throws Exception {
        Path big = write("big", SECRET + "\n" + "x".repeat((int) InvalidConfigurationException.MAX_SECRET_FILE_BYTES));
        refused(big, "alone, at most 65536 bytes (it holds " + Files.size(big) + ")");
        assertThat(read(write("limit", "y".repeat((int) InvalidConfigurationException.MAX_SECRET_FILE_BYTES))))
                .hasSize((int) InvalidConfigurationException.MAX_SECRET_FILE_BYTES);
    }

    @Test
    void aFileThatIsAbsentOrNotUtf8IsRefused() throws Exception {
        Path absent = dir.resolve("absent");
        assertThatThrownBy(() -> read(absent)).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("passwordFile = '(a file in " + dir.toAbsolutePath().normalize() + " that does not exist")
                .hasMessageContaining("(NoSuchFileException)").hasMessageNotContaining("absent");
        Path latin1 = Files.write(dir.resolve("latin1"), (SECRET + "\u00e9").getBytes(StandardCharsets.ISO_8859_1));
        refused(latin1, "(it is not UTF-8 text)");
    }
}
