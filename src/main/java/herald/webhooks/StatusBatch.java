package herald.webhooks;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import herald.dispatch.SendFailure;
import herald.whatsapp.CloudApiOutcome;
import herald.whatsapp.ErrorClassifier;
import org.apache.camel.Body;
import org.apache.camel.Variable;

/**
 * Turns a payload's status events (from {@link WebhookEvents}) into a handful of batched
 * statements: one lookup by wamid, one by biz_opaque_callback_data for the rest, then the rows
 * to lock, the receipts, the updates per status and the unmatched events. A payload of a
 * thousand statuses costs a few database round trips, not thousands.
 *
 * <p>A status only reaches messages of the accounts its own entry names (WABA id or phone
 * number id): the entry's signature was checked against those accounts' app secret.
 */
public final class StatusBatch {

    /** The message statuses, in the order their updates run. */
    public static final List<String> STATUSES = List.of("Sent", "Delivered", "Read", "Failed");

    // bulk_whatsapp_message.status_reason
    private static final int REASON_MAX = 2000;

    private static final Comparator<Map<String, Object>> BY_MESSAGE =
            Comparator.comparing(event -> (Long) event.get("messageId"));

    private StatusBatch() {
    }

    /** The distinct wamids of the readable statuses, for one IN query. */
    public static List<String> wamids(@Body List<Map<String, Object>> statuses) {
        Set<String> wamids = new TreeSet<>();
        for (Map<String, Object> event : statuses) {
            if (event.get("problem") == null) {
                wamids.add((String) event.get("wamid"));
            }
        }
        return new ArrayList<>(wamids);
    }

    /**
     * Gives each readable status the id of the message its wamid names, and answers the message
     * ids that the biz_opaque_callback_data of the still unmatched ones name.
     *
     * @param found rows with {@code id}, {@code wamid}, {@code waba_id}, {@code phone_number_id}
     */
    public static List<Long> matchByWamid(@Body List<Map<String, Object>> statuses,
                                          @Variable("byWamid") List<Map<String, Object>> found) {
        Map<String, List<Map<String, Object>>> rowsByWamid = new HashMap<>();
        for (Map<String, Object> row : found) {
            rowsByWamid.computeIfAbsent((String) row.get("wamid"), w -> new ArrayList<>()).add(row);
        }
        Set<Long> opaqueIds = new LinkedHashSet<>();
        for (Map<String, Object> event : statuses) {
            if (event.get("problem") != null) {
                continue;
            }
            Long id = firstOfAccount(rowsByWamid.getOrDefault(event.get("wamid"), List.of()), event);
            event.put("messageId", id);
            if (id == null && event.get("opaqueMessageId") != null) {
                opaqueIds.add((Long) event.get("opaqueMessageId"));
            }
        }
        return new ArrayList<>(opaqueIds);
    }

    /**
     * Ties the remaining statuses to the message their biz_opaque_callback_data names, when that
     * message belongs to the named campaign and to the entry's account.
     *
     * @param found rows with {@code id}, {@code campaign_name}, {@code waba_id}, {@code phone_number_id}
     */
    public static void matchByOpaqueData(@Body List<Map<String, Object>> statuses,
                                         @Variable("byOpaqueData") List<Map<String, Object>> found) {
        Map<Long, Map<String, Object>> rowsById = new HashMap<>();
        for (Map<String, Object> row : found) {
            rowsById.put(((Number) row.get("id")).longValue(), row);
        }
        Map<String, Map<String, Object>> tiedByWamid = new HashMap<>();
        for (Map<String, Object> event : statuses) {
            Map<String, Object> row = event.get("problem") == null && event.get("messageId") == null
                    ? rowsById.get((Long) event.get("opaqueMessageId")) : null;
            if (row != null && Objects.equals(row.get("campaign_name"), event.get("opaqueCampaign")) && ofAccount(row, event)) {
                event.put("messageId", ((Number) row.get("id")).longValue());
                event.put("wamidFromOpaqueData", true);
                row.put("wamid", event.get("wamid"));
                tiedByWamid.putIfAbsent((String) event.get("wamid"), row);
            }
        }
        // A later status of the same payload may name the message by the wamid tied just now.
        for (Map<String, Object> event : statuses) {
            Map<String, Object> row = event.get("problem") == null && event.get("messageId") == null
                    ? tiedByWamid.get((String) event.get("wamid")) : null;
            if (row != null && ofAccount(row, event)) {
                event.put("messageId", ((Number) row.get("id")).longValue());
            }
        }
    }

