package herald.testing;

import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a campaign test needs before it can create a campaign: an active WhatsApp Account that
 * sends to a {@link CloudApiStub}, and an APPROVED template on it with two body placeholders,
 * {{1}} and {{2}} (Common values {"1": ..., "2": ...}, or two Recipient Data columns).
 */
public final class CampaignFixtures {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private CampaignFixtures() {
    }

    /** An account on the stub and its approved template; answers the template's id. */
    public static long approvedTemplate(ApiClient api, CloudApiStub cloud) {
        long accountId = api.post("/api/accounts", Map.of("name", HeraldServer.unique("Fixture account"),
                "phoneNumberId", "1065403522", "wabaId", "1022901293", "accessToken", "EAAfixture",
                "apiBaseUrl", cloud.baseUrl())).json(201).path("id").asLong();
        return api.post("/api/templates", """
                {"accountId": %d, "name": "%s", "language": "en_US", "status": "APPROVED", "category": "MARKETING",
                 "parameterFormat": "POSITIONAL",
                 "components": [{"type": "BODY", "text": "Hello {{1}}, your code is {{2}}"}]}"""
                .formatted(accountId, HeraldServer.unique("code_reminder"))).json(201).path("id").asLong();
    }

    /** The campaign as the API shows it. */
    public static JsonNode campaign(ApiClient api, String name) {
        return api.get("/api/campaigns/" + name).json(200);
    }

    /** Waits until the campaign has this status; fails, showing the campaign, if it never gets there. */
    public static JsonNode awaitStatus(ApiClient api, String name, String status) {
        await(() -> status.equals(campaign(api, name).path("status").asText()),
                () -> name + " to become " + status + ": " + campaign(api, name));
        return campaign(api, name);
    }

    /**
     * Polls until the condition holds. The limit only bounds a test that would otherwise hang:
     * reaching it fails the test with what was awaited, and nothing is asserted about time.
     */
    public static void await(BooleanSupplier condition, java.util.function.Supplier<String> what) {
        long until = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("gave up waiting for " + what.get());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what.get());
            }
        }
    }
}
