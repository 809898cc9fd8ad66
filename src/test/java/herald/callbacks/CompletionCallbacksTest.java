package herald.callbacks;

import static herald.testing.CampaignFixtures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntUnaryOperator;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import herald.testing.ApiClient;
import herald.testing.CampaignFixtures;
import herald.testing.CloudApiStub;
import herald.testing.HeraldServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Completion callbacks: announced once per finished round, signed, retried until a 2xx or the deadline. */
class CompletionCallbacksTest {

    private static CloudApiStub cloud;

    private final HeraldServer herald = HeraldServer.shared();
    private final ApiClient api = herald.admin();
    private final long templateId = CampaignFixtures.approvedTemplate(api, cloud);
    private Receiver receiver;

    @BeforeAll
    static void startCloudApi() {
        cloud = CloudApiStub.start();
    }

    @AfterAll
    static void stopCloudApi() {
        cloud.close();
    }

    @AfterEach
    void stopReceiver() {
        if (receiver != null) {
            receiver.server.stop(0);
        }
    }

    /** A callback receiver on 127.0.0.1 that answers the n-th call (from 1) with the status given. */
    private static final class Receiver {
        final HttpServer server;
        final List<Map<String, String>> calls = new CopyOnWriteArrayList<>();

        Receiver(IntUnaryOperator statusOfCall) throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                String body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                calls.add(Map.of("uri", exchange.getRequestURI().toString(), "method", exchange.getRequestMethod(),
                        "signature", String.valueOf(exchange.getRequestHeaders().getFirst("X-Herald-Signature")),
                        "contentType", String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")),
                        "body", body));
                exchange.sendResponseHeaders(statusOfCall.applyAsInt(calls.size()), -1);
                exchange.close();
            });
            server.start();
        }

        String url(String path) {
            return "http://127.0.0.1:" + server.getAddress().getPort() + path;
        }
    }

    /** What a receiver does: HMAC-SHA256 of the raw body with the shared secret, hex, after "sha256=". */
    private static String expectedSignature(String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(HeraldServer.CALLBACK_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }

    private String submittedCampaign(String callbackUrl, String... numbers) {
        StringBuilder recipients = new StringBuilder();
        for (String n : numbers) {
            recipients.append(recipients.length() == 0 ? "" : ", ").append("{\"mobileNumber\": \"").append(n).append("\"}");
        }
        String name = api.post("/api/campaigns", """
                {"title": "%s", "templateId": %d, "recipientType": "Individual Recipients", "variableType": "Common",
                 "templateVariables": {"1": "friend", "2": "C-1"}, "recipients": [%s], "callbackUrl": "%s"}"""
                .formatted(HeraldServer.unique("Callback campaign"), templateId, recipients, callbackUrl))
                .json(201).path("name").asText();
        api.post("/api/campaigns/" + name + "/submit", "").expect(202);
        return name;
    }

    private JsonNode callbacks(String campaign) {
        return api.get("/api/campaigns/" + campaign + "/callbacks").json(200);
    }

    private JsonNode awaitCallbackState(String campaign, int index, String state) {
        await(() -> state.equals(callbacks(campaign).path("callbacks").path(index).path("state").asText()),
                () -> "callback " + index + " of " + campaign + " to be " + state + ": " + callbacks(campaign));
        return callbacks(campaign).path("callbacks").path(index);
    }

    @Test
    void aSignedCallbackIsRetriedUntilTheReceiverAnswers() throws Exception {
        receiver = new Receiver(call -> call == 1 ? 500 : 200);
        String url = receiver.url("/herald/done?source=test");
        String campaign = submittedCampaign(url, "+4915112360001", "+4915112360002");

        JsonNode callback = awaitCallbackState(campaign, 0, "Delivered");
        assertEquals(2, receiver.calls.size(), "the failed attempt and the one that was answered");
        for (Map<String, String> call : receiver.calls) {
            assertEquals("POST", call.get("method"));
            assertEquals("/herald/done?source=test", call.get("uri"), "the URL is called exactly as given");
            assertTrue(call.get("contentType").startsWith("application/json"), call::toString);
            assertEquals(expectedSignature(call.get("body")), call.get("signature"), "the signature verifies");
        }
        assertEquals(receiver.calls.get(0).get("body"), receiver.calls.get(1).get("body"), "every attempt sends the same");

        JsonNode payload = ApiClient.JSON.readTree(receiver.calls.get(1).get("body"));
        JsonNode progress = api.get("/api/campaigns/" + campaign + "/progress").json(200);
        assertEquals(campaign, payload.path("campaign").asText());
        assertEquals("Completed", payload.path("status").asText());
        assertEquals(0, payload.path("round").asInt());
        for (String count : List.of("recipientCount", "sentCount", "failed", "cancelled", "completionPercent")) {
            assertEquals(progress.path(count), payload.path(count), count);
        }
        assertEquals(2, payload.path("recipientCount").asLong());
        assertEquals(100.0, payload.path("completionPercent").asDouble());

        assertEquals(url, callback.path("url").asText());
        assertEquals("Completed", callback.path("campaignStatus").asText());
        assertTrue(callback.path("nextAttemptAt").isNull());
        assertFalse(callback.path("deliveredAt").isNull());
        assertEquals(payload, callback.path("payload"));
        JsonNode attempts = callback.path("attempts");
        assertEquals(2, attempts.size());
        assertEquals(500, attempts.path(0).path("httpStatus").asInt());
        assertTrue(attempts.path(0).path("error").asText().contains("500"), attempts::toString);
        assertFalse(attempts.path(0).path("nextRetryAt").isNull(), "a failed attempt says when the next comes");
        assertEquals(200, attempts.path(1).path("httpStatus").asInt());
        assertTrue(attempts.path(1).path("error").isNull());
        assertTrue(attempts.path(1).path("nextRetryAt").isNull());
        assertFalse(herald.logText().contains(HeraldServer.CALLBACK_SECRET), "the secret is never logged");
    }

    @Test
    void aRetryFailedRoundIsAnnouncedAgain() throws Exception {
        receiver = new Receiver(call -> 204);
        cloud.failOnce("+4915112361002");
        String campaign = submittedCampaign(receiver.url("/rounds"), "+4915112361001", "+4915112361002");

        JsonNode first = awaitCallbackState(campaign, 0, "Delivered");
        assertEquals("Partially Failed", first.path("campaignStatus").asText());
        assertEquals(1, first.path("payload").path("failed").asLong());
        assertEquals(1, first.path("payload").path("sentCount").asLong());

        JsonNode retry = api.post("/api/campaigns/" + campaign + "/retry-failed", "").json(200);
        assertEquals(1, retry.path("requeued").asLong(), retry::toString);
        JsonNode second = awaitCallbackState(campaign, 1, "Delivered");
        assertEquals("Completed", second.path("campaignStatus").asText());
        assertEquals(1, second.path("round").asInt());
        assertEquals(1, second.path("payload").path("round").asInt());
        assertEquals(2, second.path("payload").path("sentCount").asLong());
        assertEquals(0, second.path("payload").path("failed").asLong());
        assertEquals(2, receiver.calls.size(), "one call per finished round");
        assertEquals(2, callbacks(campaign).path("callbacks").size());
    }

    @Test
    void aReceiverThatNeverAnswers2xxIsGivenUpAtTheDeadline() throws Exception {
        receiver = new Receiver(call -> 503);
        cloud.refuseTemplate(true);
        String campaign;
        try {
            campaign = submittedCampaign(receiver.url("/down"), "+4915112362001");
            CampaignFixtures.awaitStatus(api, campaign, "Paused");
        } finally {
            cloud.refuseTemplate(false);
        }
        api.post("/api/campaigns/" + campaign + "/cancel", "").json(200);

        JsonNode callback = awaitCallbackState(campaign, 0, "Gave up");
        assertEquals("Cancelled", callback.path("campaignStatus").asText());
        assertEquals(1, callback.path("payload").path("cancelled").asLong());
        assertTrue(callback.path("nextAttemptAt").isNull());
        assertTrue(callback.path("deliveredAt").isNull());
        JsonNode attempts = callback.path("attempts");
        assertTrue(attempts.size() >= 2, "retried before giving up: " + attempts);
        assertEquals(receiver.calls.size(), attempts.size(), "every call is listed");
        Instant deadline = Instant.parse(callback.path("deadline").asText());
        for (int i = 0; i < attempts.size(); i++) {
            JsonNode attempt = attempts.path(i);
            assertEquals(i + 1, attempt.path("attempt").asInt());
            assertEquals(503, attempt.path("httpStatus").asInt());
            assertEquals(i == attempts.size() - 1, attempt.path("nextRetryAt").isNull(), attempts::toString);
            if (!attempt.path("nextRetryAt").isNull()) {
                assertFalse(Instant.parse(attempt.path("nextRetryAt").asText()).isAfter(deadline),
                        "no retry is scheduled past the deadline: " + attempts);
            }
        }
        // The give-up is logged only after its state is stored, so the state can be seen first.
        String gaveUp = "Callback for " + campaign + " (round 0) gave up";
        await(() -> herald.logText().contains(gaveUp), () -> "the log line '" + gaveUp + "'");
    }

    @Test
    void callbackUrlIsCheckedAndCanBeChangedOnADraft() {
        for (String bad : List.of("ftp://example.com/hook", "example.com/hook", "https://user:secret@example.com/hook",
                "http://exa mple.com/")) {
            JsonNode error = api.post("/api/campaigns", Map.of("title", "Bad callback", "templateId", templateId,
                    "recipientType", "Individual Recipients", "callbackUrl", bad)).error(400);
            assertEquals("callbackUrl", error.path("field").asText(), () -> bad + " -> " + error);
        }
        JsonNode draft = api.post("/api/campaigns", Map.of("title", "Good callback", "templateId", templateId,
                "recipientType", "Individual Recipients", "templateVariables", Map.of("1", "a", "2", "b"),
                "callbackUrl", "https://example.com/hook/")).json(201);
        String name = draft.path("name").asText();
        assertEquals("https://example.com/hook/", draft.path("callbackUrl").asText());
        assertEquals("https://example.com/other", api.put("/api/campaigns/" + name,
                Map.of("callbackUrl", "https://example.com/other")).json(200).path("callbackUrl").asText());
        assertEquals("Good callback", CampaignFixtures.campaign(api, name).path("title").asText(), "other fields kept");
        JsonNode cleared = api.put("/api/campaigns/" + name, "{\"callbackUrl\": null}").json(200);
        assertTrue(cleared.path("callbackUrl").isNull(), cleared::toString);

        JsonNode none = callbacks(name);
        assertEquals(name, none.path("campaign").asText());
        assertEquals(0, none.path("callbacks").size());
        assertEquals("not_found", api.get("/api/campaigns/BULK-WA-1999-99999/callbacks").error(404).path("code").asText());
    }
}
