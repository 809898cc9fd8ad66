package herald.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.junit.jupiter.api.Test;

class WebhookEventsTest {

    private final WebhookEvents events = new WebhookEvents(" stop, Unsubscribe ,");

    private static String messagesChange(String waba, String phone, String statuses, String messages) {
        return "{\"field\":\"messages\",\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":"
                + "{\"display_phone_number\":\"4930\",\"phone_number_id\":\"" + phone + "\"},"
                + "\"statuses\":[" + statuses + "],\"messages\":[" + messages + "]}}";
    }

    private static String payload(String... entries) {
        return "{\"object\":\"whatsapp_business_account\",\"entry\":[" + String.join(",", entries) + "]}";
    }

    private static String entry(String waba, String... changes) {
        return "{\"id\":\"" + waba + "\",\"changes\":[" + String.join(",", changes) + "]}";
    }

    @Test
    void everyStatusOfEveryChangeOfEveryEntryBecomesAnEvent() throws JsonProcessingException {
        String s1 = "{\"id\":\"wamid.1\",\"status\":\"sent\",\"timestamp\":\"1780000010\",\"recipient_id\":\"49151\"}";
        String s2 = "{\"id\":\"wamid.2\",\"status\":\"DELIVERED\",\"timestamp\":1780000020}";
        String s3 = "{\"id\":\"wamid.3\",\"status\":\"read\",\"timestamp\":\"1780000030\"}";
        Map<String, List<Map<String, Object>>> read = events.read(payload(
                entry("111", messagesChange("111", "p1", s1 + "," + s2, ""), messagesChange("111", "p2", s3, "")),
                entry("222", messagesChange("222", "p3", s1, ""))));

        List<Map<String, Object>> statuses = read.get(WebhookEvents.STATUSES);
        assertEquals(List.of("wamid.1", "wamid.2", "wamid.3", "wamid.1"), statuses.stream().map(e -> e.get("wamid")).toList());
        assertEquals(List.of("Sent", "Delivered", "Read", "Sent"), statuses.stream().map(e -> e.get("status")).toList());
        assertEquals(List.of("111", "111", "111", "222"), statuses.stream().map(e -> e.get("wabaId")).toList());
        assertEquals(List.of("p1", "p1", "p2", "p3"), statuses.stream().map(e -> e.get("phoneNumberId")).toList());
        assertEquals(OffsetDateTime.of(2026, 5, 28, 20, 26, 50, 0, ZoneOffset.UTC), statuses.get(0).get("timestamp"));
        assertEquals("49151", statuses.get(0).get("recipientId"));
        statuses.forEach(e -> assertNull(e.get("problem"), e.toString()));
    }

    @Test
    void everyEventHasEveryKeyItsSqlNames() throws JsonProcessingException {
        String bare = "{\"id\":\"wamid.1\",\"status\":\"sent\",\"timestamp\":\"1780000010\"}";
        Map<String, Object> event = events.read(payload(entry("111", messagesChange("111", "p1", bare, ""))))
                .get(WebhookEvents.STATUSES).get(0);
        for (String key : List.of("wabaId", "phoneNumberId", "wamid", "metaStatus", "status", "timestamp", "recipientId",
                "opaque", "opaqueCampaign", "opaqueMessageId", "pricingCategory", "errorCode", "errorTitle",
                "errorMessage", "errorDetails", "errors", "event", "eventKey", "problem", "notFoundReason")) {
            assertTrue(event.containsKey(key), "missing " + key);
        }
    }

    @Test
    void aFailedStatusCarriesMetasFirstErrorAndPricing() throws JsonProcessingException {
        String failed = "{\"id\":\"wamid.9\",\"status\":\"failed\",\"timestamp\":\"1780000010\","
                + "\"pricing\":{\"billable\":false,\"category\":\"marketing\"},"
                + "\"errors\":[{\"code\":131049,\"title\":\"This message was not delivered to maintain healthy ecosystem"
                + " engagement.\",\"message\":\"same\",\"error_data\":{\"details\":\"In order to maintain...\"}},"
                + "{\"code\":1,\"title\":\"second\"}]}";
        Map<String, Object> event = events.read(payload(entry("111", messagesChange("111", "p1", failed, ""))))
                .get(WebhookEvents.STATUSES).get(0);
        assertEquals("Failed", event.get("status"));
        assertEquals(131049, event.get("errorCode"));
        assertTrue(((String) event.get("errorTitle")).startsWith("This message was not delivered"));
        assertEquals("same", event.get("errorMessage"));
        assertEquals("In order to maintain...", event.get("errorDetails"));
        assertEquals("marketing", event.get("pricingCategory"));
        assertEquals("[{\"code\":131049,\"title\":\"This message was not delivered to maintain healthy ecosystem"
                + " engagement.\",\"message\":\"same\",\"error_data\":{\"details\":\"In order to maintain...\"}},"
                + "{\"code\":1,\"title\":\"second\"}]", event.get("errors"), "every error, as Meta sent them");
    }

