package herald.webhooks;

import static herald.webhooks.WebhookFixture.T0;
import static herald.webhooks.WebhookFixture.change;
import static herald.webhooks.WebhookFixture.entry;
import static herald.webhooks.WebhookFixture.marker;
import static herald.webhooks.WebhookFixture.payload;
import static herald.webhooks.WebhookFixture.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import herald.webhooks.WebhookFixture.Account;
import herald.webhooks.WebhookFixture.Campaign;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.Test;

/** What an accepted webhook does to messages, receipts and the unmatched table, on the real server. */
class WebhookApplyTest {

    private final WebhookFixture fx = new WebhookFixture();

    private static Instant instant(Object timestamp) {
        if (timestamp instanceof OffsetDateTime odt) {
            return odt.toInstant();
        }
        if (timestamp instanceof java.sql.Timestamp ts) {
            return ts.toInstant();
        }
        throw new AssertionError("not a timestamp: " + timestamp);
    }

    private String wamidOf(long messageId) {
        return (String) fx.message(messageId).get("wamid");
    }

    @Test
    void everyStatusOfEveryChangeOfEveryEntryIsApplied() {
        String secret = "shared-app-secret-" + WebhookFixture.digits();
        Account first = fx.account(secret, true);
        Account second = fx.account(secret, true);
        Campaign a = fx.sentCampaign(first, 6);
        Campaign b = fx.sentCampaign(second, 6);
        List<ObjectNode> a1 = new ArrayList<>();
        List<ObjectNode> a2 = new ArrayList<>();
        List<ObjectNode> b1 = new ArrayList<>();
        List<ObjectNode> b2 = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            a1.add(status(wamidOf(a.messageIds().get(i)), "delivered", T0 + 20));
            a2.add(status(wamidOf(a.messageIds().get(i + 3)), "read", T0 + 30));
            b1.add(status(wamidOf(b.messageIds().get(i)), "delivered", T0 + 20));
            b1.add(status(wamidOf(b.messageIds().get(i)), "read", T0 + 30));
            b2.add(status(wamidOf(b.messageIds().get(i + 3)), "sent", T0 + 10));
        }
        ObjectNode marker = marker();
        b2.add(marker);
        fx.deliver(first, payload(entry(first, change(first, a1), change(first, a2)),
                entry(second, change(second, b1), change(second, b2))));
        fx.awaitMarker(marker);

