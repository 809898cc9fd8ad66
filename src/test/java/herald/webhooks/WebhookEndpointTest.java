package herald.webhooks;

import static herald.webhooks.WebhookFixture.T0;
import static herald.webhooks.WebhookFixture.marker;
import static herald.webhooks.WebhookFixture.payload;
import static herald.webhooks.WebhookFixture.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import herald.whatsapp.WebhookSignature;
import org.junit.jupiter.api.Test;

/** /webhooks/whatsapp over real HTTP: who may call it (verify token, signature) and what is refused. */
class WebhookEndpointTest {

    private final WebhookFixture fx = new WebhookFixture();

    private static String handshake(String mode, String token, String challenge) {
        StringBuilder query = new StringBuilder("?");
        if (mode != null) {
            query.append("hub.mode=").append(mode).append('&');
        }
        if (token != null) {
            query.append("hub.verify_token=").append(URLEncoder.encode(token, StandardCharsets.UTF_8)).append('&');
        }
        if (challenge != null) {
            query.append("hub.challenge=").append(challenge);
        }
        return query.toString();
    }

    @Test
    void verificationEchoesTheChallengeOnlyForAnActiveAccountsVerifyToken() {
        WebhookFixture.Account active = fx.account("app-secret-" + WebhookFixture.digits(), true);
        WebhookFixture.Account inactive = fx.account("app-secret-" + WebhookFixture.digits(), false);

        HttpResponse<String> ok = fx.get(handshake("subscribe", active.verifyToken(), "1158201444"));
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("1158201444", ok.body());
        assertTrue(ok.headers().map().keySet().stream().noneMatch(h -> h.toLowerCase().startsWith("hub.")),
                "the query parameters, verify token among them, must not come back as headers: " + ok.headers().map());

        assertEquals(403, fx.get(handshake("subscribe", active.verifyToken() + "x", "1")).statusCode());
        assertEquals(403, fx.get(handshake("subscribe", inactive.verifyToken(), "1")).statusCode());
        assertEquals(403, fx.get(handshake("unsubscribe", active.verifyToken(), "1")).statusCode());
        assertEquals(403, fx.get(handshake(null, active.verifyToken(), "1")).statusCode());
        assertEquals(403, fx.get(handshake("subscribe", null, "1")).statusCode());
        HttpResponse<String> noChallenge = fx.get(handshake("subscribe", active.verifyToken(), null));
        assertEquals(400, noChallenge.statusCode());
        assertTrue(noChallenge.body().contains("hub.challenge"), noChallenge.body());
        assertFalse(noChallenge.body().contains(active.verifyToken()), "a refusal never echoes the verify token");
    }

    @Test
    void onlyABodySignedWithTheNamedAccountsAppSecretIsAccepted() {
        WebhookFixture.Account account = fx.account("app-secret-" + WebhookFixture.digits(), true);
        WebhookFixture.Account other = fx.account("other-secret-" + WebhookFixture.digits(), true);
        WebhookFixture.Campaign campaign = fx.sentCampaign(account, 1);
        long messageId = campaign.messageIds().get(0);
        String wamid = (String) fx.message(messageId).get("wamid");
        // Every refused body carries its own timestamp: had any been stored, it would leave its own receipt.
        String wrongSecret = payload(account, status(wamid, "read", T0 + 1));
        assertEquals(401, fx.post(wrongSecret, sign("wrong-secret", wrongSecret)).statusCode(), "wrong secret");
        String otherSecret = payload(account, status(wamid, "read", T0 + 2));
        assertEquals(401, fx.post(otherSecret, sign(other.appSecret(), otherSecret)).statusCode(), "another account's secret");
        String unsigned = payload(account, status(wamid, "read", T0 + 3));
        HttpResponse<String> missing = fx.post(unsigned, null);
        assertEquals(401, missing.statusCode(), "missing header");
        assertTrue(missing.body().contains("X-Hub-Signature-256"), missing.body());
        String original = payload(account, status(wamid, "delivered", T0 + 4));
        String tampered = original.replace("\"delivered\"", "\"read\"");
        assertEquals(401, fx.post(tampered, sign(account.appSecret(), original)).statusCode(), "tampered body");
        String madeUp = payload(account, status(wamid, "read", T0 + 5));
        assertEquals(401, fx.post(madeUp, "sha256=" + "0".repeat(64)).statusCode(), "made-up signature");
        assertEquals(401, fx.post(madeUp, "sha1=abc").statusCode(), "malformed header");
        // Whitespace changes the bytes but not the JSON: the signature is over the bytes, not the meaning.
        String reformatted = madeUp.replace(",", ", ");
        assertEquals(401, fx.post(reformatted, sign(account.appSecret(), madeUp)).statusCode(), "re-serialised body");

        ObjectNode marker = marker();
        fx.deliver(account, payload(account, status(wamid, "read", T0 + 10), marker).replace(",", ", "));
        fx.awaitMarker(marker);
        assertEquals("Read", fx.status(messageId));
        List<Map<String, Object>> receipts = fx.receipts(messageId);
        assertEquals(1, receipts.size(), "only the signed payload was stored: " + receipts);
    }

