package herald.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import herald.simulator.CloudApiSimulator;
import herald.simulator.SimTemplate;
import herald.simulator.SimulatorConfig;
import herald.testing.HeraldServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real campaign through the send route and the Cloud API simulator, whose status webhooks come
 * back signed, late, duplicated, out of order, without 'delivered', and for sends whose answer
 * was lost on the way back.
 */
class WebhookEndToEndTest {

    private static final String TOKEN = "webhook-e2e-token";
    private static final String SECRET = "webhook-e2e-app-secret";
    private static final String TEMPLATE = "webhook_e2e_notice";
    private static final String WABA = WebhookFixture.digits();
    private static final String PHONE = WebhookFixture.digits();

    private static final WebhookFixture fx = new WebhookFixture();
    private static CloudApiSimulator simulator;

    @BeforeAll
    static void startSimulator() throws Exception {
        CloudApiSimulator.preferNoDelay();
        simulator = new CloudApiSimulator(SimulatorConfig.builder().port(0).accessToken(TOKEN)
                .wabaId(WABA).phoneNumber(PHONE, "4930123456")
                .template(new SimTemplate("1", TEMPLATE, "en", "APPROVED", "UTILITY", "POSITIONAL", "NONE", null,
                        "Hello {{1}}"))
                .throughputPerSecond(1000)
                .lostAnswerShare(0.2)
                .webhook(URI.create(fx.herald.baseUrl() + WebhookFixture.WEBHOOK_PATH), SECRET)
                .statusDelays(100, 300)
                .webhookIrregularities(0.3, 0.3, 0.3)
                .seed(7)
                .build()).start();
    }

    @AfterAll
    static void stopSimulator() {
        simulator.stop();
    }

    @Test
    void everyMessageEndsWhereMetasLastWordLeavesIt() {
        Map<String, Object> account = new LinkedHashMap<>();
        account.put("name", HeraldServer.unique("webhook_e2e"));
        account.put("phoneNumberId", PHONE);
        account.put("wabaId", WABA);
        account.put("accessToken", TOKEN);
        account.put("appSecret", SECRET);
        account.put("apiBaseUrl", simulator.baseUrl());
        account.put("messagesPerSecond", 1000);
        long accountId = fx.api.post("/api/accounts", account).json(201).get("id").asLong();
        Map<String, Object> template = new LinkedHashMap<>();
        template.put("accountId", accountId);
        template.put("name", TEMPLATE);
        template.put("language", "en");
        template.put("status", "APPROVED");
        template.put("components", List.of(Map.of("type", "BODY", "text", "Hello {{1}}")));
        long templateId = fx.api.post("/api/templates", template).json(201).get("id").asLong();

        List<Map<String, Object>> recipients = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            recipients.add(Map.of("mobileNumber", "+49151" + (5_000_000 + i) + "1", "recipientName", "R" + i));
        }
        // The simulator accepts a number ending in 0026, then fails it by webhook with 131026.
        recipients.add(Map.of("mobileNumber", "+4915150000026", "recipientName", "Not on WhatsApp"));
        Map<String, Object> campaign = new LinkedHashMap<>();
        campaign.put("title", HeraldServer.unique("webhook e2e"));
        campaign.put("recipientType", "Individual Recipients");
        campaign.put("templateId", templateId);
        campaign.put("variableType", "Common");
        campaign.put("templateVariables", Map.of("name", "Anna"));
        campaign.put("recipients", recipients);
        String name = fx.api.post("/api/campaigns", campaign).json(201).get("name").asText();
        fx.api.post("/api/campaigns/" + name + "/submit", Map.of()).expect(202);

        String rows = "SELECT m.* FROM whatsapp_message m JOIN bulk_whatsapp_message c ON c.id = m.bulk_message_reference"
                + " WHERE c.name = ? ORDER BY m.seq";
        WebhookFixture.await("every message of " + name + " to be Read or Failed", () -> {
            List<Map<String, Object>> messages = fx.herald.query(rows, name);
            return messages.size() == recipients.size()
                    && messages.stream().allMatch(m -> List.of("Read", "Failed").contains(m.get("status")));
        });
        // Out of order, a message's 'read' can be applied before its 'sent' has arrived: wait for
        // the simulator to deliver every webhook and for Herald to keep a 'sent' for each Read.
        WebhookFixture.await("every status webhook to be delivered", () ->
                simulator.stats().path("webhooks").path("pending").asLong() == 0);
        String readWithoutSent = "SELECT COUNT(*) AS n FROM whatsapp_message m JOIN bulk_whatsapp_message c"
                + " ON c.id = m.bulk_message_reference WHERE c.name = ? AND m.status = 'Read' AND NOT EXISTS"
                + " (SELECT 1 FROM message_receipt r WHERE r.message_id = m.id AND r.status = 'Sent')";
        WebhookFixture.await("a 'sent' receipt for every Read message of " + name, () ->
                ((Number) fx.herald.query(readWithoutSent, name).get(0).get("n")).longValue() == 0);

        for (Map<String, Object> message : fx.herald.query(rows, name)) {
            long id = ((Number) message.get("id")).longValue();
            assertNotNull(message.get("wamid"), "every message has its wamid, lost answers too: " + message);
            List<Map<String, Object>> receipts = fx.receipts(id);
            if (((String) message.get("mobile_number")).endsWith("0026")) {
                assertEquals("Failed", message.get("status"));
                assertEquals(131026, ((Number) message.get("error_code")).intValue());
                assertEquals(List.of("Failed"), receipts.stream().map(r -> r.get("status")).toList());
            } else {
                assertEquals("Read", message.get("status"), message.toString());
                assertNotNull(message.get("read_at"));
                List<Object> statuses = receipts.stream().map(r -> r.get("status")).toList();
                assertTrue(statuses.contains("Sent") && statuses.contains("Read"), "receipts of " + id + ": " + receipts);
                // Duplicates never leave a second receipt (a resent message's own events are other events).
                assertEquals(receipts.size(), receipts.stream().map(r -> r.get("status") + "@" + r.get("meta_timestamp"))
                        .distinct().count(), "each event kept once: " + receipts);
            }
        }
        assertTrue(fx.herald.query("SELECT id FROM webhook_unmatched_status WHERE waba_id = ?", WABA).isEmpty(),
                "every status found its message");
        assertTrue(simulator.stats().path("lostAnswers").asLong() > 0, "some answers were lost: " + simulator.stats());
    }
}
