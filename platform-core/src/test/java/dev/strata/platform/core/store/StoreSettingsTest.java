package dev.strata.platform.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreSettingsTest {

    @TempDir
    Path dir;

    StoreSettings from(Map<String, Object> p) {
        return StoreSettings.from(Stores.config(p), dir, dir);
    }

    @Test
    void defaultsAreTheEmbeddedStoreUnderData() throws Exception {
        StoreSettings s = from(Map.of());
        assertThat(s.kind()).isEqualTo(StoreSettings.Kind.EMBEDDED);
        assertThat(s.location()).isEqualTo(dir.resolve("strata/store.mv.db").toAbsolutePath().toString());
        assertThat(s.url()).startsWith("jdbc:h2:file:" + dir.resolve("strata/store").toAbsolutePath()).contains(";WRITE_DELAY=0");
        assertThat(s.fsync()).isTrue();
        assertThat(s.highAvailability()).isFalse();
        assertThat(s.compactFillRate()).isEqualTo(50);
        assertThat(s.password().isEmpty()).isTrue();
        // a generated instance id, kept for the next start
        assertThat(from(Map.of()).instanceId()).isEqualTo(s.instanceId());
        assertThat(Files.readString(dir.resolve("strata/instance-id")).strip()).isEqualTo(s.instanceId());
    }

    /**
     * Before, {@code jdbc:h2:file:~/...} kept the {@code ~} as written for the file forced to disk
     * and shown, while H2 reads it as the user's home folder. Now the driver's URL, the file and
     * what is shown all name the file in the home folder; another path is kept as written.
     */
    @Test
    void anH2PathInTheHomeFolderIsExpandedAsH2ExpandsIt() {
        Path home = Path.of(System.getProperty("user.home"));
        StoreSettings s = from(Map.of("url", "jdbc:h2:file:~/strata/store;CIPHER=AES"));
        assertThat(s.h2File()).isEqualTo(home.resolve("strata/store.mv.db")).isAbsolute();
        assertThat(s.location()).isEqualTo(home.resolve("strata/store.mv.db").toString());
        assertThat(s.url()).startsWith("jdbc:h2:file:" + home.resolve("strata/store") + ";MODE=PostgreSQL;");
        assertThat(from(Map.of("url", "jdbc:h2:file:./strata/~/store")).h2File()).isEqualTo(Path.of("./strata/~/store.mv.db"));
        assertThat(from(Map.of("url", "jdbc:h2:file:~other/store")).location()).isEqualTo("~other/store.mv.db");
    }

    @Test
    void thePasswordComesFromItsFileAndIsNeverShown() throws Exception {
        Files.writeString(dir.resolve("pw"), "hunter2-very-secret\n");
        StoreSettings s = from(Map.of("url", "jdbc:postgresql://db.example:5432/strata", "passwordFile", "pw", "user", "strata"));
        assertThat(s.password().reveal()).isEqualTo("hunter2-very-secret");
        assertThat(s.toString()).doesNotContain("hunter2").contains("(secret)");
        assertThat(s.highAvailability()).isTrue();
        assertThat(s.electionInterval()).isEqualTo(Duration.ofSeconds(1));
    }

    /**
     * The password file is read as every secret file is: a byte order mark (a Windows editor's) is
     * no part of the password, and a file holding a line that names it ({@code PGPASSWORD=...}, as a
     * shell or env file writes it) or a second line is refused naming the file, never the value.
     * Before, the first line was taken whole, mark or name included, and every connection was refused
     * by PostgreSQL as a failed password authentication; a second line was dropped without a word.
     */
    @Test
    void aPasswordFilesByteOrderMarkIsNoPartOfThePasswordAndANamedLineIsRefused() throws Exception {
        Path file = dir.resolve("pw").toAbsolutePath();
        Files.writeString(file, "\uFEFFhunter2-very-secret\r\n");
        Map<String, Object> p = Map.of("url", "jdbc:postgresql://db.example:5432/strata", "passwordFile", "pw", "user", "strata");
        assertThat(from(p).password().reveal()).isEqualTo("hunter2-very-secret");

        Files.writeString(file, "export PGPASSWORD=hunter2-very-secret\n");
        assertThatThrownBy(() -> from(p)).isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("dev.strata.platform.core.store: passwordFile = '" + file + "' is invalid; expected a file holding the database "
                        + "password " + "alone, not a line that names it before its value (NAME=..., export NAME=..., NAME: ... or \"NAME\": ..., as a shell, "
                        + "properties, credentials or JSON file writes it; the name is not shown, since a secret could be taken for one): "
                        + "write the value alone");
        Files.writeString(file, "hunter2-very-secret\nsecond line\n");
        assertThatThrownBy(() -> from(p)).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("expected a readable file holding the database password alone, on one line (it holds more than one line")
                .hasMessageNotContaining("hunter2");
    }

    /**
     * A URL with a user and password in it is refused, and neither the message nor what the store
     * shows of an accepted URL (its location: messages, the log, strata:cluster) holds the
     * password, whatever form the URL has.
     */
    @Test
    void aPasswordInTheUrlIsNeverShown() {
        for (String url : List.of("postgresql://strata:topsecret@db.example:5432/strata", "postgres://strata:topsecret@db.example/strata",
                "jdbc:postgresql://strata:topsecret@db.example:5432/strata", "jdbc:postgresql://topsecret@db.example/strata",
                "strata:topsecret@db.example:5432/strata", "jdbc:postgresql:strata:topsecret@db.example/strata")) {
            assertThatThrownBy(() -> from(Map.of("url", url))).as(url).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageNotContaining("topsecret").hasMessageContaining("url = '").hasMessageContaining("****@db.example");
        }
        assertThatThrownBy(() -> from(Map.of("url", "postgresql://strata:topsecret@db.example:5432/strata")))
                .hasMessageStartingWith("dev.strata.platform.core.store: url = 'postgresql://****@db.example:5432/strata' is invalid; expected empty");
        assertThatThrownBy(() -> from(Map.of("url", "jdbc:postgresql://strata:topsecret@db.example:5432/strata")))
                .hasMessageContaining("expected a URL without user or password in it");
        assertThat(from(Map.of("url", "jdbc:postgresql://db.example:5432/strata")).location()).isEqualTo("jdbc:postgresql://db.example:5432/strata");
    }

    /**
     * Before, the user part of a URL was taken to end at the first {@code /}, {@code ?} or
     * {@code #}, so a URL whose password held one ({@code jdbc:postgresql://strata:S3cr#tPw9@db...},
     * as a generated password often does) was accepted, and the store showed it whole as its
     * location: in every message, the log, {@code strata:cluster}. Now any {@code @} ends a user
     * part: such a URL is refused, and the message masks everything before its last {@code @}.
     */
    @Test
    void aPasswordThatHoldsSlashQuestionMarkHashOrAtIsRefusedAndNeverShown() {
        for (String password : List.of("S3cr#tPw9", "S3cr?tPw9", "S3cr/tPw9", "S3cr@tPw9", "S3cr?password=tPw9", "S3/c?r#t@Pw9")) {
            String url = "jdbc:postgresql://strata:" + password + "@db.example:5432/strata";
            assertThatThrownBy(() -> from(Map.of("url", url))).as(url).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageNotContaining("S3").hasMessageNotContaining("Pw9")
                    .hasMessageContaining("url = 'jdbc:postgresql://****@db.example:5432/strata' is invalid; expected a URL without user "
                            + "or password in it");
            assertThat(StoreSettings.shown(url)).isEqualTo("jdbc:postgresql://****@db.example:5432/strata");
        }
        assertThat(StoreSettings.shown("strata:S3cr/tPw9@db.example/strata")).isEqualTo("****@db.example/strata");
        assertThat(StoreSettings.shown("jdbc:postgresql:strata:S3cr/tPw9@db.example/strata")).isEqualTo("jdbc:postgresql:****@db.example/strata");
        // an '@' in a parameter's value is taken for the end of a user part too; written %40 it passes
        assertThatThrownBy(() -> from(Map.of("url", "jdbc:postgresql://db.example/strata?ApplicationName=ops@example")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("write %40 for an '@' in a parameter");
        assertThat(from(Map.of("url", "jdbc:postgresql://db.example/strata?ApplicationName=ops%40example")).location())
                .isEqualTo("jdbc:postgresql://db.example/strata?ApplicationName=ops%40example");
    }

    /**
     * A PostgreSQL URL was refused whenever the word password appeared anywhere in it, a database
     * named password_vault or a host password-db included, while a secret under another name
     * (token=, pwd=) was accepted and kept in the configuration. Refused now are a user and
     * password before the host and a query parameter whose name says it carries a secret
     * (password, sslpassword, pwd, token, ..., however cased or percent-encoded); the message shows
     * the URL with the secret masked and says where the password goes. The word in a host, a
     * database, a parameter's value, or a parameter that names where a secret is kept or how it is
     * got (a file, a callback class), is accepted, and the driver gets the URL as given.
     */
    @Test
    void onlyAUrlThatCarriesASecretIsRefused() {
        for (String url : List.of("jdbc:postgresql://db.example:5432/password_vault", "jdbc:postgresql://password-db.example:5432/strata",
                "jdbc:postgresql://db.example/strata?ApplicationName=password-rotation&sslmode=verify-full",
                "jdbc:postgresql://db.example/strata?sslmode=verify-full&sslkey=/etc/strata/client.pk8"
                        + "&sslpasswordcallback=org.example.KeyPasswordCallback",
                "jdbc:postgresql://db.example/strata?passwordFile=ignored-by-the-driver")) {
            StoreSettings s = from(Map.of("url", url));
            assertThat(s.url()).as(url).isEqualTo(url);
            assertThat(s.kind()).isEqualTo(StoreSettings.Kind.POSTGRESQL);
        }
        assertThat(from(Map.of("url", "jdbc:postgresql://db.example:5432/password_vault")).location())
                .isEqualTo("jdbc:postgresql://db.example:5432/password_vault");

        String expected = "is invalid; expected a URL whose parameters carry no secret, since the URL is configuration that config:list "
                + "shows and the provenance log records; put the database password in the file named by passwordFile";
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("jdbc:postgresql://db.example/strata?password=topsecret",
                "url = 'jdbc:postgresql://db.example/strata?password=****' " + expected + " (password carries one)");
        refused.put("jdbc:postgresql://db.example/strata?sslmode=verify-full&sslpassword=topsecret",
                "url = 'jdbc:postgresql://db.example/strata?sslmode=verify-full&sslpassword=****' " + expected + " (sslpassword carries one)");
        refused.put("jdbc:postgresql://db.example/password_vault?sslmode=require&PassWord=topsecret&sslPassword=topsecret",
                "url = 'jdbc:postgresql://db.example/password_vault?sslmode=require&PassWord=****&sslPassword=****' " + expected
                        + " (PassWord, sslPassword carry one)");
        refused.put("jdbc:postgresql://db.example/strata?pwd=topsecret", "(pwd carries one)");
        refused.put("jdbc:postgresql://db.example/strata?token=topsecret", "(token carries one)");
        refused.put("jdbc:postgresql://db.example/strata?pass%77ord=topsecret", "(pass%77ord carries one)");
        refused.put("jdbc:postgresql://db.example/strata?ssl_password=topsecret#x", "(ssl_password carries one)");
        refused.forEach((url, message) -> assertThatThrownBy(() -> from(Map.of("url", url))).as(url)
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining(message).hasMessageNotContaining("topsecret"));
        assertThatThrownBy(() -> from(Map.of("url", "jdbc:postgresql://strata:topsecret@db.example/password_vault")))
                .hasMessageContaining("url = 'jdbc:postgresql://****@db.example/password_vault' is invalid; expected a URL without user or "
                        + "password in it").hasMessageNotContaining("topsecret");
    }

    /**
     * pgjdbc lets a URL's parameters override the connection properties Strata gives it, so a
     * {@code ?user=} connected as another user than the configured one, and a
     * {@code ?socketTimeout=0} lifted the bound on a silent server, with nothing shown. Such a URL
     * is refused, naming the parameter and the setting to use; other parameters pass unchanged.
     */
    @Test
    void aUrlParameterThatWouldOverrideAStoreSettingIsRefused() {
        String expected = "is invalid; expected a URL without the driver parameters that Strata sets from its own settings, since the "
                + "URL's value would override the setting; remove ";
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("jdbc:postgresql://db.example/strata?user=postgres", expected + "user and use the setting user of this configuration instead");
        refused.put("jdbc:postgresql://db.example/strata?sslmode=require&socketTimeout=0", expected
                + "socketTimeout and use the setting socketTimeout of this configuration instead");
        refused.put("jdbc:postgresql://db.example/strata?ConnectTimeout=1&USER=x", expected
                + "ConnectTimeout, USER and use the settings connectTimeout, user of this configuration instead");
        refused.put("jdbc:postgresql://db.example/strata?us%65r=x", expected + "us%65r and use the setting user");
        refused.forEach((url, message) -> assertThatThrownBy(() -> from(Map.of("url", url))).as(url)
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("url = '" + url + "' ").hasMessageContaining(message));
        for (String url : List.of("jdbc:postgresql://db.example/strata?sslmode=require&ApplicationName=user-db",
                "jdbc:postgresql://db.example/user?loginTimeout=5", "jdbc:postgresql://db.example/strata?username=x")) {
            assertThat(from(Map.of("url", url)).url()).as(url).isEqualTo(url);
        }
    }

    /**
     * Every bad duration is an InvalidConfigurationException naming the property and the range:
     * a number too large for a long, one too large for a duration, and one past the stated bound
     * (a larger election interval would overflow the leader's lock timeout).
     */
    /** Durations are written as every duration setting takes them (README, Configuration): min, d, us, a bare number of seconds; case-sensitive. */
    @Test
    void durationsTakeEveryUnitTheOtherSettingsTake() {
        assertThat(from(Map.of("electionInterval", "2min")).electionInterval()).isEqualTo(Duration.ofMinutes(2));
        assertThat(from(Map.of("electionInterval", "500000us")).electionInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(from(Map.of("electionInterval", "3")).electionInterval()).isEqualTo(Duration.ofSeconds(3));
        assertThatThrownBy(() -> from(Map.of("electionInterval", "5S"))).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("electionInterval = '5S' is invalid");
    }

    @Test
    void durationsOutOfRangeAreInvalidConfigurationNotARawJdkException() {
        for (String bad : List.of("99999999999999999999", "99999999999999999999ms", "9999999999999999h", "200h", "3601s", "61m", "2h", "99ms", "0")) {
            assertThatThrownBy(() -> from(Map.of("electionInterval", bad))).as(bad).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessage("dev.strata.platform.core.store: electionInterval = '" + bad + "' is invalid; expected a duration from 100ms to 1h, "
                            + "a number with unit ns, us, ms, s, m (or min), h or d; a bare number is seconds (e.g. 10s)");
        }
        for (String bad : List.of("99999999999999999999s", "9999999999999999h", "11m", "1h", "249ms")) {
            assertThatThrownBy(() -> from(Map.of("connectTimeout", bad))).as(bad).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining("connectTimeout = '" + bad + "' is invalid; expected a duration from 250ms to 10m");
        }
        for (String bad : List.of("99999999999999999999s", "2h", "4s", "4999ms", "0")) {
            assertThatThrownBy(() -> from(Map.of("socketTimeout", bad))).as(bad).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining("socketTimeout = '" + bad + "' is invalid; expected a duration from 5s to 1h");
        }
        assertThat(from(Map.of()).socketTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(from(Map.of("socketTimeout", "1h")).socketTimeout()).isEqualTo(Duration.ofHours(1));
        assertThat(from(Map.of("electionInterval", "1h", "connectTimeout", "10m")).electionInterval()).isEqualTo(Duration.ofHours(1));
        assertThat(from(Map.of("electionInterval", "100ms", "connectTimeout", "250ms")).connectTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(from(Map.of("electionInterval", "30")).electionInterval()).isEqualTo(Duration.ofSeconds(30));
    }

    /**
     * highAvailability is a switch that turns leader election on: written {@code yes} or {@code maybe},
     * Declarative Services reads it as false, without a word. The store's configuration refuses it, naming it,
     * before it opens anything (no database, no driver is touched).
     */
    @Test
    void aHighAvailabilityThatIsNeitherTrueNorFalseIsRefused() {
        Map<String, Object> p = Map.of("url", "jdbc:postgresql://db.example/strata", "highAvailability", "yes");
        assertThat(Stores.config(p).highAvailability()).as("what Declarative Services would read").isFalse();
        assertThatThrownBy(() -> StoreConfiguration.settings(Stores.config(p), p, dir, dir))
                .isInstanceOf(dev.strata.platform.api.exception.InvalidConfigurationException.class)
                .hasMessage("dev.strata.platform.core.store: highAvailability = 'yes' is invalid; expected true or false");
    }

    /** The instance id kept in {@code data/} is written only for a configuration found good. */
    @Test
    void aRefusedConfigurationWritesNoInstanceId() {
        assertThatThrownBy(() -> from(Map.of("socketTimeout", "1ms"))).hasMessageContaining("socketTimeout = '1ms' is invalid");
        assertThatThrownBy(() -> from(Map.of("advertisedAddress", "a\nb"))).hasMessageContaining("advertisedAddress = ");
        assertThat(dir.resolve("strata")).doesNotExist();
        assertThatThrownBy(() -> from(Map.of("instanceId", "a b", "socketTimeout", "1ms"))).hasMessageContaining("instanceId = 'a b' is invalid");
    }

    /**
     * The first election round's wait at start and the write queue's bound and wait are settings: by default what they were
     * as constants (5 s, 10,000 writes, 10 s); each taken in its range, and a value outside it, or not of its kind, is
     * refused naming the PID, the property, the value and what is expected.
     */
    @Test
    void theElectionStartWaitAndTheWriteQueueAreSettingsWithinTheirRanges() {
        StoreSettings defaults = from(Map.of());
        assertThat(defaults.electionStartWait()).isEqualTo(DatabaseLeadership.START_WAIT).isEqualTo(Duration.ofSeconds(5));
        assertThat(defaults.writeQueueLimit()).isEqualTo(WritePipeline.QUEUE_LIMIT).isEqualTo(10_000);
        assertThat(defaults.writeQueueWait()).isEqualTo(WritePipeline.QUEUE_WAIT).isEqualTo(Duration.ofSeconds(10));
        StoreSettings set = from(Map.of("electionStartWait", "30s", "writeQueueLimit", "50000", "writeQueueWait", "2m"));
        assertThat(set.electionStartWait()).isEqualTo(Duration.ofSeconds(30));
        assertThat(set.writeQueueLimit()).isEqualTo(50_000);
        assertThat(set.writeQueueWait()).isEqualTo(Duration.ofMinutes(2));
        StoreSettings lowest = from(Map.of("electionStartWait", "1s", "writeQueueLimit", 100, "writeQueueWait", "100ms"));
        assertThat(List.of(lowest.electionStartWait(), lowest.writeQueueWait())).containsExactly(Duration.ofSeconds(1), Duration.ofMillis(100));
        assertThat(lowest.writeQueueLimit()).isEqualTo(100);
        StoreSettings highest = from(Map.of("electionStartWait", "10m", "writeQueueLimit", 1_000_000, "writeQueueWait", "10m"));
        assertThat(List.of(highest.electionStartWait(), highest.writeQueueWait())).containsExactly(Duration.ofMinutes(10), Duration.ofMinutes(10));
        assertThat(highest.writeQueueLimit()).isEqualTo(1_000_000);
        String durations = ", a number with unit ns, us, ms, s, m (or min), h or d; a bare number is seconds (e.g. 10s)";
        for (String bad : List.of("999ms", "0", "11m", "1h", "soon", "5S")) {
            assertThatThrownBy(() -> from(Map.of("electionStartWait", bad))).as(bad).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessage("dev.strata.platform.core.store: electionStartWait = '" + bad + "' is invalid; expected a duration from 1s to 10m"
                            + durations)
                    .satisfies(e -> assertThat(((InvalidConfigurationException) e).property()).isEqualTo("electionStartWait"));
        }
        for (String bad : List.of("99ms", "0", "601s", "1h", "soon")) {
            assertThatThrownBy(() -> from(Map.of("writeQueueWait", bad))).as(bad).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessage("dev.strata.platform.core.store: writeQueueWait = '" + bad + "' is invalid; expected a duration from 100ms to 10m"
                            + durations)
                    .satisfies(e -> assertThat(((InvalidConfigurationException) e).property()).isEqualTo("writeQueueWait"));
        }
        for (Object bad : List.of(99, 0, -1, 1_000_001, "ten", "2.5", "99999999999")) {
            assertThatThrownBy(() -> from(Map.of("writeQueueLimit", bad))).as(String.valueOf(bad)).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessage("dev.strata.platform.core.store: writeQueueLimit = '" + bad + "' is invalid; expected a whole number from 100 "
                            + "to 1000000")
                    .satisfies(e -> assertThat(((InvalidConfigurationException) e).property()).isEqualTo("writeQueueLimit"));
        }
    }

    /**
     * A .cfg value is text that Declarative Services converts to the method's int only when it is read: one that is no
     * number is refused like any other bad value, naming the PID, the property, the value and what was expected.
     */
    @Test
    void aNumberThatIsNoWholeNumberIsNamed() {
        for (String value : new String[] {"ten", "8x", "2.5", "99999999999"}) {
            assertThatThrownBy(() -> from(Map.of("poolSize", value))).as(value).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessage("dev.strata.platform.core.store: poolSize = '" + value + "' is invalid; expected a whole number from 1 to 64")
                    .satisfies(e -> assertThat(((InvalidConfigurationException) e).property()).isEqualTo("poolSize"));
            assertThatThrownBy(() -> from(Map.of("compactFillRate", value))).as(value).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessage("dev.strata.platform.core.store: compactFillRate = '" + value + "' is invalid; expected a percentage "
                            + "from 1 to 90, or 0 to turn online compaction off")
                    .satisfies(e -> assertThat(((InvalidConfigurationException) e).property()).isEqualTo("compactFillRate"));
        }
    }

    @Test
    void badValuesNameThePidThePropertyAndWhatWasExpected() throws Exception {
        assertThatThrownBy(() -> from(Map.of("url", "jdbc:mysql://x/y"))).isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("dev.strata.platform.core.store: url = 'jdbc:mysql://x/y' is invalid; expected empty (the embedded database), "
                        + "jdbc:postgresql://HOST:PORT/DATABASE or jdbc:h2:file:PATH");
        assertThatThrownBy(() -> from(Map.of("url", "jdbc:postgresql://x/y?password=topsecret"))).hasMessageNotContaining("topsecret")
                .hasMessageContaining("url = 'jdbc:postgresql://x/y?password=****' is invalid; expected a URL whose parameters carry no secret");
        assertThatThrownBy(() -> from(Map.of("url", "jdbc:postgresql://x/y?sslmode=require&PassWord=topsecret"))).hasMessageNotContaining("topsecret");
        assertThatThrownBy(() -> from(Map.of("poolSize", 0))).hasMessageContaining("poolSize = '0' is invalid; expected a whole number from 1 to 64");
        assertThatThrownBy(() -> from(Map.of("connectTimeout", "soon"))).hasMessageContaining("connectTimeout = 'soon' is invalid");
        assertThatThrownBy(() -> from(Map.of("durability", "maybe"))).hasMessageContaining("durability = 'maybe' is invalid; expected fsync or write");
        assertThatThrownBy(() -> from(Map.of("instanceId", "a b"))).hasMessageContaining("instanceId = 'a b' is invalid");
        assertThatThrownBy(() -> from(Map.of("compactFillRate", 91)))
                .hasMessageContaining("compactFillRate = '91' is invalid; expected a percentage from 1 to 90, or 0 to turn online compaction off");
        assertThatThrownBy(() -> from(Map.of("compactFillRate", -1))).hasMessageContaining("compactFillRate = '-1' is invalid");
        // the cluster tables hold 256 characters: a longer address is refused here, not by every election's insert
        assertThatThrownBy(() -> from(Map.of("advertisedAddress", "h".repeat(257))))
                .hasMessageContaining("advertisedAddress = '" + "h".repeat(80) + "...' is invalid; expected host[:port]");
        assertThatThrownBy(() -> from(Map.of("advertisedAddress", "strata-a\nforged"))).hasMessageContaining("advertisedAddress = ");
        assertThat(from(Map.of("advertisedAddress", "h".repeat(256))).advertisedAddress()).hasSize(256);
        Files.writeString(dir.resolve("empty"), "\n");
        assertThatThrownBy(() -> from(Map.of("url", "jdbc:postgresql://x/y", "passwordFile", "empty")))
                .hasMessageContaining("passwordFile = '" + dir.resolve("empty").toAbsolutePath() + "' is invalid; expected a readable file "
                        + "holding the database password alone, on one line (the file is empty)");
        // a folder named where the file was meant is called a folder, not "does not exist"
        Files.createDirectories(dir.resolve("secrets"));
        assertThatThrownBy(() -> from(Map.of("url", "jdbc:postgresql://x/y", "passwordFile", "secrets")))
                .hasMessageContaining("passwordFile = '" + dir.resolve("secrets").toAbsolutePath() + "' is invalid; expected a readable file "
                        + "holding the database password alone (it is a folder)");
        // one that names no file may be the password itself: its folder is shown, its name not
        assertThatThrownBy(() -> from(Map.of("url", "jdbc:postgresql://x/y", "passwordFile", "absent")))
                .hasMessageContaining("passwordFile = '(a file in " + dir.toAbsolutePath() + " that does not exist; its name is not shown")
                .hasMessageNotContaining("absent");
        assertThatThrownBy(() -> from(Map.of("url", "jdbc:postgresql://x/y", "passwordFile", "Tr0ub4dor&3")))
                .hasMessageNotContaining("Tr0ub4dor");
        assertThatThrownBy(() -> from(Map.of("url", "jdbc:postgresql://x/y", "passwordFile", "Tr0ub\0dor")))
                .hasMessageContaining("not shown: no valid path").hasMessageNotContaining("Tr0ub");
    }
}
