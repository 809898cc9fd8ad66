package herald.webhooks;

import static herald.webhooks.WebhookFixture.T0;
import static herald.webhooks.WebhookFixture.marker;
import static herald.webhooks.WebhookFixture.payload;
import static herald.webhooks.WebhookFixture.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import herald.webhooks.WebhookFixture.Account;
import herald.webhooks.WebhookFixture.Campaign;
import org.junit.jupiter.api.Test;

/**
 * Reference §2: 131048 (spam limit) and 131042 (payment) also come as a failed status webhook,
 * and call for the same stop as in a send's answer.
 */
class WebhookPauseTest {

    private final WebhookFixture fx = new WebhookFixture();

    private static ObjectNode failed(String wamid, long timestamp, int code, String title) {
        ObjectNode failed = status(wamid, "failed", timestamp);
        failed.remove("pricing");
        ObjectNode error = failed.putArray("errors").addObject();
        error.put("code", code);
        error.put("title", title);
        error.put("message", title);
        error.putObject("error_data").put("details", title + " (details)");
        return failed;
    }

    private Campaign runningCampaign(Account account, int size, long submittedAt) {
        Campaign campaign = fx.sentCampaign(account, size);
        fx.execute("UPDATE bulk_whatsapp_message SET submitted_at = ? WHERE id = ?",
                OffsetDateTime.ofInstant(Instant.ofEpochSecond(submittedAt), ZoneOffset.UTC), campaign.id());
        return campaign;
    }

    private String wamidOf(long messageId) {
        return (String) fx.message(messageId).get("wamid");
    }

    private Map<String, Object> campaignRow(Campaign campaign) {
        return fx.herald.queryOne("SELECT * FROM bulk_whatsapp_message WHERE id = ?", campaign.id());
    }

    private void deliverAndAwait(Account account, ObjectNode... statuses) {
        ObjectNode marker = marker();
        ObjectNode[] withMarker = java.util.Arrays.copyOf(statuses, statuses.length + 1);
        withMarker[statuses.length] = marker;
        fx.deliver(account, payload(account, withMarker));
        fx.awaitMarker(marker);
    }

    @Test
    void spamLimitFailurePausesItsCampaignButNotAgainAfterResume() {
        Account account = fx.account("app-secret-" + WebhookFixture.digits(), true);
        Campaign spammed = runningCampaign(account, 3, T0 - 100);
        Campaign other = runningCampaign(account, 2, T0 - 100);

        deliverAndAwait(account,
                failed(wamidOf(spammed.messageIds().get(0)), T0 + 10, 131048, "Spam rate limit hit"),
                failed(wamidOf(other.messageIds().get(0)), T0 + 10, 131026, "Message undeliverable"));

        Map<String, Object> paused = campaignRow(spammed);
        assertEquals("Paused", paused.get("status"));
        String reason = (String) paused.get("status_reason");
        assertTrue(reason.startsWith("Paused: Meta failed a sent message by webhook: 131048 Spam rate limit hit"), reason);
        assertTrue(reason.contains("Spam rate limit hit (details)"), reason);
        Map<String, Object> message = fx.message(spammed.messageIds().get(0));
        assertEquals("Failed", message.get("status"));
        assertEquals(131048, ((Number) message.get("error_code")).intValue());
        assertEquals("In Progress", campaignRow(other).get("status"), "131026 fails the recipient only");
        assertEquals("Failed", fx.status(other.messageIds().get(0)));

        fx.api.post("/api/campaigns/" + spammed.name() + "/resume", Map.of()).expect(200);
        assertNotNull(campaignRow(spammed).get("resumed_at"), "Resume records when it resumed");

        // Meta repeats the webhook, and a send that was in flight at the pause fails the same way:
        // both happened before the Resume, which the operator chose after seeing them.
        deliverAndAwait(account,
                failed(wamidOf(spammed.messageIds().get(0)), T0 + 10, 131048, "Spam rate limit hit"),
                failed(wamidOf(spammed.messageIds().get(1)), T0 + 11, 131048, "Spam rate limit hit"));
        assertNotEquals("Paused", campaignRow(spammed).get("status"));
        assertEquals("Failed", fx.status(spammed.messageIds().get(1)), "the message still records its failure");
    }

    @Test
    void aCampaignWithNothingLeftToSendIsNotPaused() {
        Account account = fx.account("app-secret-" + WebhookFixture.digits(), true);
        Campaign allSent = runningCampaign(account, 2, T0 - 100);
        fx.execute("UPDATE bulk_whatsapp_message SET split_state = 'DONE' WHERE id = ?", allSent.id());

        deliverAndAwait(account, failed(wamidOf(allSent.messageIds().get(0)), T0 + 10, 131048, "Spam rate limit hit"));

        assertNotEquals("Paused", campaignRow(allSent).get("status"), "a pause would only keep it from finishing");
        assertEquals(131048, ((Number) fx.message(allSent.messageIds().get(0)).get("error_code")).intValue());
    }

    @Test
    void paymentFailureStopsEveryRunningCampaignOfItsAccount() {
        Account account = fx.account("app-secret-" + WebhookFixture.digits(), true);
        Account elsewhere = fx.account("app-secret-" + WebhookFixture.digits(), true);
        Campaign failing = runningCampaign(account, 2, T0 - 100);
        Campaign sameAccount = runningCampaign(account, 2, T0 - 50);
        Campaign submittedAfter = runningCampaign(account, 2, T0 + 100);
        Campaign otherAccount = runningCampaign(elsewhere, 2, T0 - 100);

        deliverAndAwait(account, failed(wamidOf(failing.messageIds().get(0)), T0 + 10, 131042,
                "Business eligibility payment issue"));

        for (Campaign campaign : new Campaign[] {failing, sameAccount}) {
            Map<String, Object> row = campaignRow(campaign);
            assertEquals("Paused", row.get("status"), campaign.name());
            assertTrue(((String) row.get("status_reason")).startsWith(
                    "Paused: the WhatsApp Account cannot send: Meta failed a sent message by webhook: 131042"),
                    (String) row.get("status_reason"));
        }
        assertEquals("In Progress", campaignRow(submittedAfter).get("status"), "submitted after the failure");
        assertEquals("In Progress", campaignRow(otherAccount).get("status"), "another account sends on");
    }
}