    @Test
    void anEventWithoutIdOrTimestampStillHasAKeyOfItsOwn() throws JsonProcessingException {
        String noId = "{\"status\":\"delivered\",\"timestamp\":\"1780000010\"}";
        String noTimestamp = "{\"id\":\"wamid.7\",\"status\":\"read\"}";
        List<Map<String, Object>> once = events.read(payload(entry("111", messagesChange("111", "p1", noId + "," + noTimestamp, ""))))
                .get(WebhookEvents.STATUSES);
        List<Map<String, Object>> again = events.read(payload(entry("111", messagesChange("111", "p1", noId + "," + noTimestamp, ""))))
                .get(WebhookEvents.STATUSES);
        List<Map<String, Object>> otherAccount = events.read(payload(entry("222", messagesChange("222", "p2", noId, ""))))
                .get(WebhookEvents.STATUSES);
        assertEquals(again.get(0).get("eventKey"), once.get(0).get("eventKey"), "a repeat has the same key");
        assertTrue(!once.get(0).get("eventKey").equals(once.get(1).get("eventKey")), "other events, other keys");
        assertTrue(!once.get(0).get("eventKey").equals(otherAccount.get(0).get("eventKey")), "another account's event");
        assertEquals(64, ((String) once.get(0).get("eventKey")).length());
    }

    @Test
    void anOverlongIdIsAProblemAndCutToItsColumn() throws JsonProcessingException {
        String id = "wamid." + "x".repeat(300);
        String status = "{\"id\":\"" + id + "\",\"status\":\"read\",\"timestamp\":\"1780000010\"}";
        Map<String, Object> event = events.read(payload(entry("111", messagesChange("111", "p1", status, ""))))
                .get(WebhookEvents.STATUSES).get(0);
        assertEquals(id.substring(0, 200), event.get("wamid"));
        assertTrue(((String) event.get("problem")).contains("longer than 200"), (String) event.get("problem"));
        assertTrue(((String) event.get("event")).contains(id));
    }

    @Test
    void opaqueCallbackDataNamesCampaignAndMessage() throws JsonProcessingException {
        Map<String, Object> named = statusWithOpaque("BULK-WA-2026-00042:917");
        assertEquals("BULK-WA-2026-00042", named.get("opaqueCampaign"));
        assertEquals(917L, named.get("opaqueMessageId"));
        Map<String, Object> colonInName = statusWithOpaque("a:b:12");
        assertEquals("a:b", colonInName.get("opaqueCampaign"));
        assertEquals(12L, colonInName.get("opaqueMessageId"));
        for (String other : List.of("free text", "BULK-WA-1:", ":12", "BULK:12x", "BULK:99999999999999999999")) {
            Map<String, Object> event = statusWithOpaque(other);
            assertNull(event.get("opaqueMessageId"), other);
            assertEquals(other, event.get("opaque"));
            assertTrue(((String) event.get("notFoundReason")).contains("no biz_opaque_callback_data of the form"), other);
        }
    }

    private Map<String, Object> statusWithOpaque(String opaque) throws JsonProcessingException {
        String status = "{\"id\":\"wamid.1\",\"status\":\"sent\",\"timestamp\":\"1780000010\",\"biz_opaque_callback_data\":"
                + com.fasterxml.jackson.databind.node.TextNode.valueOf(opaque) + "}";
        return events.read(payload(entry("111", messagesChange("111", "p1", status, "")))).get(WebhookEvents.STATUSES).get(0);
    }

