package herald.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import herald.testing.ApiClient;
import herald.testing.HeraldServer;
import org.junit.jupiter.api.Test;

/**
 * An /api call that no REST operation takes is answered in the API's one error shape (404 for an
 * unknown path, 405 with Allow for a method the path lacks), after authentication; the REST
 * operations and every path outside /api answer as they did.
 */
class UnmatchedApiCallsTest {

    private final HeraldServer herald = HeraldServer.shared();

    private static String header(ApiClient.Response response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    @Test
    void anUnknownApiPathIsAnswered404InTheErrorShape() {
        for (String path : List.of("/api/nope", "/api", "/api/", "/api/accounts/1/nope", "/api/campaigns/a/b/c")) {
            ApiClient.Response response = herald.admin().get(path);
            JsonNode error = response.error(404);
            assertEquals("not_found", error.path("code").asText(), response.text());
            assertTrue(error.path("message").asText().contains(path), response.text());
            assertEquals("application/json", header(response, "Content-Type"), response.call());
        }
        ApiClient.Response post = herald.admin().post("/api/nope", Map.of("name", "x"));
        assertEquals("not_found", post.error(404).path("code").asText());
    }

    @Test
    void aKnownPathCalledWithAMethodItLacksIsAnswered405WithAllow() {
        ApiClient.Response deleteAccounts = herald.admin().delete("/api/accounts");
        JsonNode error = deleteAccounts.error(405);
        assertEquals("method_not_allowed", error.path("code").asText());
        assertTrue(error.path("message").asText().contains("DELETE"), deleteAccounts.text());
        assertEquals("GET, POST", header(deleteAccounts, "Allow"), deleteAccounts.call());

        ApiClient.Response postAccount = herald.admin().post("/api/accounts/1", Map.of());
        assertEquals("method_not_allowed", postAccount.error(405).path("code").asText());
        assertEquals("GET, PUT", header(postAccount, "Allow"), postAccount.call());

        ApiClient.Response getSubmit = herald.admin().get("/api/campaigns/" + HeraldServer.unique("c") + "/submit");
        getSubmit.error(405);
        assertEquals("POST", header(getSubmit, "Allow"), getSubmit.call());
    }

    @Test
    void anUnmatchedCallAsksForCredentialsFirstAsEveryApiCallDoes() {
        for (ApiClient.Response response : List.of(herald.anonymous().get("/api/nope"),
                herald.anonymous().delete("/api/accounts"))) {
            assertEquals("unauthorized", response.error(401).path("code").asText());
            assertEquals("Basic realm=\"Herald\"", header(response, "WWW-Authenticate"), response.call());
        }
        herald.admin().basic(HeraldServer.ADMIN_USER, "wrong-password").get("/api/nope").error(401);
    }

    @Test
    void theRestOperationsStillAnswer() {
        assertTrue(herald.admin().get("/api/accounts").json(200).isArray());
        JsonNode missing = herald.admin().get("/api/accounts/999999999").error(404);
        assertEquals("WhatsApp Account does not exist", missing.path("message").asText(),
                "the account route answers its own 404, not the one for unknown paths");
        herald.admin().post("/api/accounts", Map.of()).error(400);
    }

    @Test
    void aRestRouteStartedAgainFromHawtioIsNotShadowedByTheCatchAll() throws Exception {
        // A restarted route adds itself to the HTTP server anew, after everything added before it.
        herald.context().getRouteController().stopRoute("rest-account-list-endpoint");
        try {
            herald.admin().get("/api/accounts").error(405);
        } finally {
            herald.context().getRouteController().startRoute("rest-account-list-endpoint");
        }
        assertTrue(herald.admin().get("/api/accounts").json(200).isArray());
    }

    @Test
    void pathsOutsideTheApiAnswerAsBefore() {
        ApiClient.Response handshake = herald.anonymous().get("/webhooks/whatsapp");
        assertEquals(403, handshake.status(), handshake.text());
        assertEquals("hub.mode must be subscribe", handshake.text());
        ApiClient.Response webhookDelete = herald.anonymous().delete("/webhooks/whatsapp");
        assertEquals(405, webhookDelete.status(), webhookDelete.text());
        assertEquals("", webhookDelete.text());

        JsonNode paths = herald.anonymous().get("/api-doc").json(200).path("paths");
        assertTrue(paths.has("/api/accounts"), paths::toString);
        assertFalse(paths.has("/api/*"), "the catch-all for unmatched calls is no API operation: " + paths);

        ApiClient.Response outside = herald.admin().get("/nope");
        assertEquals(404, outside.status(), outside.text());
        assertFalse(outside.text().contains("\"error\""), "only /api answers in the API's error shape: " + outside.text());

        ApiClient.Response dashboard = herald.anonymous().get("/dashboard/");
        assertEquals(200, dashboard.status(), dashboard.text());
        assertTrue(header(dashboard, "Content-Type").startsWith("text/html"), dashboard.call());
    }
}
