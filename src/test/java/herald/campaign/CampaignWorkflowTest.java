package herald.campaign;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import herald.testing.ApiClient;
import herald.testing.HeraldServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static herald.campaign.CampaignFixture.number;
import static herald.campaign.CampaignFixture.recipient;
import static herald.campaign.CampaignFixture.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The submittable workflow over HTTP: Draft, Submit, Cancel, Amend, and the locks between them.
 * Sending is stopped for the whole class, so submitted messages stay Queued until the test moves
 * them itself.
 */
class CampaignWorkflowTest {

    private static final String SPLIT_TIMER_ROUTE = "resume-unfinished-splits";
    private static final Pattern SERIES_NAME = Pattern.compile("BULK-WA-\\d{4}-\\d{5}");

    private static final CampaignFixture fixture = new CampaignFixture();
    private final ApiClient api = fixture.api;

    @BeforeAll
    static void stopSending() throws Exception {
        fixture.stopSending();
    }

    @AfterAll
    static void startSending() throws Exception {
        fixture.cancelUnfinished();
        fixture.startSending();
    }

    private static List<Map<String, Object>> fourRecipients() {
        return List.of(
                recipient("+49 151 2000 0001", "Anna", Map.of("note", "first")),
                recipient("0151 20000002", "Ben", null),
                recipient("+4915120000003", "Cleo", Map.of("note", "third")),
                recipient("+4915120000004", "Dev", null));
    }

    @Test
    void submitCancelAndAmendTwice() throws Exception {
        long templateAccount = fixture.account();
        String templateName = HeraldServer.unique("invoice_notice");
        long templateId = fixture.mediaTemplate(templateAccount, templateName, "DOCUMENT");
        long overrideAccount = fixture.account();
        long overrideTemplate = fixture.mediaTemplate(overrideAccount, templateName, "DOCUMENT");
        long fileId = fixture.uploadPdf("invoice.pdf");

        Map<String, Object> request = CampaignFixture.commonCampaign(templateId, values("Valued Customer", "SAVE15"),
                fourRecipients());
        request.put("accountId", overrideAccount);
        request.put("attachmentFileId", fileId);
        JsonNode draft = api.post("/api/campaigns", request).json(201);
        String name = draft.path("name").asText();
        assertTrue(SERIES_NAME.matcher(name).matches(), name);
        assertEquals("Draft", draft.path("status").asText());
        assertEquals(4, draft.path("recipientRows").asInt());
        assertEquals(ApiClient.JSON.valueToTree(values("Valued Customer", "SAVE15")), draft.path("templateVariables"));

        String title = HeraldServer.unique("Invoices, edited");
        assertEquals(title, api.put("/api/campaigns/" + name, Map.of("title", title)).json(200).path("title").asText(),
                "a Draft can be edited");
        assertEquals(4, api.get("/api/campaigns/" + name).json(200).path("recipientRows").asInt(),
                "an edit without recipients keeps them");

        JsonNode queued = fixture.submit(name, false);
        assertEquals("Queued", queued.path("status").asText());
        assertFalse(queued.path("submittedAt").isNull(), queued::toString);
        assertEquals(overrideAccount, queued.path("sendingAccountId").asLong(), "the override account sends");
        assertEquals(overrideTemplate, queued.path("sendingTemplateId").asLong(), "with its own template of that name");

        JsonNode split = fixture.awaitSplit(name);
        assertEquals(4, split.path("recipientCount").asInt());
        List<Map<String, Object>> messages = fixture.messageRows(name);
        assertEquals(List.of("+4915120000001", "+4915120000002", "+4915120000003", "+4915120000004"),
                messages.stream().map(m -> m.get("mobile_number")).toList(), "E.164, in entry order");
        for (Map<String, Object> m : messages) {
            assertEquals("Queued", m.get("status"));
            assertEquals(overrideAccount, number(m.get("account_id")));
            assertEquals(overrideTemplate, number(m.get("template_id")));
            assertEquals(ApiClient.JSON.readTree("{\"header\":[],\"body\":[{\"name\":\"1\",\"value\":\"Valued Customer\"},"
                    + "{\"name\":\"2\",\"value\":\"SAVE15\"}]}"), ApiClient.JSON.readTree((String) m.get("parameters")));
        }

        // The send route is stopped: record two accepted sends as it would have.
        long campaignId = fixture.id(name);
        fixture.update("UPDATE bulk_whatsapp_message SET status = 'In Progress' WHERE id = ?", campaignId);
        fixture.update("UPDATE whatsapp_message SET status = 'Sent' WHERE bulk_message_reference = ? AND seq <= 2",
                campaignId);

        JsonNode cancelled = api.post("/api/campaigns/" + name + "/cancel", Map.of()).json(200);
        assertEquals("Cancelled", cancelled.path("status").asText());
        assertFalse(cancelled.path("cancelledAt").isNull(), cancelled::toString);
        assertEquals(2, cancelled.path("sent").asInt(), cancelled::toString);
        assertEquals(2, cancelled.path("cancelled").asInt(), cancelled::toString);
        assertEquals(List.of("Sent", "Sent", "Cancelled", "Cancelled"),
                fixture.messageRows(name).stream().map(m -> m.get("status")).toList(),
                "queued messages are cancelled, sent ones stay");

        JsonNode first = api.post("/api/campaigns/" + name + "/amend", Map.of()).json(201);
        assertEquals(name + "-1", first.path("name").asText());
        assertCopied(name, fixture.api.get("/api/campaigns/" + name).json(200), first);
        assertEquals(name + "-2", api.post("/api/campaigns/" + name + "/amend", Map.of()).json(201).path("name").asText(),
                "a second amendment of the same campaign");

        // An amendment of an amendment is numbered in the chain of the first campaign.
        String amendment = first.path("name").asText();
        fixture.submit(amendment, false);
        fixture.awaitSplit(amendment);
        assertEquals(4, fixture.messageRows(amendment).size());
        api.post("/api/campaigns/" + amendment + "/cancel", Map.of()).expect(200);
        JsonNode third = api.post("/api/campaigns/" + amendment + "/amend", Map.of()).json(201);
        assertEquals(name + "-3", third.path("name").asText());
        assertCopied(amendment, api.get("/api/campaigns/" + amendment).json(200), third);

        assertEquals("Cancelled", api.get("/api/campaigns/" + name).json(200).path("status").asText(),
                "amending leaves the cancelled campaign as it was");
        assertEquals(List.of("Sent", "Sent", "Cancelled", "Cancelled"),
                fixture.messageRows(name).stream().map(m -> m.get("status")).toList());
    }

