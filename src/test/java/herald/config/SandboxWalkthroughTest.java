package herald.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import herald.testing.ApiClient;
import herald.testing.CampaignFixtures;
import herald.testing.HeraldServer;
import org.junit.jupiter.api.Test;

/**
 * The README's "Your first campaign, in sandbox mode", over real HTTP on a Herald started with
 * herald.sandbox=true: the sandbox account and templates it creates, an invoice campaign with a
 * PDF and a named-parameter campaign, sent to the in-process simulator, whose signed status
 * webhooks bring back delivered and read.
 */
class SandboxWalkthroughTest {

    private final HeraldServer herald = HeraldServer.shared();
    private final ApiClient api = herald.admin();

    private JsonNode sandboxAccount() {
        for (JsonNode account : api.get("/api/accounts").json(200)) {
            if (account.path("name").asText().equals(Sandbox.ACCOUNT_NAME)) {
                return account;
            }
        }
        throw new AssertionError("no account named '" + Sandbox.ACCOUNT_NAME + "' in sandbox mode");
    }

    private JsonNode sandboxTemplate(long accountId, String name) {
        JsonNode found = null;
        for (JsonNode t : api.get("/api/templates?accountId=" + accountId).json(200)) {
            if (t.path("name").asText().equals(name)) {
                assertEquals(null, found, "one sandbox template named " + name);
                found = t;
            }
        }
        assertNotNull(found, "the sandbox template " + name + " on account " + accountId);
        return found;
    }

    @Test
    void theReadmeWalkthroughSendsThroughTheSimulatorAndReceiptsComeBack() {
        JsonNode account = sandboxAccount();
        assertTrue(account.path("sandbox").asBoolean(), account::toString);
        assertTrue(account.path("active").asBoolean(), account::toString);
        long accountId = account.path("id").asLong();

        JsonNode invoice = sandboxTemplate(accountId, "invoice_ready");
        assertEquals(List.of("de", "APPROVED", "DOCUMENT", "POSITIONAL", true),
                List.of(invoice.path("language").asText(), invoice.path("status").asText(),
                        invoice.path("headerKind").asText(), invoice.path("parameterFormat").asText(),
                        invoice.path("sandbox").asBoolean()), invoice::toString);
        assertEquals(2, invoice.path("bodyParams").size(), invoice::toString);
        JsonNode sale = sandboxTemplate(accountId, "spring_sale");
        assertEquals(List.of("en", "APPROVED", "NAMED", true),
                List.of(sale.path("language").asText(), sale.path("status").asText(),
                        sale.path("parameterFormat").asText(), sale.path("sandbox").asBoolean()), sale::toString);
        assertEquals(2, api.get("/api/templates?accountId=" + accountId).json(200).size(),
                "the sandbox account has exactly the two templates of the README");

        byte[] pdf = "%PDF-1.4\n% Herald sandbox invoice\n".getBytes(StandardCharsets.US_ASCII);
        long fileId = api.postBytes("/api/files?name=Invoice-9001.pdf", "application/pdf", pdf).json(201).path("id").asLong();

        Map<String, Object> invoices = new LinkedHashMap<>();
        invoices.put("title", HeraldServer.unique("Invoices for November"));
        invoices.put("recipientType", "Individual Recipients");
        invoices.put("templateId", invoice.path("id").asLong());
        invoices.put("variableType", "Unique");
        invoices.put("attachmentFileId", fileId);
        invoices.put("recipients", List.of(
                row("+49 151 9100 0101", "Anna", Map.of("name", "Anna", "invoice", "9001")),
                row("0151 91000102", "Ben", Map.of("name", "Ben", "invoice", "9002")),
                row("+4915191000103", "Cleo", Map.of("name", "Cleo", "invoice", "9003"))));
        String invoiceCampaign = sendAndAwaitReceipts(invoices, 3);
        List<Map<String, Object>> sent = messageRows(invoiceCampaign);
        assertEquals(List.of("+4915191000101", "+4915191000102", "+4915191000103"),
                sent.stream().map(m -> m.get("mobile_number")).toList(), "numbers written as people write them");
        for (int i = 0; i < sent.size(); i++) {
            String parameters = (String) sent.get(i).get("parameters");
            assertTrue(parameters.contains("900" + (i + 1)), "each row's own values: " + sent.get(i));
        }

        Map<String, Object> springSale = new LinkedHashMap<>();
        springSale.put("title", HeraldServer.unique("Spring sale"));
        springSale.put("recipientType", "Individual Recipients");
        springSale.put("templateId", sale.path("id").asLong());
        springSale.put("variableType", "Common");
        springSale.put("templateVariables", Map.of("first_name", "friend", "discount", "20%"));
        springSale.put("recipients", List.of(row("+4915191000201", "Dora", null), row("+4915191000202", "Emil", null)));
        sendAndAwaitReceipts(springSale, 2);
    }