        for (int i = 0; i < 3; i++) {
            Map<String, Object> delivered = fx.message(a.messageIds().get(i));
            assertEquals("Delivered", delivered.get("status"));
            assertEquals(Instant.ofEpochSecond(T0 + 20), instant(delivered.get("delivered_at")));
            assertEquals("Read", fx.status(a.messageIds().get(i + 3)));
            assertEquals("Read", fx.status(b.messageIds().get(i)));
            assertEquals(2, fx.receipts(b.messageIds().get(i)).size());
            assertEquals("Sent", fx.status(b.messageIds().get(i + 3)));
            assertEquals(1, fx.receipts(b.messageIds().get(i + 3)).size());
        }
        Map<String, Object> receipt = fx.receipts(a.messageIds().get(0)).get(0);
        assertEquals("Delivered", receipt.get("status"));
        assertEquals(Instant.ofEpochSecond(T0 + 20), instant(receipt.get("meta_timestamp")));
        assertEquals("utility", receipt.get("pricing_category"));
    }

    @Test
    void aRepeatedDeliveryChangesNothing() {
        Account account = fx.account("app-secret-" + WebhookFixture.digits(), true);
        Campaign campaign = fx.sentCampaign(account, 3);
        List<ObjectNode> statuses = new ArrayList<>();
        for (long id : campaign.messageIds()) {
            statuses.add(status(wamidOf(id), "delivered", T0 + 20));
        }
        statuses.add(status(wamidOf(campaign.messageIds().get(0)), "read", T0 + 40));
        ObjectNode first = marker();
        List<ObjectNode> once = new ArrayList<>(statuses);
        once.add(first);
        fx.deliver(account, payload(account, once.toArray(ObjectNode[]::new)));
        fx.awaitMarker(first);
        List<Map<String, Object>> before = fx.herald.query(
                "SELECT * FROM whatsapp_message WHERE bulk_message_reference = ? ORDER BY id", campaign.id());
        List<Map<String, Object>> receiptsBefore = fx.herald.query(
                "SELECT r.* FROM message_receipt r JOIN whatsapp_message m ON m.id = r.message_id"
                        + " WHERE m.bulk_message_reference = ? ORDER BY r.id", campaign.id());

        // Delivered twice more, each copy with a marker of its own so both are known to be applied.
        List<ObjectNode> repeatMarkers = List.of(marker(), marker());
        for (ObjectNode marker : repeatMarkers) {
            List<ObjectNode> again = new ArrayList<>(statuses);
            again.add(marker);
            fx.deliver(account, payload(account, again.toArray(ObjectNode[]::new)));
        }
        repeatMarkers.forEach(fx::awaitMarker);

        assertEquals(before, fx.herald.query(
                "SELECT * FROM whatsapp_message WHERE bulk_message_reference = ? ORDER BY id", campaign.id()));
        assertEquals(receiptsBefore, fx.herald.query(
                "SELECT r.* FROM message_receipt r JOIN whatsapp_message m ON m.id = r.message_id"
                        + " WHERE m.bulk_message_reference = ? ORDER BY r.id", campaign.id()));
        assertEquals(4, receiptsBefore.size());
    }

    @Test
    void statusesOnlyMoveForward() {
        Account account = fx.account("app-secret-" + WebhookFixture.digits(), true);
        Campaign campaign = fx.sentCampaign(account, 3);
        long readThenDelivered = campaign.messageIds().get(0);
        long deliveredSkipped = campaign.messageIds().get(1);
        long failedAfterDelivered = campaign.messageIds().get(2);
        ObjectNode marker = marker();
        fx.deliver(account, payload(account,
                status(wamidOf(readThenDelivered), "read", T0 + 30),
                status(wamidOf(readThenDelivered), "delivered", T0 + 20),
                status(wamidOf(readThenDelivered), "sent", T0 + 10),
                status(wamidOf(deliveredSkipped), "read", T0 + 30),
                status(wamidOf(failedAfterDelivered), "delivered", T0 + 20),
                failed(wamidOf(failedAfterDelivered), T0 + 25, 131026),
                marker));
        fx.awaitMarker(marker);

        Map<String, Object> read = fx.message(readThenDelivered);
        assertEquals("Read", read.get("status"), "a late delivered never overwrites read");
        assertEquals(Instant.ofEpochSecond(T0 + 30), instant(read.get("read_at")));
        assertEquals(Instant.ofEpochSecond(T0 + 20), instant(read.get("delivered_at")), "the late delivered still says when");
        assertEquals(3, fx.receipts(readThenDelivered).size());

        Map<String, Object> skipped = fx.message(deliveredSkipped);
        assertEquals("Read", skipped.get("status"));
        assertNull(skipped.get("delivered_at"));

        Map<String, Object> delivered = fx.message(failedAfterDelivered);
        assertEquals("Delivered", delivered.get("status"), "failed follows sent, not delivered");
        assertNull(delivered.get("error_code"));
        assertEquals(2, fx.receipts(failedAfterDelivered).size(), "the failure is still on record");
    }

    private static ObjectNode failed(String wamid, long timestamp, int code) {
        ObjectNode failed = status(wamid, "failed", timestamp);
        failed.remove("pricing");
        ObjectNode error = failed.putArray("errors").addObject();
        error.put("code", code);
        error.put("title", "Message undeliverable.");
        error.put("message", "Message undeliverable.");
        error.putObject("error_data").put("details", "Message Undeliverable.");
        return failed;
    }

    @Test
    void aFailedStatusRecordsMetasError() {
        Account account = fx.account("app-secret-" + WebhookFixture.digits(), true);
        Campaign campaign = fx.sentCampaign(account, 1);
        long id = campaign.messageIds().get(0);
        ObjectNode marker = marker();
        fx.deliver(account, payload(account, failed(wamidOf(id), T0 + 15, 131026), marker));
        fx.awaitMarker(marker);

        Map<String, Object> message = fx.message(id);
        assertEquals("Failed", message.get("status"));
        assertEquals(131026, ((Number) message.get("error_code")).intValue());
        assertEquals("Message undeliverable.", message.get("error_title"));
        assertEquals("Message undeliverable.", message.get("error_message"));
        assertEquals("Message Undeliverable.", message.get("error_details"));
        assertEquals(Instant.ofEpochSecond(T0 + 15), instant(message.get("failed_at")));
        Map<String, Object> receipt = fx.receipts(id).get(0);
        assertEquals("Failed", receipt.get("status"));
        assertEquals(131026, ((Number) receipt.get("error_code")).intValue());
        assertEquals("Message Undeliverable.", receipt.get("error_details"));
    }

    @Test
    void everyErrorOfAFailedStatusIsKeptInItsReceipt() throws Exception {
        Account account = fx.account("app-secret-" + WebhookFixture.digits(), true);
        Campaign campaign = fx.sentCampaign(account, 2);
        long twoErrors = campaign.messageIds().get(0);
        long delivered = campaign.messageIds().get(1);
        ObjectNode failed = failed(wamidOf(twoErrors), T0 + 15, 131049);
        ObjectNode second = ((com.fasterxml.jackson.databind.node.ArrayNode) failed.get("errors")).addObject();
        second.put("code", 131026);
        second.put("title", "Message undeliverable.");
        ObjectNode marker = marker();
        fx.deliver(account, payload(account, failed, status(wamidOf(delivered), "delivered", T0 + 20), marker));
        fx.awaitMarker(marker);

        Map<String, Object> receipt = fx.receipts(twoErrors).get(0);
        assertEquals(131049, ((Number) receipt.get("error_code")).intValue(), "the first error keeps its columns");
        com.fasterxml.jackson.databind.JsonNode errors = herald.testing.ApiClient.JSON.readTree((String) receipt.get("errors"));
        assertEquals(List.of(131049, 131026), List.of(errors.get(0).get("code").asInt(), errors.get(1).get("code").asInt()));
        assertEquals(2, errors.size());
        assertEquals("Message Undeliverable.", errors.get(0).path("error_data").path("details").asText());
        assertNull(fx.receipts(delivered).get(0).get("errors"), "a status without errors has none");
    }

    /** Finished as the status refresh leaves it: every message accepted, counted, announced to a callback URL. */
    private Campaign completed(Account account, int size) {
        Campaign campaign = fx.sentCampaign(account, size);
        fx.execute("UPDATE bulk_whatsapp_message SET status = 'Completed', split_state = 'DONE', recipient_count = ?,"
                + " sent_count = ?, callback_url = 'http://127.0.0.1:1/finished' WHERE id = ?", size, size, campaign.id());
        awaitAnnouncement(campaign, "Completed");
        return campaign;
    }

    private Map<String, Object> campaignRow(Campaign campaign) {
        return fx.herald.queryOne("SELECT * FROM bulk_whatsapp_message WHERE id = ?", campaign.id());
    }

    private List<Map<String, Object>> announcements(Campaign campaign) {
        return fx.herald.query("SELECT * FROM campaign_callback WHERE campaign_id = ? ORDER BY id", campaign.id());
    }

    private void awaitAnnouncement(Campaign campaign, String status) {
        WebhookFixture.await(status + " of " + campaign.name() + " to be announced", () -> announcements(campaign).stream()
                .anyMatch(k -> status.equals(k.get("campaign_status"))));
    }

    @Test
    void aLateFailureTurnsACompletedCampaignPartiallyFailedOnce() throws Exception {
        Account account = fx.account("app-secret-" + WebhookFixture.digits(), true);
        Campaign campaign = completed(account, 3);
        ObjectNode marker = marker();
        fx.deliver(account, payload(account, status(wamidOf(campaign.messageIds().get(1)), "delivered", T0 + 20),
                failed(wamidOf(campaign.messageIds().get(0)), T0 + 25, 131026), marker));
        fx.awaitMarker(marker);

        Map<String, Object> changed = campaignRow(campaign);
        assertEquals("Partially Failed", changed.get("status"));
        assertEquals(3, ((Number) changed.get("recipient_count")).intValue());
        assertEquals(2, ((Number) changed.get("sent_count")).intValue());
        com.fasterxml.jackson.databind.JsonNode progress = fx.api.get("/api/campaigns/" + campaign.name() + "/progress").json(200);
        assertEquals(1, progress.get("failed").asInt(), progress.toString());
        assertEquals(1, progress.get("delivered").asInt(), progress.toString());

        awaitAnnouncement(campaign, "Partially Failed");
        Map<String, Object> second = announcements(campaign).get(1);
        assertEquals(0, ((Number) second.get("retry_round")).intValue(), "the same round, announced with its new status");
        com.fasterxml.jackson.databind.JsonNode payload = herald.testing.ApiClient.JSON.readTree((String) second.get("payload"));
        assertEquals("Partially Failed", payload.get("status").asText());
        assertEquals(1, payload.get("failed").asInt());

        ObjectNode again = marker();
        fx.deliver(account, payload(account, failed(wamidOf(campaign.messageIds().get(0)), T0 + 25, 131026),
                failed(wamidOf(campaign.messageIds().get(1)), T0 + 26, 131026), again));
        fx.awaitMarker(again);
        assertEquals(changed, campaignRow(campaign), "a repeat, or a failure after delivered, changes nothing");
        // Two whole passes of the announcer, the second begun after the repeat was applied, rather
        // than a second of sleep that a busy machine may not give the announcer's timer.
        NotifyBuilder passes = new NotifyBuilder(fx.herald.context()).fromRoute("announce-finished-campaigns")
                .whenDone(2).create();
        try {
            assertTrue(passes.matches(60, TimeUnit.SECONDS), "two passes of route announce-finished-campaigns");
        } finally {
            passes.destroy();
        }
        assertEquals(2, announcements(campaign).size(), "each final status is announced once");
    }

    @Test
    void deliveredOrReadAfterCompletionLeaveTheCampaignAsItWas() {
        Account account = fx.account("app-secret-" + WebhookFixture.digits(), true);
        Campaign campaign = completed(account, 2);
        Map<String, Object> before = campaignRow(campaign);
        ObjectNode marker = marker();
        fx.deliver(account, payload(account, status(wamidOf(campaign.messageIds().get(0)), "delivered", T0 + 20),
                status(wamidOf(campaign.messageIds().get(1)), "read", T0 + 30), marker));
        fx.awaitMarker(marker);

        assertEquals("Read", fx.status(campaign.messageIds().get(1)));
        assertEquals(before, campaignRow(campaign));
        assertEquals("Completed", campaignRow(campaign).get("status"));
    }

    @Test
    void unknownAndUnreadableStatusesAreKeptWithoutHoldingBackTheRest() {
        Account account = fx.account("app-secret-" + WebhookFixture.digits(), true);
        Campaign campaign = fx.sentCampaign(account, 2);
        String unknown = WebhookFixture.wamid();
        ObjectNode noTimestamp = status(WebhookFixture.wamid(), "delivered", T0);
        noTimestamp.remove("timestamp");
        ObjectNode strange = status(WebhookFixture.wamid(), "deleted", T0);
        ObjectNode marker = marker();
        fx.deliver(account, payload(account,
                status(wamidOf(campaign.messageIds().get(0)), "delivered", T0 + 20),
                status(unknown, "delivered", T0 + 20),
                noTimestamp,
                strange,
                status(wamidOf(campaign.messageIds().get(1)), "read", T0 + 30),
                marker));
        fx.awaitMarker(marker);

        assertEquals("Delivered", fx.status(campaign.messageIds().get(0)));
        assertEquals("Read", fx.status(campaign.messageIds().get(1)));
        Map<String, Object> unmatched = fx.herald.queryOne("SELECT * FROM webhook_unmatched_status WHERE wamid = ?", unknown);
        assertEquals(account.wabaId(), unmatched.get("waba_id"));
        assertEquals(account.phoneNumberId(), unmatched.get("phone_number_id"));
        assertEquals("delivered", unmatched.get("status"));
        assertTrue(((String) unmatched.get("reason")).contains("unknown wamid"), unmatched.toString());
        assertTrue(((String) unmatched.get("event")).contains(unknown), "the event is kept as Meta sent it");
        assertTrue(((String) fx.herald.queryOne("SELECT reason FROM webhook_unmatched_status WHERE wamid = ?",
                noTimestamp.get("id").asText()).get("reason")).contains("timestamp"));
        assertTrue(((String) fx.herald.queryOne("SELECT reason FROM webhook_unmatched_status WHERE wamid = ?",
                strange.get("id").asText()).get("reason")).contains("'deleted'"));
    }

    @Test
    void anOverlongStatusIdIsKeptCutWithoutHoldingBackTheRest() {
        Account account = fx.account("app-secret-" + WebhookFixture.digits(), true);
        Campaign campaign = fx.sentCampaign(account, 2);
        String overlong = "wamid." + WebhookFixture.digits() + "x".repeat(300);
        ObjectNode marker = marker();
        fx.deliver(account, payload(account,
                status(wamidOf(campaign.messageIds().get(0)), "delivered", T0 + 20),
                status(overlong, "delivered", T0 + 20),
                status(wamidOf(campaign.messageIds().get(1)), "read", T0 + 30),
                marker));
        fx.awaitMarker(marker);

        assertEquals("Delivered", fx.status(campaign.messageIds().get(0)));
        assertEquals("Read", fx.status(campaign.messageIds().get(1)));
        Map<String, Object> unmatched = fx.herald.queryOne("SELECT * FROM webhook_unmatched_status WHERE wamid = ?",
                overlong.substring(0, 200));
        assertNotNull(unmatched, "the overlong id is recorded, cut to its column");
        assertTrue(((String) unmatched.get("reason")).contains("longer than 200"), unmatched.toString());
        assertTrue(((String) unmatched.get("event")).contains(overlong), "the event keeps the id whole");
    }

    @Test
    void aRepeatedDeliveryOfUnreadableStatusesAddsNoRow() {
        Account account = fx.account("app-secret-" + WebhookFixture.digits(), true);
        String recipient = WebhookFixture.digits();
        ObjectNode noId = status(WebhookFixture.wamid(), "delivered", T0 + 20);
        noId.remove("id");
        ObjectNode noTimestamp = status(WebhookFixture.wamid(), "read", T0);
        noTimestamp.remove("timestamp");
        ObjectNode noStatus = status(WebhookFixture.wamid(), "sent", T0);
        noStatus.remove("status");
        noStatus.remove("timestamp");
        List<ObjectNode> unreadable = List.of(noId, noTimestamp, noStatus);
        unreadable.forEach(event -> event.put("recipient_id", recipient));
        List<ObjectNode> markers = List.of(marker(), marker(), marker());
        for (ObjectNode marker : markers) {
            List<ObjectNode> statuses = new ArrayList<>(unreadable);
            statuses.add(marker);
            fx.deliver(account, payload(account, statuses.toArray(ObjectNode[]::new)));
            fx.awaitMarker(marker);
        }

        List<Map<String, Object>> kept = fx.herald.query(
                "SELECT reason FROM webhook_unmatched_status WHERE recipient_id = ? ORDER BY id", recipient);
        assertEquals(3, kept.size(), "each unreadable event once: " + kept);
        assertTrue(((String) kept.get(0).get("reason")).contains("no id"), kept.toString());
    }

    @Test
    void opaqueCallbackDataTiesAStatusToAMessageWhoseSendAnswerWasLost() {
        Account account = fx.account("app-secret-" + WebhookFixture.digits(), true);
        Account other = fx.account("other-secret-" + WebhookFixture.digits(), true);
        Campaign campaign = fx.campaign(account, new String[] {"Sending", "Unconfirmed", "Sending"},
                new String[] {null, null, null});
        Campaign othersCampaign = fx.campaign(other, new String[] {"Sending"}, new String[] {null});
        long sending = campaign.messageIds().get(0);
        long unconfirmed = campaign.messageIds().get(1);
        long wrongCampaign = campaign.messageIds().get(2);
        long othersMessage = othersCampaign.messageIds().get(0);
        String sendingWamid = WebhookFixture.wamid();
        String unconfirmedWamid = WebhookFixture.wamid();
        String misdirected = WebhookFixture.wamid();
        String foreign = WebhookFixture.wamid();
        ObjectNode marker = marker();
        fx.deliver(account, payload(account,
                opaque(status(sendingWamid, "sent", T0 + 10), campaign.name() + ":" + sending),
                opaque(status(unconfirmedWamid, "delivered", T0 + 20), campaign.name() + ":" + unconfirmed),
                opaque(status(misdirected, "sent", T0 + 10), othersCampaign.name() + ":" + wrongCampaign),
                opaque(status(foreign, "sent", T0 + 10), othersCampaign.name() + ":" + othersMessage),
                // once the wamid is set, later statuses match on it alone
                status(sendingWamid, "read", T0 + 30),
                marker));
        fx.awaitMarker(marker);

        Map<String, Object> reconciled = fx.message(sending);
        assertEquals(sendingWamid, reconciled.get("wamid"));
        assertEquals("Read", reconciled.get("status"));
        assertEquals(Instant.ofEpochSecond(T0 + 10), instant(reconciled.get("sent_at")));
        Map<String, Object> delivered = fx.message(unconfirmed);
        assertEquals(unconfirmedWamid, delivered.get("wamid"));
        assertEquals("Delivered", delivered.get("status"));

        assertEquals("Sending", fx.status(wrongCampaign), "the campaign name must match too");
        assertNull(fx.message(wrongCampaign).get("wamid"));
        assertEquals("Sending", fx.status(othersMessage), "another account's message is out of reach");
        assertNull(fx.message(othersMessage).get("wamid"));
        assertNotNull(fx.herald.queryOne("SELECT reason FROM webhook_unmatched_status WHERE wamid = ?", misdirected));
        assertNotNull(fx.herald.queryOne("SELECT reason FROM webhook_unmatched_status WHERE wamid = ?", foreign));
    }

    private static ObjectNode opaque(ObjectNode status, String data) {
        status.put("biz_opaque_callback_data", data);
        return status;
    }

    @Test
    void templateStatusUpdatesMatchByIdOrByNameAndLanguage() {
        Account account = fx.account("app-secret-" + WebhookFixture.digits(), true);
        Account other = fx.account("app-secret-" + WebhookFixture.digits(), true);
        String metaId = WebhookFixture.digits();
        long byId = fx.template(account, herald.testing.HeraldServer.unique("by_id"), metaId);
        String name = herald.testing.HeraldServer.unique("by_name");
        long byName = fx.template(account, name, null);
        long othersSameName = fx.template(other, name, null);

        ObjectNode paused = templateChange(metaId, "paused_name", "en", "PAUSED");
        ObjectNode rejected = templateChange(null, name, "en", "REJECTED");
        ObjectNode flagged = templateChange(null, name, "en", "FLAGGED");
        ObjectNode marker = marker();
        fx.deliver(account, payload(entry(account, paused, rejected, flagged, change(account, List.of(marker)))));
        fx.awaitMarker(marker);

        assertEquals("PAUSED", template(byId).get("status"));
        assertEquals("REJECTED", template(byName).get("status"));
        assertEquals("APPROVED", template(othersSameName).get("status"), "another WABA's template of the same name");
    }

    private Map<String, Object> template(long id) {
        return fx.herald.queryOne("SELECT * FROM whatsapp_template WHERE id = ?", id);
    }

    private static ObjectNode templateChange(String templateId, String name, String language, String event) {
        ObjectNode change = herald.testing.ApiClient.JSON.createObjectNode();
        change.put("field", "message_template_status_update");
        ObjectNode value = change.putObject("value");
        value.put("event", event);
        if (templateId != null) {
            value.put("message_template_id", Long.parseLong(templateId));
        }
        value.put("message_template_name", name);
        value.put("message_template_language", language);
        value.put("reason", "NONE");
        return change;
    }

    @Test
    void stopAndUnsubscribeAreRecordedAsOptOuts() {
        Account account = fx.account("app-secret-" + WebhookFixture.digits(), true);
        String stop = "49151" + WebhookFixture.digits();
        String unsubscribe = "49152" + WebhookFixture.digits();
        String chatty = "49153" + WebhookFixture.digits();
        ObjectNode change = change(account, List.of(marker()));
        ObjectNode marker = (ObjectNode) change.get("value").get("statuses").get(0);
        com.fasterxml.jackson.databind.node.ArrayNode messages = ((ObjectNode) change.get("value")).putArray("messages");
        messages.add(inbound(stop, "  Stop "));
        messages.add(inbound(stop, "STOP"));
        messages.add(inbound(unsubscribe, "unsubscribe"));
        messages.add(inbound(chatty, "please stop sending"));
        fx.deliver(account, payload(entry(account, change)));
        fx.awaitMarker(marker);

        List<Map<String, Object>> optOuts = fx.herald.query(
                "SELECT wa_number, keyword FROM whatsapp_opt_out WHERE account_id = ? ORDER BY wa_number", account.id());
        assertEquals(List.of(Map.of("wa_number", "+" + stop, "keyword", "STOP"),
                Map.of("wa_number", "+" + unsubscribe, "keyword", "UNSUBSCRIBE")), optOuts);
    }

    private static ObjectNode inbound(String from, String text) {
        ObjectNode message = herald.testing.ApiClient.JSON.createObjectNode();
        message.put("from", from);
        message.put("id", WebhookFixture.wamid());
        message.put("timestamp", Long.toString(T0));
        message.put("type", "text");
        message.putObject("text").put("body", text);
        return message;
    }

    @Test
    void concurrentDeliveriesInAnyOrderEndAtTheFurthestStatus() throws Exception {
        Account account = fx.account("app-secret-" + WebhookFixture.digits(), true);
        Campaign campaign = fx.sentCampaign(account, 40);
        List<ObjectNode> events = new ArrayList<>();
        for (long id : campaign.messageIds()) {
            String wamid = wamidOf(id);
            events.add(status(wamid, "sent", T0 + 10));
            events.add(status(wamid, "delivered", T0 + 20));
            events.add(status(wamid, "read", T0 + 30));
        }
        // Each event goes out three times, shuffled across 24 POSTs sent 8 at a time.
        List<ObjectNode> all = new ArrayList<>();
        for (int copy = 0; copy < 3; copy++) {
            all.addAll(events);
        }
        Collections.shuffle(all, new Random(42));
        int posts = 24;
        List<ObjectNode> markers = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> sent = new ArrayList<>();
            for (int p = 0; p < posts; p++) {
                List<ObjectNode> slice = new ArrayList<>(all.subList(p * all.size() / posts, (p + 1) * all.size() / posts));
                ObjectNode marker = marker();
                markers.add(marker);
                slice.add(marker);
                sent.add(pool.submit(() -> fx.deliver(account, payload(account, slice.toArray(ObjectNode[]::new)))));
            }
            for (Future<?> f : sent) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        markers.forEach(fx::awaitMarker);

        for (long id : campaign.messageIds()) {
            Map<String, Object> message = fx.message(id);
            assertEquals("Read", message.get("status"), "message " + id);
            assertEquals(Instant.ofEpochSecond(T0 + 30), instant(message.get("read_at")));
            assertEquals(3, fx.receipts(id).size(), "one receipt per distinct event of message " + id);
        }
    }
}
