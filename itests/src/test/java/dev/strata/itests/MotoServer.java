package dev.strata.itests;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

/** moto_server (the EC2 emulator .ci/run installs) on a free port of 127.0.0.1, one per test JVM. */
final class MotoServer {

    private static Process moto;
    private static String endpoint;

    private MotoServer() {
    }

    /**
     * Starts it once and returns its endpoint; "" when it is not installed (tests then skip),
     * except under CI, where it must be there.
     */
    static synchronized String start() throws Exception {
        String executable = System.getProperty("strata.moto", "");
        if (executable.isBlank() || !new File(executable).canExecute()) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException("moto_server missing at " + executable + "; .ci/run installs it");
            }
            return "";
        }
        if (moto == null) {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            File log = new File(KarafOptions.reactorRoot(), "itests/target/moto-itest-" + port + ".log");
            log.getParentFile().mkdirs();
            ProcessBuilder builder = new ProcessBuilder(executable, "-H", "127.0.0.1", "-p", String.valueOf(port))
                    .redirectErrorStream(true).redirectOutput(log);
            builder.environment().put("MOTO_EC2_ENABLE_INSTANCE_TYPE_VALIDATION", "true");
            moto = builder.start();
            Process started = moto;
            Runtime.getRuntime().addShutdownHook(new Thread(started::destroy));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                try (Socket probe = new Socket("127.0.0.1", port)) {
                    break;
                } catch (IOException e) {
                    if (System.nanoTime() > deadline || !moto.isAlive()) {
                        throw new IllegalStateException("moto_server did not start; see " + log, e);
                    }
                    Thread.sleep(200);
                }
            }
            endpoint = "http://127.0.0.1:" + port;
        }
        return endpoint;
    }
}
