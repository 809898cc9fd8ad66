package herald.dispatch;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.net.ssl.SSLHandshakeException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import herald.domain.SecretCipher;
import herald.whatsapp.CloudApiOutcome;
import herald.whatsapp.ErrorClassifier;
import herald.whatsapp.TemplatePayloadBuilder;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.Variable;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;

/**
 * The send route's Java: builds the Cloud API request for one WhatsApp Message from its frozen
 * row, and turns whatever came back (an answer or a broken call) into one outcome.
 */
public class SendRequests {

    private static final ObjectMapper JSON = new ObjectMapper();

    // Artemis holds a message with this property (epoch millis) until then, without a consumer.
    static final String SCHEDULED_DELIVERY = "_AMQ_SCHED_DELIVERY";

    private final SecretCipher cipher;
    private final MediaUploads media;
    private final long retryDelayMillis;
    private final long maxRetryDelayMillis;
    private final double waitScale;

    /**
     * {@code retryDelayMillis} and {@code maxRetryDelayMillis} are the retry-later redelivery
     * policy's first and longest delays (it doubles in between); {@code waitScale} multiplies the
     * waits Meta's codes call for.
     */
    public SendRequests(SecretCipher cipher, MediaUploads media, long retryDelayMillis, long maxRetryDelayMillis,
                        double waitScale) {
        this.cipher = cipher;
        this.media = media;
        this.retryDelayMillis = retryDelayMillis;
        this.maxRetryDelayMillis = maxRetryDelayMillis;
        this.waitScale = waitScale;
    }

    /**
     * The attachment's media id when the template has a media header, uploading it on first use.
     * A media header without an attachment (a campaign submitted before its header kind was kept
     * with it, whose template changed since) pauses the campaign: no message of it can be sent.
     */
    public String mediaId(@Variable("send") Map<String, Object> send) {
        String kind = (String) send.get("header_kind");
        boolean media = kind.equals("IMAGE") || kind.equals("VIDEO") || kind.equals("DOCUMENT");
        if (media && send.get("file_key") == null) {
            throw new SendFailure.CampaignMustPause(new CloudApiOutcome(CloudApiOutcome.Kind.CAMPAIGN_MUST_PAUSE, 0,
                    null, null, null, null, "No attachment", "the template has a " + kind
                    + " header but the campaign has no attachment", null, null, 0, false));
        }
        return media ? this.media.mediaIdFor(send) : null;
    }

    /** Replaces the account columns loaded with the message by the account's current ones. */
    public void useAccountAsItIsNow(@Variable("send") Map<String, Object> send,
                                    @Variable("account") Map<String, Object> account) {
        if (account != null) {
            send.putAll(account);
        }
    }

    /**
     * Sets the request on the exchange: the JSON body, its bearer token and content type as the
     * only headers besides Camel's redelivery count (which camel-http never sends), and the variable apiUrl.
     */
    public void prepare(@Variable("send") Map<String, Object> send, @Variable("mediaId") String mediaId,
                        Exchange exchange) throws JsonProcessingException {
        ObjectNode frozen = JSON.createObjectNode();
        frozen.put("messageId", ((Number) send.get("id")).longValue());
        frozen.put("campaign", (String) send.get("campaign_name"));
        frozen.put("to", (String) send.get("mobile_number"));
        ObjectNode template = frozen.putObject("template");
        template.put("name", (String) send.get("template_name"));
        template.put("language", (String) send.get("language"));
        template.put("parameterFormat", (String) send.get("parameter_format"));
        ObjectNode header = frozen.putObject("header");
        String kind = (String) send.get("header_kind");
        header.put("kind", kind);
        if (mediaId != null) {
            header.put("mediaId", mediaId);
            header.put("filename", (String) send.get("original_name"));
        }
        frozen.set("parameters", JSON.readTree((String) send.get("parameters")));

        String base = (String) send.get("api_base_url");
        exchange.setVariable("apiUrl", base + "/" + send.get("api_version") + "/" + send.get("phone_number_id") + "/messages");
        // Camel counts an exchange's redeliveries in its CamelRedelivery* headers: without them every
        // retry would be the first, and a send Meta keeps refusing would be retried forever.
        exchange.getMessage().getHeaders().keySet().removeIf(name -> !name.startsWith("CamelRedeliver"));
        exchange.getMessage().setHeader("Authorization", "Bearer " + cipher.decrypt((String) send.get("access_token_enc")));
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
        exchange.getMessage().setBody(TemplatePayloadBuilder.build(frozen));
    }

    /** Meta answered: classify by its error code (reference §2). */
    public Map<String, Object> answered(Exchange exchange) {
        int status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        String body = exchange.getMessage().getBody(String.class);
        exchange.getMessage().removeHeader("Authorization");
        return columns(ErrorClassifier.classify(status, body));
    }

