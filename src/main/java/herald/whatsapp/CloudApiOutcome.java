package herald.whatsapp;

/**
 * What one send to the Cloud API came to, as far as the sender has to act on it.
 *
 * <p>{@code httpStatus} is 0 when no answer was read. {@code retryAfterMillis} is only a
 * suggestion: Meta sends no {@code Retry-After}. When {@code pairRate} is set the limit is per
 * recipient, and the caller should grow the wait as 4^n times the suggestion, n counting the
 * earlier pair-rate answers for that recipient (reference §3).
 */
public record CloudApiOutcome(
        Kind kind,
        int httpStatus,
        String wamid,
        String messageStatus,
        String waId,
        Integer code,
        String title,
        String message,
        String details,
        String fbtraceId,
        long retryAfterMillis,
        boolean pairRate) {

    public enum Kind {
        /** Meta took the message; delivery is still unknown until a webhook says so. */
        ACCEPTED,
        RETRY_LATER,
        RECIPIENT_FAILED,
        CAMPAIGN_MUST_PAUSE,
        ACCOUNT_MUST_STOP,
        /** The request may or may not have been accepted: resending risks a double delivery. */
        UNKNOWN
    }

    static CloudApiOutcome accepted(int httpStatus, String wamid, String messageStatus, String waId) {
        return new CloudApiOutcome(Kind.ACCEPTED, httpStatus, wamid, messageStatus, waId,
                null, null, null, null, null, 0, false);
    }

    static CloudApiOutcome failure(Kind kind, int httpStatus, Integer code, String title, String message,
                                   String details, String fbtraceId, long retryAfterMillis, boolean pairRate) {
        return new CloudApiOutcome(kind, httpStatus, null, null, null,
                code, title, message, details, fbtraceId, retryAfterMillis, pairRate);
    }
}
