package herald.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.JsonNode;
import herald.simulator.CloudApiSimulator;
import herald.simulator.SimTemplate;
import herald.simulator.SimulatorConfig;
import herald.testing.ApiClient;
import herald.testing.HeraldServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The report's counts are kept by database triggers (migration V8), not counted when asked: after
 * every kind of status change Herald makes itself (split, send, lost answers, status webhooks on a
 * running and on a cancelled campaign, cancel, Retry Failed) they must equal a GROUP BY over the
 * message rows, both while changes wait to be folded and once they are.
 */
class ReportCountsFollowTheFlowsTest {

    private static final String REPORT = "/api/reports/bulk-whatsapp-status";
    private static final String TOKEN = "report-counts-token";
    private static final String SECRET = "report-counts-app-secret";
    private static final String TEMPLATE = "report_counts_notice";
    private static final String WABA = digits();
    private static final String PHONE = digits();
    private static final Duration PATIENCE = Duration.ofSeconds(120);

    private static final HeraldServer herald = HeraldServer.shared();
    private static final ApiClient api = herald.admin();
    private static CloudApiSimulator simulator;

    @BeforeAll
    static void startSimulator() throws Exception {
        CloudApiSimulator.preferNoDelay();
        simulator = new CloudApiSimulator(SimulatorConfig.builder().port(0).accessToken(TOKEN)
                .wabaId(WABA).phoneNumber(PHONE, "4930123457")
                .template(new SimTemplate("1", TEMPLATE, "en", "APPROVED", "UTILITY", "POSITIONAL", "NONE", null,
                        "Hello {{1}}"))
                .throughputPerSecond(1000)
                .lostAnswerShare(0.2)
                .webhook(URI.create(herald.baseUrl() + "/webhooks/whatsapp"), SECRET)
                .statusDelays(200, 600)
                .seed(11)
                .build()).start();
    }

    @AfterAll
    static void stopSimulator() {
        simulator.stop();
    }

    @Test
    void countsEqualTheMessageRowsAfterEveryFlow() {
        long accountId = account(1000);
        long templateId = template(accountId);

        // Send with lost answers and status webhooks, one recipient failed by webhook (the simulator fails ...0026).
        List<Map<String, Object>> recipients = recipients("+4915160", 40);
        recipients.add(Map.of("mobileNumber", "+4915160000026", "recipientName", "Not on WhatsApp"));
        String sent = campaign(templateId, recipients);
        awaitMessages(sent, "every message Read or Failed", rows -> rows.size() == 41
                && rows.stream().allMatch(m -> List.of("Read", "Failed").contains(m.get("status"))));
        awaitCampaignStatus(sent, "Partially Failed");
        assertCountsMatch(sent, accountId);
        assertEquals(1, counts(sent).getOrDefault("Failed", 0L), "the ...0026 recipient failed by webhook");

        // Retry Failed: the failure goes back to Queued, is sent again and fails again by webhook.
        api.post("/api/campaigns/" + sent + "/retry-failed", Map.of()).expect(200);
        awaitMessages(sent, "the retried message failed again", rows -> rows.stream().anyMatch(m ->
                "Failed".equals(m.get("status")) && ((Number) m.get("attempts")).intValue() >= 2));
        awaitCampaignStatus(sent, "Partially Failed");
        assertCountsMatch(sent, accountId);

        // Cancel part way, at ten messages a second and with more recipients than send consumers (which
        // claim a message before they wait for the account's pace); what was sent is still read by webhook.
        updateAccountRate(accountId, 10);
        String cancelled = campaign(templateId, recipients("+4915161", 150));
        awaitMessages(cancelled, "a few sends", rows -> rows.stream().filter(m -> "Read".equals(m.get("status"))).count() >= 2);
        api.post("/api/campaigns/" + cancelled + "/cancel", Map.of()).expect(200);
        awaitCampaignStatus(cancelled, "Cancelled");
        awaitMessages(cancelled, "the sends before the cancel read, the rest cancelled", rows -> rows.size() == 150
                && rows.stream().allMatch(m -> List.of("Read", "Cancelled").contains(m.get("status"))));
        Map<String, Long> afterCancel = counts(cancelled);
        assertTrue(afterCancel.getOrDefault("Cancelled", 0L) > 0 && afterCancel.getOrDefault("Read", 0L) > 0, afterCancel::toString);
        assertCountsMatch(cancelled, accountId);

        // Once folded, the stored counts alone are the message rows' counts.
        await("every change of these campaigns folded", () -> herald.query("SELECT 1 FROM campaign_message_count_change "
                + "WHERE campaign_id IN (SELECT id FROM bulk_whatsapp_message WHERE name IN (?, ?))", sent, cancelled).isEmpty());
        for (String campaign : List.of(sent, cancelled)) {
            Map<String, Long> stored = new LinkedHashMap<>();
            for (Map<String, Object> row : herald.query("SELECT k.status, k.n FROM campaign_message_count k "
                    + "JOIN bulk_whatsapp_message c ON c.id = k.campaign_id WHERE c.name = ? AND k.n <> 0", campaign)) {
                stored.put((String) row.get("status"), ((Number) row.get("n")).longValue());
            }
            assertEquals(counts(campaign), stored, campaign);
            assertCountsMatch(campaign, accountId);
        }
    }

