package herald.campaign;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import herald.testing.ApiClient;
import herald.testing.HeraldServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static herald.campaign.CampaignFixture.recipient;
import static herald.campaign.CampaignFixture.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Get Progress and the message listing of a submitted campaign. Sending is stopped for the whole
 * class; the tests give the message rows the statuses sends and webhooks would have.
 */
class CampaignProgressTest {

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

    /**
     * A submitted campaign of ten recipients, split, In Progress, whose messages (in seq order)
     * then have the given statuses; the rest stay Queued.
     */
    private String campaignWithStatuses(String... statuses) throws Exception {
        long account = fixture.account();
        long templateId = fixture.twoValueTemplate(account, HeraldServer.unique("progress_notice"));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            rows.add(recipient(String.format("+49151500000%02d", i), "R" + i, null));
        }
        String name = fixture.create(CampaignFixture.commonCampaign(templateId, values("All", "X1"), rows));
        fixture.submit(name, false);
        fixture.awaitSplit(name);
        long id = fixture.id(name);
        fixture.update("UPDATE bulk_whatsapp_message SET status = 'In Progress' WHERE id = ?", id);
        for (int i = 0; i < statuses.length; i++) {
            setStatus(id, i + 1, statuses[i]);
        }
        return name;
    }

    private static void setStatus(long campaignId, long seq, String status) {
        assertEquals(1, fixture.update("UPDATE whatsapp_message SET status = ? WHERE bulk_message_reference = ? AND seq = ?",
                status, campaignId, seq));
    }

    @Test
    void progressIsCountedFromTheMessageRows() throws Exception {
        String name = campaignWithStatuses("Sent", "Delivered", "Delivered", "Read", "Failed", "Failed", "Unconfirmed");

        JsonNode progress = api.get("/api/campaigns/" + name + "/progress").json(200);
        assertEquals(name, progress.path("name").asText());
        assertEquals("In Progress", progress.path("status").asText());
        assertEquals(10, progress.path("recipientCount").asInt());
        assertEquals(4, progress.path("sent").asInt(), "Sent + Delivered + Read");
        assertEquals(4, progress.path("sentCount").asInt());
        assertEquals(3, progress.path("delivered").asInt(), "Delivered + Read");
        assertEquals(1, progress.path("read").asInt());
        assertEquals(2, progress.path("failed").asInt());
        assertEquals(1, progress.path("unconfirmed").asInt());
        assertEquals(3, progress.path("queued").asInt());
        assertEquals(0, progress.path("cancelled").asInt());
        assertEquals(60.0, progress.path("completionPercent").asDouble(), "(sent + failed + cancelled) / recipients");
        Map<String, Object> stored = fixture.server.queryOne(
                "SELECT recipient_count, sent_count FROM bulk_whatsapp_message WHERE name = ?", name);
        assertEquals(10L, CampaignFixture.number(stored.get("recipient_count")));
        assertEquals(4L, CampaignFixture.number(stored.get("sent_count")), "Get Progress stores the Sent Count");

        long id = fixture.id(name);
        setStatus(id, 8, "Sending");
        setStatus(id, 9, "Read");
        JsonNode again = api.get("/api/campaigns/" + name + "/progress").json(200);
        assertEquals(5, again.path("sent").asInt());
        assertEquals(4, again.path("delivered").asInt());
        assertEquals(2, again.path("read").asInt());
        assertEquals(2, again.path("queued").asInt(), "Queued + Sending");
        assertEquals(70.0, again.path("completionPercent").asDouble());

        JsonNode campaign = api.get("/api/campaigns/" + name).json(200);
        for (String count : List.of("recipientCount", "sent", "delivered", "read", "failed", "queued", "completionPercent")) {
            assertEquals(again.path(count), campaign.path(count), count + " of the campaign and of Get Progress");
        }

        JsonNode running = api.get("/api/campaigns?status=In%20Progress&size=1000").json(200);
        assertTrue(names(running).contains(name), running::toString);
        running.forEach(c -> assertEquals("In Progress", c.path("status").asText()));
        assertFalse(names(api.get("/api/campaigns?status=Draft&size=1000").json(200)).contains(name));
    }

    @Test
    void cancelledMessagesCountAsDone() throws Exception {
        String name = campaignWithStatuses("Sent", "Failed");
        api.post("/api/campaigns/" + name + "/cancel", Map.of()).expect(200);

        JsonNode progress = api.get("/api/campaigns/" + name + "/progress").json(200);
        assertEquals("Cancelled", progress.path("status").asText());
        assertEquals(8, progress.path("cancelled").asInt());
        assertEquals(0, progress.path("queued").asInt());
        assertEquals(100.0, progress.path("completionPercent").asDouble());
    }

    private static List<String> names(JsonNode list) {
        List<String> names = new ArrayList<>();
        list.forEach(c -> names.add(c.path("name").asText()));
        return names;
    }

    @Test
    void messagesAreFilteredByStatusAndPaged() throws Exception {
        String name = campaignWithStatuses("Sent", "Failed", "Sent", "Delivered", "Failed");
        String path = "/api/campaigns/" + name + "/messages";

        JsonNode all = api.get(path).json(200);
        assertEquals(1, all.path("page").asInt());
        assertEquals(100, all.path("size").asInt(), "the default page size");
        List<String> everyone = numbers(all.path("items"));
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            expected.add(String.format("+49151500000%02d", i));
        }
        assertEquals(expected, everyone, "every message, in recipient order");

        JsonNode failed = api.get(path + "?status=Failed").json(200).path("items");
        assertEquals(List.of("+4915150000002", "+4915150000005"), numbers(failed));
        failed.forEach(m -> assertEquals("Failed", m.path("status").asText()));
        assertEquals(5, api.get(path + "?status=Queued").json(200).path("items").size());
        assertEquals(0, api.get(path + "?status=Read").json(200).path("items").size());

        List<String> paged = new ArrayList<>();
        for (int page = 1; page <= 4; page++) {
            JsonNode answer = api.get(path + "?size=3&page=" + page).json(200);
            assertEquals(page, answer.path("page").asInt());
            assertEquals(3, answer.path("size").asInt());
            assertEquals(page < 4 ? 3 : 1, answer.path("items").size(), "page " + page);
            paged.addAll(numbers(answer.path("items")));
        }
        assertEquals(everyone, paged, "the pages together are the whole list, each message once");
        assertEquals(0, api.get(path + "?size=3&page=5").json(200).path("items").size());
        assertEquals(List.of("+4915150000008", "+4915150000009"),
                numbers(api.get(path + "?status=Queued&size=2&page=2").json(200).path("items")));

        for (String bad : List.of("size=0", "size=1001", "size=x", "page=abc", "page=0", "page=-1")) {
            JsonNode error = api.get(path + "?" + bad).error(400);
            String field = bad.substring(0, bad.indexOf('='));
            assertEquals(field, error.path("field").asText(), bad);
            assertTrue(error.path("message").asText().startsWith(field + ": "), error::toString);
        }
        api.get("/api/campaigns/BULK-WA-1999-99999/messages").error(404);
    }

    private static List<String> numbers(JsonNode items) {
        List<String> numbers = new ArrayList<>();
        items.forEach(m -> numbers.add(m.path("mobileNumber").asText()));
        return numbers;
    }
}
