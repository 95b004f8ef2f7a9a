package dev.strata.provider.nvidia;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * Shell scripts that stand in for nvidia-smi in tests: one answers from a captured machine's
 * files, read in place; one hangs.
 */
public final class FakeNvidiaSmi {

    private FakeNvidiaSmi() {
    }

    /**
     * A script that prints what nvidia-smi printed on the captured machine in {@code fixtures}: the
     * files themselves for {@code -q -x}, {@code topo -m} and {@code mig -lgip}/{@code -lgipp};
     * the compute capability column of {@code query.csv}; and, for the sampler's query, the first
     * row of {@code query-loop.csv} under the sampler's fields.
     */
    public static Path replaying(Path dir, Path fixtures) throws IOException {
        return replaying(dir, fixtures, fixtures.resolve("nvidia-smi-q.xml"), false);
    }

    /** As {@link #replaying(Path, Path)}, except that {@code -q -x} prints {@code xml} (a variant derived from the capture). */
    public static Path replaying(Path dir, Path fixtures, Path xml) throws IOException {
        return replaying(dir, fixtures, xml, false);
    }

    /**
     * As {@link #replaying(Path, Path)}, except that {@code -q -x} prints {@code xml} (a variant
     * derived from the capture) and the sampler's query prints, after the captured row, the same
     * row with uuid {@code [N/A]}, as nvidia-smi prints it for a GPU without UUID.
     */
    public static Path replayingWithoutUuid(Path dir, Path fixtures, Path xml) throws IOException {
        return replaying(dir, fixtures, xml, true);
    }

    private static Path replaying(Path dir, Path fixtures, Path xml, boolean rowWithoutUuid) throws IOException {
        String uuid = Files.readAllLines(fixtures.resolve("query.csv")).get(1).split(", ")[1];
        String row = ", \"$2\", [N/A], \"$6\", \"$3\", \"$4\", \"$5\", 0x0000000000000004, 0, 0\"";
        String script = "#!/bin/sh\n"
                + "F='" + fixtures + "'\n"
                + "case \"$*\" in\n"
                + "  '-q -x') exec cat '" + xml + "' ;;\n"
                + "  'topo -m') exec cat \"$F/topo-m.txt\" ;;\n"
                + "  'mig -lgip') exec cat \"$F/mig-lgip.txt\" ;;\n"
                + "  'mig -lgipp') exec cat \"$F/mig-lgipp.txt\" ;;\n"
                + "  '--query-gpu=uuid,compute_cap --format=csv') exec awk -F', ' 'NR==1{print \"uuid, compute_cap\"} "
                + "NR>1{print $2\", \"$23}' \"$F/query.csv\" ;;\n"
                + "  --query-gpu=uuid,utilization.gpu*) exec awk -F', ' 'NR==1{print \"uuid, utilization.gpu [%], "
                + "utilization.memory [%], memory.used [MiB], power.draw [W], temperature.gpu, clocks.current.sm [MHz], "
                + "clocks_event_reasons.active, ecc.errors.corrected.volatile.total, ecc.errors.uncorrected.volatile.total\"} "
                + "NR==2{print \"" + uuid + row + (rowWithoutUuid ? "; print \"[N/A]" + row : "") + "}' "
                + "\"$F/query-loop.csv\" ;;\n"
                + "  *) echo \"unsupported: $*\" >&2; exit 2 ;;\n"
                + "esac\n";
        return executable(dir.resolve("nvidia-smi"), script);
    }

    /**
     * As {@link #replaying(Path, Path)}, except that the sampler's query takes {@code millis} before
     * it answers, as nvidia-smi does on a host whose driver is slow to wake (persistence mode off,
     * many GPUs); every other command answers at once.
     */
    public static Path replayingSlowSamples(Path dir, Path fixtures, long millis) throws IOException {
        Path replay = replaying(dir, fixtures);
        String script = "#!/bin/sh\n"
                + "case \"$*\" in\n"
                + "  --query-gpu=uuid,utilization.gpu*) sleep " + String.format(java.util.Locale.ROOT, "%.3f", millis / 1000.0) + " ;;\n"
                + "esac\n"
                + "exec '" + replay + "' \"$@\"\n";
        return executable(dir.resolve("nvidia-smi-slow"), script);
    }

