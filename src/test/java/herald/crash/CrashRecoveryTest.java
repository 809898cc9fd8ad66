package herald.crash;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import herald.simulator.CloudApiSimulator;
import herald.simulator.SimTemplate;
import herald.simulator.SimulatorConfig;
import herald.testing.ApiClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A real Herald process is killed with SIGKILL several times, at random moments, while it splits
 * and sends a campaign, and started again on the same database and broker journal. At the end the
 * simulator must have accepted every recipient exactly once, and every message must be Sent (or
 * Delivered, Read), Failed, or Unconfirmed and then reconciled.
 *
 * <p>Size and kills: -Dherald.crash.recipients (default 20000) and -Dherald.crash.kills (default 4).
 */
class CrashRecoveryTest {

    private static final int RECIPIENTS = Integer.getInteger("herald.crash.recipients", 20_000);
    private static final int KILLS = Integer.getInteger("herald.crash.kills", 4);
    private static final String ADMIN_PASSWORD = "crash-test-password";
    private static final String TOKEN = "crash-token";
    private static final String APP_SECRET = "crash-app-secret";

    private static CloudApiSimulator simulator;
    private static HeraldProcess herald;

    @BeforeAll
    static void start() throws Exception {
        CloudApiSimulator.preferNoDelay();
        herald = HeraldProcess.fresh("crash", ADMIN_PASSWORD, Map.of(
                "HERALD_SEND_CONSUMERS", "40",
                "HERALD_SEND_UNCONFIRMED_QUIET_SECONDS", "0"));
        simulator = new CloudApiSimulator(SimulatorConfig.builder().port(0).accessToken(TOKEN)
                .template(new SimTemplate("1", "crash_notice", "en", "APPROVED", "UTILITY", "POSITIONAL", "NONE", null,
                        "Hello {{1}}, your code is {{2}}."))
                .throughputPerSecond(1000).latency(20, 20).noAsyncFailures()
                .webhook(URI.create("http://127.0.0.1:" + herald.port() + "/webhooks/whatsapp"), APP_SECRET)
                .statusDelays(200, 400)
                // Meta retries a webhook for days; 8 tries over a minute can all fall while Herald is
                // down between kills, and an accepted send whose statuses are all abandoned is
                // Unconfirmed for good, so the resend below would duplicate it.
                .webhookRetry(30, 500)
                .build()).start();
        herald.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (herald != null) {
            herald.stop();
        }
        if (simulator != null) {
            simulator.stop();
        }
    }

    private static ApiClient api() {
        return new ApiClient(herald.baseUrl()).basic("admin", ADMIN_PASSWORD);
    }

