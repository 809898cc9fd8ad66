package herald.whatsapp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WebhookSignatureTest {

    private static final byte[] BODY = "{\"object\":\"whatsapp_business_account\",\"entry\":[]}".getBytes(StandardCharsets.UTF_8);

    @Test
    void signMatchesRfc4231TestCase2() {
        assertEquals("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                WebhookSignature.sign("Jefe", "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void verifyAcceptsItsOwnSignature() {
        assertTrue(WebhookSignature.verify("app-secret", BODY, WebhookSignature.sign("app-secret", BODY)));
    }

    @Test
    void verifyAcceptsUppercaseHex() {
        String signature = WebhookSignature.sign("app-secret", BODY);
        assertTrue(WebhookSignature.verify("app-secret", BODY, "sha256=" + signature.substring(7).toUpperCase()));
    }

    @Test
    void verifyRefusesAnotherSecret() {
        assertFalse(WebhookSignature.verify("app-secret", BODY, WebhookSignature.sign("other-secret", BODY)));
    }

    @Test
    void verifyRefusesAChangedBody() {
        String signature = WebhookSignature.sign("app-secret", BODY);
        byte[] changed = BODY.clone();
        changed[changed.length - 2] = ' ';
        assertFalse(WebhookSignature.verify("app-secret", changed, signature));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "sha256=", "sha1=5bdcc146bf60754e6a042426089575c75a003f08",
            "SHA256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            "sha256=zzdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec38",
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"})
    void verifyRefusesMalformedHeaders(String header) {
        assertFalse(WebhookSignature.verify("app-secret", BODY, header));
    }

    @Test
    void verifyRefusesAValidDigestUnderAnotherPrefix() {
        String hex = WebhookSignature.sign("app-secret", BODY).substring("sha256=".length());
        assertFalse(WebhookSignature.verify("app-secret", BODY, "SHA256=" + hex));
        assertFalse(WebhookSignature.verify("app-secret", BODY, "sha512=" + hex));
        assertFalse(WebhookSignature.verify("app-secret", BODY, hex));
    }

    @Test
    void verifyRefusesMissingSecretOrBody() {
        String signature = WebhookSignature.sign("app-secret", BODY);
        assertFalse(WebhookSignature.verify(null, BODY, signature));
        assertFalse(WebhookSignature.verify("", BODY, signature));
        assertFalse(WebhookSignature.verify("app-secret", null, signature));
    }
}
