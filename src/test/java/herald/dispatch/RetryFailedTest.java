package herald.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
 * Retry Failed resends exactly the failed messages that may be resent, once each; a message Meta
 * accepted is never sent again, and opt-outs (131050), ecosystem holds (131049) and invalid rows
 * are skipped with their reasons.
 *
 * <p>The recipient failures are real: part way through, the account is pointed at a Meta whose
 * copy of the template has a placeholder more (132000). 131050 and 131049 arrive by webhook in
 * production; they are written here as the webhook would leave them, since the simulator's
 * webhooks need the webhook route to be applied.
 */
class RetryFailedTest {

    private static final Duration LIMIT = Duration.ofMinutes(4);
    private static final int RATE = 50;

    private final DispatchFixture fixture = new DispatchFixture();

    @AfterEach
    void stopWhatIsLeft() throws Exception {
        fixture.close();
    }

    @Test
    void retryFailedResendsExactlyTheEligibleFailures() throws SQLException {
        String name = HeraldServer.unique("statement");
        SimTemplate good = new SimTemplate("4" + FakeMeta.newId(), name, "en", "APPROVED", "UTILITY", "POSITIONAL",
                "NONE", null, "Your statement is ready, {{1}}.");
        SimTemplate changed = new SimTemplate("4" + FakeMeta.newId(), name, "en", "APPROVED", "UTILITY", "POSITIONAL",
                "NONE", null, "Your statement {{2}} is ready, {{1}}.");
        FakeMeta goodMeta = fixture.use(FakeMeta.start(RATE, b -> b, good));
        FakeMeta changedMeta = fixture.use(FakeMeta.start(goodMeta.phoneNumberId, goodMeta.wabaId,
                goodMeta.accessToken, RATE, b -> b, changed));
        long account = fixture.account(goodMeta, RATE);
        long templateId = fixture.template(account, good);
        // Enough recipients that many are still to be sent when the account is switched below.
        List<String> numbers = DispatchFixture.numbers(200);
        List<Map<String, Object>> rows = DispatchFixture.recipients(numbers, null);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("title", "Retry failed");
        body.put("recipientType", "Individual Recipients");
        body.put("variableType", "Common");
        body.put("templateId", templateId);
        body.put("templateVariables", Map.of("1", "Anna"));
        body.put("recipients", rows);
        String campaign = fixture.createCampaign(body);
        addUncheckedRecipient(campaign, numbers.size() + 1, "+49 12");
        fixture.api.post("/api/campaigns/" + campaign + "/submit?skipInvalid=true", Map.of()).expect(202);

        DispatchFixture.await("the first sends", LIMIT, () -> goodMeta.accepted() >= 15, () -> goodMeta.stats().toString());
        fixture.updateAccount(account, Map.of("apiBaseUrl", changedMeta.baseUrl()));
        fixture.awaitStatus(campaign, LIMIT, "Partially Failed", "Completed", "Paused");

        Set<String> sentFirst = fixture.numbersWithStatus(campaign, "Sent");
        Set<String> mismatched = new HashSet<>();
        fixture.messages(campaign).forEach((number, row) -> {
            if (row.get("error_code") != null && ((Number) row.get("error_code")).intValue() == 132000) {
                mismatched.add(number);
            }
        });
        assertFalse(sentFirst.isEmpty(), "some were sent before the switch");
        assertFalse(mismatched.isEmpty(), "some failed after it: " + fixture.messageCounts(campaign));
        assertEquals(numbers.size(), sentFirst.size() + mismatched.size(), () -> fixture.messageCounts(campaign).toString());

        // Failures that came by webhook: an opt-out, an ecosystem hold, and an undeliverable number.
        String optedOut = DispatchFixture.numberEndingIn("0050");
        String heldBack = DispatchFixture.numberEndingIn("0049");
        String undeliverable = DispatchFixture.numberEndingIn("0026");
        addFailedMessage(campaign, numbers.size() + 2, optedOut, 131050);
        addFailedMessage(campaign, numbers.size() + 3, heldBack, 131049);
        addFailedMessage(campaign, numbers.size() + 4, undeliverable, 131026);

        fixture.updateAccount(account, Map.of("apiBaseUrl", goodMeta.baseUrl()));
        JsonNode answer = fixture.api.post("/api/campaigns/" + campaign + "/retry-failed", Map.of()).json(200);
        assertEquals(mismatched.size() + 1, answer.path("requeued").asLong(), answer::toString);
        assertEquals(3, answer.path("skipped").asLong(), answer::toString);
        List<String> reasons = new ArrayList<>();
        answer.path("skippedReasons").forEach(r -> {
            assertEquals(1, r.path("count").asLong(), answer::toString);
            reasons.add(r.path("reason").asText());
        });
        assertTrue(reasons.stream().anyMatch(r -> r.startsWith("131050")), reasons::toString);
        assertTrue(reasons.stream().anyMatch(r -> r.startsWith("131049")), reasons::toString);
        assertTrue(reasons.stream().anyMatch(r -> r.contains("invalid recipient")), reasons::toString);

        JsonNode done = fixture.awaitStatus(campaign, LIMIT, "Partially Failed", "Completed", "Paused");
        assertEquals("Partially Failed", done.path("status").asText(), done::toString);
        assertEquals(3, done.path("failed").asLong(), done::toString);
        Set<String> expected = new HashSet<>(sentFirst);
        expected.addAll(mismatched);
        expected.add(undeliverable);
        DispatchFixture.assertAcceptedOnceEach(goodMeta, expected);
        assertEquals(0, changedMeta.accepted());
        assertEquals(expected, fixture.numbersWithStatus(campaign, "Sent"));
        // The unreadable number is kept as a Failed row without a number.
        assertEquals(new HashSet<>(Arrays.asList(optedOut, heldBack, null)), fixture.numbersWithStatus(campaign, "Failed"));
    }

