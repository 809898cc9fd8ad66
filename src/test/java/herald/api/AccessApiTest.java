package herald.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import herald.testing.ApiClient;
import herald.testing.ApiClient.Response;
import herald.testing.HeraldServer;
import org.junit.jupiter.api.Test;

/** Authentication (Basic and API tokens) and the two roles, over HTTP. */
class AccessApiTest {

    private final HeraldServer herald = HeraldServer.shared();
    private final ApiClient admin = herald.admin();

    private static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> list(String name) {
        return Map.of("name", name);
    }

    private boolean listExists(String name) {
        return !herald.query("SELECT id FROM recipient_list WHERE name = ?", name).isEmpty();
    }

    private static void assertUnauthorized(Response response) {
        assertEquals("unauthorized", response.error(401).path("code").asText());
        String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
        assertTrue(challenge.startsWith("Basic"), "WWW-Authenticate: " + challenge);
    }

    @Test
    void noCredentialsIsUnauthorized() {
        assertUnauthorized(herald.anonymous().get("/api/accounts"));
        String name = HeraldServer.unique("Anonymous list");
        assertUnauthorized(herald.anonymous().post("/api/recipient-lists", list(name)));
        assertFalse(listExists(name));
    }

    @Test
    void wrongCredentialsAreUnauthorized() {
        assertUnauthorized(herald.anonymous().basic(HeraldServer.ADMIN_USER, "not the password").get("/api/accounts"));
        assertUnauthorized(herald.anonymous().basic("nobody", HeraldServer.ADMIN_PASSWORD).get("/api/accounts"));
        assertUnauthorized(herald.anonymous().bearer("hrld_not_a_token").get("/api/accounts"));
        admin.get("/api/accounts").expect(200);
    }

    @Test
    void campaignViewerReadsButCannotWrite() {
        String username = HeraldServer.unique("viewer");
        String password = "viewer-password-" + HeraldServer.unique("");
        Response created = admin.post("/api/users", Map.of("username", username, "password", password,
                "role", "Campaign Viewer"));
        JsonNode user = created.json(201);
        assertEquals(username, user.path("username").asText());
        assertEquals("Campaign Viewer", user.path("role").asText());
        assertFalse(created.text().contains(password));
        Response users = admin.get("/api/users");
        assertTrue(users.text().contains(username));
        assertFalse(users.text().contains(password));
        assertFalse(users.text().contains("pbkdf2"), "no password hash is answered");
        String hash = (String) herald.queryOne("SELECT password_hash FROM app_user WHERE username = ?", username)
                .get("password_hash");
        assertFalse(hash.contains(password), "the password is stored as a hash only");

        ApiClient viewer = herald.anonymous().basic(username, password);
        viewer.get("/api/accounts").expect(200);
        viewer.get("/api/templates").expect(200);
        viewer.get("/api/recipient-lists").expect(200);

        String name = HeraldServer.unique("Viewer list");
        assertEquals("forbidden", viewer.post("/api/recipient-lists", list(name)).error(403).path("code").asText());
        assertFalse(listExists(name), "a refused write stores nothing");
        viewer.post("/api/users", Map.of("username", HeraldServer.unique("escalate"), "password", password,
                "role", "System Manager")).error(403);
        long listId = admin.post("/api/recipient-lists", list(HeraldServer.unique("Admin list"))).json(201)
                .path("id").asLong();
        viewer.post("/api/recipient-lists/" + listId + "/rows", "[{\"mobileNumber\": \"+4915112340101\"}]").error(403);
    }

    @Test
    void userRequestsAreChecked() {
        String username = HeraldServer.unique("manager");
        assertEquals("password", admin.post("/api/users", Map.of("username", username, "password", "short",
                "role", "System Manager")).error(400).path("field").asText());
        assertEquals("role", admin.post("/api/users", Map.of("username", username, "password", "long enough password",
                "role", "Owner")).error(400).path("field").asText());
        admin.post("/api/users", Map.of("username", username, "password", "long enough password",
                "role", "System Manager")).expect(201);
        admin.post("/api/users", Map.of("username", username, "password", "another long password",
                "role", "System Manager")).error(409);

        admin.get("/api/users").expect(200);
        herald.anonymous().basic(username, "long enough password").post("/api/recipient-lists",
                list(HeraldServer.unique("Manager list"))).expect(201);
    }

    @Test
    void apiTokenIsShownOnceAndStoredAsDigest() {
        String name = HeraldServer.unique("crm-integration");
        JsonNode created = admin.post("/api/tokens", Map.of("name", name, "role", "System Manager")).json(201);
        String token = created.path("token").asText();
        assertFalse(token.isBlank(), created::toString);
        assertEquals(name, created.path("name").asText());
        assertEquals("System Manager", created.path("role").asText());
        assertEquals(HeraldServer.ADMIN_USER, created.path("createdBy").asText());

        Response tokens = admin.get("/api/tokens");
        assertTrue(tokens.text().contains(name));
        assertFalse(tokens.text().contains(token), "the value is never shown again");
        for (JsonNode listed : tokens.json(200)) {
            assertFalse(listed.has("token"), listed::toString);
        }

        Map<String, Object> row = herald.queryOne("SELECT * FROM api_token WHERE name = ?", name);
        assertEquals(sha256Hex(token), row.get("token_hash"));
        row.values().forEach(value -> assertFalse(String.valueOf(value).contains(token), "stored in plain: " + row));

        ApiClient integration = herald.anonymous().bearer(token);
        integration.get("/api/accounts").expect(200);
        String listName = HeraldServer.unique("Token list");
        integration.post("/api/recipient-lists", list(listName)).expect(201);
        assertTrue(listExists(listName));
    }

    @Test
    void viewerTokenCanOnlyRead() {
        JsonNode created = admin.post("/api/tokens", Map.of("name", HeraldServer.unique("dashboard"),
                "role", "Campaign Viewer")).json(201);
        ApiClient dashboard = herald.anonymous().bearer(created.path("token").asText());

        dashboard.get("/api/recipient-lists").expect(200);
        String name = HeraldServer.unique("Dashboard list");
        dashboard.post("/api/recipient-lists", list(name)).error(403);
        assertFalse(listExists(name));
    }

    @Test
    void tokenRequestsAreChecked() {
        assertEquals("role", admin.post("/api/tokens", Map.of("name", HeraldServer.unique("t"), "role", "root"))
                .error(400).path("field").asText());
        assertEquals("name", admin.post("/api/tokens", Map.of("role", "System Manager")).error(400)
                .path("field").asText());
        String name = HeraldServer.unique("twice");
        admin.post("/api/tokens", Map.of("name", name, "role", "System Manager")).expect(201);
        assertNotNull(admin.post("/api/tokens", Map.of("name", name, "role", "System Manager")).error(409));
    }
}
