package herald.callbacks;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import herald.api.ApiException;
import herald.api.Views;
import herald.whatsapp.WebhookSignature;
import org.apache.camel.Exchange;
import org.apache.camel.Variable;

/**
 * Completion callbacks: the announcement of a campaign's final status, how each attempt to
 * deliver it is signed and judged, and when the next one is due. docs/callbacks.md tells a
 * receiver how to verify the signature.
 */
public class CampaignCallbacks {

    public static final String SIGNATURE_HEADER = "X-Herald-Signature";
    public static final String PENDING = "Pending";
    public static final String DELIVERED = "Delivered";
    public static final String GAVE_UP = "Gave up";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MIN_SECRET_LENGTH = 16;
    private static final int MAX_ERROR_LENGTH = 2000;

    private final String secret;
    private final long firstRetryMs;
    private final long maxRetryMs;
    private final long deadlineSeconds;
    private final long claimMs;

    /**
     * @param secret          the HMAC key the receiver shares; empty turns callbacks off
     * @param callTimeoutMs   the longest one call can take, so a claim on a callback outlasts its call
     */
    public CampaignCallbacks(String secret, long firstRetryMs, long maxRetryMs, long deadlineSeconds, long callTimeoutMs) {
        secret = secret == null ? "" : secret.trim();
        if (!secret.isEmpty() && secret.length() < MIN_SECRET_LENGTH) {
            throw new IllegalArgumentException("herald.callbacks.secret must be at least " + MIN_SECRET_LENGTH
                    + " characters (or empty to turn callbacks off)");
        }
        if (firstRetryMs < 1 || maxRetryMs < firstRetryMs || deadlineSeconds < 1) {
            throw new IllegalArgumentException("herald.callbacks: first-retry-ms must be at least 1, max-retry-ms at least "
                    + "first-retry-ms and deadline-seconds at least 1");
        }
        this.secret = secret;
        this.firstRetryMs = firstRetryMs;
        this.maxRetryMs = maxRetryMs;
        this.deadlineSeconds = deadlineSeconds;
        this.claimMs = 2 * callTimeoutMs + 60_000;
    }

    /** A campaign may only name a callbackUrl when Herald can sign what it sends there. */
    public void requireSigningSecret() {
        if (secret.isEmpty()) {
            throw ApiException.badRequest("callbackUrl", "completion callbacks are off on this Herald: set "
                    + "herald.callbacks.secret (environment HERALD_CALLBACKS_SECRET) to a secret of at least "
                    + MIN_SECRET_LENGTH + " characters shared with the receiver, which verifies X-Herald-Signature with it");
        }
    }

    /**
     * The outbox row announcing that a campaign reached a final status in its current retry
     * round: the payload (counts as Get Progress shows them) is fixed now, the first attempt is
     * due at once and the deadline runs from now.
     */
    public Map<String, Object> announcement(@Variable("campaign") Map<String, Object> campaign,
                                            @Variable("progress") Map<String, Object> progress) throws JsonProcessingException {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("event", "campaign.finished");
        payload.put("campaign", campaign.get("name"));
        payload.put("title", campaign.get("title"));
        payload.put("status", campaign.get("status"));
        payload.put("round", campaign.get("retry_round"));
        payload.put("finishedAt", Views.instant(campaign.get("cancelled_at") != null
                ? campaign.get("cancelled_at") : campaign.get("updated_at")));
        payload.putAll(progress);
        Instant now = Instant.now();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("campaignId", campaign.get("id"));
        row.put("round", campaign.get("retry_round"));
        row.put("status", campaign.get("status"));
        row.put("url", campaign.get("callback_url"));
        row.put("payload", JSON.writeValueAsString(payload));
        row.put("state", PENDING);
        row.put("nextAttemptAt", Timestamp.from(now));
        row.put("deadlineAt", Timestamp.from(now.plusSeconds(deadlineSeconds)));
        return row;
    }

    /** Until when a node that took a due callback holds it: past that, a crash mid-call is retried. */
    public Timestamp claimUntil() {
        return Timestamp.from(Instant.now().plusMillis(claimMs));
    }

    /**
     * Sets the request: the stored payload as the body, its signature, and no other header of
     * the exchange, so nothing internal reaches the receiver.
     */
    public void prepare(@Variable("callback") Map<String, Object> callback, Exchange exchange) {
        requireSigningSecret();
        byte[] body = ((String) callback.get("payload")).getBytes(StandardCharsets.UTF_8);
        exchange.getMessage().getHeaders().clear();
        exchange.getMessage().setHeader(Exchange.HTTP_URI, callback.get("url"));
        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json; charset=utf-8");
        exchange.getMessage().setHeader(SIGNATURE_HEADER, WebhookSignature.sign(secret, body));
        exchange.getMessage().setHeader("X-Herald-Campaign", callback.get("campaign_name"));
        exchange.getMessage().setHeader("X-Herald-Round", callback.get("retry_round"));
        exchange.getMessage().setHeader("X-Herald-Attempt", callback.get("attempts"));
        exchange.getMessage().setBody(body);
    }

