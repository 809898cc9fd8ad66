package herald.routes;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The splitter (routes/campaign-split.camel.yaml) with the JMS enqueue replaced by a mock: which
 * exchanges a submitted campaign puts on the send queue, and the rows it writes for them.
 */
class CampaignSplitRouteTest extends HeraldRouteTestSupport {

    private static final int WINDOW_SECONDS = 2;

    @Override
    protected void configureHerald(Properties properties) {
        // Nothing is sent: the rows the split writes stay as it left them.
        properties.setProperty("herald.send.enabled", "false");
        properties.setProperty("herald.split.window-seconds", Integer.toString(WINDOW_SECONDS));
    }

    private MockEndpoint adviseEnqueue() throws Exception {
        AdviceWith.adviceWith(context, "enqueue-message-batch", false,
                route -> route.weaveById("enqueue-send").replace().to("mock:send-queue"));
        return getMockEndpoint("mock:send-queue");
    }

    /** Done once a pass of the split timer has found a campaign to split (the split happens within that pass). */
    private NotifyBuilder splitPass() {
        return new NotifyBuilder(context).fromRoute("resume-unfinished-splits")
                .whenAnyDoneMatches(pass -> pass.getMessage().getBody(List.class) != null
                        && !pass.getMessage().getBody(List.class).isEmpty())
                .create();
    }

    @Test
    void oneExchangePerDistinctValidRecipientNamingItsMessageAndCampaign() throws Exception {
        MockEndpoint queue = adviseEnqueue();
        queue.expectedMessageCount(2);
        context.start();

        String campaign = draftCampaign(1000, List.of("+49 151 5000 0001", "+4915150000002", "0151 50000001"));
        long campaignId = campaignId(campaign);
        // A save refuses an unreadable number now; a Draft saved before that check came may hold one.
        update("INSERT INTO campaign_recipient (campaign_id, idx, mobile_number) VALUES (?, 4, 'n/a')", campaignId);
        queue.expectedHeaderReceived("HeraldCampaignId", campaignId);
        NotifyBuilder split = splitPass();
        submit(campaign, true);

        assertTrue(split.matches(30, TimeUnit.SECONDS), "a split pass took the campaign");
        queue.assertIsSatisfied();

        List<Map<String, Object>> rows = messageRows(campaignId);
        assertEquals(Arrays.asList("+4915150000001", "+4915150000002", null),
                rows.stream().map(r -> r.get("mobile_number")).toList(),
                "the second way of writing +4915150000001 is dropped; a number that cannot be read is not stored");
        assertEquals(List.of("Queued", "Queued", "Failed"), rows.stream().map(r -> r.get("status")).toList());
        List<String> bodies = queue.getReceivedExchanges().stream().map(e -> e.getMessage().getBody(String.class)).toList();
        assertEquals(List.of(enqueued(rows.get(0), campaignId), enqueued(rows.get(1), campaignId)), bodies,
                "the valid rows, in recipient order; the Failed row is never enqueued");
        for (Exchange e : queue.getReceivedExchanges()) {
            assertEquals(Long.class, e.getMessage().getHeader("HeraldCampaignId").getClass(),
                    "a numeric JMS property, so a selector can compare it");
        }
        Map<String, Object> state = query("SELECT split_state, recipient_count FROM bulk_whatsapp_message WHERE id = ?",
                campaignId).get(0);
        assertEquals("DONE", state.get("split_state"));
        assertEquals(3, ((Number) state.get("recipient_count")).intValue());
    }

    @Test
    void enqueuesNoMoreThanTheAccountSendsInTheWindow() throws Exception {
        MockEndpoint queue = adviseEnqueue();
        int messagesPerSecond = 1;
        queue.expectedMessageCount(messagesPerSecond * WINDOW_SECONDS);
        context.start();

        String campaign = draftCampaign(messagesPerSecond,
                List.of("+4915150000011", "+4915150000012", "+4915150000013", "+4915150000014", "+4915150000015"));
        long campaignId = campaignId(campaign);
        NotifyBuilder split = splitPass();
        submit(campaign, false);

        assertTrue(split.matches(30, TimeUnit.SECONDS), "a split pass took the campaign");
        queue.assertIsSatisfied();
        List<Map<String, Object>> rows = messageRows(campaignId);
        assertEquals(5, rows.size(), "every row is written, whatever the window: " + rows);
        assertEquals(List.of(enqueued(rows.get(0), campaignId), enqueued(rows.get(1), campaignId)),
                queue.getReceivedExchanges().stream().map(e -> e.getMessage().getBody(String.class)).toList());
        assertEquals("SPLITTING", query("SELECT split_state FROM bulk_whatsapp_message WHERE id = ?", campaignId)
                .get(0).get("split_state"), "the rest wait, written, for room in the window");
    }

    private static String enqueued(Map<String, Object> row, long campaignId) {
        return "{\"messageId\":" + row.get("id") + ",\"campaignId\":" + campaignId + "}";
    }
}