    /**
     * As {@link #replaying(Path, Path)}, except that the sampler's query creates {@code started} and
     * then does not answer (it sleeps a minute), as an nvidia-smi stuck on a busy driver.
     */
    public static Path replayingSamplesThatHang(Path dir, Path fixtures, Path started) throws IOException {
        Path replay = replaying(dir, fixtures);
        String script = "#!/bin/sh\n"
                + "case \"$*\" in\n"
                + "  --query-gpu=uuid,utilization.gpu*) : > '" + started + "'; exec sleep 60 ;;\n"
                + "esac\n"
                + "exec '" + replay + "' \"$@\"\n";
        return executable(dir.resolve("nvidia-smi-hanging-samples"), script);
    }

    /**
     * As {@link #replaying(Path, Path)}, except that {@code -q -x} creates {@code started} and then
     * answers only once {@code release} exists, as an nvidia-smi slow to list the GPUs: a test holds
     * a discovery in progress with it.
     */
    public static Path replayingHeldListing(Path dir, Path fixtures, Path started, Path release) throws IOException {
        Path replay = replaying(dir, fixtures);
        String script = "#!/bin/sh\n"
                + "case \"$*\" in\n"
                + "  '-q -x') : > '" + started + "'; while [ ! -e '" + release + "' ]; do sleep 0.05; done ;;\n"
                + "esac\n"
                + "exec '" + replay + "' \"$@\"\n";
        return executable(dir.resolve("nvidia-smi-held"), script);
    }

    /**
     * A script that answers every command as nvidia-smi does when NVML cannot start: it prints
     * {@code printed} (nvidia-smi prints its errors on standard output) and exits with {@code status}.
     */
    public static Path failing(Path dir, int status, String printed) throws IOException {
        String script = "#!/bin/sh\n"
                + "cat <<'EOF'\n" + printed + "\nEOF\n"
                + "exit " + status + "\n";
        return executable(dir.resolve("nvidia-smi-fails"), script);
    }

    /**
     * A script that runs, for each command line it is given (its arguments joined by spaces, as
     * a shell {@code case} pattern), the shell code mapped to it; any other command fails with 2.
     */
    public static Path answering(Path dir, Map<String, String> answers) throws IOException {
        StringBuilder script = new StringBuilder("#!/bin/sh\ncase \"$*\" in\n");
        answers.forEach((args, code) -> script.append("  ").append(args).append(") ").append(code).append(" ;;\n"));
        script.append("  *) echo \"unsupported: $*\" >&2; exit 2 ;;\nesac\n");
        return executable(dir.resolve("nvidia-smi-answers"), script.toString());
    }

    /** A script that writes its pid and its child's pid to {@code dir}, then waits for a long sleep. */
    public static Path hanging(Path dir) throws IOException {
        String script = "#!/bin/sh\n"
                + "echo $$ > '" + dir.resolve("smi.pid") + "'\n"
                + "sleep 60 &\n"
                + "echo $! > '" + dir.resolve("child.pid") + "'\n"
                + "wait\n";
        return executable(dir.resolve("nvidia-smi-hangs"), script);
    }

    /**
     * A script that writes its pid to {@code dir}, then prints one line over and over, 100 MiB in
     * all, as a runaway command would (bounded, so that a run without the output limit does not
     * fill the disk), then waits for a long sleep.
     */
    public static Path printingWithoutEnd(Path dir) throws IOException {
        String script = "#!/bin/sh\n"
                + "echo $$ > '" + dir.resolve("smi.pid") + "'\n"
                + "yes '<gpu>0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef</gpu>' | head -c 104857600\n"
                + "sleep 60\n";
        return executable(dir.resolve("nvidia-smi-floods"), script);
    }

    private static Path executable(Path file, String script) throws IOException {
        Files.writeString(file, script);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
