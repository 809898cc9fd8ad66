package herald.campaign;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import herald.testing.ApiClient;
import herald.testing.HeraldServer;
import org.junit.jupiter.api.Test;

import static herald.campaign.CampaignFixture.recipient;
import static herald.campaign.CampaignFixture.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Who may do what with campaigns, and that no answer about a campaign carries its account's secrets. */
class CampaignAccessTest {

    private final CampaignFixture fixture = new CampaignFixture();
    private final ApiClient admin = fixture.api;

    @Test
    void campaignViewerReadsButChangesNothing() {
        long account = fixture.account();
        long templateId = fixture.twoValueTemplate(account, HeraldServer.unique("viewer_notice"));
        Map<String, Object> request = CampaignFixture.commonCampaign(templateId, values("A", "B"),
                List.of(recipient("+4915170000001", "Anna", null)));
        String name = fixture.create(request);

        String username = HeraldServer.unique("campaign_viewer");
        String password = "viewer-password-" + HeraldServer.unique("");
        admin.post("/api/users", Map.of("username", username, "password", password, "role", "Campaign Viewer")).expect(201);
        ApiClient viewer = fixture.server.anonymous().basic(username, password);

        assertEquals(name, viewer.get("/api/campaigns/" + name).json(200).path("name").asText());
        viewer.get("/api/campaigns").expect(200);
        viewer.get("/api/campaigns/" + name + "/progress").expect(200);
        viewer.get("/api/campaigns/" + name + "/messages").expect(200);
        viewer.get("/api/campaigns/" + name + "/recipients").expect(200);

        assertForbidden(viewer.post("/api/campaigns", request));
        assertForbidden(viewer.put("/api/campaigns/" + name, Map.of("title", "changed by a viewer")));
        assertForbidden(fixture.delete("/api/campaigns/" + name, username, password));
        for (String action : List.of("submit", "cancel", "amend", "resume", "retry-failed", "resend-unconfirmed")) {
            assertForbidden(viewer.post("/api/campaigns/" + name + "/" + action, Map.of()));
        }

        JsonNode unchanged = admin.get("/api/campaigns/" + name).json(200);
        assertEquals("Draft", unchanged.path("status").asText());
        assertEquals(request.get("title"), unchanged.path("title").asText());
        assertEquals(1L, CampaignFixture.number(fixture.server.queryOne(
                "SELECT COUNT(*) AS n FROM bulk_whatsapp_message WHERE title = ?", request.get("title")).get("n")),
                "the viewer's create stored nothing");
    }

    private static void assertForbidden(ApiClient.Response response) {
        assertEquals("forbidden", response.error(403).path("code").asText(), response.call());
    }

    @Test
    void noCampaignAnswerCarriesTheAccountSecrets() throws Exception {
        String token = "EAAcampaign" + HeraldServer.unique("") + "SecretToken";
        String appSecret = "appsecret" + HeraldServer.unique("") + "Campaign";
        long account = fixture.account(Map.of("accessToken", token, "appSecret", appSecret));
        long templateId = fixture.twoValueTemplate(account, HeraldServer.unique("secret_notice"));
        Map<String, Object> request = CampaignFixture.commonCampaign(templateId, values("A", "B"),
                List.of(recipient("+4915170000002", "Ben", null)));
        request.put("accountId", account);

        ApiClient.Response created = admin.post("/api/campaigns", request).expect(201);
        String name = created.json().path("name").asText();
        List<ApiClient.Response> answers = List.of(created,
                admin.get("/api/campaigns/" + name).expect(200),
                admin.get("/api/campaigns").expect(200),
                admin.put("/api/campaigns/" + name, Map.of("templateVariables", Map.of("only", "one"))).expect(400),
                admin.get("/api/campaigns/" + name + "/progress").expect(200),
                admin.get("/api/campaigns/" + name + "/messages").expect(200),
                admin.post("/api/campaigns/" + name + "/cancel", Map.of()).expect(409));
        for (ApiClient.Response answer : answers) {
            assertFalse(answer.text().contains(token) || answer.text().contains(appSecret),
                    () -> answer.call() + " answered a secret: " + answer.text());
        }
    }
}
