package herald.callbacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import herald.api.ApiException;
import herald.whatsapp.WebhookSignature;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** The callback bean alone: the secret's rules, what a request carries, and when the next attempt comes. */
class CampaignCallbacksTest {

    private static final String SECRET = "0123456789abcdef-secret";

    private final DefaultCamelContext context = new DefaultCamelContext();

    private static Map<String, Object> callback(int attempts, Instant deadline) {
        Map<String, Object> callback = new HashMap<>();
        callback.put("id", 7L);
        callback.put("url", "https://example.com/hook?x=1");
        callback.put("payload", "{\"campaign\":\"BULK-WA-2026-00001\",\"status\":\"Completed\"}");
        callback.put("campaign_name", "BULK-WA-2026-00001");
        callback.put("retry_round", 0);
        callback.put("attempts", attempts);
        callback.put("deadline_at", Timestamp.from(deadline));
        return callback;
    }

    private Exchange answered(int status) {
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        return exchange;
    }

    @Test
    void withoutASecretNoCampaignMayNameACallbackUrl() {
        CampaignCallbacks off = new CampaignCallbacks("", 1000, 10_000, 60, 1000);
        ApiException refused = assertThrows(ApiException.class, off::requireSigningSecret);
        assertEquals("callbackUrl", refused.field());
        assertTrue(refused.getMessage().contains("herald.callbacks.secret"), refused.getMessage());
        new CampaignCallbacks(SECRET, 1000, 10_000, 60, 1000).requireSigningSecret();
    }

    @Test
    void aShortSecretOrImpossibleScheduleStopsStartUp() {
        assertThrows(IllegalArgumentException.class, () -> new CampaignCallbacks("too-short", 1000, 10_000, 60, 1000));
        assertThrows(IllegalArgumentException.class, () -> new CampaignCallbacks(SECRET, 0, 10_000, 60, 1000));
        assertThrows(IllegalArgumentException.class, () -> new CampaignCallbacks(SECRET, 1000, 999, 60, 1000));
        assertThrows(IllegalArgumentException.class, () -> new CampaignCallbacks(SECRET, 1000, 10_000, 0, 1000));
    }

    @Test
    void theRequestCarriesThePayloadItsSignatureAndNoOtherHeader() {
        CampaignCallbacks callbacks = new CampaignCallbacks(SECRET, 1000, 10_000, 60, 1000);
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setHeader("Authorization", "Bearer internal");
        exchange.getMessage().setHeader("CamelSqlUpdateCount", 1);
        Map<String, Object> callback = callback(3, Instant.now().plusSeconds(60));

        callbacks.prepare(callback, exchange);

        byte[] body = exchange.getMessage().getBody(byte[].class);
        assertEquals(callback.get("payload"), new String(body, StandardCharsets.UTF_8));
        String signature = exchange.getMessage().getHeader(CampaignCallbacks.SIGNATURE_HEADER, String.class);
        assertTrue(WebhookSignature.verify(SECRET, body, signature), signature);
        assertFalse(WebhookSignature.verify("another-secret-0123", body, signature));
        assertEquals("https://example.com/hook?x=1", exchange.getMessage().getHeader(Exchange.HTTP_URI));
        assertEquals("POST", exchange.getMessage().getHeader(Exchange.HTTP_METHOD));
        assertEquals(3, exchange.getMessage().getHeader("X-Herald-Attempt"));
        assertNull(exchange.getMessage().getHeader("Authorization"), "nothing internal reaches the receiver");
        assertNull(exchange.getMessage().getHeader("CamelSqlUpdateCount"));
    }

    @Test
    void only2xxIsDelivered() {
        CampaignCallbacks callbacks = new CampaignCallbacks(SECRET, 1000, 10_000, 60, 1000);
        Map<String, Object> callback = callback(1, Instant.now().plusSeconds(60));
        for (int status : new int[] {200, 202, 204, 299}) {
            Map<String, Object> outcome = callbacks.answered(callback, answered(status));
            assertEquals(CampaignCallbacks.DELIVERED, outcome.get("state"), "HTTP " + status);
            assertNull(outcome.get("error"));
            assertNull(outcome.get("nextAttemptAt"));
        }
        for (int status : new int[] {0, 199, 301, 404, 500}) {
            Map<String, Object> outcome = callbacks.answered(callback, answered(status));
            assertEquals(CampaignCallbacks.PENDING, outcome.get("state"), "HTTP " + status);
            assertTrue(((String) outcome.get("error")).contains("HTTP " + status));
            assertNull(outcome.get("deliveredAt"));
        }
    }

    @Test
    void retriesBackOffDoublingUpToTheMaximumAndStopAtTheDeadline() {
        CampaignCallbacks callbacks = new CampaignCallbacks(SECRET, 1000, 10_000, 3600, 1000);
        Instant farDeadline = Instant.now().plusSeconds(3600);
        long[] expected = {1000, 2000, 4000, 8000, 10_000, 10_000};
        for (int attempt = 1; attempt <= expected.length; attempt++) {
            // Bracketed by the clock before and after the call: a pause of the machine in between
            // widens the bracket instead of looking like a longer delay.
            Instant before = Instant.now();
            Map<String, Object> outcome = callbacks.answered(callback(attempt, farDeadline), answered(503));
            Instant after = Instant.now();
            Instant next = ((Timestamp) outcome.get("nextAttemptAt")).toInstant();
            Duration delay = Duration.ofMillis(expected[attempt - 1]);
            assertTrue(!next.isBefore(before.plus(delay)) && !next.isAfter(after.plus(delay)),
                    "attempt " + attempt + " waits " + delay.toMillis() + " ms from the answer: next attempt at " + next
                            + ", answer judged between " + before + " and " + after);
        }

        Map<String, Object> late = callbacks.answered(callback(2, Instant.now().plusMillis(500)), answered(503));
        assertEquals(CampaignCallbacks.GAVE_UP, late.get("state"), "the next attempt would come after the deadline");
        assertNull(late.get("nextAttemptAt"));

        Exchange broken = new DefaultExchange(context);
        broken.setProperty(Exchange.EXCEPTION_CAUGHT, new java.net.ConnectException("Connection refused"));
        Map<String, Object> refused = callbacks.broken(callback(1, farDeadline), broken);
        assertEquals("ConnectException: Connection refused", refused.get("error"));
        assertNull(refused.get("httpStatus"));
        assertEquals(CampaignCallbacks.PENDING, refused.get("state"));
    }
}
