package herald.dispatch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import herald.domain.SecretCipher;
import herald.whatsapp.CloudApiOutcome;
import herald.whatsapp.ErrorClassifier;
import org.apache.camel.Exchange;

/** Builds the multipart upload of a stored attachment to /{phone-number-id}/media and reads its id. */
public class MediaRequests {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SecretCipher cipher;
    private final Path filesDir;

    public MediaRequests(SecretCipher cipher, Path filesDir) {
        this.cipher = cipher;
        this.filesDir = filesDir;
    }

    public void prepare(Map<String, Object> send, Exchange exchange) throws IOException {
        String boundary = "herald-" + UUID.randomUUID();
        String type = (String) send.get("content_type");
        String name = ((String) send.get("original_name")).replace("\"", "'");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        part(body, boundary, "Content-Disposition: form-data; name=\"messaging_product\"\r\n\r\nwhatsapp\r\n");
        part(body, boundary, "Content-Disposition: form-data; name=\"type\"\r\n\r\n" + type + "\r\n");
        part(body, boundary, "Content-Disposition: form-data; name=\"file\"; filename=\"" + name + "\"\r\n"
                + "Content-Type: " + type + "\r\n\r\n");
        body.write(Files.readAllBytes(filesDir.resolve((String) send.get("file_key"))));
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));

        exchange.setVariable("mediaUrl", send.get("api_base_url") + "/" + send.get("api_version") + "/"
                + send.get("phone_number_id") + "/media");
        exchange.getMessage().getHeaders().clear();
        exchange.getMessage().setHeader("Authorization", "Bearer " + cipher.decrypt((String) send.get("access_token_enc")));
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "multipart/form-data; boundary=" + boundary);
        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
        exchange.getMessage().setBody(body.toByteArray());
    }

    private static void part(ByteArrayOutputStream out, String boundary, String content) throws IOException {
        out.write(("--" + boundary + "\r\n" + content).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The media id from Meta's answer. A refusal is classified like a send: a passing one is
     * retried, anything else pauses the campaign, since no message of it can go out without it.
     * Unlike a send, an upload whose answer was lost (a 5xx that is not Meta's) is retried too:
     * uploading twice costs no more than an unused media id.
     */
    public String mediaId(Exchange exchange) {
        exchange.getMessage().removeHeader("Authorization");
        int status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        String body = exchange.getMessage().getBody(String.class);
        String id = status / 100 == 2 ? uploadedId(body) : null;
        if (id != null) {
            return id;
        }
        CloudApiOutcome outcome = ErrorClassifier.classify(status, body);
        if (outcome.kind() == CloudApiOutcome.Kind.RETRY_LATER
                || outcome.kind() == CloudApiOutcome.Kind.UNKNOWN && status >= 500) {
            throw new SendFailure.RetryLater(outcome);
        }
        if (outcome.kind() == CloudApiOutcome.Kind.ACCOUNT_MUST_STOP) {
            throw new SendFailure.AccountMustStop(outcome);
        }
        throw new SendFailure.CampaignMustPause(new CloudApiOutcome(CloudApiOutcome.Kind.CAMPAIGN_MUST_PAUSE, status,
                null, null, null, outcome.code(), "Media upload refused", outcome.message(), outcome.details(),
                outcome.fbtraceId(), 0, false));
    }

    private static String uploadedId(String body) {
        try {
            JsonNode answer = JSON.readTree(body == null || body.isBlank() ? "{}" : body);
            return answer.hasNonNull("id") ? answer.get("id").asText() : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
