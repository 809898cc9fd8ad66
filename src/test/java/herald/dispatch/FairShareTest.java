package herald.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import herald.simulator.SimTemplate;
import herald.testing.HeraldServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An account's running campaigns share its rate: a small campaign submitted while a large one of
 * the same account is sending starts within seconds, not after the large one, and while both run
 * each gets about half of the account's messages per second, never more than the rate together.
 * What counts is what reached the simulator, as the proxy in front of it saw it arrive.
 */
class FairShareTest {

    private static final int RATE = 40;

    private final DispatchFixture fixture = new DispatchFixture();

    @AfterEach
    void stopWhatIsLeft() throws Exception {
        fixture.close();
    }

    @Test
    void campaignsOfOneAccountShareItsRate() throws Exception {
        SimTemplate template = new SimTemplate("1" + FakeMeta.newId(), HeraldServer.unique("fair"), "en", "APPROVED",
                "MARKETING", "POSITIONAL", "NONE", null, "Hi {{1}}, the sale starts today.");
        FakeMeta meta = fixture.use(FakeMeta.start(RATE, b -> b, template));
        RecordingProxy wire = fixture.use(new RecordingProxy(meta.baseUrl()));
        long account = fixture.account(meta, RATE, null, wire.baseUrl());
        long templateId = fixture.template(account, template);
        List<String> largeNumbers = DispatchFixture.numbers(1200);
        List<String> smallNumbers = DispatchFixture.numbers(200);
        String large = fixture.commonCampaign(templateId, null, Map.of("1", "friend"), largeNumbers, null);
        String small = fixture.commonCampaign(templateId, null, Map.of("1", "friend"), smallNumbers, null);

        fixture.submit(large);
        DispatchFixture.await("the large campaign to send", Duration.ofSeconds(60),
                () -> wire.messages().size() >= 3 * RATE, () -> wire.messages().size() + " sent");
        long smallSubmitted = System.currentTimeMillis();
        fixture.submit(small);
        JsonNode smallDone = fixture.awaitStatus(small, DispatchFixture.limitFor(1400, RATE), "Completed", "Partially Failed");
        JsonNode largeDone = fixture.awaitStatus(large, DispatchFixture.limitFor(1400, RATE), "Completed", "Partially Failed");

        Set<String> smallSet = new HashSet<>(smallNumbers);
        List<Long> smallTimes = new ArrayList<>();
        List<Long> acceptedTimes = new ArrayList<>();
        List<RecordingProxy.Exchange> accepted = new ArrayList<>();
        for (RecordingProxy.Exchange e : wire.messages()) {
            if (e.status() == 200) {
                acceptedTimes.add(e.arrivedAtMillis());
                accepted.add(e);
                if (smallSet.contains(e.request().path("to").asText())) {
                    smallTimes.add(e.arrivedAtMillis());
                }
            }
        }
        smallTimes.sort(null);
        acceptedTimes.sort(null);
        long smallStart = smallTimes.get(0) - smallSubmitted;
        // Both run from the small one's first send to its last; its edges are left out.
        long from = smallTimes.get(0) + 1000;
        long to = smallTimes.get(smallTimes.size() - 1) - 1000;
        long smallInWindow = 0;
        long largeInWindow = 0;
        for (RecordingProxy.Exchange e : accepted) {
            if (e.arrivedAtMillis() >= from && e.arrivedAtMillis() <= to) {
                if (smallSet.contains(e.request().path("to").asText())) {
                    smallInWindow++;
                } else {
                    largeInWindow++;
                }
            }
        }
        int busiestSecond = 0;
        for (int i = 0, j = 0; i < acceptedTimes.size(); i++) {
            while (acceptedTimes.get(i) - acceptedTimes.get(j) >= 1000) {
                j++;
            }
            busiestSecond = Math.max(busiestSecond, i - j + 1);
        }
        double smallShare = (double) smallInWindow / Math.max(1, smallInWindow + largeInWindow);
        double seconds = (to - from) / 1000.0;
        System.out.printf("FairShareTest at %d mps (%s): the small campaign's first send %d ms after its submit; "
                        + "while both ran (%.1f s): small %d (%.1f/s), large %d (%.1f/s), small share %.2f; "
                        + "busiest second %d accepted, simulator peak %d, %d refused with 130429%n",
                RATE, fixture.herald.db(), smallStart, seconds, smallInWindow, smallInWindow / seconds, largeInWindow,
                largeInWindow / seconds, smallShare, busiestSecond,
                meta.stats().path("peakPerSecond").path(meta.phoneNumberId).asLong(), meta.rejections(130429));

        assertEquals("Completed", smallDone.path("status").asText(), smallDone::toString);
        assertEquals("Completed", largeDone.path("status").asText(), largeDone::toString);
        Set<String> all = new HashSet<>(largeNumbers);
        all.addAll(smallNumbers);
        DispatchFixture.assertAcceptedOnceEach(meta, all);
        // The large campaign alone needs 30 s at the account's rate: the small one starts after
        // the large one's window and a split tick, slower only when the machine is very busy.
        assertTrue(smallStart < 10_000, "the small campaign waited " + smallStart + " ms for its first send");
        assertTrue(seconds >= 5, "the campaigns ran together for only " + seconds + " s");
        assertTrue(smallShare > 0.35 && smallShare < 0.65, "the small campaign's share while both ran: " + smallShare);
        assertTrue(busiestSecond <= RATE, busiestSecond + " sends accepted in one second");
        assertTrue(meta.stats().path("peakPerSecond").path(meta.phoneNumberId).asLong() <= RATE);
    }
}
