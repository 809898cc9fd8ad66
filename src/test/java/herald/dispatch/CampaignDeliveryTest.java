package herald.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import herald.simulator.SimTemplate;
import herald.testing.HeraldServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A campaign in each variable mode, with a DOCUMENT attachment, a URL button with a variable (the
 * reference's §1 template) and an account override, end to end: what reached the (simulated)
 * Cloud API is compared with what the campaign promised.
 *
 * <p>Sizes: {@code -Dherald.test.dispatch.campaign-size} recipients per campaign (CI 2,000; the
 * issue's size is 10,000) at {@code -Dherald.test.dispatch.campaign-mps} (1,000).
 */
class CampaignDeliveryTest {

    private static final int RECIPIENTS = DispatchFixture.size("herald.test.dispatch.campaign-size", 2_000);
    private static final int RATE = DispatchFixture.size("herald.test.dispatch.campaign-mps", 1_000);

    private final DispatchFixture fixture = new DispatchFixture();

    /** Account A has the template the campaign names; account B, which sends, has its own of the same name. */
    private final class Setup {
        final String templateName = HeraldServer.unique("invoice_ready");
        final SimTemplate simTemplate = new SimTemplate("9" + FakeMeta.newId(), templateName, "de", "APPROVED",
                "UTILITY", "POSITIONAL", "DOCUMENT", null, "Hallo {{1}}, Ihre Rechnung {{2}} ist bereit.",
                List.of(SimTemplate.Button.url("Rechnung ansehen", "https://pay.example.com/{{1}}"),
                        SimTemplate.Button.quickReply("Stop")));
        final FakeMeta metaA = fixture.use(FakeMeta.start(RATE, b -> b, simTemplate));
        final FakeMeta metaB = fixture.use(FakeMeta.start(RATE, b -> b, simTemplate));
        final RecordingProxy wire = fixture.use(new RecordingProxy(metaB.baseUrl()));
        final long accountA = fixture.account(metaA, RATE);
        final long accountB = fixture.account(metaB, RATE, null, wire.baseUrl());
        final long templateA = fixture.template(accountA, simTemplate);
        final long templateB = fixture.template(accountB, simTemplate);
        final String fileName = HeraldServer.unique("Rechnung") + ".pdf";
        final long fileId = fixture.uploadPdf(fileName);
    }

    @AfterEach
    void stopWhatIsLeft() throws Exception {
        fixture.close();
    }

    @Test
    void commonValuesReachEveryRecipientOnceWithTheDocument() {
        Setup s = new Setup();
        List<String> numbers = DispatchFixture.numbers(RECIPIENTS);
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("1", "Valued Customer");
        values.put("2", "INV-2026-0001");
        values.put("link", "inv/2026-0001");
        String campaign = fixture.commonCampaign(s.templateA, s.accountB, values, numbers, s.fileId);
        fixture.submit(campaign);

        Map<String, List<String>> expected = new HashMap<>();
        numbers.forEach(n -> expected.put(n, List.of("Valued Customer", "INV-2026-0001", "inv/2026-0001")));
        assertDelivered(s, campaign, expected);
    }

    @Test
    void uniqueValuesFromARecipientListReachEachRecipientOnceWithTheDocument() {
        Setup s = new Setup();
        List<String> numbers = DispatchFixture.numbers(RECIPIENTS);
        Map<String, List<String>> expected = new HashMap<>();
        List<Map<String, Object>> rows = DispatchFixture.recipients(numbers, number -> {
            String name = "Kundin " + number.substring(8);
            String invoice = "INV-" + number.substring(6);
            String link = "inv/" + number.substring(6);
            expected.put(number, List.of(name, invoice, link));
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("1", name);
            data.put("2", invoice);
            data.put("link", link);
            return data;
        });
        long listId = fixture.api.post("/api/recipient-lists", Map.of("name", HeraldServer.unique("Dispatch list"),
                "rows", rows)).json(201).path("id").asLong();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("title", "Unique values from a list");
        body.put("recipientType", "Recipient List");
        body.put("recipientListId", listId);
        body.put("variableType", "Unique");
        body.put("templateId", s.templateA);
        body.put("accountId", s.accountB);
        body.put("attachmentFileId", s.fileId);
        String campaign = fixture.createCampaign(body);
        fixture.submit(campaign);

        assertDelivered(s, campaign, expected);
    }

    private void assertDelivered(Setup s, String campaign, Map<String, List<String>> expected) {
        JsonNode progress = fixture.awaitStatus(campaign, DispatchFixture.limitFor(expected.size(), RATE),
                "Completed", "Partially Failed", "Paused");
        assertEquals("Completed", progress.path("status").asText(), progress::toString);
        assertEquals(expected.size(), progress.path("recipientCount").asLong(), progress::toString);
        assertEquals(expected.size(), progress.path("sent").asLong(), progress::toString);
        assertEquals(0, progress.path("failed").asLong(), progress::toString);
        assertEquals(0, progress.path("unconfirmed").asLong(), progress::toString);
        assertEquals(0, progress.path("queued").asLong(), progress::toString);

        JsonNode view = fixture.campaign(campaign);
        assertEquals(s.templateA, view.path("templateId").asLong(), "the campaign still names account A's template");
        assertEquals(s.accountB, view.path("sendingAccountId").asLong());
        assertEquals(s.templateB, view.path("sendingTemplateId").asLong());

        DispatchFixture.assertAcceptedOnceEach(s.metaB, expected.keySet());
        assertEquals(progress.path("sent").asLong(), s.metaB.accepted(), "Herald's count is the simulator's");
        assertEquals(0, s.metaA.accepted(), "nothing went through the template's own account");
        assertEquals(0, s.metaA.stats().path("mediaUploads").asLong());
        assertEquals(1, s.metaB.stats().path("mediaUploads").asLong(), "one upload per (campaign, account)");
        assertEquals(0, s.metaB.stats().path("rejectedTotal").asLong(), () -> s.metaB.stats().toString());

        Set<String> mediaIds = new HashSet<>();
        Set<String> seen = new HashSet<>();
        for (RecordingProxy.Exchange sent : s.wire.messages()) {
            assertEquals(200, sent.status(), sent::toString);
            JsonNode request = sent.request();
            String to = request.path("to").asText();
            assertTrue(seen.add(to), "sent twice: " + to);
            List<String> values = expected.get(to);
            assertNotNull(values, "sent to a number outside the campaign: " + to);
            JsonNode template = request.path("template");
            assertEquals(s.templateName, template.path("name").asText());
            assertEquals("de", template.path("language").path("code").asText());
            JsonNode components = template.path("components");
            assertEquals(3, components.size(), request::toString);
            JsonNode header = components.path(0);
            assertEquals("header", header.path("type").asText(), request::toString);
            JsonNode document = header.path("parameters").path(0);
            assertEquals("document", document.path("type").asText(), request::toString);
            assertEquals(s.fileName, document.path("document").path("filename").asText(), request::toString);
            assertFalse(document.path("document").has("link"), request::toString);
            mediaIds.add(document.path("document").path("id").asText());
            JsonNode body = components.path(1);
            assertEquals("body", body.path("type").asText(), request::toString);
            assertEquals(2, body.path("parameters").size(), request::toString);
            for (int i = 0; i < 2; i++) {
                assertEquals(values.get(i), body.path("parameters").path(i).path("text").asText(), request::toString);
            }
            JsonNode button = components.path(2);
            assertEquals("button", button.path("type").asText(), request::toString);
            assertEquals("url", button.path("sub_type").asText(), request::toString);
            assertEquals("\"0\"", button.path("index").toString(), "the index is a string, as in the reference");
            assertEquals(1, button.path("parameters").size(), request::toString);
            assertEquals("text", button.path("parameters").path(0).path("type").asText(), request::toString);
            assertEquals(values.get(2), button.path("parameters").path(0).path("text").asText(), request::toString);
            assertTrue(request.path("biz_opaque_callback_data").asText().startsWith(campaign + ":"), request::toString);
        }
        assertEquals(expected.keySet(), seen, "what went over the wire");
        assertEquals(1, mediaIds.size(), "every message carries the one uploaded media id: " + mediaIds);

        Map<String, Object> wamids = fixture.herald.queryOne("SELECT COUNT(DISTINCT m.wamid) AS distinct_ids, "
                + "COUNT(m.wamid) AS ids FROM whatsapp_message m JOIN bulk_whatsapp_message c "
                + "ON c.id = m.bulk_message_reference WHERE c.name = ?", campaign);
        assertEquals((long) expected.size(), ((Number) wamids.get("ids")).longValue(), "every message has its wamid");
        assertEquals((long) expected.size(), ((Number) wamids.get("distinct_ids")).longValue());
    }
}
