package herald.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import herald.testing.ApiClient;
import herald.testing.HeraldServer;
import org.junit.jupiter.api.Test;

/** WhatsApp Templates over HTTP: what Herald derives from Meta's components, identity and errors. */
class TemplatesApiTest {

    private final HeraldServer herald = HeraldServer.shared();
    private final ApiClient api = herald.admin();
    private final long accountId = newAccount();

    private long newAccount() {
        return api.post("/api/accounts", Map.of("name", HeraldServer.unique("Templates account"),
                "phoneNumberId", "1065403522", "wabaId", "1022901293", "accessToken", "EAAtemplates"))
                .json(201).path("id").asLong();
    }

    private static Map<String, Object> template(Object accountId, String name, String format, String components) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accountId", accountId);
        body.put("name", name);
        body.put("language", "en_US");
        body.put("status", "APPROVED");
        body.put("category", "MARKETING");
        body.put("parameterFormat", format);
        try {
            body.put("components", ApiClient.JSON.readTree(components));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(components, e);
        }
        return body;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }

    @Test
    void positionalTemplateWithTextHeader() {
        String name = HeraldServer.unique("order_shipped");
        JsonNode created = api.post("/api/templates", template(accountId, name, "POSITIONAL", """
                [{"type":"HEADER","format":"TEXT","text":"Order {{1}}"},
                 {"type":"BODY","text":"Hello {{1}}, order {{2}} leaves on {{3}}."},
                 {"type":"FOOTER","text":"Reply STOP to opt out"}]""")).json(201);

        assertEquals(accountId, created.path("accountId").asLong());
        assertEquals(name, created.path("name").asText());
        assertEquals("en_US", created.path("language").asText());
        assertEquals("MARKETING", created.path("category").asText());
        assertEquals("APPROVED", created.path("status").asText());
        assertEquals("POSITIONAL", created.path("parameterFormat").asText());
        assertEquals("TEXT", created.path("headerKind").asText());
        assertEquals(List.of("1"), texts(created.path("headerParams")));
        assertEquals(List.of("1", "2", "3"), texts(created.path("bodyParams")));
        assertEquals("Order {{1}}", created.path("components").path(0).path("text").asText(), "components kept as given");

        JsonNode read = api.get("/api/templates/" + created.path("id").asLong()).json(200);
        assertEquals(created, read);
        Map<String, Object> row = herald.queryOne("SELECT header_kind, header_params, body_params FROM whatsapp_template "
                + "WHERE id = ?", created.path("id").asLong());
        assertEquals("TEXT", row.get("header_kind"));
        assertEquals("[\"1\"]", row.get("header_params"));
        assertEquals("[\"1\",\"2\",\"3\"]", row.get("body_params"));
    }

    @Test
    void namedTemplateKeepsFirstUseOrder() {
        JsonNode created = api.post("/api/templates", template(accountId, HeraldServer.unique("welcome"), "NAMED", """
                [{"type":"HEADER","format":"TEXT","text":"Welcome {{first_name}}"},
                 {"type":"BODY","text":"{{first_name}}, your code {{promo_code}} ends {{end_date}}; {{promo_code}} again."}]
                """)).json(201);

        assertEquals("NAMED", created.path("parameterFormat").asText());
        assertEquals("TEXT", created.path("headerKind").asText());
        assertEquals(List.of("first_name"), texts(created.path("headerParams")));
        assertEquals(List.of("first_name", "promo_code", "end_date"), texts(created.path("bodyParams")));
    }

    @Test
    void documentHeaderHasNoHeaderPlaceholders() {
        JsonNode created = api.post("/api/templates", template(accountId, HeraldServer.unique("invoice"), "POSITIONAL", """
                [{"type":"HEADER","format":"DOCUMENT"},
                 {"type":"BODY","text":"Your invoice {{1}} is attached."}]""")).json(201);

        assertEquals("DOCUMENT", created.path("headerKind").asText());
        assertEquals(List.of(), texts(created.path("headerParams")));
        assertEquals(List.of("1"), texts(created.path("bodyParams")));
    }

    @Test
    void templateWithoutHeaderOrPlaceholders() {
        JsonNode created = api.post("/api/templates", template(accountId, HeraldServer.unique("plain"), "POSITIONAL", """
                [{"type":"BODY","text":"Thank you."}]""")).json(201);

        assertEquals("NONE", created.path("headerKind").asText());
        assertEquals(List.of(), texts(created.path("headerParams")));
        assertEquals(List.of(), texts(created.path("bodyParams")));
    }

    @Test
    void urlButtonsWithAVariableAreListedByIndexAndStored() {
        JsonNode created = api.post("/api/templates", template(accountId, HeraldServer.unique("invoice_link"), "POSITIONAL", """
                [{"type":"BODY","text":"Invoice {{1}} is ready."},
                 {"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"Stop"},
                   {"type":"URL","text":"Shop","url":"https://shop.test/"},
                   {"type":"URL","text":"Open","url":"https://pay.test/{{1}}"}]}]""")).json(201);

        assertEquals(List.of("2"), texts(created.path("urlButtons")));
        assertEquals(created, api.get("/api/templates/" + created.path("id").asLong()).json(200));
        assertEquals("[2]", herald.queryOne("SELECT url_buttons FROM whatsapp_template WHERE id = ?",
                created.path("id").asLong()).get("url_buttons"));

        JsonNode none = api.post("/api/templates", template(accountId, HeraldServer.unique("plain_link"), "POSITIONAL", """
                [{"type":"BODY","text":"Hi"}]""")).json(201);
        assertEquals(List.of(), texts(none.path("urlButtons")));
    }

    @Test
    void urlButtonWithAPlaceholderAnywhereButItsEndIsRejectedNamingTheButton() {
        String name = HeraldServer.unique("bad_link");
        JsonNode error = api.post("/api/templates", template(accountId, name, "POSITIONAL", """
                [{"type":"BODY","text":"Hi"},
                 {"type":"BUTTONS","buttons":[{"type":"URL","text":"Open","url":"https://pay.test/{{1}}/view"}]}]"""))
                .error(400);
        assertEquals("components", error.path("field").asText(), error::toString);
        assertTrue(error.path("message").asText().contains("button 1 (URL) may hold one placeholder, {{1}}, at the end of its url"),
                error::toString);
        assertTrue(herald.query("SELECT id FROM whatsapp_template WHERE name = ?", name).isEmpty(), "nothing stored");
    }

    @Test
    void badComponentsAreRejectedNamingComponents() {
        assertBadComponents("\"not an array\"");
        assertBadComponents("{\"type\":\"BODY\",\"text\":\"an object, not an array\"}");
        assertBadComponents("[\"BODY\"]");
        assertBadComponents("[{\"type\":\"BODY\",\"text\":\"a gap {{1}} {{3}}\"}]");
        assertBadComponents("[{\"type\":\"HEADER\",\"format\":\"SPINNER\"},{\"type\":\"BODY\",\"text\":\"x\"}]");
        assertBadComponents("[{\"type\":\"BODY\",\"text\":\"a\"},{\"type\":\"BODY\",\"text\":\"b\"}]");
        // The parameter format says positional, the text is named.
        assertBadComponents("[{\"type\":\"BODY\",\"text\":\"Hi {{name}}\"}]");
    }

    private void assertBadComponents(String components) {
        String name = HeraldServer.unique("bad_components");
        JsonNode error = api.post("/api/templates", template(accountId, name, "POSITIONAL", components)).error(400);
        assertEquals("components", error.path("field").asText(), components + " -> " + error);
        assertTrue(error.path("message").asText().startsWith("components"), error::toString);
        assertTrue(herald.query("SELECT id FROM whatsapp_template WHERE name = ?", name).isEmpty(), "nothing stored");
    }

    @Test
    void unparseableBodyIsABadRequest() {
        JsonNode error = api.post("/api/templates", "{\"accountId\": " + accountId + ", \"components\": [").error(400);
        assertEquals("invalid_json", error.path("code").asText());
    }

    @Test
    void identityIsAccountNameAndLanguage() {
        String name = HeraldServer.unique("reminder");
        String components = "[{\"type\":\"BODY\",\"text\":\"Reminder {{1}}\"}]";
        api.post("/api/templates", template(accountId, name, "POSITIONAL", components)).expect(201);

        JsonNode error = api.post("/api/templates", template(accountId, name, "POSITIONAL", components)).error(409);
        assertEquals("conflict", error.path("code").asText());

        Map<String, Object> german = template(accountId, name, "POSITIONAL", components);
        german.put("language", "de");
        api.post("/api/templates", german).expect(201);
        long otherAccount = newAccount();
        api.post("/api/templates", template(otherAccount, name, "POSITIONAL", components)).expect(201);

        assertEquals(3L, ((Number) herald.queryOne("SELECT COUNT(*) AS n FROM whatsapp_template WHERE name = ?", name)
                .get("n")).longValue());
        JsonNode mine = api.get("/api/templates?accountId=" + accountId).json(200);
        assertEquals(2, countNamed(mine, name), "filtered by account: en_US and de");
        mine.forEach(t -> assertEquals(accountId, t.path("accountId").asLong()));
        assertEquals(3, countNamed(api.get("/api/templates").json(200), name));
    }

    private static int countNamed(JsonNode list, String name) {
        int n = 0;
        for (JsonNode t : list) {
            if (t.path("name").asText().equals(name)) {
                n++;
            }
        }
        return n;
    }

    @Test
    void listFiltersByStatus() {
        String name = HeraldServer.unique("paused_one");
        Map<String, Object> paused = template(accountId, name, "POSITIONAL", "[{\"type\":\"BODY\",\"text\":\"x\"}]");
        paused.put("status", "PAUSED");
        api.post("/api/templates", paused).expect(201);

        JsonNode list = api.get("/api/templates?status=PAUSED").json(200);
        assertEquals(1, countNamed(list, name));
        list.forEach(t -> assertEquals("PAUSED", t.path("status").asText()));
        assertEquals(0, countNamed(api.get("/api/templates?status=APPROVED").json(200), name));
    }

    @Test
    void unknownAccountIsABadRequest() {
        String components = "[{\"type\":\"BODY\",\"text\":\"x\"}]";
        JsonNode unknown = api.post("/api/templates", template(987654321L, HeraldServer.unique("orphan"), "POSITIONAL",
                components)).error(400);
        assertEquals("accountId", unknown.path("field").asText());
        assertTrue(unknown.path("message").asText().contains("987654321"), unknown::toString);

        JsonNode malformed = api.post("/api/templates", template("abc", HeraldServer.unique("orphan"), "POSITIONAL",
                components)).error(400);
        assertEquals("accountId", malformed.path("field").asText());

        Map<String, Object> missing = template(null, HeraldServer.unique("orphan"), "POSITIONAL", components);
        missing.remove("accountId");
        assertEquals("accountId", api.post("/api/templates", missing).error(400).path("field").asText());

        api.get("/api/templates?accountId=abc").error(400);
    }

    @Test
    void unknownTemplateIsNotFound() {
        assertEquals("not_found", api.get("/api/templates/987654321").error(404).path("code").asText());
        api.get("/api/templates/abc").error(400);
    }

    @Test
    void updateRederivesPlaceholders() {
        long id = api.post("/api/templates", template(accountId, HeraldServer.unique("changing"), "POSITIONAL",
                "[{\"type\":\"BODY\",\"text\":\"One {{1}}\"}]")).json(201).path("id").asLong();

        JsonNode updated = api.put("/api/templates/" + id, Map.of("status", "PAUSED", "components", List.of(
                Map.of("type", "HEADER", "format", "IMAGE"),
                Map.of("type", "BODY", "text", "One {{1}} two {{2}}")))).json(200);
        assertEquals("PAUSED", updated.path("status").asText());
        assertEquals("IMAGE", updated.path("headerKind").asText());
        assertEquals(List.of("1", "2"), texts(updated.path("bodyParams")));
        assertEquals(updated, api.get("/api/templates/" + id).json(200));

        JsonNode withButton = api.put("/api/templates/" + id, Map.of("components", List.of(
                Map.of("type", "BODY", "text", "One {{1}}"),
                Map.of("type", "BUTTONS", "buttons", List.of(Map.of("type", "URL", "text", "Open",
                        "url", "https://pay.test/{{1}}")))))).json(200);
        assertEquals(List.of("0"), texts(withButton.path("urlButtons")));
    }
}
