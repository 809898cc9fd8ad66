package herald.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import herald.simulator.SimTemplate;
import herald.testing.HeraldServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What Herald sends and keeps for a message Meta accepts: the payload as the campaign was
 * submitted, Meta's message_status, and the attachment's media id while Meta still keeps it.
 * Each test has a Graph stub of its own that records every request.
 */
class AcceptedSendsTest {

    private static final Duration LIMIT = Duration.ofMinutes(3);
    private static final RetryAfterStub.Refusal MAINTENANCE =
            RetryAfterStub.Refusal.graphError(503, 131057, "Account in maintenance mode");
    private static final RetryAfterStub.Refusal MISMATCH =
            RetryAfterStub.Refusal.graphError(400, 132000, "Number of parameters does not match");

    private final DispatchFixture fixture = new DispatchFixture();

    @AfterEach
    void stopWhatIsLeft() throws Exception {
        fixture.close();
    }

    private long account(RetryAfterStub graph) {
        FakeMeta meta = fixture.use(FakeMeta.start(80, b -> b));
        return fixture.account(meta, 80, null, graph.baseUrl());
    }

    private static SimTemplate template(String headerFormat) {
        return new SimTemplate("6" + FakeMeta.newId(), HeraldServer.unique("frozen"), "en", "APPROVED", "UTILITY",
                "POSITIONAL", headerFormat, null, "Hello {{1}}.");
    }

    @Test
    void templateChangedAfterSubmitDoesNotChangeThePayload() throws Exception {
        RetryAfterStub graph = fixture.use(new RetryAfterStub());
        long account = account(graph);
        long templateId = fixture.template(account, template("NONE"));
        String to = DispatchFixture.numbers(1).get(0);
        // Maintenance holds the send back for a while after the first payload went out.
        graph.refuseFirst(to, MAINTENANCE);
        String campaign = fixture.commonCampaign(templateId, null, Map.of("1", "Ada"), List.of(to), null);
        fixture.submit(campaign);
        DispatchFixture.await("the first send", LIMIT, () -> graph.requests(to) == 1, () -> fixture.messages(campaign).toString());

        // A template sync meanwhile: the header became a DOCUMENT (this campaign has no attachment)
        // and the placeholders named.
        update("UPDATE whatsapp_template SET header_kind = 'DOCUMENT', parameter_format = 'NAMED' WHERE id = ?", templateId);

        DispatchFixture.await("the message to be sent", LIMIT,
                () -> "Sent".equals(fixture.messages(campaign).get(to).get("status")), () -> fixture.messages(campaign).toString());
        List<RetryAfterStub.Request> sends = graph.sends(to);
        assertEquals(2, sends.size(), sends::toString);
        assertEquals(sends.get(0).body(), sends.get(1).body(), "the payload frozen at submit, sent again");
        JsonNode template = sends.get(1).body().path("template");
        assertEquals(1, template.path("components").size(), template::toString);
        assertEquals("body", template.path("components").path(0).path("type").asText(), template::toString);
        assertTrue(template.path("components").path(0).path("parameters").path(0).path("parameter_name").isMissingNode(),
                "positional, as at submit: " + template);
        assertEquals(0, graph.uploads(), "no media header, so nothing to upload");
        Map<String, Object> frozen = fixture.herald.queryOne("SELECT sending_header_kind, sending_parameter_format "
                + "FROM bulk_whatsapp_message WHERE name = ?", campaign);
        assertEquals(Map.of("sending_header_kind", "NONE", "sending_parameter_format", "POSITIONAL"), frozen);
    }

    @Test
    void messageStatusOfTheAcceptanceIsKeptAndShown() throws Exception {
        RetryAfterStub graph = fixture.use(new RetryAfterStub());
        graph.acceptAs("held_for_quality_assessment");
        long account = account(graph);
        long templateId = fixture.template(account, template("NONE"));
        List<String> numbers = DispatchFixture.numbers(2);
        String campaign = fixture.commonCampaign(templateId, null, Map.of("1", "Ada"), numbers, null);
        fixture.submit(campaign);

        fixture.awaitStatus(campaign, LIMIT, "Completed", "Partially Failed", "Paused");
        JsonNode items = fixture.api.get("/api/campaigns/" + campaign + "/messages").json(200).path("items");
        assertEquals(numbers.size(), items.size(), items::toString);
        for (JsonNode item : items) {
            assertEquals("Sent", item.path("status").asText(), item::toString);
            assertEquals("held_for_quality_assessment", item.path("messageStatus").asText(), item::toString);
        }
    }

