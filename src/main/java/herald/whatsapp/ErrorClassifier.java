package herald.whatsapp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;

/**
 * Reads the answer to a send and says what the sender must do next (reference §2).
 *
 * <p>The decision follows Meta's error {@code code}, because throttling codes documented as
 * HTTP 429 often arrive as HTTP 400. A Graph error body, whatever its HTTP status, means Meta
 * answered and refused: nothing was sent, and a transient code (1, 2, 131000, ...) is safe to
 * retry. The HTTP status only matters when there is no Graph error body to read: any 5xx then
 * comes from something between Herald and Meta (a proxy, a load balancer, a gateway) that may
 * have passed the request on to Meta, so the send is unknown and never retried; anything else
 * pauses the campaign, since an answer that is not Meta's (a wrong base URL) would otherwise fail
 * every recipient in turn.
 */
public final class ErrorClassifier {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final long THROUGHPUT_WAIT = 1_000;
    private static final long CALL_RATE_WAIT = 60_000;
    // 4^0 seconds: the first step of the pair-rate backoff the caller grows per recipient.
    private static final long PAIR_RATE_WAIT = 1_000;
    private static final long TRANSIENT_WAIT = 5_000;
    // Maintenance mode also covers the throughput upgrade, which takes about a minute.
    private static final long MAINTENANCE_WAIT = 60_000;

    private ErrorClassifier() {
    }

    public static CloudApiOutcome classify(int httpStatus, String responseBody) {
        JsonNode root = parse(responseBody);
        JsonNode error = root.path("error");
        if (error.path("code").isIntegralNumber()) {
            return fromError(httpStatus, error);
        }
        if (httpStatus >= 200 && httpStatus < 300) {
            JsonNode message = root.path("messages").path(0);
            String wamid = message.path("id").asText("");
            if (wamid.isEmpty()) {
                return CloudApiOutcome.failure(CloudApiOutcome.Kind.UNKNOWN, httpStatus, null, null,
                        "HTTP " + httpStatus + " without messages[0].id", null, null, 0, false);
            }
            return CloudApiOutcome.accepted(httpStatus, wamid,
                    message.path("message_status").asText(null),
                    root.path("contacts").path(0).path("wa_id").asText(null));
        }
        String message = "HTTP " + httpStatus + " without a Graph error body";
        if (httpStatus >= 500) {
            // Meta has no idempotency key (reference §1): a resend of a request it took while the
            // proxy failed or stopped waiting would deliver the message twice.
            return CloudApiOutcome.failure(CloudApiOutcome.Kind.UNKNOWN, httpStatus, null, null,
                    message + ": the answer was lost, Meta may have accepted the message", null, null, 0, false);
        }
        return CloudApiOutcome.failure(CloudApiOutcome.Kind.CAMPAIGN_MUST_PAUSE, httpStatus, null, null,
                message, null, null, 0, false);
    }

    public static CloudApiOutcome unknown(String reason) {
        return CloudApiOutcome.failure(CloudApiOutcome.Kind.UNKNOWN, 0, null, null, reason, null, null, 0, false);
    }

    /**
     * Codes that limit the whole app or business account (call rate 4, WABA rate 80007): every
     * message through the account would be refused the same way until the wait is over.
     */
    public static boolean holdsAccount(int code) {
        return code == 4 || code == 80007;
    }

    /** Codes after which sending the same marketing message again harms the recipient or the account. */
    public static boolean resendForbidden(int code) {
        return code == 131050 || code == 131049 || code == 130472;
    }

    private static CloudApiOutcome fromError(int httpStatus, JsonNode error) {
        int code = error.path("code").asInt();
        String title = error.hasNonNull("title") ? error.get("title").asText() : error.path("type").asText(null);
        String message = error.path("message").asText(null);
        String details = error.path("error_data").path("details").asText(null);
        String fbtraceId = error.path("fbtrace_id").asText(null);
        CloudApiOutcome.Kind kind = kindOf(code);
        if (kind == null) {
            kind = httpStatus >= 500 ? CloudApiOutcome.Kind.RETRY_LATER : CloudApiOutcome.Kind.RECIPIENT_FAILED;
        }
        long wait = kind == CloudApiOutcome.Kind.RETRY_LATER ? retryAfter(code) : 0;
        return CloudApiOutcome.failure(kind, httpStatus, code, title, message, details, fbtraceId,
                wait, code == 131056);
    }

    /**
     * The error of a {@code failed} status webhook, classified as if it had come in the send's
     * answer: 131042 and 131048 come either way (reference §2) and call for the same stop.
     */
    public static CloudApiOutcome asynchronousFailure(int code, String title, String message, String details) {
        CloudApiOutcome.Kind kind = kindOf(code);
        return CloudApiOutcome.failure(kind == null ? CloudApiOutcome.Kind.RECIPIENT_FAILED : kind, 0, code, title,
                message, details, null, 0, false);
    }

    private static CloudApiOutcome.Kind kindOf(int code) {
        if (code >= 200 && code <= 299) {
            return CloudApiOutcome.Kind.ACCOUNT_MUST_STOP;
        }
        switch (code) {
            case 0: case 190:
            case 3: case 10: case 131005:
            case 368: case 131031:
            case 131042:
            case 131045: case 133010:
                return CloudApiOutcome.Kind.ACCOUNT_MUST_STOP;
            case 131048: case 131064:
            case 132001: case 132015: case 132016:
                return CloudApiOutcome.Kind.CAMPAIGN_MUST_PAUSE;
            case 4: case 80007:
            case 130429:
            case 131056:
            case 1: case 2: case 131000: case 131016: case 131057:
                return CloudApiOutcome.Kind.RETRY_LATER;
            case 100: case 131008: case 131009:
            case 132000: case 132012: case 132018: case 132005: case 132007:
            case 131021: case 130497:
            case 131026: case 131049: case 131050: case 130472:
            case 131051: case 131053: case 135000:
                return CloudApiOutcome.Kind.RECIPIENT_FAILED;
            default:
                return null;
        }
    }

    private static long retryAfter(int code) {
        switch (code) {
            case 130429:
                return THROUGHPUT_WAIT;
            case 4: case 80007:
                return CALL_RATE_WAIT;
            case 131056:
                return PAIR_RATE_WAIT;
            case 131057:
                return MAINTENANCE_WAIT;
            default:
                return TRANSIENT_WAIT;
        }
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return MAPPER.missingNode();
        }
        try {
            return MAPPER.readTree(body);
        } catch (IOException e) {
            return MAPPER.missingNode();
        }
    }
}
