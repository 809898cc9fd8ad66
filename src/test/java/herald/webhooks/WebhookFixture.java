package herald.webhooks;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import herald.testing.ApiClient;
import herald.testing.HeraldServer;
import herald.whatsapp.WebhookSignature;

/**
 * Accounts, campaigns and messages for webhook tests, Meta-shaped payloads, signed POSTs, and a
 * wait for the asynchronous apply. Rows are made unique per call: the server is shared.
 */
final class WebhookFixture {

    static final String WEBHOOK_PATH = "/webhooks/whatsapp";
    // Whole seconds far from "now", so no test's timestamps can collide with another's by accident.
    static final long T0 = 1_780_000_000L;
    // Generous: it only bounds a broken build; a working one finishes in well under a second.
    private static final Duration WAIT_LIMIT = Duration.ofSeconds(60);
    private static final AtomicLong IDS = new AtomicLong(System.currentTimeMillis() % 1_000_000_000L * 1000);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final HeraldServer herald = HeraldServer.shared();
    final ApiClient api = herald.admin();

    record Account(long id, String name, String wabaId, String phoneNumberId, String appSecret, String verifyToken) {
    }

    record Campaign(long id, String name, List<Long> messageIds) {
    }

    /** A unique digits-only id, as Meta's WABA and phone number ids are. */
    static String digits() {
        return Long.toString(IDS.incrementAndGet());
    }

    Account account(String appSecret, boolean active) {
        return account(appSecret, active, "http://127.0.0.1:1");
    }

    Account account(String appSecret, boolean active, String apiBaseUrl) {
        String name = HeraldServer.unique("webhook_account");
        String verifyToken = "verify-" + digits() + "-token";
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("phoneNumberId", digits());
        body.put("wabaId", digits());
        body.put("accessToken", "EAAG-test-token-" + digits());
        body.put("appSecret", appSecret);
        body.put("webhookVerifyToken", verifyToken);
        body.put("apiBaseUrl", apiBaseUrl);
        body.put("active", active);
        JsonNode created = api.post("/api/accounts", body).json(201);
        return new Account(created.get("id").asLong(), name, created.get("wabaId").asText(),
                created.get("phoneNumberId").asText(), appSecret, verifyToken);
    }

    long template(Account account, String name, String metaTemplateId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accountId", account.id());
        body.put("name", name);
        body.put("language", "en");
        body.put("category", "UTILITY");
        body.put("status", "APPROVED");
        body.put("components", List.of(Map.of("type", "BODY", "text", "Hello {{1}}")));
        if (metaTemplateId != null) {
            body.put("metaTemplateId", metaTemplateId);
        }
        return api.post("/api/templates", body).json(201).get("id").asLong();
    }