    @Test
    void attachmentIsUploadedAgainOnceMetaMayHaveDroppedIt() throws Exception {
        RetryAfterStub graph = fixture.use(new RetryAfterStub());
        long account = account(graph);
        long templateId = fixture.template(account, template("DOCUMENT"));
        long fileId = fixture.uploadPdf(HeraldServer.unique("invoice") + ".pdf");
        List<String> numbers = DispatchFixture.numbers(3);
        String retried = numbers.get(0);
        graph.refuseFirst(retried, MISMATCH);
        String campaign = fixture.commonCampaign(templateId, null, Map.of("1", "Ada"), numbers, fileId);
        fixture.submit(campaign);

        fixture.awaitStatus(campaign, LIMIT, "Partially Failed", "Completed", "Paused");
        assertEquals(numbers.size(), numbers.stream().mapToInt(graph::requests).sum());
        assertEquals(1, graph.uploads(), "one upload for every send of the campaign");

        // 29 days on, Meta may drop the media within a day: the next send uploads it again.
        uploadedAgo(campaign, Duration.ofDays(29).plusSeconds(60));
        fixture.api.post("/api/campaigns/" + campaign + "/retry-failed", Map.of()).json(200);
        DispatchFixture.await("the retried send", LIMIT, () -> graph.requests(retried) == 2
                && "Sent".equals(fixture.messages(campaign).get(retried).get("status")), () -> fixture.messages(campaign).toString());
        assertEquals(2, graph.uploads());
        assertEquals("media-1", mediaId(graph.sends(retried).get(0).body()));
        assertEquals("media-2", mediaId(graph.sends(retried).get(1).body()));
    }

    @Test
    void attachmentYoungerThan29DaysIsNotUploadedAgain() throws Exception {
        RetryAfterStub graph = fixture.use(new RetryAfterStub());
        long account = account(graph);
        long templateId = fixture.template(account, template("DOCUMENT"));
        long fileId = fixture.uploadPdf(HeraldServer.unique("invoice") + ".pdf");
        String to = DispatchFixture.numbers(1).get(0);
        graph.refuseFirst(to, MISMATCH);
        String campaign = fixture.commonCampaign(templateId, null, Map.of("1", "Ada"), List.of(to), fileId);
        fixture.submit(campaign);
        fixture.awaitStatus(campaign, LIMIT, "Partially Failed", "Completed", "Paused");

        uploadedAgo(campaign, Duration.ofDays(29).minusSeconds(600));
        fixture.api.post("/api/campaigns/" + campaign + "/retry-failed", Map.of()).json(200);
        DispatchFixture.await("the retried send", LIMIT, () -> "Sent".equals(fixture.messages(campaign).get(to).get("status")),
                () -> fixture.messages(campaign).toString());
        assertEquals(1, graph.uploads());
        assertEquals("media-1", mediaId(graph.sends(to).get(1).body()));
    }

    private void uploadedAgo(String campaign, Duration age) throws Exception {
        update("UPDATE media_upload SET uploaded_at = ? WHERE campaign_id = (SELECT id FROM bulk_whatsapp_message "
                + "WHERE name = ?)", Timestamp.from(Instant.now().minus(age)), campaign);
    }

    private static String mediaId(JsonNode payload) {
        for (JsonNode component : payload.path("template").path("components")) {
            if (component.path("type").asText().equals("header")) {
                return component.path("parameters").path(0).path("document").path("id").asText(null);
            }
        }
        return null;
    }

    private void update(String sql, Object... params) throws SQLException {
        try (Connection c = fixture.herald.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            assertEquals(1, ps.executeUpdate(), sql);
        }
    }
}
