package herald.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import herald.simulator.SimTemplate;
import herald.testing.HeraldServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Cancelling a running campaign: once the cancel is committed, no new send starts. A send that
 * was already claimed (status Sending) when the cancel returned may still reach Meta; anything
 * else reaching it afterwards was started after the cancel.
 *
 * <p>Size: {@code -Dherald.test.dispatch.cancel-size} recipients (CI 600) at 40 messages a second.
 */
class CancelCampaignTest {

    private static final int RECIPIENTS = DispatchFixture.size("herald.test.dispatch.cancel-size", 600);
    private static final int RATE = 40;

    private final DispatchFixture fixture = new DispatchFixture();

    @AfterEach
    void stopWhatIsLeft() throws Exception {
        fixture.close();
    }

    @Test
    void nothingStartsAfterTheCancelIsCommitted() throws InterruptedException {
        SimTemplate template = new SimTemplate("3" + FakeMeta.newId(), HeraldServer.unique("cancel_me"), "en",
                "APPROVED", "MARKETING", "POSITIONAL", "NONE", null, "Hi {{1}}, a new offer awaits.");
        FakeMeta meta = fixture.use(FakeMeta.start(RATE, b -> b, template));
        long account = fixture.account(meta, RATE);
        long templateId = fixture.template(account, template);
        List<String> numbers = DispatchFixture.numbers(RECIPIENTS);
        String campaign = fixture.commonCampaign(templateId, null, Map.of("1", "friend"), numbers, null);
        fixture.submit(campaign);
        DispatchFixture.await("sending to be under way", Duration.ofMinutes(2), () -> meta.accepted() >= 2 * RATE,
                () -> meta.stats().toString());

        fixture.api.post("/api/campaigns/" + campaign + "/cancel", Map.of()).expect(200);
        Set<String> inFlight = fixture.numbersWithStatus(campaign, "Sending");
        Set<String> acceptedAtCancel = meta.acceptedByRecipient().keySet();

        // The Throttler holds sends up to consumers ÷ rate seconds ahead; wait well past that.
        Thread.sleep(3_000);
        fixture.awaitNothingInFlight(campaign, Duration.ofMinutes(1));
        Map<String, Long> acceptedLater = meta.acceptedByRecipient();
        Set<String> lateArrivals = new HashSet<>(acceptedLater.keySet());
        lateArrivals.removeAll(acceptedAtCancel);
        System.out.printf("CancelCampaignTest: %d accepted when the cancel returned, %d in flight, %d arrived later (%s)%n",
                acceptedAtCancel.size(), inFlight.size(), lateArrivals.size(), fixture.herald.db());

        Set<String> startedAfterCancel = new HashSet<>(lateArrivals);
        startedAfterCancel.removeAll(inFlight);
        assertEquals(Set.of(), startedAfterCancel, "sends that reached Meta although they were not in flight at the cancel");
        assertEquals("Cancelled", fixture.status(campaign));
        assertTrue(acceptedLater.size() < numbers.size(), "the cancel came before the end: " + acceptedLater.size());

        Set<String> sent = fixture.numbersWithStatus(campaign, "Sent");
        Set<String> cancelled = fixture.numbersWithStatus(campaign, "Cancelled");
        assertEquals(acceptedLater.keySet(), sent, "Herald's Sent rows are exactly what Meta accepted");
        Map<String, Long> rows = fixture.messageCounts(campaign);
        assertEquals(rows.values().stream().mapToLong(Long::longValue).sum(), sent.size() + cancelled.size(),
                "every message is Sent or Cancelled: " + rows);
        DispatchFixture.assertAcceptedOnceEach(meta, sent);
    }
}