    private void assertCopied(String originalName, JsonNode original, JsonNode amended) {
        String amendedName = amended.path("name").asText();
        assertEquals("Draft", amended.path("status").asText());
        assertEquals(originalName, amended.path("amendedFrom").asText());
        for (String field : List.of("title", "recipientType", "recipientListId", "templateId", "accountId", "variableType",
                "templateVariables", "attachmentFileId", "recipientRows", "sandbox")) {
            assertEquals(original.path(field), amended.path(field), field + " copied to " + amendedName);
        }
        assertTrue(amended.path("submittedAt").isNull() && amended.path("cancelledAt").isNull(), amended::toString);
        assertEquals(0, amended.path("recipientCount").asInt(), "an amendment has no messages yet");
        List<Map<String, Object>> copied = fixture.recipientRows(amendedName);
        assertEquals(fixture.recipientRows(originalName), copied, "recipient rows copied as entered");
        assertEquals(4, copied.size());
    }

    @Test
    void submittedAndCancelledCampaignsAreLocked() throws Exception {
        long account = fixture.account();
        long templateId = fixture.twoValueTemplate(account, HeraldServer.unique("locked_notice"));
        Map<String, Object> request = CampaignFixture.commonCampaign(templateId, values("A", "B"), fourRecipients());
        String title = (String) request.get("title");
        String name = fixture.create(request);

        assertConflict(api.post("/api/campaigns/" + name + "/cancel", Map.of()), name, "Draft");
        assertConflict(api.post("/api/campaigns/" + name + "/amend", Map.of()), name, "Draft");

        fixture.submit(name, false);
        assertConflict(api.put("/api/campaigns/" + name, Map.of("title", "changed after submit")), name, "Queued");
        assertConflict(fixture.delete("/api/campaigns/" + name), name, "Queued");
        assertConflict(api.post("/api/campaigns/" + name + "/submit", Map.of()), name, "Queued");
        assertConflict(api.post("/api/campaigns/" + name + "/amend", Map.of()), name, "Queued");
        fixture.awaitSplit(name);
        assertEquals(4, fixture.messageRows(name).size(), "a second submit adds no messages");

        api.post("/api/campaigns/" + name + "/cancel", Map.of()).expect(200);
        assertConflict(api.put("/api/campaigns/" + name, Map.of("title", "changed after cancel")), name, "Cancelled");
        assertConflict(fixture.delete("/api/campaigns/" + name), name, "Cancelled");
        assertConflict(api.post("/api/campaigns/" + name + "/submit", Map.of()), name, "Cancelled");
        assertConflict(api.post("/api/campaigns/" + name + "/cancel", Map.of()), name, "Cancelled");

        JsonNode kept = api.get("/api/campaigns/" + name).json(200);
        assertEquals(title, kept.path("title").asText(), "refused edits change nothing");
        assertEquals(4, kept.path("recipientRows").asInt());
        assertTrue(fixture.messageRows(name).stream().allMatch(m -> m.get("status").equals("Cancelled")));
    }