    /** The receiver answered: only a 2xx counts as delivered. */
    public Map<String, Object> answered(@Variable("callback") Map<String, Object> callback, Exchange exchange) {
        int status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        return attempt(callback, status, status >= 200 && status < 300 ? null
                : "the receiver answered HTTP " + status + "; only 2xx counts as delivered");
    }

    /** The call broke (refused, timed out, reset) before an answer came. */
    public Map<String, Object> broken(@Variable("callback") Map<String, Object> callback, Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String error = failure == null ? "the call failed" : failure.getClass().getSimpleName() + ": " + failure.getMessage();
        return attempt(callback, null, error.length() > MAX_ERROR_LENGTH ? error.substring(0, MAX_ERROR_LENGTH) : error);
    }

    private Map<String, Object> attempt(Map<String, Object> callback, Integer httpStatus, String error) {
        Instant now = Instant.now();
        boolean delivered = error == null;
        int attempt = ((Number) callback.get("attempts")).intValue();
        Instant next = null;
        String state = DELIVERED;
        if (!delivered) {
            // 1, 2, 4, ... times the first delay, capped; no attempt is made after the deadline.
            long delay = firstRetryMs << Math.min(attempt - 1, 40);
            next = now.plusMillis(delay < 0 || delay > maxRetryMs ? maxRetryMs : delay);
            state = next.isAfter(instant(callback.get("deadline_at"))) ? GAVE_UP : PENDING;
            if (state.equals(GAVE_UP)) {
                next = null;
            }
        }
        Map<String, Object> outcome = new LinkedHashMap<>();
        outcome.put("callbackId", callback.get("id"));
        outcome.put("attempt", attempt);
        outcome.put("attemptedAt", Timestamp.from(now));
        outcome.put("httpStatus", httpStatus);
        outcome.put("error", error);
        outcome.put("state", state);
        outcome.put("nextAttemptAt", next == null ? null : Timestamp.from(next));
        outcome.put("deliveredAt", delivered ? Timestamp.from(now) : null);
        return outcome;
    }

    /** GET /api/campaigns/{name}/callbacks: each announcement with every attempt made to deliver it. */
    public Map<String, Object> view(@Variable("campaign") Map<String, Object> campaign,
                                    @Variable("callbacks") List<Map<String, Object>> callbacks,
                                    @Variable("attempts") List<Map<String, Object>> attempts) throws JsonProcessingException {
        List<Map<String, Object>> items = new ArrayList<>(callbacks.size());
        for (Map<String, Object> c : callbacks) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("id", c.get("id"));
            item.put("round", c.get("retry_round"));
            item.put("campaignStatus", c.get("campaign_status"));
            item.put("url", c.get("url"));
            item.put("state", c.get("state"));
            item.put("createdAt", Views.instant(c.get("created_at")));
            item.put("deadline", Views.instant(c.get("deadline_at")));
            item.put("nextAttemptAt", PENDING.equals(c.get("state")) ? Views.instant(c.get("next_attempt_at")) : null);
            item.put("deliveredAt", Views.instant(c.get("delivered_at")));
            item.put("payload", JSON.readTree((String) c.get("payload")));
            List<Map<String, Object>> tries = new ArrayList<>();
            for (Map<String, Object> a : attempts) {
                if (a.get("callback_id").equals(c.get("id"))) {
                    Map<String, Object> t = new LinkedHashMap<>();
                    t.put("attempt", a.get("attempt"));
                    t.put("attemptedAt", Views.instant(a.get("attempted_at")));
                    t.put("httpStatus", a.get("http_status"));
                    t.put("error", a.get("error"));
                    t.put("nextRetryAt", Views.instant(a.get("next_retry_at")));
                    tries.add(t);
                }
            }
            item.put("attempts", tries);
            items.add(item);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("campaign", campaign.get("name"));
        answer.put("callbackUrl", campaign.get("callback_url"));
        answer.put("callbacks", items);
        return answer;
    }

    private static Instant instant(Object stored) {
        if (stored instanceof Timestamp ts) {
            return ts.toInstant();
        }
        if (stored instanceof OffsetDateTime odt) {
            return odt.toInstant();
        }
        throw new IllegalStateException("not a stored timestamp: " + stored);
    }
}
