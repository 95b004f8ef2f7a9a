package dev.strata.provider.baremetal.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

/**
 * {@code ipmi_sim} (Debian's openipmi) as a BMC on a free UDP port of 127.0.0.1, with a
 * chassis-control script (without it, power-on fails with "Invalid data field in request") whose
 * state and log are files: power, the boot device, and every power change with its time.
 * It offers cipher suite 3, not 17.
 */
public final class IpmiSim implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path chassisState;

    private IpmiSim(Process process, int port, Path chassisState) {
        this.process = process;
        this.port = port;
        this.chassisState = chassisState;
    }

    /** Starts a simulator with user {@code user}/{@code password} and the system GUID {@code guid} (32 hex digits). */
    public static IpmiSim start(Path dir, String user, String password, String guid) throws IOException, InterruptedException {
        Path sim = Peers.command("ipmi_sim", "openipmi");
        Peers.command("ipmitool", "ipmitool");
        Files.createDirectories(dir);
        Path state = Files.createDirectories(dir.resolve("state"));
        Path chassis = Files.createDirectories(dir.resolve("chassis"));
        Path script = dir.resolve("chassis.sh");
        Files.writeString(script, CHASSIS_SCRIPT.replace("@STATE@", chassis.toString()));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path emu = dir.resolve("bmc.emu");
        Files.writeString(emu, String.join("\n", List.of("mc_setbmc 0x20",
                "mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr", "sel_enable 0x20 1000 0x0a", "mc_enable 0x20", "")));
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freeUdpPort();
            Path conf = dir.resolve("lan.conf");
            Files.writeString(conf, String.join("\n", List.of(
                    "name \"strata-test\"",
                    "set_working_mc 0x20",
                    "  startlan 1",
                    "    addr 127.0.0.1 " + port,
                    "    priv_limit admin",
                    "    allowed_auths_callback none md2 md5 straight",
                    "    allowed_auths_user none md2 md5 straight",
                    "    allowed_auths_operator none md2 md5 straight",
                    "    allowed_auths_admin none md2 md5 straight",
                    "    guid " + guid,
                    "  endlan",
                    "  chassis_control \"" + script + " 0x20\"",
                    "  user 2 true  \"" + user + "\" \"" + password + "\" admin 10 none md2 md5 straight",
                    "")));
            Path log = dir.resolve("ipmi_sim.log");
            Process p = new ProcessBuilder(sim.toString(), "-n", "-c", conf.toString(), "-f", emu.toString(), "-s", state.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            // UDP: nothing to connect to; ready once ipmitool gets an answer
            long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < end && p.isAlive()) {
                if (answers(port, user, password)) {
                    return new IpmiSim(p, port, chassis);
                }
                Peers.sleep(200);
            }
            Peers.stop(p);
            last = new IOException("ipmi_sim exited: " + Peers.tail(log));
        }
        throw last;
    }

    private static boolean answers(int port, String user, String password) throws IOException, InterruptedException {
        ProcessBuilder b = new ProcessBuilder("ipmitool", "-I", "lanplus", "-C", "3", "-H", "127.0.0.1", "-p", Integer.toString(port), "-U", user,
                "-E", "-N", "1", "-R", "1", "chassis", "power", "status").redirectErrorStream(true);
        b.environment().put("IPMI_PASSWORD", password);
        Process probe = b.start();
        probe.getInputStream().readAllBytes();
        return probe.waitFor() == 0;
    }

    private static int freeUdpPort() throws IOException {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    public String address() {
        return "127.0.0.1:" + port;
    }

    /** The power changes and resets the chassis script saw, one line each ({@code <time> power=1}, {@code <time> reset}). */
    public List<String> chassisLog() throws IOException {
        Path log = chassisState.resolve("log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    /** The boot device last set through the chassis script, or "default". */
    public String bootDevice() throws IOException {
        Path boot = chassisState.resolve("boot");
        return Files.exists(boot) ? Files.readString(boot).strip() : "default";
    }

    @Override
    public void close() {
        Peers.stop(process);
    }

    /** The chassis-control program ipmi_sim runs: {@code SCRIPT <mc> get power|boot} and {@code SCRIPT <mc> set power 0|1 ...}. */
    private static final String CHASSIS_SCRIPT = """
            #!/bin/sh
            D=@STATE@
            mc=$1; op=$2; shift 2
            case $op in
              get) for p in "$@"; do case $p in
                     power) echo "power:$(cat $D/power 2>/dev/null || echo 0)";;
                     boot)  echo "boot:$(cat $D/boot 2>/dev/null || echo default)";;
                     *) echo "Invalid parameter: $p"; exit 1;; esac; done;;
              set) while [ $# -ge 2 ]; do p=$1; v=$2; shift 2; case $p in
                     power) echo "$v" > $D/power; echo "$(date +%s.%N) power=$v" >> $D/log;;
                     reset) echo "$(date +%s.%N) reset" >> $D/log;;
                     boot)  echo "$v" > $D/boot;;
                     shutdown) echo 0 > $D/power; echo "$(date +%s.%N) shutdown" >> $D/log;;
                     identify) exit 0;;
                     *) echo "Invalid parameter: $p"; exit 1;; esac; done;;
              check) exit 1;;
              *) echo "Unknown operation: $op"; exit 1;;
            esac
            """;
}