    private static String sign(String secret, String body) {
        return WebhookSignature.sign(secret, body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aPayloadNamingAnUnknownWabaOrTwoAccountsWithOneSecretIsRefused() {
        WebhookFixture.Account account = fx.account("app-secret-" + WebhookFixture.digits(), true);
        WebhookFixture.Account other = fx.account("other-secret-" + WebhookFixture.digits(), true);
        WebhookFixture.Account unknown = new WebhookFixture.Account(0, "unknown", WebhookFixture.digits(),
                WebhookFixture.digits(), account.appSecret(), "");

        String unknownWaba = payload(unknown, marker());
        assertEquals(401, fx.post(unknownWaba, WebhookSignature.sign(account.appSecret(),
                unknownWaba.getBytes(StandardCharsets.UTF_8))).statusCode());

        String both = WebhookFixture.payload(
                WebhookFixture.entry(account, WebhookFixture.change(account, List.of(marker()))),
                WebhookFixture.entry(other, WebhookFixture.change(other, List.of(marker()))));
        assertEquals(401, fx.post(both, WebhookSignature.sign(account.appSecret(),
                both.getBytes(StandardCharsets.UTF_8))).statusCode(), "the second entry's account has another secret");
    }

    @Test
    void aBodyThatCannotNameItsAccountIsUnauthorisedNotABadRequest() {
        WebhookFixture.Account account = fx.account("app-secret-" + WebhookFixture.digits(), true);
        String broken = "{\"object\":\"whatsapp_business_account\",\"entry\":[";
        for (String secret : List.of(account.appSecret(), "guessed-secret")) {
            HttpResponse<String> notJson = fx.post(broken, sign(secret, broken));
            assertEquals(401, notJson.statusCode(), notJson.body());
            assertTrue(notJson.body().contains("not valid JSON"), notJson.body());
        }

        String noEntries = "{\"object\":\"whatsapp_business_account\",\"entry\":[]}";
        HttpResponse<String> empty = fx.post(noEntries, sign(account.appSecret(), noEntries));
        assertEquals(401, empty.statusCode(), empty.body());
        assertTrue(empty.body().contains("entry[]"), empty.body());

        String unknownAccount = "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\""
                + WebhookFixture.digits() + "\",\"changes\":[]}]}";
        HttpResponse<String> unknown = fx.post(unknownAccount, sign("guessed-secret", unknownAccount));
        assertEquals(401, unknown.statusCode(), unknown.body());
        assertTrue(unknown.body().contains("no WhatsApp Account"), unknown.body());
    }

    @Test
    void aSignedCallerIsToldWhatIsWrongWithTheBody() {
        WebhookFixture.Account account = fx.account("app-secret-" + WebhookFixture.digits(), true);
        ObjectNode entry = WebhookFixture.entry(account, WebhookFixture.change(account, List.of(marker())));
        entry.remove("id");
        String noId = WebhookFixture.payload(entry);
        HttpResponse<String> refused = fx.post(noId, sign(account.appSecret(), noId));
        assertEquals(400, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("entry #1 has no id"), refused.body());
        assertEquals(401, fx.post(noId, sign("guessed-secret", noId)).statusCode());
    }

    @Test
    void otherMethodsAreNotAllowed() throws Exception {
        java.net.http.HttpRequest put = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(fx.herald.baseUrl() + WebhookFixture.WEBHOOK_PATH))
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build();
        int status = java.net.http.HttpClient.newHttpClient().send(put, HttpResponse.BodyHandlers.discarding()).statusCode();
        assertEquals(405, status);
    }
}