    /** The campaign's report row against its message rows counted by status, column by column. */
    private static void assertCountsMatch(String campaign, long accountId) {
        Map<String, Long> rows = counts(campaign);
        JsonNode row = null;
        for (JsonNode r : api.get(REPORT + "?accountId=" + accountId).json(200).path("rows")) {
            if (r.path("name").asText().equals(campaign)) {
                row = r;
            }
        }
        if (row == null) {
            fail(campaign + " is not in the report");
        }
        long read = rows.getOrDefault("Read", 0L);
        long delivered = read + rows.getOrDefault("Delivered", 0L);
        Map<String, Long> expected = new LinkedHashMap<>();
        expected.put("total", rows.values().stream().mapToLong(Long::longValue).sum());
        expected.put("sent", delivered + rows.getOrDefault("Sent", 0L));
        expected.put("delivered", delivered);
        expected.put("read", read);
        expected.put("failed", rows.getOrDefault("Failed", 0L));
        expected.put("queued", rows.getOrDefault("Queued", 0L) + rows.getOrDefault("Sending", 0L)
                + rows.getOrDefault("Retrying", 0L));
        expected.put("cancelled", rows.getOrDefault("Cancelled", 0L));
        expected.put("unconfirmed", rows.getOrDefault("Unconfirmed", 0L));
        Map<String, Long> reported = new LinkedHashMap<>();
        for (String count : expected.keySet()) {
            reported.put(count, row.path(count).asLong());
        }
        assertEquals(expected, reported, campaign + " against its message rows " + rows);
    }

    /** The campaign's message rows counted by status, straight from the table. */
    private static Map<String, Long> counts(String campaign) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (Map<String, Object> row : herald.query("SELECT m.status, COUNT(*) AS n FROM whatsapp_message m "
                + "JOIN bulk_whatsapp_message c ON c.id = m.bulk_message_reference WHERE c.name = ? GROUP BY m.status", campaign)) {
            counts.put((String) row.get("status"), ((Number) row.get("n")).longValue());
        }
        return counts;
    }

    private static long account(int messagesPerSecond) {
        Map<String, Object> account = new LinkedHashMap<>();
        account.put("name", HeraldServer.unique("report_counts"));
        account.put("phoneNumberId", PHONE);
        account.put("wabaId", WABA);
        account.put("accessToken", TOKEN);
        account.put("appSecret", SECRET);
        account.put("apiBaseUrl", simulator.baseUrl());
        account.put("messagesPerSecond", messagesPerSecond);
        return api.post("/api/accounts", account).json(201).get("id").asLong();
    }

    private static void updateAccountRate(long accountId, int messagesPerSecond) {
        api.put("/api/accounts/" + accountId, Map.of("messagesPerSecond", messagesPerSecond)).expect(200);
    }

    private static long template(long accountId) {
        Map<String, Object> template = new LinkedHashMap<>();
        template.put("accountId", accountId);
        template.put("name", TEMPLATE);
        template.put("language", "en");
        template.put("status", "APPROVED");
        template.put("components", List.of(Map.of("type", "BODY", "text", "Hello {{1}}")));
        return api.post("/api/templates", template).json(201).get("id").asLong();
    }

    private static List<Map<String, Object>> recipients(String prefix, int n) {
        List<Map<String, Object>> recipients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            recipients.add(Map.of("mobileNumber", prefix + String.format("%05d", 10_000 + i) + "1", "recipientName", "R" + i));
        }
        return recipients;
    }

    /** A submitted campaign to these recipients; answers its name. */
    private static String campaign(long templateId, List<Map<String, Object>> recipients) {
        Map<String, Object> campaign = new LinkedHashMap<>();
        campaign.put("title", HeraldServer.unique("report counts"));
        campaign.put("recipientType", "Individual Recipients");
        campaign.put("templateId", templateId);
        campaign.put("variableType", "Common");
        campaign.put("templateVariables", Map.of("1", "Anna"));
        campaign.put("recipients", recipients);
        String name = api.post("/api/campaigns", campaign).json(201).get("name").asText();
        api.post("/api/campaigns/" + name + "/submit", Map.of()).expect(202);
        return name;
    }

    private static void awaitMessages(String campaign, String what,
                                      java.util.function.Predicate<List<Map<String, Object>>> condition) {
        await(what + " in " + campaign, () -> condition.test(herald.query("SELECT m.* FROM whatsapp_message m "
                + "JOIN bulk_whatsapp_message c ON c.id = m.bulk_message_reference WHERE c.name = ?", campaign)));
    }

    private static void awaitCampaignStatus(String campaign, String status) {
        await(campaign + " " + status, () -> status.equals(api.get("/api/campaigns/" + campaign).json(200).path("status").asText()));
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("still waiting, after " + PATIENCE.toSeconds() + " s, for " + what);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static String digits() {
        return Long.toString(100_000_000_000_000L + Math.floorMod(System.nanoTime(), 800_000_000_000_000L));
    }
}