    /**
     * A row the save would refuse, stored as a Draft saved before that check holds it: the submit
     * with skipInvalid records it as Failed.
     */
    private void addUncheckedRecipient(String campaign, int position, String number) throws SQLException {
        try (Connection c = fixture.herald.dataSource().getConnection();
             PreparedStatement recipient = c.prepareStatement("INSERT INTO campaign_recipient (campaign_id, idx, "
                     + "mobile_number, recipient_name) SELECT id, ?, ?, 'Not a number' FROM bulk_whatsapp_message "
                     + "WHERE name = ?")) {
            recipient.setInt(1, position);
            recipient.setString(2, number);
            recipient.setString(3, campaign);
            assertEquals(1, recipient.executeUpdate());
        }
    }

    /**
     * A recipient whose message Meta failed by webhook, with the rows the split and the webhook
     * would have left: the submit counted it among the rows it checked, so the split ends after it.
     */
    private void addFailedMessage(String campaign, int position, String number, int errorCode) throws SQLException {
        Map<String, Object> model = fixture.herald.queryOne("SELECT m.bulk_message_reference, m.account_id, m.template_id, "
                + "m.parameters FROM whatsapp_message m JOIN bulk_whatsapp_message c ON c.id = m.bulk_message_reference "
                + "WHERE c.name = ? AND m.seq = 1", campaign);
        try (Connection c = fixture.herald.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement recipient = c.prepareStatement("INSERT INTO campaign_recipient "
                    + "(campaign_id, idx, mobile_number, recipient_name) VALUES (?, ?, ?, 'Webhook failure')");
                 PreparedStatement message = c.prepareStatement("INSERT INTO whatsapp_message (bulk_message_reference, seq, "
                         + "mobile_number, recipient_name, account_id, template_id, parameters, status, wamid, attempts, "
                         + "error_code, error_title, failed_at) VALUES (?, ?, ?, 'Webhook failure', ?, ?, ?, 'Failed', ?, 1, ?, "
                         + "'failed by webhook', CURRENT_TIMESTAMP)");
                 PreparedStatement splitEnd = c.prepareStatement("UPDATE bulk_whatsapp_message SET split_end = ? "
                         + "WHERE id = ?")) {
                recipient.setObject(1, model.get("bulk_message_reference"));
                recipient.setInt(2, position);
                recipient.setString(3, number);
                recipient.executeUpdate();
                message.setObject(1, model.get("bulk_message_reference"));
                message.setInt(2, position);
                message.setString(3, number);
                message.setObject(4, model.get("account_id"));
                message.setObject(5, model.get("template_id"));
                message.setObject(6, model.get("parameters"));
                message.setString(7, "wamid.webhook-" + FakeMeta.newId());
                message.setInt(8, errorCode);
                message.executeUpdate();
                splitEnd.setInt(1, position);
                splitEnd.setObject(2, model.get("bulk_message_reference"));
                splitEnd.executeUpdate();
            }
            c.commit();
        }
    }
}
