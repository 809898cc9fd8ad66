package herald.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import herald.whatsapp.ErrorClassifier;
import herald.whatsapp.WebhookSignature;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;

import static herald.simulator.SimHttp.invoice;
import static herald.simulator.SimHttp.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CloudApiSimulatorWebhookTest {

    private static final String SECRET = "app-secret";

    private CloudApiSimulator simulator;
    private WebhookReceiver receiver;

    private SimHttp start(IntUnaryOperator answers, SimulatorConfig.Builder config) throws Exception {
        receiver = new WebhookReceiver(answers);
        simulator = new CloudApiSimulator(config.webhook(receiver.url(), SECRET).build()).start();
        return new SimHttp(simulator);
    }

    @AfterEach
    void stop() {
        if (simulator != null) {
            simulator.stop();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    private static String wamid(SimHttp http, String to) throws Exception {
        return json(http.send(invoice(to))).at("/messages/0/id").asText();
    }

    @ParameterizedTest(name = "{0} fails with {1}")
    @CsvSource({"+4915100000026, 131026", "+4915100000049, 131049", "+4915100000050, 131050", "+4915100000472, 130472"})
    void numberMatchingAFailureRuleIsAcceptedThenFailsBySignedWebhook(String to, int code) throws Exception {
        SimHttp http = start(n -> 200, SimHttp.config());
        String wamid = wamid(http, to);
        assertTrue(wamid.startsWith("wamid."));

        WebhookReceiver.Post post = receiver.next();

        assertTrue(WebhookSignature.verify(SECRET, post.body(), post.signature()));
        assertFalse(WebhookSignature.verify("other-secret", post.body(), post.signature()));
        JsonNode payload = post.json();
        assertEquals("whatsapp_business_account", payload.get("object").asText());
        JsonNode entry = payload.at("/entry/0");
        assertEquals(SimHttp.WABA, entry.get("id").asText());
        JsonNode change = entry.at("/changes/0");
        assertEquals("messages", change.get("field").asText());
        assertEquals("whatsapp", change.at("/value/messaging_product").asText());
        assertEquals(SimHttp.PHONE, change.at("/value/metadata/phone_number_id").asText());
        assertEquals(SimHttp.DISPLAY, change.at("/value/metadata/display_phone_number").asText());
        JsonNode status = change.at("/value/statuses/0");
        assertEquals(wamid, status.get("id").asText());
        assertEquals("failed", status.get("status").asText());
        assertEquals(to.substring(1), status.get("recipient_id").asText());
        assertEquals("CAMP-1:917", status.get("biz_opaque_callback_data").asText());
        assertTrue(status.get("timestamp").asText().matches("\\d{10}"));
        assertFalse(status.has("pricing"));
        JsonNode error = status.at("/errors/0");
        assertEquals(code, error.get("code").asInt());
        assertFalse(error.get("title").asText().isEmpty());
        assertFalse(error.get("message").asText().isEmpty());
        assertFalse(error.at("/error_data/details").asText().isEmpty());
        assertEquals(code != 131026, ErrorClassifier.resendForbidden(code));
    }

    @Test
    void acceptedMessageGetsSentDeliveredReadWithPricing() throws Exception {
        SimHttp http = start(n -> 200, SimHttp.config().statusDelays(30, 60).webhookBatching(100, 0));
        String wamid = wamid(http, "+4915100000001");

        List<JsonNode> statuses = receiver.statuses(3);

        assertEquals(List.of("sent", "delivered", "read"), states(statuses));
        for (JsonNode status : statuses) {
            assertEquals(wamid, status.get("id").asText());
            assertEquals("4915100000001", status.get("recipient_id").asText());
            assertEquals("CAMP-1:917", status.get("biz_opaque_callback_data").asText());
            assertEquals("{\"billable\":true,\"pricing_model\":\"PMP\",\"category\":\"utility\",\"type\":\"regular\"}",
                    status.get("pricing").toString());
            assertFalse(status.has("errors"));
        }
    }

    @Test
    void statusesDueTogetherShareOnePost() throws Exception {
        SimHttp http = start(n -> 200, SimHttp.config().statusDelays(0, 0).webhookBatching(100, 200));
        for (int i = 0; i < 5; i++) {
            wamid(http, "+491510000000" + i);
        }
        int posts = 0;
        int statuses = 0;
        while (statuses < 15) {
            statuses += WebhookReceiver.statusesOf(receiver.next().json()).size();
            posts++;
        }
        assertEquals(15, statuses);
        assertTrue(posts < 15, posts + " POSTs for 15 statuses");
    }

    @Test
    void batchSizeCapsStatusesPerPost() throws Exception {
        SimHttp http = start(n -> 200, SimHttp.config().statusDelays(0, 0).webhookBatching(2, 50));
        for (int i = 0; i < 3; i++) {
            wamid(http, "+491510000001" + i);
        }
        int statuses = 0;
        while (statuses < 9) {
            int inPost = WebhookReceiver.statusesOf(receiver.next().json()).size();
            assertTrue(inPost <= 2, inPost + " statuses in one POST");
            statuses += inPost;
        }
    }

    @Test
    void skippedDeliveredLeavesSentAndRead() throws Exception {
        SimHttp http = start(n -> 200, SimHttp.config().statusDelays(30, 60).webhookIrregularities(1, 0, 0));
        wamid(http, "+4915100000002");
        assertEquals(List.of("sent", "read"), states(receiver.statuses(2)));
    }

    @Test
    void duplicatesComeInALaterPost() throws Exception {
        SimHttp http = start(n -> 200, SimHttp.config().statusDelays(0, 0).webhookIrregularities(0, 1, 0));
        wamid(http, "+4915100000003");
        Map<String, Integer> perState = new HashMap<>();
        states(receiver.statuses(6)).forEach(state -> perState.merge(state, 1, Integer::sum));
        assertEquals(Map.of("sent", 2, "delivered", 2, "read", 2), perState);
    }

    @Test
    void outOfOrderSendsNewestFirstWithTruthfulTimestamps() throws Exception {
        SimHttp http = start(n -> 200, SimHttp.config().statusDelays(1_000, 2_000)
                .webhookIrregularities(0, 0, 1).webhookBatching(100, 0));
        wamid(http, "+4915100000004");
        List<JsonNode> statuses = receiver.statuses(3);
        assertEquals(List.of("read", "delivered", "sent"), states(statuses));
        long readAt = statuses.get(0).get("timestamp").asLong();
        long sentAt = statuses.get(2).get("timestamp").asLong();
        assertTrue(readAt >= sentAt + 1, "read at " + readAt + ", sent at " + sentAt);
    }

    // A number under a failure rule gets exactly one status, hence exactly one batch to follow.
    @Test
    void webhookIsRetriedByteForByteWhenTheReceiverFails() throws Exception {
        SimHttp http = start(n -> n == 1 ? 500 : 200, SimHttp.config().webhookRetry(3, 10));
        wamid(http, "+4915100000026");

        WebhookReceiver.Post refused = receiver.next();
        WebhookReceiver.Post retried = receiver.next();

        assertEquals(500, refused.answer());
        assertEquals(200, retried.answer());
        assertArrayEquals(refused.body(), retried.body());
        assertEquals(refused.signature(), retried.signature());
        JsonNode webhooks = awaitStats(http, s -> s.at("/webhooks/ok").asInt() == 1).get("webhooks");
        assertEquals(1, webhooks.get("failed").asInt());
        assertEquals(1, webhooks.get("statusesDelivered").asInt());
        assertEquals(0, webhooks.get("abandoned").asInt());
        assertEquals(0, webhooks.get("pending").asInt());
    }

    @Test
    void webhookIsAbandonedAfterTheLastAttempt() throws Exception {
        SimHttp http = start(n -> 503, SimHttp.config().webhookRetry(2, 10));
        wamid(http, "+4915100000026");

        receiver.next();
        receiver.next();

        JsonNode webhooks = awaitStats(http, s -> s.at("/webhooks/abandoned").asInt() == 1).get("webhooks");
        assertEquals(2, webhooks.get("failed").asInt());
        assertEquals(0, webhooks.get("ok").asInt());
        assertEquals(0, webhooks.get("pending").asInt());
    }

    @Test
    void aStatusWhosePostAwaitsItsAnswerIsStillPending() throws Exception {
        CountDownLatch received = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        SimHttp http = start(n -> {
            received.countDown();
            try {
                answer.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 200;
        }, SimHttp.config());
        wamid(http, "+4915100000026");

        JsonNode inFlight;
        try {
            assertTrue(received.await(60, TimeUnit.SECONDS), "the webhook POST never arrived");
            inFlight = http.stats().get("webhooks");
        } finally {
            answer.countDown();
        }
        assertEquals(1, inFlight.get("pending").asInt(), "a status on its way is not delivered yet: " + inFlight);
        assertEquals(0, inFlight.get("ok").asInt(), inFlight::toString);

        JsonNode webhooks = awaitStats(http, s -> s.at("/webhooks/ok").asInt() == 1).get("webhooks");
        assertEquals(1, webhooks.get("statusesDelivered").asInt());
        assertEquals(0, webhooks.get("pending").asInt());
    }

    private static List<String> states(List<JsonNode> statuses) {
        List<String> states = new ArrayList<>();
        statuses.forEach(status -> states.add(status.get("status").asText()));
        return states;
    }

    private static JsonNode awaitStats(SimHttp http, java.util.function.Predicate<JsonNode> condition) throws Exception {
        // Only a bound for a broken simulator; a loaded machine may take seconds to post a batch.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        JsonNode stats = http.stats();
        while (!condition.test(stats)) {
            assertTrue(System.nanoTime() < deadline, "stats never got there: " + stats);
            Thread.sleep(20);
            stats = http.stats();
        }
        return stats;
    }
}