    /** A campaign in progress whose messages start in the given statuses, with the given wamids (null: none yet). */
    Campaign campaign(Account account, String[] statuses, String[] wamids) {
        long templateId = template(account, HeraldServer.unique("webhook_template"), null);
        String name = "BULK-WA-TEST-" + digits();
        execute("INSERT INTO bulk_whatsapp_message (name, title, recipient_type, template_id, account_id,"
                + " sending_account_id, sending_template_id, variable_type, status, created_by)"
                + " VALUES (?, 'webhook test', 'INDIVIDUAL_RECIPIENTS', ?, ?, ?, ?, 'COMMON', 'In Progress', 'test')",
                name, templateId, account.id(), account.id(), templateId);
        long campaignId = ((Number) herald.queryOne("SELECT id FROM bulk_whatsapp_message WHERE name = ?", name)
                .get("id")).longValue();
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < statuses.length; i++) {
            execute("INSERT INTO whatsapp_message (bulk_message_reference, seq, mobile_number, account_id, template_id,"
                    + " parameters, status, wamid) VALUES (?, ?, ?, ?, ?, '{}', ?, ?)",
                    campaignId, i + 1, "+4915100" + digits(), account.id(), templateId, statuses[i], wamids[i]);
            ids.add(((Number) herald.queryOne("SELECT id FROM whatsapp_message WHERE bulk_message_reference = ? AND seq = ?",
                    campaignId, i + 1).get("id")).longValue());
        }
        return new Campaign(campaignId, name, ids);
    }

    /** Messages already sent (status Sent) with fresh wamids. */
    Campaign sentCampaign(Account account, int size) {
        String[] statuses = new String[size];
        String[] wamids = new String[size];
        Arrays.fill(statuses, "Sent");
        for (int i = 0; i < size; i++) {
            wamids[i] = wamid();
        }
        return campaign(account, statuses, wamids);
    }

    static String wamid() {
        return "wamid.HBgL" + digits();
    }

    void execute(String sql, Object... params) {
        try (Connection c = herald.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    Map<String, Object> message(long id) {
        return herald.queryOne("SELECT * FROM whatsapp_message WHERE id = ?", id);
    }

    String status(long id) {
        return (String) message(id).get("status");
    }

    List<Map<String, Object>> receipts(long messageId) {
        return herald.query("SELECT * FROM message_receipt WHERE message_id = ? ORDER BY id", messageId);
    }

    // ---- payloads in Meta's shape (reference §6) ----

    static ObjectNode status(String wamid, String status, long timestamp) {
        ObjectNode node = ApiClient.JSON.createObjectNode();
        node.put("id", wamid);
        node.put("status", status);
        node.put("timestamp", Long.toString(timestamp));
        node.put("recipient_id", "4915112345678");
        ObjectNode pricing = node.putObject("pricing");
        pricing.put("billable", true);
        pricing.put("pricing_model", "PMP");
        pricing.put("category", "utility");
        pricing.put("type", "regular");
        return node;
    }

    /** A status whose wamid nobody knows: once it is recorded as unmatched, its payload has been applied. */
    static ObjectNode marker() {
        return status("wamid.marker." + digits(), "delivered", T0);
    }

    static ObjectNode change(Account account, List<ObjectNode> statuses) {
        ObjectNode change = ApiClient.JSON.createObjectNode();
        change.put("field", "messages");
        ObjectNode value = change.putObject("value");
        value.put("messaging_product", "whatsapp");
        ObjectNode metadata = value.putObject("metadata");
        metadata.put("display_phone_number", "4930123456");
        metadata.put("phone_number_id", account.phoneNumberId());
        ArrayNode array = value.putArray("statuses");
        statuses.forEach(array::add);
        return change;
    }

    static ObjectNode entry(Account account, ObjectNode... changes) {
        ObjectNode entry = ApiClient.JSON.createObjectNode();
        entry.put("id", account.wabaId());
        ArrayNode array = entry.putArray("changes");
        Arrays.stream(changes).forEach(array::add);
        return entry;
    }

    static String payload(ObjectNode... entries) {
        ObjectNode root = ApiClient.JSON.createObjectNode();
        root.put("object", "whatsapp_business_account");
        ArrayNode array = root.putArray("entry");
        Arrays.stream(entries).forEach(array::add);
        return root.toString();
    }

    /** One account, one change, these statuses. */
    static String payload(Account account, ObjectNode... statuses) {
        return payload(entry(account, change(account, List.of(statuses))));
    }

    // ---- HTTP ----

    HttpResponse<String> post(String body, String signature) {
        return postBytes(body.getBytes(StandardCharsets.UTF_8), signature);
    }

    HttpResponse<String> postBytes(byte[] body, String signature) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(herald.baseUrl() + WEBHOOK_PATH))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (signature != null) {
            request.header(WebhookReceiver.SIGNATURE_HEADER, signature);
        }
        return send(request.build());
    }

    /** Posts a payload signed with the account's app secret and expects it accepted. */
    void deliver(Account account, String body) {
        HttpResponse<String> response = post(body, WebhookSignature.sign(account.appSecret(), body.getBytes(StandardCharsets.UTF_8)));
        if (response.statusCode() != 200) {
            fail("webhook POST answered " + response.statusCode() + ": " + response.body());
        }
    }

    HttpResponse<String> get(String query) {
        return send(HttpRequest.newBuilder(URI.create(herald.baseUrl() + WEBHOOK_PATH + query))
                .timeout(Duration.ofSeconds(60)).GET().build());
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- waiting for the asynchronous apply ----

    /** Waits until the condition holds; the limit only keeps a broken build from hanging. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT_LIMIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("still waiting, after " + WAIT_LIMIT.toSeconds() + " s, for " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Waits until the marker status of a delivered payload is recorded, i.e. the payload before it is applied. */
    void awaitMarker(ObjectNode marker) {
        String wamid = marker.get("id").asText();
        await("marker " + wamid + " to be recorded as unmatched", () ->
                !herald.query("SELECT id FROM webhook_unmatched_status WHERE wamid = ?", wamid).isEmpty());
    }
}