    /** Creates and submits the campaign, then checks each message went out and came back Read. */
    private String sendAndAwaitReceipts(Map<String, Object> request, int recipients) {
        JsonNode created = api.post("/api/campaigns", request).json(201);
        assertTrue(created.path("sandbox").asBoolean(), "a campaign on the sandbox account is sandbox: " + created);
        String name = created.path("name").asText();
        api.post("/api/campaigns/" + name + "/submit", Map.of()).expect(202);

        JsonNode done = CampaignFixtures.awaitStatus(api, name, "Completed");
        assertTrue(done.path("sandbox").asBoolean(), done::toString);
        assertEquals(recipients, done.path("recipientCount").asInt(), done::toString);
        assertEquals(recipients, done.path("sent").asInt(), done::toString);

        // Webhook payloads are applied concurrently: a message can be Read while its 'delivered'
        // or 'sent' is still being applied, so the wait is for the whole history, not the status.
        CampaignFixtures.await(() -> messages(name).stream().allMatch(m -> m.path("status").asText().equals("Read")
                        && !m.path("deliveredAt").isNull() && !m.path("readAt").isNull()
                        && receipts(m).containsAll(List.of("Sent", "Delivered", "Read"))),
                () -> "every message of " + name + " to be Read with its sent, delivered and read receipts: "
                        + messages(name).stream().map(m -> m + " " + receipts(m)).toList());
        for (JsonNode m : messages(name)) {
            assertTrue(m.path("messageId").asText().startsWith("wamid."), "Meta's wamid is kept: " + m);
            assertFalse(m.path("deliveredAt").isNull(), "delivered came back: " + m);
            assertFalse(m.path("readAt").isNull(), "read came back: " + m);
            List<Object> receipts = receipts(m);
            assertTrue(receipts.containsAll(List.of("Sent", "Delivered", "Read")), "history of " + m + ": " + receipts);
        }
        return name;
    }

    private List<Object> receipts(JsonNode message) {
        return herald.query("SELECT status FROM message_receipt WHERE message_id = ?", message.path("id").asLong())
                .stream().map(r -> r.get("status")).toList();
    }

    private List<JsonNode> messages(String campaign) {
        List<JsonNode> items = new ArrayList<>();
        api.get("/api/campaigns/" + campaign + "/messages?size=100").json(200).path("items").forEach(items::add);
        return items;
    }

    private List<Map<String, Object>> messageRows(String campaign) {
        return herald.query("SELECT m.mobile_number, m.parameters FROM whatsapp_message m"
                + " JOIN bulk_whatsapp_message c ON c.id = m.bulk_message_reference WHERE c.name = ? ORDER BY m.seq", campaign);
    }

    private static Map<String, Object> row(String number, String name, Map<String, Object> data) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("mobileNumber", number);
        row.put("recipientName", name);
        if (data != null) {
            Map<String, Object> ordered = new LinkedHashMap<>();
            ordered.put("name", data.get("name"));
            ordered.put("invoice", data.get("invoice"));
            row.put("recipientData", ordered);
        }
        return row;
    }
}
