package herald.dispatch;

import herald.whatsapp.CloudApiOutcome;

/**
 * Thrown by the send attempt so the send route's redelivery policies (one per kind) decide
 * what happens next: wait and retry, pause the campaign, or stop the account.
 */
public class SendFailure extends RuntimeException {

    private final transient CloudApiOutcome outcome;

    public SendFailure(CloudApiOutcome outcome) {
        super(describe(outcome));
        this.outcome = outcome;
    }

    public CloudApiOutcome outcome() {
        return outcome;
    }

    /** Meta's code, title, message and details in one line, for a message's error or a pause reason. */
    public static String describe(CloudApiOutcome o) {
        StringBuilder b = new StringBuilder();
        if (o.code() != null) {
            b.append(o.code()).append(' ');
        }
        if (o.title() != null) {
            b.append(o.title());
        }
        if (o.message() != null && !o.message().equals(o.title())) {
            b.append(b.length() > 0 ? ": " : "").append(o.message());
        }
        if (o.details() != null) {
            b.append(" (").append(o.details()).append(')');
        }
        return b.length() == 0 ? "HTTP " + o.httpStatus() : b.toString().trim();
    }

    /** Meta asks to slow down or the service is briefly down: retried with backoff. */
    public static class RetryLater extends SendFailure {
        public RetryLater(CloudApiOutcome outcome) {
            super(outcome);
        }
    }

    /** 130429: the account is over its throughput; retried for as long as it takes, never failed for it. */
    public static class Throughput extends SendFailure {
        public Throughput(CloudApiOutcome outcome) {
            super(outcome);
        }
    }

    /** 131056: too many messages to this one recipient; only this message backs off, 4^n seconds. */
    public static class PairRate extends SendFailure {
        public PairRate(CloudApiOutcome outcome) {
            super(outcome);
        }
    }

    /** The template is paused, missing or disabled, or the number hit a spam limit. */
    public static class CampaignMustPause extends SendFailure {
        public CampaignMustPause(CloudApiOutcome outcome) {
            super(outcome);
        }
    }

    /** Token, permission, payment, registration or policy: nothing more goes out through this account. */
    public static class AccountMustStop extends SendFailure {
        public AccountMustStop(CloudApiOutcome outcome) {
            super(outcome);
        }
    }
}