    /**
     * The call broke. Only a failure to open the connection (refused, unreachable, name unknown,
     * connect or TLS handshake timed out or refused, no pooled connection free) proves that no byte
     * of the request left, and is retried. Anything else (a read timeout, a reset, a connection
     * closed without an answer) may have come after Meta read the request, so it is Unconfirmed.
     */
    public Map<String, Object> brokenCall(Exchange exchange) {
        exchange.getMessage().removeHeader("Authorization");
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String reason = failure == null ? "the call failed" : failure.getClass().getSimpleName() + ": " + failure.getMessage();
        if (neverLeft(failure)) {
            return columns(new CloudApiOutcome(CloudApiOutcome.Kind.RETRY_LATER, 0, null, null, null, null,
                    "Connection failed", reason, null, null, 5_000, false));
        }
        return columns(ErrorClassifier.unknown("the answer was lost, Meta may have accepted the message: " + reason));
    }

    private static boolean neverLeft(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof ConnectTimeoutException
                    || t instanceof NoRouteToHostException || t instanceof UnknownHostException
                    || t instanceof SSLHandshakeException || t instanceof ConnectionRequestTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The retries this message has had for retry-later answers: the times it was put back on the
     * queue to wait, plus the redeliveries of the exchange in hand.
     */
    public int retriesSoFar(@Variable("waits") Integer waits, @Header(Exchange.REDELIVERY_COUNTER) Integer redeliveries) {
        return (waits == null ? 0 : waits) + (redeliveries == null ? 0 : redeliveries);
    }

    /**
     * How long a retry-later answer asks the message to wait when that is longer than the delay the
     * redelivery policy would give this exchange now (its first delay doubled per redelivery); 0
     * when the policy's delay is enough. Never shorter than the policy's backoff for all the
     * message's retries so far, which a requeued exchange would otherwise start again from.
     */
    public long longerWait(@Variable("result") Map<String, Object> result, @Variable("retries") int retries,
                           @Variable("redeliveries") Integer redeliveries) {
        CloudApiOutcome outcome = (CloudApiOutcome) result.get("outcome");
        if (outcome.kind() != CloudApiOutcome.Kind.RETRY_LATER || Boolean.TRUE.equals(result.get("throughput"))
                || outcome.pairRate()) {
            return 0;
        }
        long asked = (long) (outcome.retryAfterMillis() * waitScale);
        if (asked <= backoff(redeliveries == null ? 0 : redeliveries)) {
            return 0;
        }
        return Math.max(asked, backoff(retries));
    }

    private long backoff(int redeliveries) {
        return Math.min(maxRetryDelayMillis, retryDelayMillis << Math.min(redeliveries, 20));
    }

    /**
     * Makes the exchange the send queue's message for this WhatsApp Message again, delivered no
     * sooner than {@code waitMs} from now; {@code waits} is how often it has been put back to wait.
     */
    public void backOnQueue(@Variable("messageId") long messageId, @Variable("campaignId") long campaignId,
                            @Variable("waitMs") long waitMs, @Variable("waits") int waits, Exchange exchange)
            throws JsonProcessingException {
        ObjectNode body = JSON.createObjectNode();
        body.put("messageId", messageId);
        body.put("campaignId", campaignId);
        body.put("waits", waits);
        exchange.getMessage().getHeaders().clear();
        exchange.getMessage().setHeader("HeraldCampaignId", campaignId);
        exchange.getMessage().setHeader(SCHEDULED_DELIVERY, System.currentTimeMillis() + waitMs);
        exchange.getMessage().setBody(JSON.writeValueAsString(body));
    }

    /** Throws the failure whose redelivery policy fits the outcome. */
    public void raise(@Variable("result") Map<String, Object> result) {
        CloudApiOutcome outcome = (CloudApiOutcome) result.get("outcome");
        switch (outcome.kind()) {
            case RETRY_LATER -> {
                if (Integer.valueOf(130429).equals(outcome.code())) {
                    throw new SendFailure.Throughput(outcome);
                }
                if (outcome.pairRate()) {
                    throw new SendFailure.PairRate(outcome);
                }
                throw new SendFailure.RetryLater(outcome);
            }
            case CAMPAIGN_MUST_PAUSE -> throw new SendFailure.CampaignMustPause(outcome);
            case ACCOUNT_MUST_STOP -> throw new SendFailure.AccountMustStop(outcome);
            default -> throw new IllegalStateException("outcome " + outcome.kind() + " is not a failure to raise");
        }
    }

    /** The reason a campaign or account is paused, from the failure that paused it. */
    public String pauseReason(Exchange exchange) {
        SendFailure failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, SendFailure.class);
        if (!(failure instanceof SendFailure.AccountMustStop)) {
            return "Paused: Meta refused the template or the sender: " + failure.getMessage();
        }
        // The operator fixes the account, not the campaign: say which one.
        Map<?, ?> send = exchange.getVariable("send", Map.class);
        Object account = send == null ? null : send.get("account_name");
        return "Paused: the WhatsApp Account " + (account == null ? "" : "'" + account + "' ") + "cannot send: "
                + failure.getMessage();
    }

    private static Map<String, Object> columns(CloudApiOutcome o) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("outcome", o);
        c.put("kind", o.kind().name());
        c.put("wamid", o.wamid());
        c.put("waId", o.waId());
        c.put("messageStatus", o.messageStatus());
        c.put("code", o.code());
        c.put("title", o.title());
        c.put("message", o.message());
        c.put("details", o.details());
        c.put("throughput", Integer.valueOf(130429).equals(o.code()));
        c.put("holdsAccount", o.code() != null && ErrorClassifier.holdsAccount(o.code()));
        return c;
    }
}
