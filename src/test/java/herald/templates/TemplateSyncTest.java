package herald.templates;

import static herald.templates.GraphStub.component;
import static herald.templates.GraphStub.template;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import herald.testing.ApiClient;
import herald.testing.HeraldServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** POST /api/templates/sync against a stand-in Graph API: several pages, two accounts and a failing one. */
class TemplateSyncTest {

    private static final AtomicLong IDS = new AtomicLong(System.currentTimeMillis() % 1_000_000_000L * 1000 + 500);

    private final HeraldServer herald = HeraldServer.shared();
    private final ApiClient api = herald.admin();
    private GraphStub graph;

    @BeforeEach
    void startGraph() throws Exception {
        graph = new GraphStub(2);
    }

    @AfterEach
    void stopGraph() {
        graph.close();
    }

    private static String digits() {
        return Long.toString(IDS.incrementAndGet());
    }

    private record Account(long id, String wabaId) {
    }

    private Account account(String token) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", HeraldServer.unique("sync_account"));
        body.put("phoneNumberId", digits());
        body.put("wabaId", digits());
        body.put("accessToken", token);
        body.put("apiBaseUrl", graph.baseUrl());
        JsonNode created = api.post("/api/accounts", body).json(201);
        return new Account(created.get("id").asLong(), created.get("wabaId").asText());
    }

    private long registered(Account account, String name) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accountId", account.id());
        body.put("name", name);
        body.put("language", "en");
        body.put("status", "APPROVED");
        body.put("components", List.of(Map.of("type", "BODY", "text", "Hello {{1}}")));
        return api.post("/api/templates", body).json(201).get("id").asLong();
    }

    private void campaignUsing(long templateId, long accountId) {
        try (Connection c = herald.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO bulk_whatsapp_message (name, title, recipient_type,"
                     + " template_id, account_id, variable_type, status, created_by)"
                     + " VALUES (?, 'sync test', 'INDIVIDUAL_RECIPIENTS', ?, ?, 'COMMON', 'Draft', 'test')")) {
            ps.setString(1, "BULK-WA-SYNC-" + digits());
            ps.setLong(2, templateId);
            ps.setLong(3, accountId);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode sync() {
        return api.post("/api/templates/sync", Map.of()).json(200);
    }

    private static JsonNode report(JsonNode answer, Account account) {
        for (JsonNode report : answer.get("accounts")) {
            if (report.get("accountId").asLong() == account.id()) {
                return report;
            }
        }
        throw new AssertionError("no report for account " + account.id() + " in " + answer);
    }

    private Map<String, Object> stored(Account account, String name, String language) {
        List<Map<String, Object>> rows = herald.query(
                "SELECT * FROM whatsapp_template WHERE account_id = ? AND name = ? AND language = ?",
                account.id(), name, language);
        return rows.isEmpty() ? null : rows.get(0);
    }

    /**
     * The stub's requests for this account's WABA. A sync asks every active account of the shared
     * Herald, and an account another test left pointing at a closed port reaches this stub if the
     * stub was given that port.
     */
    private List<GraphStub.Request> requestsFor(Account account) {
        return graph.requests().stream().filter(r -> r.path().contains("/" + account.wabaId() + "/")).toList();
    }

    private static void assertCounts(JsonNode report, int inserted, int updated, int unchanged, int gone, int deleted) {
        assertEquals(List.of(inserted, updated, unchanged, gone, deleted),
                List.of(report.get("inserted").asInt(), report.get("updated").asInt(), report.get("unchanged").asInt(),
                        report.get("gone").asInt(), report.get("deleted").asInt()),
                "inserted, updated, unchanged, gone, deleted in " + report);
    }

    @Test
    void everyPageOfEveryActiveAccountIsMatchedOnNameAndLanguage() {
        String tokenA = "EAAG-sync-a-" + digits();
        Account a = account(tokenA);
        String tokenB = "EAAG-sync-b-" + digits();
        Account b = account(tokenB);
        Account broken = account("EAAG-sync-wrong-" + digits());
        String usedName = HeraldServer.unique("used_elsewhere");
        String unusedName = HeraldServer.unique("unused_elsewhere");
        long used = registered(a, usedName);
        long unused = registered(a, unusedName);
        campaignUsing(used, a.id());

        ObjectNode invoice = template("9001", "invoice_ready", "en", "APPROVED", "UTILITY",
                component("HEADER", "DOCUMENT", null), component("BODY", null, "Invoice {{1}} for {{2}}"));
        ObjectNode invoiceDe = template("9002", "invoice_ready", "de", "APPROVED", "UTILITY",
                component("HEADER", "DOCUMENT", null), component("BODY", null, "Rechnung {{1}} für {{2}}"));
        ObjectNode welcome = template("9003", "welcome", "en", "PENDING", "MARKETING",
                component("HEADER", "TEXT", "Hi {{1}}"), component("BODY", null, "Welcome {{1}}"));
        ObjectNode gap = template("9004", "broken_gap", "en", "APPROVED", "UTILITY",
                component("BODY", null, "Hello {{1}} and {{3}}"));
        ObjectNode reminder = template("9005", "reminder", "en", "APPROVED", "UTILITY",
                component("BODY", null, "Reminder"));
        graph.account(a.wabaId(), tokenA, List.of(invoice, invoiceDe, welcome, gap, reminder));
        graph.account(b.wabaId(), tokenB, List.of(template("9101", "only_b", "en_US", "APPROVED", "UTILITY",
                component("BODY", null, "B {{1}}"))));
        graph.account(broken.wabaId(), "not-the-token-herald-has", List.of(reminder));

        JsonNode first = sync();

        JsonNode ra = report(first, a);
        assertEquals(3, ra.get("pages").asInt(), "5 templates at 2 a page");
        assertEquals(5, ra.get("fetched").asInt());
        assertCounts(ra, 4, 0, 0, 1, 1);
        assertEquals(1, ra.get("problems").size());
        assertEquals("broken_gap", ra.get("problems").get(0).get("name").asText());
        assertTrue(ra.get("problems").get(0).get("reason").asText().contains("{{2}}"), ra.toString());
        assertCounts(report(first, b), 1, 0, 0, 0, 0);
        JsonNode failed = report(first, broken);
        assertTrue(failed.get("error").asText().contains("HTTP 401"), failed.toString());
        assertTrue(failed.get("error").asText().contains("code 190"), failed.toString());

        Map<String, Object> stored = stored(a, "invoice_ready", "de");
        assertEquals("DOCUMENT", stored.get("header_kind"));
        assertEquals("[\"1\",\"2\"]", stored.get("body_params"));
        assertEquals("9002", stored.get("meta_template_id"));
        Map<String, Object> welcomeRow = stored(a, "welcome", "en");
        assertEquals("PENDING", welcomeRow.get("status"));
        assertEquals("MARKETING", welcomeRow.get("category"));
        assertEquals("[\"1\"]", welcomeRow.get("header_params"));
        assertNull(stored(a, "broken_gap", "en"), "an unreadable template is reported, not stored");
        assertEquals(Boolean.TRUE, stored(a, usedName, "en").get("gone_from_meta"), "kept for its campaign, marked gone");
        assertTrue(herald.query("SELECT id FROM whatsapp_template WHERE id = ?", unused).isEmpty(), "unused and gone: deleted");
        assertEquals("APPROVED", stored(b, "only_b", "en_US").get("status"));
        assertTrue(herald.query("SELECT id FROM whatsapp_template WHERE account_id = ?", broken.id()).isEmpty());

        for (GraphStub.Request request : graph.requests()) {
            assertTrue(request.authorization() != null && request.authorization().startsWith("Bearer "), request.toString());
            assertFalse(request.query() != null && request.query().contains("access_token"),
                    "the token travels in the header only: " + request);
        }
        assertEquals(3, requestsFor(a).size(), "one request per page: " + requestsFor(a));

        // At Meta: reminder paused, welcome deleted, the campaign's template is back.
        ObjectNode pausedReminder = template("9005", "reminder", "en", "PAUSED", "UTILITY", component("BODY", null, "Reminder"));
        ObjectNode back = template("9006", usedName, "en", "APPROVED", "UTILITY", component("BODY", null, "Hello {{1}}"));
        graph.templates(a.wabaId(), List.of(invoice, invoiceDe, gap, pausedReminder, back));

        JsonNode second = report(sync(), a);
        assertCounts(second, 0, 2, 2, 0, 1);
        assertEquals("PAUSED", stored(a, "reminder", "en").get("status"));
        Map<String, Object> returned = stored(a, usedName, "en");
        assertEquals(Boolean.FALSE, returned.get("gone_from_meta"));
        assertEquals("9006", returned.get("meta_template_id"));
        assertNull(stored(a, "welcome", "en"));

        assertCounts(report(sync(), a), 0, 0, 4, 0, 0);
    }

    @Test
    void urlButtonsAreReadFromMetasComponentsAndFollowTheirChanges() {
        String token = "EAAG-sync-buttons-" + digits();
        Account account = account(token);
        ObjectNode link = ApiClient.JSON.createObjectNode().put("type", "URL").put("text", "Open")
                .put("url", "https://pay.test/{{1}}");
        ObjectNode buttons = component("BUTTONS", null, null);
        buttons.putArray("buttons").add(link);
        graph.account(account.wabaId(), token, List.of(template("9401", "pay_link", "en", "APPROVED", "UTILITY",
                component("BODY", null, "Pay {{1}}"), buttons)));

        assertCounts(report(sync(), account), 1, 0, 0, 0, 0);
        assertEquals("[0]", stored(account, "pay_link", "en").get("url_buttons"));

        ObjectNode reordered = component("BUTTONS", null, null);
        reordered.putArray("buttons").add(ApiClient.JSON.createObjectNode().put("type", "QUICK_REPLY").put("text", "Stop"))
                .add(link);
        graph.templates(account.wabaId(), List.of(template("9401", "pay_link", "en", "APPROVED", "UTILITY",
                component("BODY", null, "Pay {{1}}"), reordered)));

        assertCounts(report(sync(), account), 0, 1, 0, 0, 0);
        assertEquals("[1]", stored(account, "pay_link", "en").get("url_buttons"));
    }

    @Test
    void pagingNextIsFollowedByteForByte() {
        String token = "EAAG-sync-cursor-" + digits();
        Account account = account(token);
        graph.account(account.wabaId(), token, List.of(
                template("9201", "first", "en", "APPROVED", "UTILITY", component("BODY", null, "One")),
                template("9202", "second", "en", "APPROVED", "UTILITY", component("BODY", null, "Two")),
                template("9203", "third", "en", "APPROVED", "UTILITY", component("BODY", null, "Three"))));

        JsonNode report = report(sync(), account);

        assertEquals(2, report.path("pages").asInt(), report.toString());
        assertCounts(report, 3, 0, 0, 0, 0);
        // The cursor "+/+/b2Zmc2V0OjI=" as Meta's next link encodes it; only the token is left out.
        String after = "after=%2B%2F%2B%2Fb2Zmc2V0OjI%3D";
        assertEquals(1, graph.nextLinks().size(), graph.nextLinks().toString());
        assertTrue(graph.nextLinks().get(0).endsWith("&limit=2&" + after), graph.nextLinks().toString());
        List<GraphStub.Request> requests = requestsFor(account);
        assertEquals(2, requests.size(), requests.toString());
        assertEquals("fields=id%2Cname%2Clanguage%2Cstatus%2Ccategory%2Cparameter_format%2Ccomponents&limit=2&" + after,
                requests.get(1).query());
        assertEquals(requests.get(0).path(), requests.get(1).path());
    }

    @Test
    void anUnavailableAnswerWithRetryAfterIsOneRequest() {
        String token = "EAAG-sync-unavailable-" + digits();
        Account account = account(token);
        graph.account(account.wabaId(), token, List.of(
                template("9301", "kept", "en", "APPROVED", "UTILITY", component("BODY", null, "Kept"))));
        graph.unavailable(account.wabaId());

        JsonNode report = report(sync(), account);

        assertTrue(report.path("error").asText().contains("HTTP 503"), report.toString());
        // Apache HttpClient's own retry would have asked again after the Retry-After second.
        assertEquals(1, requestsFor(account).size(), requestsFor(account).toString());
    }

    @Test
    void aSandboxAccountsSampleTemplatesAreLeftAlone() throws SQLException {
        String token = "EAAG-sync-sandbox-" + digits();
        Account sandbox = account(token);
        long sample = registered(sandbox, HeraldServer.unique("sample"));
        try (Connection c = herald.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE whatsapp_account SET sandbox = TRUE WHERE id = ?")) {
            ps.setLong(1, sandbox.id());
            ps.executeUpdate();
        }
        graph.account(sandbox.wabaId(), token, List.of());

        JsonNode report = report(sync(), sandbox);
        assertTrue(report.get("skipped").asText().contains("sandbox"), report.toString());
        assertEquals(1, herald.query("SELECT id FROM whatsapp_template WHERE id = ?", sample).size());
        assertTrue(requestsFor(sandbox).isEmpty(), "Meta was not asked: " + requestsFor(sandbox));
    }

    @Test
    void onlyASystemManagerMaySync() {
        String viewer = HeraldServer.unique("viewer");
        api.post("/api/users", Map.of("username", viewer, "password", "viewer-password-1", "role", "Campaign Viewer"))
                .expect(201);
        herald.anonymous().post("/api/templates/sync", Map.of()).error(401);
        herald.anonymous().basic(viewer, "viewer-password-1").post("/api/templates/sync", Map.of()).error(403);
        assertTrue(graph.requests().isEmpty(), "nothing was fetched");
    }
}
