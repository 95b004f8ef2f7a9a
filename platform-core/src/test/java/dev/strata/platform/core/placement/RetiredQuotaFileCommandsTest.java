package dev.strata.platform.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.apache.karaf.shell.api.console.Registry;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.impl.console.parsing.CommandLineParser;
import org.junit.jupiter.api.Test;

/**
 * The commands the retired quota file's refusal names, run as an operator runs them: given to
 * Karaf's shell through {@code bin/client} or {@code ssh}, which read them twice (Karaf's own parser
 * splits them into words and joins them again, then Gogo's parser, the one the console uses alone,
 * reads that), and then by Karaf's rule for options (every word starting with {@code -} before the first argument is one, quoted or not; one
 * that the command does not declare is refused). They set, for each of the file's tenants, exactly
 * its quotas, whatever its id holds.
 */
class RetiredQuotaFileCommandsTest {

    /** What strata:quota was given: the tenant and its limits, as Karaf would hand them to the command. */
    private record Given(String tenant, Map<String, String> limits) {
    }

    /** Runs the refusal's commands in Gogo, strata:quota read as Karaf reads its options ({@code --tenant ID}, {@code --remove}). */
    private static List<Given> run(String refusal) throws Exception {
        String commands = refusal.substring(refusal.indexOf(": run ") + ": run ".length(), refusal.lastIndexOf(", then delete the file"));
        List<Given> out = new ArrayList<>();
        Function quota = (session, arguments) -> {
            List<String> words = new ArrayList<>();
            arguments.forEach(a -> words.add(String.valueOf(a)));
            String tenant = null;
            int i = 0;
            for (; i < words.size() && words.get(i).startsWith("-"); i++) {
                if (!words.get(i).equals("--tenant") || i + 1 == words.size()) {
                    throw new IllegalArgumentException("strata:quota: undefined option " + words.get(i));
                }
                tenant = words.get(++i);
            }
            if (tenant == null) {
                tenant = words.get(i++);
            }
            Map<String, String> limits = new LinkedHashMap<>();
            for (String w : words.subList(i, words.size())) {
                if (w.indexOf('=') < 0) {
                    throw new IllegalArgumentException("strata:quota: '" + w + "' is not a limit; expected RESOURCE=VALUE");
                }
                limits.put(w.substring(0, w.indexOf('=')), w.substring(w.indexOf('=') + 1));
            }
            out.add(new Given(tenant, limits));
            return null;
        };
        ThreadIOImpl io = new ThreadIOImpl();
        io.start();
        try {
            CommandProcessorImpl processor = new CommandProcessorImpl(io);
            processor.addCommand("strata", quota, "quota");
            PrintStream discard = new PrintStream(new ByteArrayOutputStream());
            CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), discard, discard);
            session.execute(CommandLineParser.parse(karafSession(), commands));
            session.close();
        } finally {
            io.stop();
        }
        return out;
    }

    /**
     * The Karaf session {@link CommandLineParser} asks for the command's parser: it knows no
     * command, so every command line is split by Karaf's default parser, as Strata's commands are
     * (they declare no parser of their own).
     */
    private static Session karafSession() {
        Registry registry = (Registry) Proxy.newProxyInstance(Registry.class.getClassLoader(), new Class<?>[] {Registry.class},
                (proxy, method, args) -> method.getName().equals("getCommands") ? List.of() : null);
        return (Session) Proxy.newProxyInstance(Session.class.getClassLoader(), new Class<?>[] {Session.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "resolveCommand" -> args[0];
                    case "getRegistry" -> registry;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    /**
     * A tenant id with a {@code $} was written in double quotes, where Karaf's shell expands it
     * ({@code "team$a"} read as {@code team}: the command set another tenant's quota); one with a
     * {@code '} could not be run at all (an unclosed quote); one starting with {@code -} was read
     * as an unknown option. One with a {@code '} written {@code 'o'\''brien'}, given through
     * {@code bin/client} or {@code ssh}, made Karaf's own parser split the limit after it
     * ({@code gpus}, {@code =}, {@code 2.5}). Each is now written so that the shell reads back the id the file named.
     */
    @Test
    void theCommandsSetEachTenantsQuotaWhateverItsIdHolds() throws Exception {
        List<String> tenants = List.of("bank-risk", "team$a", "o'brien", "acme, inc", " spaced ", "a\"b\\c", "x=y", "-ops", "--remove",
                "'", "$", "a;b|c{d}", "a\\", "\\b", "it's", "=x", ";x", "|x",
                "\u00e9t\u00e9 o'\u00e9", "e'=f", "o'brien $x");
        StringBuilder file = new StringBuilder();
        for (String t : tenants) {
            file.append(file.isEmpty() ? "" : ", ").append('"').append(t.replace("\"", "\"\"")).append("\"/gpus=2.5, ").append('"')
                    .append(t.replace("\"", "\"\"")).append("\"/memory=4TiB");
        }
        assertThat(TenantQuotas.parse(RetiredQuotaFile.PID, file.toString()).all()).as("the file as written").hasSize(tenants.size());

        List<Given> given = run(RetiredQuotaFile.refusal(file.toString()));

        assertThat(given).extracting(Given::tenant).containsExactlyInAnyOrderElementsOf(tenants);
        for (Given g : given) {
            assertThat(TenantQuotas.limits(g.tenant(), g.limits())).as(g.tenant()).isEqualTo(new TenantQuotas.Limits(2_500, -1, 4L << 40));
        }
    }

    /**
     * A tenant id that strata:quota refuses (more than 256 characters, or a control character) is
     * no command that would fail when pasted, but the reason the file cannot be taken over as it
     * is, its control characters shown as {@code ?}.
     */
    @Test
    void aTenantIdThatStrataQuotaRefusesIsNamedAsTheReasonNotWrittenIntoACommand() {
        for (String tenant : List.of("x".repeat(257), "a\tb", "a\u0085b")) {
            String refusal = RetiredQuotaFile.refusal("bank/gpus=1, \"" + tenant + "\"/gpus=2");
            assertThat(refusal).as(tenant).doesNotContain("run strata:quota").contains("set the quotas with strata:quota TENANT")
                    .contains("it could not be read either").contains("a tenant id is 1 to 256 characters, no control characters")
                    .doesNotContain("\t").doesNotContain("\u0085");
        }
        assertThat(RetiredQuotaFile.refusal("\"" + "x".repeat(256) + "\"/gpus=2")).contains("run strata:quota " + "x".repeat(256) + " gpus=2");
    }

    @Test
    void aPlainTenantIdIsWrittenAsItIsAndOneStartingWithADashAfterTenant() {
        assertThat(RetiredQuotaFile.refusal("bank-risk/gpus=64, -ops/cpu=8, team$a/memory=1GiB, o'brien/gpus=1")).contains(
                "run strata:quota --tenant -ops cpu=8; strata:quota bank-risk gpus=64; strata:quota 'o'\\'brien gpus=1; "
                        + "strata:quota 'team$a' memory=1GiB, then delete the file");
    }
}
