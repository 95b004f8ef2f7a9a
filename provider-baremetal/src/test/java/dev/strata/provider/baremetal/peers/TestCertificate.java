package dev.strata.provider.baremetal.peers;

import dev.strata.provider.baremetal.redfish.PinnedTrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

/** A self-signed certificate for 127.0.0.1 made by {@code openssl} for one test run, like a BMC's factory certificate. */
public record TestCertificate(Path certificate, Path key, String fingerprint) {

    public static TestCertificate create(Path dir, String name) throws IOException, InterruptedException {
        return create(dir, name, "IP:127.0.0.1");
    }

    /** A certificate with these subject alternative names (e.g. {@code DNS:bmc.example} for one that does not name 127.0.0.1). */
    public static TestCertificate create(Path dir, String name, String subjectAltNames) throws IOException, InterruptedException {
        Path openssl = Peers.command("openssl", "openssl");
        Files.createDirectories(dir);
        Path cert = dir.resolve(name + ".pem");
        Path key = dir.resolve(name + ".key");
        Process p = new ProcessBuilder(openssl.toString(), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(),
                "-out", cert.toString(), "-days", "2", "-subj", "/CN=bmc-" + name, "-addext", "subjectAltName=" + subjectAltNames)
                .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".openssl.log").toFile()).start();
        if (p.waitFor() != 0) {
            throw new IOException("openssl failed: " + Files.readString(dir.resolve(name + ".openssl.log")));
        }
        try (InputStream in = Files.newInputStream(cert)) {
            X509Certificate x = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            return new TestCertificate(cert, key, PinnedTrustManager.fingerprint(x));
        } catch (CertificateException e) {
            throw new IOException(e);
        }
    }
}
