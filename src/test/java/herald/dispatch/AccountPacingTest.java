package herald.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import herald.simulator.SimTemplate;
import herald.testing.HeraldServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An account's messages per second is never exceeded in any one-second window. The simulator's
 * cap equals the account's rate, so an excess shows twice: as the peak it admitted and as 130429
 * refusals. Herald paces at a share of the rate (herald.send.rate-headroom), so hardly any is
 * expected; one that slips through must have been retried, never failed. Each run prints what it saw.
 *
 * <p>Sizes: {@code -Dherald.test.dispatch.pacing-size-80} (CI 300) and
 * {@code -Dherald.test.dispatch.pacing-size-1000} (CI 3,000) recipients.
 */
class AccountPacingTest {

    private final DispatchFixture fixture = new DispatchFixture();

    @AfterEach
    void stopWhatIsLeft() throws Exception {
        fixture.close();
    }

    @ParameterizedTest(name = "{0} messages per second")
    @CsvSource({"80, 300", "1000, 3000"})
    void theAccountRateIsNeverExceeded(int messagesPerSecond, int ciSize) {
        int recipients = DispatchFixture.size("herald.test.dispatch.pacing-size-" + messagesPerSecond, ciSize);
        SimTemplate template = new SimTemplate("1" + FakeMeta.newId(), HeraldServer.unique("pacing"), "en", "APPROVED",
                "MARKETING", "POSITIONAL", "NONE", null, "Hi {{1}}, the sale starts today.");
        FakeMeta meta = fixture.use(FakeMeta.start(messagesPerSecond, b -> b, template));
        long account = fixture.account(meta, messagesPerSecond);
        long templateId = fixture.template(account, template);
        List<String> numbers = DispatchFixture.numbers(recipients);
        String campaign = fixture.commonCampaign(templateId, null, Map.of("1", "friend"), numbers, null);
        fixture.submit(campaign);

        JsonNode progress = fixture.awaitStatus(campaign, DispatchFixture.limitFor(recipients, messagesPerSecond),
                "Completed", "Partially Failed", "Paused");
        JsonNode stats = meta.stats();
        long peak = stats.path("peakPerSecond").path(meta.phoneNumberId).asLong();
        long throttled = meta.rejections(130429);
        System.out.printf("AccountPacingTest at %d mps, %d recipients: peak %d in one second, %d refused with 130429 (%s)%n",
                messagesPerSecond, recipients, peak, throttled, fixture.herald.db());

        assertEquals("Completed", progress.path("status").asText(), progress::toString);
        assertEquals(recipients, progress.path("sent").asLong(), progress::toString);
        assertEquals(0, progress.path("failed").asLong(), progress::toString);
        DispatchFixture.assertAcceptedOnceEach(meta, new HashSet<>(numbers));
        assertTrue(peak > 0 && peak <= messagesPerSecond, "peak " + peak + " in one second");
        // Herald spaces sends evenly at 90% of the rate, but a busy machine can delay a few and
        // release them together: the simulator then refuses the excess with 130429. That is
        // allowed only as a rare event whose messages were retried (none failed, each accepted once).
        assertTrue(throttled <= recipients / 50, "sends refused for exceeding the account's rate: "
                + stats.path("rejectionsByCode"));
    }
}
