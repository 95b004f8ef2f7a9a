package dev.strata.platform.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import org.junit.jupiter.api.Test;

/** A signature has one text: the base64 the signer wrote, not another that decodes to the same bytes. */
class AuditKeysTest {

    @Test
    void aSignatureVerifiesOnlyInTheTextItWasWrittenIn() {
        KeyPair key = AuditKeys.generate();
        byte[] data = "{\"seq\":1}".getBytes(StandardCharsets.UTF_8);
        String signature = AuditKeys.sign(key.getPrivate(), data);
        assertThat(signature).hasSize(88).endsWith("==");
        assertThat(AuditKeys.verify(key.getPublic(), data, signature)).isTrue();

        // Java's decoder takes the text without its padding, and with other bits in the last character's four unused ones
        String unpadded = signature.substring(0, 86);
        assertThat(java.util.Base64.getDecoder().decode(unpadded)).isEqualTo(java.util.Base64.getDecoder().decode(signature));
        assertThat(AuditKeys.verify(key.getPublic(), data, unpadded)).isFalse();
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        char last = signature.charAt(85);
        String otherBits = signature.substring(0, 85) + alphabet.charAt(alphabet.indexOf(last) ^ 1) + "==";
        assertThat(java.util.Base64.getDecoder().decode(otherBits)).isEqualTo(java.util.Base64.getDecoder().decode(signature));
        assertThat(AuditKeys.verify(key.getPublic(), data, otherBits)).isFalse();

        assertThat(AuditKeys.verify(key.getPublic(), "{\"seq\":2}".getBytes(StandardCharsets.UTF_8), signature)).isFalse();
        assertThat(AuditKeys.verify(key.getPublic(), data, "not base64!")).isFalse();
    }
}
