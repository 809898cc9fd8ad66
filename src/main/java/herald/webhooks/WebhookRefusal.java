package herald.webhooks;

/** A webhook request Herald refuses, with the HTTP status Meta (or whoever called) gets back. */
public final class WebhookRefusal extends RuntimeException {

    private final int status;

    public WebhookRefusal(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
