package herald.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import herald.testing.ApiClient;
import herald.testing.ApiClient.Response;
import herald.testing.HeraldServer;
import org.junit.jupiter.api.Test;

/** WhatsApp Accounts over HTTP: secrets stay secret, one default, and the error answers. */
class AccountsApiTest {

    private final HeraldServer herald = HeraldServer.shared();
    private final ApiClient api = herald.admin();

    /** Secrets unique to one account, so a search for them finds no other test's values. */
    private record Secrets(String accessToken, String appSecret, String verifyToken) {
        static Secrets fresh() {
            String n = HeraldServer.unique("");
            return new Secrets("EAAtoken" + n + "ZXCVqwer", "appsecret" + n + "Poiu", "verify" + n + "Lkjh");
        }

        List<String> all() {
            return List.of(accessToken, appSecret, verifyToken);
        }
    }

    private static Map<String, Object> account(String name, Secrets secrets) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("phoneNumberId", "106540352242922");
        body.put("wabaId", "102290129340398");
        body.put("appId", "1234567890");
        body.put("accessToken", secrets.accessToken());
        body.put("appSecret", secrets.appSecret());
        body.put("webhookVerifyToken", secrets.verifyToken());
        return body;
    }

    private static void assertNoSecret(Response response, Secrets secrets) {
        for (String secret : secrets.all()) {
            assertFalse(response.text().contains(secret), () -> response.call() + " answered a secret: " + response.text());
        }
    }

    private JsonNode findById(JsonNode list, long id) {
        for (JsonNode item : list) {
            if (item.path("id").asLong() == id) {
                return item;
            }
        }
        throw new AssertionError("account " + id + " is not in the list " + list);
    }

    @Test
    void createListGetAndUpdateNeverAnswerSecrets() {
        Secrets secrets = Secrets.fresh();
        String name = HeraldServer.unique("Main number");

        Response created = api.post("/api/accounts", account(name, secrets));
        JsonNode account = created.json(201);
        assertNoSecret(created, secrets);
        long id = account.path("id").asLong();
        assertTrue(id > 0, created.text());
        assertEquals(name, account.path("name").asText());
        assertEquals("106540352242922", account.path("phoneNumberId").asText());
        assertEquals("102290129340398", account.path("wabaId").asText());
        assertTrue(account.path("accessTokenSet").asBoolean());
        assertTrue(account.path("appSecretSet").asBoolean());
        assertTrue(account.path("webhookVerifyTokenSet").asBoolean());
        assertEquals("v23.0", account.path("apiVersion").asText(), "configured default");
        assertEquals(80, account.path("messagesPerSecond").asInt(), "configured default");
        assertFalse(account.path("isDefault").asBoolean());

        Response list = api.get("/api/accounts");
        assertNoSecret(list, secrets);
        assertEquals(name, findById(list.json(200), id).path("name").asText());

        Response read = api.get("/api/accounts/" + id);
        assertNoSecret(read, secrets);
        assertEquals(account, read.json(200));

        Response updated = api.put("/api/accounts/" + id, Map.of("messagesPerSecond", 20, "apiVersion", "v24.0"));
        assertNoSecret(updated, secrets);
        JsonNode changed = updated.json(200);
        assertEquals(20, changed.path("messagesPerSecond").asInt());
        assertEquals("v24.0", changed.path("apiVersion").asText());
        assertEquals(name, changed.path("name").asText(), "fields not sent keep their value");
        assertEquals(changed, api.get("/api/accounts/" + id).json(200));
    }

    @Test
    void secretsAreStoredEncrypted() {
        Secrets secrets = Secrets.fresh();
        long id = api.post("/api/accounts", account(HeraldServer.unique("Encrypted"), secrets)).json(201).path("id").asLong();

        Map<String, Object> row = herald.queryOne(
                "SELECT access_token_enc, app_secret_enc, verify_token_enc FROM whatsapp_account WHERE id = ?", id);
        assertStoredEncrypted(row.get("access_token_enc"), secrets.accessToken());
        assertStoredEncrypted(row.get("app_secret_enc"), secrets.appSecret());
        assertStoredEncrypted(row.get("verify_token_enc"), secrets.verifyToken());
    }

    private static void assertStoredEncrypted(Object stored, String plain) {
        String text = String.valueOf(stored);
        assertTrue(text.startsWith("v1:"), "not in the v1 encrypted form: " + text);
        assertFalse(text.contains(plain), "the plain secret is stored: " + text);
    }

    @Test
    void secretsNeverReachTheLog() {
        Secrets secrets = Secrets.fresh();
        String name = HeraldServer.unique("Logged");
        long id = api.post("/api/accounts", account(name, secrets)).json(201).path("id").asLong();
        // Failures are where request data tends to end up in a log: a duplicate, a bad field, a bad update.
        api.post("/api/accounts", account(name, secrets)).error(409);
        Map<String, Object> invalid = account(HeraldServer.unique("Logged"), secrets);
        invalid.put("phoneNumberId", "not digits");
        api.post("/api/accounts", invalid).error(400);
        api.put("/api/accounts/" + id, Map.of("accessToken", secrets.accessToken(), "messagesPerSecond", -1)).error(400);
        api.put("/api/accounts/" + id, Map.of("appSecret", secrets.appSecret())).expect(200);

        String log = herald.logText();
        assertTrue(log.contains("Herald data folder"), "the log is captured");
        for (String secret : secrets.all()) {
            assertFalse(log.contains(secret), "a secret is in the log output");
        }
    }

    @Test
    void onlyOneAccountIsDefault() {
        Map<String, Object> first = account(HeraldServer.unique("Default A"), Secrets.fresh());
        first.put("isDefault", true);
        long a = api.post("/api/accounts", first).json(201).path("id").asLong();
        Map<String, Object> second = account(HeraldServer.unique("Default B"), Secrets.fresh());
        second.put("isDefault", true);
        long b = api.post("/api/accounts", second).json(201).path("id").asLong();

        assertFalse(api.get("/api/accounts/" + a).json(200).path("isDefault").asBoolean(), "a new default replaces the old");
        assertTrue(api.get("/api/accounts/" + b).json(200).path("isDefault").asBoolean());
        assertEquals(List.of(b), defaults());

        assertTrue(api.put("/api/accounts/" + a, Map.of("isDefault", true)).json(200).path("isDefault").asBoolean());
        assertFalse(api.get("/api/accounts/" + b).json(200).path("isDefault").asBoolean());
        assertEquals(List.of(a), defaults());
    }

    private List<Long> defaults() {
        return herald.query("SELECT id FROM whatsapp_account WHERE is_default = TRUE").stream()
                .map(row -> ((Number) row.get("id")).longValue()).toList();
    }

    @Test
    void duplicateNameIsAConflict() {
        String name = HeraldServer.unique("Twice");
        api.post("/api/accounts", account(name, Secrets.fresh())).expect(201);

        JsonNode error = api.post("/api/accounts", account(name, Secrets.fresh())).error(409);
        assertEquals("conflict", error.path("code").asText());
        assertEquals(1L, ((Number) herald.queryOne("SELECT COUNT(*) AS n FROM whatsapp_account WHERE name = ?", name)
                .get("n")).longValue());

        long other = api.post("/api/accounts", account(HeraldServer.unique("Other"), Secrets.fresh())).json(201)
                .path("id").asLong();
        assertEquals("conflict", api.put("/api/accounts/" + other, Map.of("name", name)).error(409).path("code").asText(),
                "renaming onto a taken name");
    }

    @Test
    void validationErrorsNameTheField() {
        assertInvalid("name", body -> body.remove("name"));
        assertInvalid("accessToken", body -> body.remove("accessToken"));
        assertInvalid("phoneNumberId", body -> body.put("phoneNumberId", "12ab"));
        assertInvalid("wabaId", body -> body.remove("wabaId"));
        assertInvalid("apiVersion", body -> body.put("apiVersion", "23"));
        assertInvalid("apiBaseUrl", body -> body.put("apiBaseUrl", "ftp://graph.facebook.com"));
        assertInvalid("messagesPerSecond", body -> body.put("messagesPerSecond", 0));
        assertInvalid("isDefault", body -> body.put("isDefault", "yes"));
    }

    private void assertInvalid(String field, java.util.function.Consumer<Map<String, Object>> breakIt) {
        String name = HeraldServer.unique("Invalid");
        Map<String, Object> body = account(name, Secrets.fresh());
        breakIt.accept(body);
        JsonNode error = api.post("/api/accounts", body).error(400);
        assertEquals(field, error.path("field").asText(), error::toString);
        assertTrue(error.path("message").asText().contains(field), error::toString);
        assertTrue(herald.query("SELECT id FROM whatsapp_account WHERE name = ?", name).isEmpty(), "nothing stored");
    }

    @Test
    void unknownIdIsNotFound() {
        assertEquals("not_found", api.get("/api/accounts/987654321").error(404).path("code").asText());
        assertEquals("not_found", api.put("/api/accounts/987654321", Map.of("name", "x")).error(404).path("code").asText());
    }

    @Test
    void nonNumericIdIsABadRequest() {
        JsonNode error = api.get("/api/accounts/abc").error(400);
        assertTrue(error.path("message").asText().contains("'abc'"), error::toString);
        api.put("/api/accounts/abc", Map.of("name", "x")).error(400);
    }

    @Test
    void updateKeepsSecretsThatAreNotSupplied() {
        Secrets secrets = Secrets.fresh();
        long id = api.post("/api/accounts", account(HeraldServer.unique("Keeps"), secrets)).json(201).path("id").asLong();
        String sql = "SELECT access_token_enc, app_secret_enc, verify_token_enc FROM whatsapp_account WHERE id = ?";
        Map<String, Object> before = herald.queryOne(sql, id);

        JsonNode renamed = api.put("/api/accounts/" + id, Map.of("name", HeraldServer.unique("Kept"))).json(200);
        assertTrue(renamed.path("accessTokenSet").asBoolean());
        assertTrue(renamed.path("appSecretSet").asBoolean());
        assertTrue(renamed.path("webhookVerifyTokenSet").asBoolean());
        assertEquals(before, herald.queryOne(sql, id), "no secret sent, none changed");

        api.put("/api/accounts/" + id, Map.of("accessToken", "EAAnewtoken" + HeraldServer.unique(""))).expect(200);
        Map<String, Object> after = herald.queryOne(sql, id);
        assertNotEquals(before.get("access_token_enc"), after.get("access_token_enc"), "the sent secret changed");
        assertTrue(String.valueOf(after.get("access_token_enc")).startsWith("v1:"));
        assertEquals(before.get("app_secret_enc"), after.get("app_secret_enc"));
        assertEquals(before.get("verify_token_enc"), after.get("verify_token_enc"));
    }
}