    @Test
    void unreadableStatusesAreEventsWithAProblem() throws JsonProcessingException {
        String noId = "{\"status\":\"sent\",\"timestamp\":\"1780000010\"}";
        String longId = "{\"id\":\"" + "w".repeat(201) + "\",\"status\":\"sent\",\"timestamp\":\"1780000010\"}";
        String unknownStatus = "{\"id\":\"wamid.1\",\"status\":\"deleted\",\"timestamp\":\"1780000010\"}";
        String noStatus = "{\"id\":\"wamid.1\",\"timestamp\":\"1780000010\"}";
        String badTime = "{\"id\":\"wamid.1\",\"status\":\"sent\",\"timestamp\":\"yesterday\"}";
        List<Map<String, Object>> read = events.read(payload(entry("111", messagesChange("111", "p1",
                String.join(",", noId, longId, unknownStatus, noStatus, badTime), "")))).get(WebhookEvents.STATUSES);
        List<String> problems = read.stream().map(e -> (String) e.get("problem")).toList();
        assertEquals(5, problems.size());
        assertTrue(problems.get(0).contains("no id"), problems.get(0));
        assertTrue(problems.get(1).contains("longer than 200"), problems.get(1));
        assertTrue(problems.get(2).contains("'deleted'"), problems.get(2));
        assertTrue(problems.get(3).contains("no status"), problems.get(3));
        assertTrue(problems.get(4).contains("timestamp"), problems.get(4));
    }

    @Test
    void longFreeTextIsCutToItsColumn() throws JsonProcessingException {
        String failed = "{\"id\":\"wamid.9\",\"status\":\"failed\",\"timestamp\":\"1780000010\","
                + "\"errors\":[{\"code\":1,\"title\":\"" + "t".repeat(500) + "\",\"error_data\":{\"details\":\""
                + "d".repeat(5000) + "\"}}]}";
        Map<String, Object> event = events.read(payload(entry("111", messagesChange("111", "p1", failed, ""))))
                .get(WebhookEvents.STATUSES).get(0);
        assertEquals(300, ((String) event.get("errorTitle")).length());
        assertEquals(4000, ((String) event.get("errorDetails")).length());
    }

    @Test
    void onlyATextThatIsAKeywordOptsOut() throws JsonProcessingException {
        String messages = String.join(",",
                inbound("4915100001", "text", " Stop\\n"),
                inbound("4915100002", "text", "UNSUBSCRIBE"),
                inbound("4915100003", "text", "stop it"),
                inbound("4915100004", "button", "STOP"),
                inbound("not-a-number", "text", "STOP"));
        List<Map<String, Object>> optOuts = events.read(payload(entry("111", messagesChange("111", "p1", "", messages))))
                .get(WebhookEvents.OPT_OUTS);
        assertEquals(List.of("+4915100001", "+4915100002"), optOuts.stream().map(o -> o.get("waNumber")).toList());
        assertEquals(List.of("STOP", "UNSUBSCRIBE"), optOuts.stream().map(o -> o.get("keyword")).toList());
        assertEquals("p1", optOuts.get(0).get("phoneNumberId"));
    }

    private static String inbound(String from, String type, String text) {
        String content = type.equals("text") ? "\"text\":{\"body\":\"" + text + "\"}"
                : "\"button\":{\"text\":\"" + text + "\",\"payload\":\"" + text + "\"}";
        return "{\"from\":\"" + from + "\",\"id\":\"wamid.in\",\"timestamp\":\"1780000010\",\"type\":\"" + type + "\","
                + content + "}";
    }

    @Test
    void templateEventsWithAStoredStatusBecomeUpdates() throws JsonProcessingException {
        String paused = "{\"field\":\"message_template_status_update\",\"value\":{\"event\":\"PAUSED\","
                + "\"message_template_id\":594425479261596,\"message_template_name\":\"invoice_ready\","
                + "\"message_template_language\":\"de\",\"reason\":\"NONE\"}}";
        String flagged = paused.replace("PAUSED", "FLAGGED");
        String anonymous = "{\"field\":\"message_template_status_update\",\"value\":{\"event\":\"APPROVED\"}}";
        List<Map<String, Object>> updates = events.read(payload(entry("111", paused, flagged, anonymous)))
                .get(WebhookEvents.TEMPLATE_UPDATES);
        assertEquals(1, updates.size());
        assertEquals(Map.of("wabaId", "111", "templateId", "594425479261596", "name", "invoice_ready",
                "language", "de", "status", "PAUSED"), updates.get(0));
    }

    @Test
    void anUnreadablePayloadFailsLoudlyForTheDeadLetterQueue() {
        assertThrows(JsonProcessingException.class, () -> events.read("{\"entry\":["));
    }
}