    /**
     * The batches to write, each a list of the events (maps) its SQL reads: {@code lock} (message
     * ids, ascending), {@code wamids}, {@code receipts}, one list per status in {@link #STATUSES},
     * {@code failedIds} (the message ids of the Failed list, whose campaigns may have finished),
     * {@code stops} (failed events whose code pauses their campaign or account, with a {@code pauseReason})
     * and {@code unmatched} (with its reason).
     */
    public static Map<String, Object> writes(@Body List<Map<String, Object>> statuses) {
        Set<Long> lock = new TreeSet<>();
        List<Map<String, Object>> wamids = new ArrayList<>();
        List<Map<String, Object>> receipts = new ArrayList<>();
        Map<String, List<Map<String, Object>>> byStatus = new LinkedHashMap<>();
        STATUSES.forEach(status -> byStatus.put(status, new ArrayList<>()));
        List<Map<String, Object>> unmatched = new ArrayList<>();
        for (Map<String, Object> event : statuses) {
            Object messageId = event.get("messageId");
            if (event.get("problem") != null || messageId == null) {
                event.put("unmatchedReason", event.get("problem") != null ? event.get("problem") : event.get("notFoundReason"));
                unmatched.add(event);
                continue;
            }
            lock.add((Long) messageId);
            if (Boolean.TRUE.equals(event.get("wamidFromOpaqueData"))) {
                wamids.add(event);
            }
            receipts.add(event);
            byStatus.get((String) event.get("status")).add(event);
        }
        Map<String, Object> writes = new LinkedHashMap<>();
        writes.put("lock", new ArrayList<>(lock));
        wamids.sort(BY_MESSAGE);
        writes.put("wamids", wamids);
        receipts.sort(BY_MESSAGE);
        writes.put("receipts", receipts);
        byStatus.forEach((status, events) -> {
            events.sort(BY_MESSAGE);
            writes.put(status, events);
        });
        writes.put("failedIds", byStatus.get("Failed").stream().map(event -> event.get("messageId")).distinct().toList());
        writes.put("stops", stops(byStatus.get("Failed")));
        // Sorted like the unique keys, so concurrent payloads take their locks in the same order.
        unmatched.sort(Comparator.comparing((Map<String, Object> event) -> (String) event.get("wamid"),
                Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparing(event -> (String) event.get("eventKey"), Comparator.nullsFirst(Comparator.naturalOrder())));
        writes.put("unmatched", unmatched);
        return writes;
    }

    /**
     * The failed statuses whose code calls for the same stop as in a send's answer, each with its
     * reason and {@code wholeAccount}: 131048 (spam limit) pauses the message's campaign, 131042
     * (payment) every campaign of its account.
     */
    private static List<Map<String, Object>> stops(List<Map<String, Object>> failed) {
        List<Map<String, Object>> stops = new ArrayList<>();
        for (Map<String, Object> event : failed) {
            Integer code = (Integer) event.get("errorCode");
            CloudApiOutcome outcome = code == null ? null : ErrorClassifier.asynchronousFailure(code,
                    (String) event.get("errorTitle"), (String) event.get("errorMessage"), (String) event.get("errorDetails"));
            if (outcome == null || outcome.kind() != CloudApiOutcome.Kind.CAMPAIGN_MUST_PAUSE
                    && outcome.kind() != CloudApiOutcome.Kind.ACCOUNT_MUST_STOP) {
                continue;
            }
            boolean wholeAccount = outcome.kind() == CloudApiOutcome.Kind.ACCOUNT_MUST_STOP;
            String text = (wholeAccount ? "Paused: the WhatsApp Account cannot send: " : "Paused: ")
                    + "Meta failed a sent message by webhook: " + SendFailure.describe(outcome);
            event.put("pauseReason", text.length() > REASON_MAX ? text.substring(0, REASON_MAX) : text);
            event.put("wholeAccount", wholeAccount);
            // Meta's timestamp is in whole seconds: the failure happened before the next one.
            OffsetDateTime at = (OffsetDateTime) event.get("timestamp");
            event.put("happenedBefore", (at == null ? OffsetDateTime.now(ZoneOffset.UTC) : at).plusSeconds(1));
            stops.add(event);
        }
        return stops;
    }

    private static Long firstOfAccount(List<Map<String, Object>> rows, Map<String, Object> event) {
        return rows.stream().filter(row -> ofAccount(row, event))
                .map(row -> ((Number) row.get("id")).longValue()).min(Long::compare).orElse(null);
    }

    private static boolean ofAccount(Map<String, Object> row, Map<String, Object> event) {
        return event.get("wabaId") != null && event.get("wabaId").equals(row.get("waba_id"))
                || event.get("phoneNumberId") != null && event.get("phoneNumberId").equals(row.get("phone_number_id"));
    }
}
