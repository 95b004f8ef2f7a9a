package dev.strata.platform.audit;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.DSAPublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ed25519 keys of the provenance log (the JDK's own provider): generation, PEM files, key ids,
 * signing and verification. A key id is the first 16 hex digits of SHA-256 over the public key's
 * X.509 (SubjectPublicKeyInfo) encoding.
 */
public final class AuditKeys {

    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private AuditKeys() {
    }

    /** A new Ed25519 key pair. */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no Ed25519", e);
        }
    }

    /** The key id: 16 hex digits of SHA-256 over the X.509 encoding. */
    public static String keyId(PublicKey key) {
        return Hashes.sha256(key.getEncoded()).substring(0, 16);
    }

    /** The public key as a PEM block ({@code PUBLIC KEY}). */
    public static String publicPem(PublicKey key) {
        return pem("PUBLIC KEY", key.getEncoded());
    }

    /** The private key as a PEM block ({@code PRIVATE KEY}, PKCS#8). */
    public static String privatePem(PrivateKey key) {
        return pem("PRIVATE KEY", key.getEncoded());
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /**
     * Every Ed25519 public key in a PEM text (one file may hold several).
     *
     * @throws IllegalArgumentException when it holds none, a block is not an Ed25519 public key, or
     *     anything but whitespace precedes the first block or follows a block (other than the next block)
     */
    public static List<PublicKey> readPublicKeys(String pemText) {
        List<PublicKey> keys = new ArrayList<>();
        Matcher m = PEM.matcher(pemText);
        // text before the first block was ignored: a block whose BEGIN line was damaged (a dash lost) went with it, and its key
        int first = pemText.indexOf("-----BEGIN");
        if (first > 0 && !pemText.substring(0, first).isBlank()) {
            throw new IllegalArgumentException("text precedes the first block (at line " + line(pemText, first)
                    + "); expected only whitespace before the first '-----BEGIN PUBLIC KEY-----' line");
        }
        // a block the pattern skips (a character outside base64, its END line lost) would be ignored, and its key with it
        for (int begin = pemText.indexOf("-----BEGIN"); begin >= 0; begin = pemText.indexOf("-----BEGIN", begin + 1)) {
            if (!m.find(begin) || m.start() != begin) {
                throw new IllegalArgumentException("the block at line " + line(pemText, begin)
                        + " is not a well-formed PEM block; expected '-----BEGIN PUBLIC KEY-----', base64 lines and '-----END PUBLIC KEY-----'");
            }
        }
        m.reset();
        while (m.find()) {
            // text after a key (appended, pasted, a key cut short) would be ignored; its text is not quoted: it may be anything
            int next = pemText.indexOf("-----BEGIN", m.end());
            if (!pemText.substring(m.end(), next < 0 ? pemText.length() : next).isBlank()) {
                throw new IllegalArgumentException("text follows the END line of the block at line " + line(pemText, m.start())
                        + "; expected only whitespace after it, or another '-----BEGIN PUBLIC KEY-----' block");
            }
            if (!m.group(1).equals("PUBLIC KEY")) {
                throw new IllegalArgumentException("found a '" + m.group(1) + "' block; expected PUBLIC KEY blocks only");
            }
            try {
                keys.add(KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(decode(m.group(2)))));
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                String kind = kind(m.group(2));
                throw new IllegalArgumentException("the PUBLIC KEY block at line " + line(pemText, m.start())
                        + (kind == null ? " is not an Ed25519 public key (" + e.getMessage() + ")" : " holds " + kind)
                        + "; expected an Ed25519 public key (the one strata:audit-export writes)");
            }
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no '-----BEGIN PUBLIC KEY-----' block found; expected an Ed25519 public key in PEM form");
        }
        return keys;
    }

    /** Kinds of public keys a key file may hold by mistake, by their JDK algorithm names. */
    private static final List<String> OTHER_KINDS = List.of("RSA", "EC", "Ed448", "X25519", "X448", "DSA");

    /**
     * What kind of public key a block holds, as an auditor names it ({@code an RSA key (2048 bits)},
     * {@code an EC key (256 bits)}, {@code an Ed448 key}), or null when it is none the JDK reads. The
     * JDK names a key it does not expect by its algorithm's OID ({@code 1.2.840.113549.1.1.1}).
     */
    static String kind(String base64) {
        byte[] der;
        try {
            der = decode(base64);
        } catch (IllegalArgumentException e) {
            return null;
        }
        for (String algorithm : OTHER_KINDS) {
            PublicKey key;
            try {
                key = KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                continue;
            }
            String article = algorithm.equals("DSA") ? "a " : "an ";
            if (key instanceof RSAPublicKey rsa) {
                return article + "RSA key (" + rsa.getModulus().bitLength() + " bits)";
            }
            if (key instanceof ECPublicKey ec) {
                return article + "EC key (" + ec.getParams().getCurve().getField().getFieldSize() + " bits)";
            }
            if (key instanceof DSAPublicKey dsa && dsa.getParams() != null) {
                return article + "DSA key (" + dsa.getParams().getP().bitLength() + " bits)";
            }
            return article + algorithm + " key";
        }
        return null;
    }

    /** The line, from 1, of a position in a text. */
    private static long line(String text, int at) {
        return text.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
    }

    /**
     * The Ed25519 private key of a PEM text ({@code PRIVATE KEY}, PKCS#8).
     *
     * @throws IllegalArgumentException when there is none; the message never holds key material
     */
    public static PrivateKey readPrivateKey(String pemText) {
        Matcher m = PEM.matcher(pemText);
        if (!m.find() || !m.group(1).equals("PRIVATE KEY")) {
            throw new IllegalArgumentException("no '-----BEGIN PRIVATE KEY-----' block found; expected an Ed25519 private key (PKCS#8 PEM)");
        }
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(decode(m.group(2))));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("the PRIVATE KEY block is not an Ed25519 private key");
        }
    }

    private static byte[] decode(String base64) {
        return Base64.getMimeDecoder().decode(base64.replaceAll("\\s", ""));
    }

    /** An Ed25519 signature, base64. */
    public static String sign(PrivateKey key, byte[] data) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(data);
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed: " + e.getMessage(), e);
        }
    }

    /** Whether a base64 signature verifies; false for malformed input too. */
    public static boolean verify(PublicKey key, byte[] data, String signature) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(data);
            byte[] raw = Base64.getDecoder().decode(signature);
            // one text per signature: the decoder also takes it without padding, or with other bits in the last character's
            // unused ones, and such a text, edited from the signed one, is refused as the other edited lines are
            return Base64.getEncoder().encodeToString(raw).equals(signature) && s.verify(raw);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
