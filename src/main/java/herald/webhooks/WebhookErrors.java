package herald.webhooks;

import java.util.LinkedHashMap;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a refused or failed webhook request with a short plain-text reason. Meta only looks at
 * the status: anything but 200 makes it deliver again later, which is what a failure should do.
 */
public final class WebhookErrors {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookErrors.class);

    private WebhookErrors() {
    }

    public static void respond(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        int status;
        String reason;
        if (failure instanceof WebhookRefusal refusal) {
            status = refusal.status();
            reason = refusal.getMessage();
            LOG.warn("Refused a webhook request ({}): {}", status, reason);
        } else {
            status = 500;
            reason = "Herald could not store the webhook; deliver it again later";
            LOG.error("Webhook request failed", failure);
        }
        // Request headers would otherwise be echoed as response headers, the verify token among them.
        exchange.getMessage().setHeaders(new LinkedHashMap<>());
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getMessage().setBody(reason);
    }
}
