package herald.campaign;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import herald.testing.ApiClient;
import herald.testing.HeraldServer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the campaign tests build through the API, each record under a fresh name, and what they
 * read back from Herald's tables. The Herald is shared by every test class, so nothing here
 * assumes an empty database.
 */
final class CampaignFixture {

    static final String SEND_ROUTE = "send-whatsapp-message";
    /** Two positional placeholders, so a Unique row needs exactly two values. */
    static final String TWO_VALUES_BODY = "Hello {{1}}, your code is {{2}}.";
    /** The phone number id and WABA the Cloud API simulator answers for by default. */
    static final String PHONE_NUMBER_ID = "100000000000002";
    static final String WABA_ID = "100000000000001";

    private static final Set<String> RUNNING = Set.of("Queued", "In Progress", "Paused");
    private static final long WAIT_MILLIS = 120_000;

    final HeraldServer server = HeraldServer.shared();
    final ApiClient api = server.admin();
    private final List<String> submitted = new ArrayList<>();

    /** An active WhatsApp Account; {@code extra} overrides or adds fields (apiBaseUrl, active, accessToken...). */
    long account(Map<String, Object> extra) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", HeraldServer.unique("Campaign account"));
        body.put("phoneNumberId", PHONE_NUMBER_ID);
        body.put("wabaId", WABA_ID);
        body.put("accessToken", "campaign-test-token");
        body.put("messagesPerSecond", 1000);
        body.putAll(extra);
        return api.post("/api/accounts", body).json(201).path("id").asLong();
    }

    long account() {
        return account(Map.of());
    }

    /** A template from Meta's components, given as JSON text. */
    long template(long accountId, String name, String language, String status, String format, String components) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accountId", accountId);
        body.put("name", name);
        body.put("language", language);
        body.put("status", status);
        body.put("parameterFormat", format);
        try {
            body.put("components", ApiClient.JSON.readTree(components));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(components, e);
        }
        return api.post("/api/templates", body).json(201).path("id").asLong();
    }

    /** An APPROVED English template without a header and with {@link #TWO_VALUES_BODY}. */
    long twoValueTemplate(long accountId, String name) {
        return template(accountId, name, "en", "APPROVED", "POSITIONAL",
                "[{\"type\":\"BODY\",\"text\":\"" + TWO_VALUES_BODY + "\"}]");
    }

    /** An APPROVED template with a media header of the given kind (DOCUMENT, IMAGE, VIDEO). */
    long mediaTemplate(long accountId, String name, String headerKind) {
        return template(accountId, name, "en", "APPROVED", "POSITIONAL", "[{\"type\":\"HEADER\",\"format\":\"" + headerKind
                + "\"},{\"type\":\"BODY\",\"text\":\"" + TWO_VALUES_BODY + "\"}]");
    }

    long uploadPdf(String fileName) {
        byte[] pdf = "%PDF-1.4\n% a campaign attachment\n%%EOF\n".getBytes(StandardCharsets.US_ASCII);
        return api.postBytes("/api/files?name=" + fileName, "application/pdf", pdf).json(201).path("id").asLong();
    }

    static Map<String, Object> recipient(String number, String name, Map<String, Object> data) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("mobileNumber", number);
        row.put("recipientName", name);
        if (data != null) {
            row.put("recipientData", data);
        }
        return row;
    }

    /** Two positional values in placeholder order: key order is what counts, not the key names. */
    static Map<String, Object> values(String first, String second) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("name", first);
        values.put("code", second);
        return values;
    }

    /** A create request for Individual Recipients with values common to everyone. */
    static Map<String, Object> commonCampaign(long templateId, Map<String, Object> values, List<Map<String, Object>> rows) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("title", HeraldServer.unique("Common campaign"));
        body.put("recipientType", "Individual Recipients");
        body.put("templateId", templateId);
        body.put("variableType", "Common");
        body.put("templateVariables", values);
        body.put("recipients", rows);
        return body;
    }

    /** A create request for Individual Recipients whose values come from each row's Recipient Data. */
    static Map<String, Object> uniqueCampaign(long templateId, List<Map<String, Object>> rows) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("title", HeraldServer.unique("Unique campaign"));
        body.put("recipientType", "Individual Recipients");
        body.put("templateId", templateId);
        body.put("variableType", "Unique");
        body.put("recipients", rows);
        return body;
    }

    /** Creates a Draft and answers its name. */
    String create(Map<String, Object> body) {
        JsonNode created = api.post("/api/campaigns", body).json(201);
        assertEquals("Draft", created.path("status").asText(), created::toString);
        return created.path("name").asText();
    }

    /** Submits a Draft (202) and remembers it, so {@link #cancelUnfinished} can stop it. */
    JsonNode submit(String name, boolean skipInvalid) {
        JsonNode answer = api.post("/api/campaigns/" + name + "/submit" + (skipInvalid ? "?skipInvalid=true" : ""), Map.of())
                .json(202);
        submitted.add(name);
        return answer;
    }

    long id(String campaign) {
        return number(server.queryOne("SELECT id FROM bulk_whatsapp_message WHERE name = ?", campaign).get("id"));
    }

    /**
     * Waits until the splitter has written every message row of a submitted campaign; a deadline
     * only keeps a broken split from hanging the build.
     */
    JsonNode awaitSplit(String campaign) throws InterruptedException {
        return await(campaign, c -> c.path("splitState").asText().equals("DONE"), "its split to be DONE");
    }

    /** Waits until the campaign reaches one of the given statuses. */
    JsonNode awaitStatus(String campaign, Set<String> statuses) throws InterruptedException {
        return await(campaign, c -> statuses.contains(c.path("status").asText()), "a status in " + statuses);
    }

    private JsonNode await(String campaign, java.util.function.Predicate<JsonNode> done, String what)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        JsonNode current = api.get("/api/campaigns/" + campaign).json(200);
        while (!done.test(current) && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
            current = api.get("/api/campaigns/" + campaign).json(200);
        }
        if (!done.test(current)) {
            throw new AssertionError(campaign + " never reached " + what + ": " + current);
        }
        return current;
    }

    /** The campaign's WhatsApp Message rows in recipient order. */
    List<Map<String, Object>> messageRows(String campaign) {
        return server.query("SELECT m.* FROM whatsapp_message m JOIN bulk_whatsapp_message c "
                + "ON c.id = m.bulk_message_reference WHERE c.name = ? ORDER BY m.seq", campaign);
    }

    /** The campaign's own recipient rows in entry order. */
    List<Map<String, Object>> recipientRows(String campaign) {
        return server.query("SELECT r.idx, r.mobile_number, r.recipient_name, r.recipient_data FROM campaign_recipient r "
                + "JOIN bulk_whatsapp_message c ON c.id = r.campaign_id WHERE c.name = ? ORDER BY r.idx", campaign);
    }

    /**
     * Adds recipient rows to a Draft straight in its table, past the checks a save makes: rows a
     * Draft already held when those checks came, which only the submit check can still refuse.
     */
    void storeUnchecked(String campaign, List<Map<String, Object>> rows) {
        long id = id(campaign);
        Object last = server.queryOne("SELECT COALESCE(MAX(idx), 0) AS n FROM campaign_recipient WHERE campaign_id = ?", id)
                .get("n");
        long idx = number(last);
        for (Map<String, Object> row : rows) {
            Object data = row.get("recipientData");
            try {
                update("INSERT INTO campaign_recipient (campaign_id, idx, mobile_number, recipient_name, recipient_data) "
                        + "VALUES (?, ?, ?, ?, ?)", id, ++idx, row.get("mobileNumber"), row.get("recipientName"),
                        data == null ? null : ApiClient.JSON.writeValueAsString(data));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException(row.toString(), e);
            }
        }
    }

    /** Changes rows directly through Herald's DataSource, as the send route or a status webhook would. */
    int update(String sql, Object... params) {
        try (Connection c = server.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    void stopSending() throws Exception {
        server.context().getRouteController().stopRoute(SEND_ROUTE);
    }

    void startSending() throws Exception {
        server.context().getRouteController().startRoute(SEND_ROUTE);
    }

    /**
     * Cancels what this fixture submitted and is still running, so nothing of it is sent once the
     * send route starts again. A 409 means the campaign moved meanwhile: read it again.
     */
    void cancelUnfinished() {
        for (String name : submitted) {
            for (int attempt = 0; attempt < 5; attempt++) {
                String status = api.get("/api/campaigns/" + name).json(200).path("status").asText();
                if (!RUNNING.contains(status) || api.post("/api/campaigns/" + name + "/cancel", Map.of()).status() == 200) {
                    break;
                }
            }
        }
        submitted.clear();
    }

    /** DELETE as the given user. */
    ApiClient.Response delete(String path, String user, String password) {
        return server.anonymous().basic(user, password).delete(path);
    }

    ApiClient.Response delete(String path) {
        return delete(path, HeraldServer.ADMIN_USER, HeraldServer.ADMIN_PASSWORD);
    }

    static long number(Object value) {
        return ((Number) value).longValue();
    }
}