    private static void assertConflict(ApiClient.Response response, String name, String status) {
        JsonNode error = response.error(409);
        assertEquals("conflict", error.path("code").asText());
        String message = error.path("message").asText();
        assertTrue(message.contains(name) && message.contains(" is " + status), response.call() + ": " + message);
    }

    @Test
    void aRecipientListIsSentAsItWasAtSubmit() throws Exception {
        long account = fixture.account();
        long templateId = fixture.twoValueTemplate(account, HeraldServer.unique("list_notice"));
        long list = api.post("/api/recipient-lists", Map.of("name", HeraldServer.unique("Frozen list"), "rows", List.of(
                Map.of("mobileNumber", "+4915120000101"), Map.of("mobileNumber", "+4915120000102")))).json(201)
                .path("id").asLong();
        Map<String, Object> request = CampaignFixture.commonCampaign(templateId, values("A", "B"), List.of());
        request.remove("recipients");
        request.put("recipientType", "Recipient List");
        request.put("recipientListId", list);
        String name = fixture.create(request);

        // The split waits until the rows below are in the list, so it could only miss them by design.
        fixture.server.context().getRouteController().stopRoute(SPLIT_TIMER_ROUTE);
        try {
            fixture.submit(name, false);
            api.post("/api/recipient-lists/" + list + "/rows", List.of(Map.of("mobileNumber", "+4915120000103")))
                    .expect(200);
        } finally {
            fixture.server.context().getRouteController().startRoute(SPLIT_TIMER_ROUTE);
        }
        JsonNode split = fixture.awaitSplit(name);

        assertEquals(List.of("+4915120000101", "+4915120000102"),
                fixture.messageRows(name).stream().map(m -> m.get("mobile_number")).toList());
        assertEquals(2, split.path("recipientCount").asInt(), split::toString);
        assertEquals(3, api.get("/api/recipient-lists/" + list).json(200).path("rowCount").asInt(),
                "the list itself took the added row");
    }

    @Test
    void enteredRecipientsAreReadBackPageByPage() {
        long account = fixture.account();
        long templateId = fixture.twoValueTemplate(account, HeraldServer.unique("read_back_notice"));
        String name = fixture.create(CampaignFixture.commonCampaign(templateId, values("A", "B"), fourRecipients()));

        JsonNode first = api.get("/api/campaigns/" + name + "/recipients?page=1&size=3").json(200);
        assertEquals(1, first.path("page").asInt());
        assertEquals(3, first.path("size").asInt());
        JsonNode items = first.path("items");
        assertEquals(3, items.size(), first::toString);
        assertEquals(1, items.path(0).path("row").asInt());
        assertEquals("+49 151 2000 0001", items.path(0).path("mobileNumber").asText(), "as entered");
        assertEquals("Anna", items.path(0).path("recipientName").asText());
        assertEquals("first", items.path(0).path("recipientData").path("note").asText());
        assertEquals("0151 20000002", items.path(1).path("mobileNumber").asText());
        assertTrue(items.path(1).path("recipientData").isNull(), items::toString);
        assertEquals("Cleo", items.path(2).path("recipientName").asText());

        JsonNode second = api.get("/api/campaigns/" + name + "/recipients?page=2&size=3").json(200).path("items");
        assertEquals(1, second.size(), second::toString);
        assertEquals(4, second.path(0).path("row").asInt());
        assertEquals("Dev", second.path(0).path("recipientName").asText());

        assertEquals("size", api.get("/api/campaigns/" + name + "/recipients?size=0").error(400).path("field").asText());
        api.get("/api/campaigns/BULK-WA-1999-99999/recipients").error(404);
    }

    @Test
    void draftCanBeDeleted() {
        long account = fixture.account();
        long templateId = fixture.twoValueTemplate(account, HeraldServer.unique("deleted_notice"));
        String name = fixture.create(CampaignFixture.commonCampaign(templateId, values("A", "B"), fourRecipients()));
        long id = fixture.id(name);

        fixture.delete("/api/campaigns/" + name).expect(204);
        assertEquals("not_found", api.get("/api/campaigns/" + name).error(404).path("code").asText());
        assertTrue(fixture.server.query("SELECT idx FROM campaign_recipient WHERE campaign_id = ?", id).isEmpty(),
                "its recipient rows are gone too");
    }

    @Test
    void unknownCampaignIsNotFound() {
        String name = "BULK-WA-1999-99999";
        api.get("/api/campaigns/" + name).error(404);
        api.put("/api/campaigns/" + name, Map.of("title", "x")).error(404);
        fixture.delete("/api/campaigns/" + name).error(404);
        for (String action : List.of("submit", "cancel", "amend")) {
            api.post("/api/campaigns/" + name + "/" + action, Map.of()).error(404);
        }
    }
}
