package herald.webhooks;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import herald.domain.PasswordHasher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a stored webhook payload into flat events for the apply routes: every
 * status of every change of every entry, template status updates and opt-out keywords.
 *
 * <p>Each event is a map holding every key its SQL names, null when absent, because camel-sql
 * falls back to headers for a key the body lacks. Free text is cut to its column's size; an
 * id that does not fit is reported as a problem, so it never matches a row, and only then cut
 * to fit the unmatched table.
 */
public final class WebhookEvents {

    public static final String STATUSES = "statuses";
    public static final String TEMPLATE_UPDATES = "templateUpdates";
    public static final String OPT_OUTS = "optOuts";

    private static final Logger LOG = LoggerFactory.getLogger(WebhookEvents.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Map<String, String> MESSAGE_STATUSES = Map.of(
            "sent", "Sent", "delivered", "Delivered", "read", "Read", "failed", "Failed");
    // The template statuses Herald stores (reference §5); other events (FLAGGED, IN_APPEAL, ...) change nothing here.
    private static final Set<String> TEMPLATE_STATUSES = Set.of("APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED");
    private static final Pattern DIGITS = Pattern.compile("\\d{1,18}");
    private static final Pattern WA_NUMBER = Pattern.compile("\\d{6,20}");
    private static final int ID_MAX = 200;
    private static final int ACCOUNT_ID_MAX = 40;

    private final Set<String> optOutKeywords;

    /** @param optOutKeywords comma-separated words that, alone in a text message, opt its sender out */
    public WebhookEvents(String optOutKeywords) {
        this.optOutKeywords = Arrays.stream(optOutKeywords.split(","))
                .map(word -> word.strip().toUpperCase(Locale.ROOT))
                .filter(word -> !word.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }

    public Map<String, List<Map<String, Object>>> read(String payload) throws JsonProcessingException {
        JsonNode root = JSON.readTree(payload);
        List<Map<String, Object>> statuses = new ArrayList<>();
        List<Map<String, Object>> templateUpdates = new ArrayList<>();
        List<Map<String, Object>> optOuts = new ArrayList<>();
        for (JsonNode entry : root.path("entry")) {
            String wabaId = WebhookReceiver.text(entry.get("id"));
            for (JsonNode change : entry.path("changes")) {
                JsonNode value = change.path("value");
                String field = change.path("field").asText("");
                if (field.equals("messages")) {
                    String phoneNumberId = WebhookReceiver.text(value.path("metadata").get("phone_number_id"));
                    for (JsonNode status : value.path("statuses")) {
                        statuses.add(status(wabaId, phoneNumberId, status));
                    }
                    for (JsonNode message : value.path("messages")) {
                        Map<String, Object> optOut = optOut(phoneNumberId, message);
                        if (optOut != null) {
                            optOuts.add(optOut);
                        }
                    }
                } else if (field.equals("message_template_status_update")) {
                    Map<String, Object> update = templateUpdate(wabaId, value);
                    if (update != null) {
                        templateUpdates.add(update);
                    }
                }
            }
        }
        Map<String, List<Map<String, Object>>> events = new LinkedHashMap<>();
        events.put(STATUSES, statuses);
        events.put(TEMPLATE_UPDATES, templateUpdates);
        events.put(OPT_OUTS, optOuts);
        return events;
    }

    private static Map<String, Object> status(String wabaId, String phoneNumberId, JsonNode status) {
        Map<String, Object> event = new LinkedHashMap<>();
        String wamid = WebhookReceiver.text(status.get("id"));
        String metaStatus = WebhookReceiver.text(status.get("status"));
        String opaque = WebhookReceiver.text(status.get("biz_opaque_callback_data"));
        event.put("wabaId", cut(wabaId, ACCOUNT_ID_MAX));
        event.put("phoneNumberId", cut(phoneNumberId, ACCOUNT_ID_MAX));
        // Only an unmatched event can carry an overlong id (it matches no message); the event keeps it whole.
        event.put("wamid", cut(wamid, ID_MAX));
        event.put("metaStatus", cut(metaStatus, 20));
        event.put("status", metaStatus == null ? null : MESSAGE_STATUSES.get(metaStatus.toLowerCase(Locale.ROOT)));
        event.put("timestamp", timestamp(status.get("timestamp")));
        event.put("recipientId", cut(WebhookReceiver.text(status.get("recipient_id")), ACCOUNT_ID_MAX));
        event.put("opaque", cut(opaque, 600));
        putOpaqueReference(event, opaque);
        event.put("pricingCategory", cut(textOf(status.path("pricing").get("category")), 40));
        JsonNode errors = status.path("errors");
        event.put("errors", errors.isArray() && !errors.isEmpty() ? errors.toString() : null);
        JsonNode error = errors.path(0);
        event.put("errorCode", error.path("code").canConvertToInt() ? error.path("code").intValue() : null);
        event.put("errorTitle", cut(textOf(error.get("title")), 300));
        event.put("errorMessage", cut(textOf(error.get("message")), 2000));
        event.put("errorDetails", cut(textOf(error.path("error_data").get("details")), 4000));
        event.put("event", status.toString());
        event.put("eventKey", eventKey(event));
        event.put("problem", problem(wamid, event));
        event.put("notFoundReason", event.get("opaqueMessageId") == null
                ? "unknown wamid and no biz_opaque_callback_data of the form <campaign>:<message id>"
                : "unknown wamid and biz_opaque_callback_data names no message of this account");
        return event;
    }

    /**
     * Identifies an unmatched event even when it lacks the id or timestamp of the unique key
     * (wamid, status, timestamp), whose NULLs never collide: the same event of the same account
     * delivered again has the same key. Computed from the stored columns, as V10 computed it for
     * the rows before it.
     */
    private static String eventKey(Map<String, Object> event) {
        return PasswordHasher.sha256Hex(Objects.toString(event.get("wabaId"), "") + "|"
                + Objects.toString(event.get("phoneNumberId"), "") + "|" + event.get("event"));
    }

    private static String problem(String wamid, Map<String, Object> event) {
        if (wamid == null) {
            return "the status has no id (wamid)";
        }
        if (wamid.length() > ID_MAX) {
            return "the status id is longer than " + ID_MAX + " characters (kept cut to " + ID_MAX
                    + "; the event holds it whole)";
        }
        if (event.get("status") == null) {
            return event.get("metaStatus") == null ? "the status has no status"
                    : "status '" + event.get("metaStatus") + "' is not one Herald tracks (sent, delivered, read, failed)";
        }
        if (event.get("timestamp") == null) {
            return "the status has no valid timestamp (unix seconds)";
        }
        return null;
    }

    /** The sender writes "{campaign name}:{whatsapp_message.id}"; anything else names no message. */
    private static void putOpaqueReference(Map<String, Object> event, String opaque) {
        String campaign = null;
        Long messageId = null;
        int colon = opaque == null ? -1 : opaque.lastIndexOf(':');
        if (colon > 0 && DIGITS.matcher(opaque.substring(colon + 1)).matches()) {
            campaign = opaque.substring(0, colon);
            messageId = Long.parseLong(opaque.substring(colon + 1));
        }
        event.put("opaqueCampaign", campaign);
        event.put("opaqueMessageId", messageId);
    }

    private Map<String, Object> optOut(String phoneNumberId, JsonNode message) {
        if (!"text".equals(message.path("type").asText(null))) {
            return null;
        }
        String text = message.path("text").path("body").asText("").strip().toUpperCase(Locale.ROOT);
        if (!optOutKeywords.contains(text)) {
            return null;
        }
        String from = WebhookReceiver.text(message.get("from"));
        if (phoneNumberId == null || from == null || !WA_NUMBER.matcher(from).matches()) {
            LOG.warn("Ignored an opt-out keyword: the message has no usable sender number or phone number id");
            return null;
        }
        String wamid = WebhookReceiver.text(message.get("id"));
        Map<String, Object> optOut = new LinkedHashMap<>();
        optOut.put("phoneNumberId", cut(phoneNumberId, ACCOUNT_ID_MAX));
        optOut.put("waNumber", "+" + from);
        optOut.put("keyword", cut(text, 40));
        optOut.put("wamid", wamid != null && wamid.length() <= ID_MAX ? wamid : null);
        optOut.put("timestamp", timestamp(message.get("timestamp")));
        return optOut;
    }

    private static Map<String, Object> templateUpdate(String wabaId, JsonNode value) {
        String event = textOf(value.get("event"));
        String status = event == null ? null : event.strip().toUpperCase(Locale.ROOT);
        String templateId = WebhookReceiver.text(value.get("message_template_id"));
        String name = textOf(value.get("message_template_name"));
        String language = textOf(value.get("message_template_language"));
        if (status == null || !TEMPLATE_STATUSES.contains(status)) {
            LOG.info("Template event {} for template {} changes no stored status", event, templateId);
            return null;
        }
        if (wabaId == null || templateId == null && (name == null || language == null)) {
            LOG.warn("Ignored a template status update that names no template (id, or name and language)");
            return null;
        }
        Map<String, Object> update = new LinkedHashMap<>();
        update.put("wabaId", cut(wabaId, ACCOUNT_ID_MAX));
        update.put("templateId", templateId != null && templateId.length() <= 40 ? templateId : null);
        update.put("name", name);
        update.put("language", language);
        update.put("status", status);
        return update;
    }

    private static OffsetDateTime timestamp(JsonNode node) {
        String text = WebhookReceiver.text(node);
        if (text == null || !DIGITS.matcher(text).matches()) {
            return null;
        }
        return OffsetDateTime.ofInstant(Instant.ofEpochSecond(Long.parseLong(text)), ZoneOffset.UTC);
    }

    private static String textOf(JsonNode node) {
        return node == null || node.isNull() || node.isContainerNode() ? null : node.asText();
    }

    private static String cut(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }
}
