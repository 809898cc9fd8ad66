package herald.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import herald.dispatch.AccountRateLimiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** How the send and webhook routes' events become counters and timers. */
class HeraldMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final HeraldMetrics metrics = new HeraldMetrics(null, registry, null,
            new AccountRateLimiter(0.9, 1, 10_000), List.of(), 1000);

    private static Map<String, Object> result(String kind, Integer code, boolean throughput) {
        Map<String, Object> result = new HashMap<>();
        result.put("kind", kind);
        result.put("code", code);
        result.put("throughput", throughput);
        return result;
    }

    private double sends(String outcome, String errorCode) {
        Counter counter = registry.find("herald.sends").tag("outcome", outcome).tag("error_code", errorCode).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void countsEachCallByOutcomeAndMetaErrorCode() {
        Map<String, Object> send = Map.of("account_id", 7L);
        metrics.recordSend(result("ACCEPTED", null, false), send);
        metrics.recordSend(result("ACCEPTED", null, false), send);
        metrics.recordSend(result("RECIPIENT_FAILED", 131026, false), send);
        metrics.recordSend(result("UNKNOWN", null, false), send);

        assertEquals(2, sends("accepted", "none"));
        assertEquals(1, sends("recipient_failed", "131026"));
        assertEquals(1, sends("unknown", "none"));
        assertEquals(0, sends("retry_later", "130429"));
        assertNull(registry.find("herald.cloudapi.throughput.exceeded").counter(), "no 130429 yet");
    }

    @Test
    void counts130429PerAccountBesidesTheSend() {
        metrics.recordSend(result("RETRY_LATER", 130429, true), Map.of("account_id", 7L));
        metrics.recordSend(result("RETRY_LATER", 130429, true), Map.of("account_id", 7L));
        metrics.recordSend(result("RETRY_LATER", 130429, true), Map.of("account_id", 8L));
        metrics.recordSend(result("RETRY_LATER", 131000, false), Map.of("account_id", 8L));

        assertEquals(3, sends("retry_later", "130429"));
        assertEquals(1, sends("retry_later", "131000"));
        assertEquals(2, registry.get("herald.cloudapi.throughput.exceeded").tag("account_id", "7").counter().count());
        assertEquals(1, registry.get("herald.cloudapi.throughput.exceeded").tag("account_id", "8").counter().count());
    }

    @Test
    void countsMatchedStatusEventsByStatusAppliedOnesByTheInsertsCountAndTimesTheirLag() {
        OffsetDateTime minuteAgo = OffsetDateTime.now(ZoneOffset.UTC).minusMinutes(1);
        List<Map<String, Object>> receipts = List.of(Map.of("status", "Delivered", "timestamp", minuteAgo),
                Map.of("status", "Delivered", "timestamp", minuteAgo), Map.of("status", "Read", "timestamp", minuteAgo));
        // One of the three was a repeat: its receipt was already there, so the insert counted two.
        metrics.recordStatusEvents(Map.of("receipts", receipts), 2);

        assertEquals(2, registry.get("herald.webhook.status.events.matched").tag("status", "Delivered").counter().count());
        assertEquals(1, registry.get("herald.webhook.status.events.matched").tag("status", "Read").counter().count());
        assertEquals(0, registry.get("herald.webhook.status.events.matched").tag("status", "Failed").counter().count());
        assertEquals(2, registry.get("herald.webhook.status.events.applied").counter().count());
        Timer lag = registry.get("herald.webhook.status.event.lag").timer();
        assertEquals(3, lag.count());
        assertTrue(lag.max(TimeUnit.SECONDS) >= 60, "a minute at least: " + lag.max(TimeUnit.SECONDS));
    }

    @Test
    void theAcceptedSeriesExistsBeforeTheFirstSend() {
        assertEquals(0, registry.get("herald.sends").tag("outcome", "accepted").tag("error_code", "none").counter().count());
    }
}