    @Test
    void killedRepeatedlyWhileSplittingAndSendingYetEveryRecipientGetsExactlyOneMessage() throws Exception {
        String campaign = createAndSubmitCampaign();
        Random random = new Random(Long.getLong("herald.crash.seed", System.nanoTime()));
        List<Long> killedAfter = new ArrayList<>();
        for (int i = 0; i < KILLS; i++) {
            long wait = 1_500 + random.nextInt(4_000);
            Thread.sleep(wait);
            herald.kill();
            killedAfter.add(wait);
            herald.start();
        }

        JsonNode progress = awaitNoWorkLeft(campaign);
        JsonNode stats = simulator.stats();
        System.out.printf("crash test: %d recipients, %d kills after %s ms of running, simulator accepted %d, "
                        + "duplicates %s, progress before reconciling %s%n", RECIPIENTS, KILLS, killedAfter,
                stats.path("acceptedTotal").asLong(), stats.path("duplicates"), progress);
        assertEquals(0, stats.path("duplicates").size(), "recipients that got more than one message: "
                + stats.path("duplicates"));

        // Sends cut off by a kill are Unconfirmed; those Meta had accepted are reconciled by their
        // status webhook, the rest are resent on request, after which every recipient has exactly one.
        awaitWebhooksDrained();
        assertEquals(0, simulator.stats().path("webhooks").path("abandoned").asLong(),
                "status webhooks the simulator gave up on: " + simulator.stats().path("webhooks"));
        awaitAcceptedSendsReconciled(campaign);
        if (api().get("/api/campaigns/" + campaign + "/progress").json(200).path("unconfirmed").asLong() > 0) {
            api().post("/api/campaigns/" + campaign + "/resend-unconfirmed", Map.of()).expect(200);
        }
        JsonNode done = awaitFinal(campaign);
        stats = simulator.stats();
        assertEquals(0, stats.path("duplicates").size(), "duplicates after resending: " + stats.path("duplicates"));
        assertEquals(RECIPIENTS, stats.path("acceptedTotal").asLong(), "every recipient accepted by the simulator once");
        assertEquals("Completed", done.path("status").asText(), done.toString());
        assertEquals(RECIPIENTS, done.path("recipientCount").asLong());
        assertEquals(RECIPIENTS, done.path("sent").asLong());
        assertEquals(0, done.path("unconfirmed").asLong());
        assertEquals(0, done.path("failed").asLong());
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < RECIPIENTS; i++) {
            expected.add(number(i));
        }
        Set<String> accepted = new HashSet<>();
        Iterator<String> names = stats.path("acceptedByRecipient").fieldNames();
        names.forEachRemaining(accepted::add);
        assertEquals(expected, accepted, "the simulator saw exactly the campaign's recipients");
    }

    private String createAndSubmitCampaign() {
        ApiClient api = api();
        Map<String, Object> account = new LinkedHashMap<>();
        account.put("name", "Crash account");
        account.put("phoneNumberId", "100000000000002");
        account.put("wabaId", "100000000000001");
        account.put("accessToken", TOKEN);
        account.put("appSecret", APP_SECRET);
        account.put("apiBaseUrl", simulator.baseUrl());
        account.put("messagesPerSecond", 1000);
        long accountId = api.post("/api/accounts", account).json(201).path("id").asLong();
        long templateId = api.post("/api/templates", Map.of("accountId", accountId, "name", "crash_notice",
                "language", "en", "status", "APPROVED", "components",
                List.of(Map.of("type", "BODY", "text", "Hello {{1}}, your code is {{2}}.")))).json(201).path("id").asLong();
        StringBuilder csv = new StringBuilder("mobile_number,recipient_name,name,code\n");
        for (int i = 0; i < RECIPIENTS; i++) {
            csv.append(number(i)).append(",R").append(i).append(",R").append(i).append(',').append(1000 + i).append('\n');
        }
        long listId = api.post("/api/recipient-lists", Map.of("name", "crash list")).json(201).path("id").asLong();
        JsonNode imported = api.postBytes("/api/recipient-lists/" + listId + "/import", "text/csv",
                csv.toString().getBytes()).json(200);
        assertEquals(RECIPIENTS, imported.path("import").path("added").asLong(), imported.toString());
        String name = api.post("/api/campaigns", Map.of("title", "Crash test", "recipientType", "Recipient List",
                "recipientListId", listId, "templateId", templateId, "variableType", "Unique")).json(201)
                .path("name").asText();
        api.post("/api/campaigns/" + name + "/submit", Map.of()).expect(202);
        return name;
    }

    private static String number(int i) {
        return String.format("+4915%09d", 100_000_000 + i);
    }

    /** Waits until nothing is queued, in flight or waiting for a retry (Unconfirmed may remain). */
    private JsonNode awaitNoWorkLeft(String campaign) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 600_000;
        JsonNode progress = null;
        while (System.currentTimeMillis() < deadline) {
            progress = api().get("/api/campaigns/" + campaign + "/progress").json(200);
            JsonNode c = api().get("/api/campaigns/" + campaign).json(200);
            if ("DONE".equals(c.path("splitState").asText()) && progress.path("queued").asLong() == 0
                    && progress.path("recipientCount").asLong() == RECIPIENTS) {
                return progress;
            }
            Thread.sleep(1_000);
        }
        throw new AssertionError("work left after ten minutes: " + progress);
    }

    /**
     * Waits until the simulator has delivered every status webhook: a batch that failed through
     * all the kills waits up to a minute between tries, and resending before its statuses are
     * applied would duplicate a message Meta had accepted.
     */
    private void awaitWebhooksDrained() throws InterruptedException {
        long deadline = System.currentTimeMillis() + 300_000;
        while (System.currentTimeMillis() < deadline && simulator.stats().path("webhooks").path("pending").asLong() > 0) {
            Thread.sleep(500);
        }
        assertEquals(0, simulator.stats().path("webhooks").path("pending").asLong(),
                "status webhooks still undelivered: " + simulator.stats().path("webhooks"));
    }

    /**
     * Waits until no Unconfirmed message is one the simulator accepted. A delivered webhook is
     * only on Herald's queue, applied a moment later: resending before then would duplicate it.
     */
    private void awaitAcceptedSendsReconciled(String campaign) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 300_000;
        Set<String> waiting = unconfirmedButAccepted(campaign);
        while (!waiting.isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(500);
            waiting = unconfirmedButAccepted(campaign);
        }
        assertEquals(Set.of(), waiting, "Unconfirmed messages the simulator accepted, whose status webhooks "
                + "were delivered but never applied");
    }

    /** Numbers of the campaign's Unconfirmed messages that the simulator has accepted. */
    private Set<String> unconfirmedButAccepted(String campaign) {
        Set<String> accepted = new HashSet<>();
        simulator.stats().path("acceptedByRecipient").fieldNames().forEachRemaining(accepted::add);
        Set<String> found = new HashSet<>();
        for (int page = 1; ; page++) {
            JsonNode items = api().get("/api/campaigns/" + campaign + "/messages?status=Unconfirmed&size=1000&page=" + page)
                    .json(200).path("items");
            items.forEach(m -> {
                if (accepted.contains(m.path("mobileNumber").asText())) {
                    found.add(m.path("mobileNumber").asText());
                }
            });
            if (items.size() < 1000) {
                return found;
            }
        }
    }

    private JsonNode awaitFinal(String campaign) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 300_000;
        JsonNode c = null;
        while (System.currentTimeMillis() < deadline) {
            c = api().get("/api/campaigns/" + campaign).json(200);
            String status = c.path("status").asText();
            if (status.equals("Completed") || status.equals("Partially Failed")) {
                return c;
            }
            Thread.sleep(1_000);
        }
        throw new AssertionError("the campaign did not finish: " + c);
    }
}
