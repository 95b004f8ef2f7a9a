package dev.strata.provider.baremetal.redfish;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Locale;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trust for one BMC only. Either the BMC's own certificate is pinned by its SHA-256
 * fingerprint (BMCs mostly present self-signed certificates whose names match nothing; the pin is
 * the identity, so no host name check is made), or a CA file given for this BMC is the only
 * trust anchor (a PKIX check with the host name verified). Nothing here changes the JVM's
 * global trust or host name verification.
 */
public final class PinnedTrustManager extends X509ExtendedTrustManager {

    /** Thrown when the BMC presents another certificate than the pinned one. */
    public static final class PinMismatchException extends CertificateException {
        private static final long serialVersionUID = 1L;
        private final String expected;
        private final String presented;

        PinMismatchException(String expected, String presented) {
            super("the BMC's certificate changed: expected SHA-256 " + expected + ", it presented " + presented);
            this.expected = expected;
            this.presented = presented;
        }

        public String expected() {
            return expected;
        }

        public String presented() {
            return presented;
        }
    }

    private final String pin;
    private final X509ExtendedTrustManager pkix;

    private PinnedTrustManager(String pin, X509ExtendedTrustManager pkix) {
        this.pin = pin;
        this.pkix = pkix;
    }

    /** Trusts exactly the certificate with this SHA-256 fingerprint (hex, colons and case ignored). */
    public static PinnedTrustManager pinned(String fingerprint) {
        return new PinnedTrustManager(normalize(fingerprint), null);
    }

    /** Trusts certificates issued by the CAs in this PEM file, with the host name checked. */
    public static PinnedTrustManager ca(Path pemFile) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(pemFile)) {
            Collection<? extends java.security.cert.Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new CertificateException("no certificate in " + pemFile);
            }
            int i = 0;
            for (java.security.cert.Certificate c : certificates) {
                store.setCertificateEntry("ca-" + i++, c);
            }
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (TrustManager tm : factory.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager extended) {
                return new PinnedTrustManager(null, extended);
            }
        }
        throw new CertificateException("no X.509 trust manager for " + pemFile);
    }

    /** Lower-case hex without separators; the input may have colons or spaces. */
    public static String normalize(String fingerprint) {
        return fingerprint.replace(":", "").replace(" ", "").toLowerCase(Locale.ROOT);
    }

    /** The SHA-256 fingerprint of a certificate, lower-case hex with colons (as openssl prints it). */
    public static String fingerprint(X509Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return HexFormat.ofDelimiter(":").formatHex(digest);
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot fingerprint a certificate", e);
        }
    }

    private void checkPin(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the BMC presented no certificate");
        }
        String presented = fingerprint(chain[0]);
        if (!normalize(presented).equals(pin)) {
            throw new PinMismatchException(HexFormat.ofDelimiter(":").formatHex(HexFormat.of().parseHex(pin)), presented);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        if (pkix != null) {
            pkix.checkServerTrusted(chain, authType, engine);
        } else {
            checkPin(chain);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        if (pkix != null) {
            pkix.checkServerTrusted(chain, authType, socket);
        } else {
            checkPin(chain);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (pkix != null) {
            pkix.checkServerTrusted(chain, authType);
        } else {
            checkPin(chain);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("a BMC client never accepts client certificates");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("a BMC client never accepts client certificates");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a BMC client never accepts client certificates");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return pkix != null ? pkix.getAcceptedIssuers() : new X509Certificate[0];
    }
}
