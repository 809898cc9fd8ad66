package herald.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import herald.domain.SecretCipher;
import herald.whatsapp.WebhookSignature;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebhookReceiverTest {

    private final SecretCipher cipher = new SecretCipher("a-test-encryption-key-of-length");
    private final WebhookReceiver receiver = new WebhookReceiver();
    private DefaultCamelContext context;

    @BeforeEach
    void bindCipher() {
        context = new DefaultCamelContext();
        context.getRegistry().bind("secretCipher", cipher);
        receiver.setCamelContext(context);
    }

    @AfterEach
    void closeContext() throws java.io.IOException {
        context.close();
    }

    private Map<String, Object> account(String waba, String phone, String secret) {
        Map<String, Object> row = new HashMap<>();
        row.put("waba_id", waba);
        row.put("phone_number_id", phone);
        row.put("app_secret_enc", cipher.encrypt(secret));
        return row;
    }

    private static String payload(String waba, String phone) {
        return "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"" + waba + "\",\"changes\":[{\"field\":"
                + "\"messages\",\"value\":{\"metadata\":{\"phone_number_id\":\"" + phone + "\"},\"statuses\":[]}}]}]}";
    }

    private static int refusal(Runnable call) {
        return assertThrows(WebhookRefusal.class, call::run).status();
    }

    @Test
    void aBodySignedWithTheSecretOfTheAccountItNamesIsAnsweredAsText() {
        String body = payload("111", "p1");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        List<Map<String, Object>> accounts = List.of(account("999", "p9", "other"), account("111", "p1", "secret"));
        assertEquals(body, receiver.authenticate(WebhookSignature.sign("secret", bytes), bytes, accounts));
    }

    @Test
    void theAccountMayBeNamedByItsPhoneNumberIdAlone() {
        byte[] bytes = payload("555", "p1").getBytes(StandardCharsets.UTF_8);
        List<Map<String, Object>> accounts = List.of(account("111", "p1", "secret"));
        receiver.authenticate(WebhookSignature.sign("secret", bytes), bytes, accounts);
    }

    @Test
    void anyOtherSignatureIsRefused() {
        byte[] bytes = payload("111", "p1").getBytes(StandardCharsets.UTF_8);
        List<Map<String, Object>> accounts = List.of(account("111", "p1", "secret"), account("222", "p2", "other"));
        assertEquals(401, refusal(() -> receiver.authenticate(null, bytes, accounts)));
        assertEquals(401, refusal(() -> receiver.authenticate(" ", bytes, accounts)));
        assertEquals(401, refusal(() -> receiver.authenticate(WebhookSignature.sign("other", bytes), bytes, accounts)));
        byte[] tampered = payload("111", "p2").getBytes(StandardCharsets.UTF_8);
        assertEquals(401, refusal(() -> receiver.authenticate(WebhookSignature.sign("secret", bytes), tampered, accounts)));
        byte[] unknown = payload("333", "p3").getBytes(StandardCharsets.UTF_8);
        assertEquals(401, refusal(() -> receiver.authenticate(WebhookSignature.sign("secret", unknown), unknown, accounts)));
    }

    @Test
    void anAccountWithoutAnAppSecretCannotBeNamed() {
        byte[] bytes = payload("111", "p1").getBytes(StandardCharsets.UTF_8);
        Map<String, Object> noSecret = new HashMap<>(account("111", "p1", "x"));
        noSecret.put("app_secret_enc", null);
        WebhookRefusal refusal = assertThrows(WebhookRefusal.class,
                () -> receiver.authenticate(WebhookSignature.sign("x", bytes), bytes, List.of(noSecret)));
        assertEquals(401, refusal.status());
        assertTrue(refusal.getMessage().contains("111"), refusal.getMessage());
    }

    @Test
    void aBodyThatNamesNoKnownAccountIsUnauthorisedWhateverItsSignature() {
        List<Map<String, Object>> accounts = List.of(account("111", "p1", "secret"));
        for (String body : List.of("", "not json", "[1,2]", "{\"entry\":[]}", "{\"entry\":[{\"changes\":[]}]}",
                "{\"entry\":{}} trailing", "{\"entry\":[{\"id\":\"333\"}]}")) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            WebhookRefusal signed = assertThrows(WebhookRefusal.class,
                    () -> receiver.authenticate(WebhookSignature.sign("secret", bytes), bytes, accounts), body);
            assertEquals(401, signed.status(), body);
            assertTrue(signed.getMessage().contains("no WhatsApp Account"), signed.getMessage());
            assertEquals(401, refusal(() -> receiver.authenticate(WebhookSignature.sign("guess", bytes), bytes, accounts)),
                    body);
        }
    }

    @Test
    void onlyASignedCallerIsToldWhatIsWrongWithTheBody() {
        String noId = "{\"entry\":[{\"changes\":[{\"field\":\"messages\",\"value\":{\"metadata\":"
                + "{\"phone_number_id\":\"p1\"}}}]}]}";
        byte[] bytes = noId.getBytes(StandardCharsets.UTF_8);
        List<Map<String, Object>> accounts = List.of(account("111", "p1", "secret"));
        assertEquals(401, refusal(() -> receiver.authenticate(WebhookSignature.sign("guess", bytes), bytes, accounts)));
        WebhookRefusal signed = assertThrows(WebhookRefusal.class,
                () -> receiver.authenticate(WebhookSignature.sign("secret", bytes), bytes, accounts));
        assertEquals(400, signed.status());
        assertTrue(signed.getMessage().contains("entry #1 has no id"), signed.getMessage());
    }

    @Test
    void theHandshakeEchoesTheChallengeOnlyForAKnownVerifyToken() {
        List<Map<String, Object>> tokens = new ArrayList<>();
        tokens.add(Map.of("verify_token_enc", cipher.encrypt("first-token")));
        tokens.add(Map.of("verify_token_enc", cipher.encrypt("second-token")));
        assertEquals("12345", receiver.challenge("subscribe", "second-token", "12345", tokens));
        assertEquals(403, refusal(() -> receiver.challenge("subscribe", "third-token", "12345", tokens)));
        assertEquals(403, refusal(() -> receiver.challenge("subscribe", "second-token ", "12345", tokens)));
        assertEquals(403, refusal(() -> receiver.challenge("Subscribe", "second-token", "12345", tokens)));
        assertEquals(403, refusal(() -> receiver.challenge("subscribe", "", "12345", tokens)));
        assertEquals(403, refusal(() -> receiver.challenge("subscribe", "first-token", "12345", List.of())));
        assertEquals(400, refusal(() -> receiver.challenge("subscribe", "first-token", null, tokens)));
        assertEquals(400, refusal(() -> receiver.challenge("subscribe", "first-token", "9".repeat(257), tokens)));
        WebhookRefusal wrong = assertThrows(WebhookRefusal.class,
                () -> receiver.challenge("subscribe", "guessed-token", "1", tokens));
        assertFalse(wrong.getMessage().contains("guessed-token"), "a refusal never echoes the token");
    }
}
