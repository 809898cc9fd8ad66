package herald.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class StatusBatchTest {

    private static Map<String, Object> event(String waba, String phone, String wamid, String status, String opaque) {
        Map<String, Object> event = new HashMap<>();
        event.put("wabaId", waba);
        event.put("phoneNumberId", phone);
        event.put("wamid", wamid);
        event.put("status", status);
        event.put("problem", null);
        event.put("notFoundReason", "unknown wamid");
        if (opaque != null) {
            int colon = opaque.lastIndexOf(':');
            event.put("opaqueCampaign", opaque.substring(0, colon));
            event.put("opaqueMessageId", Long.parseLong(opaque.substring(colon + 1)));
        }
        return event;
    }

    private static Map<String, Object> row(long id, String wamid, String waba, String phone) {
        Map<String, Object> row = new HashMap<>();
        row.put("id", id);
        row.put("wamid", wamid);
        row.put("campaign_name", wamid);
        row.put("waba_id", waba);
        row.put("phone_number_id", phone);
        return row;
    }

    @Test
    void aWamidOnlyMatchesMessagesOfTheEntrysAccounts() {
        Map<String, Object> ours = event("111", "p1", "wamid.A", "Read", null);
        Map<String, Object> byPhone = event("999", "p1", "wamid.B", "Read", null);
        Map<String, Object> foreign = event("111", "p1", "wamid.C", "Read", null);
        List<Map<String, Object>> statuses = List.of(ours, byPhone, foreign);
        assertEquals(List.of("wamid.A", "wamid.B", "wamid.C"), StatusBatch.wamids(statuses));

        StatusBatch.matchByWamid(statuses, List.of(row(7, "wamid.A", "111", "p1"), row(8, "wamid.B", "222", "p1"),
                row(9, "wamid.C", "222", "p2")));
        assertEquals(7L, ours.get("messageId"));
        assertEquals(8L, byPhone.get("messageId"));
        assertNull(foreign.get("messageId"), "wamid.C belongs to another account");
    }

    @Test
    void opaqueDataTiesTheMessageAndLaterStatusesOfItsWamid() {
        Map<String, Object> sent = event("111", "p1", "wamid.new", "Sent", "BULK-1:42");
        Map<String, Object> read = event("111", "p1", "wamid.new", "Read", null);
        Map<String, Object> wrongCampaign = event("111", "p1", "wamid.x", "Sent", "BULK-2:43");
        List<Map<String, Object>> statuses = List.of(sent, read, wrongCampaign);

        List<Long> opaqueIds = StatusBatch.matchByWamid(statuses, List.of());
        assertEquals(List.of(42L, 43L), opaqueIds);
        Map<String, Object> message42 = row(42, null, "111", "p1");
        message42.put("campaign_name", "BULK-1");
        Map<String, Object> message43 = row(43, null, "111", "p1");
        message43.put("campaign_name", "BULK-1");
        StatusBatch.matchByOpaqueData(statuses, List.of(message42, message43));

        assertEquals(42L, sent.get("messageId"));
        assertEquals(42L, read.get("messageId"));
        assertNull(wrongCampaign.get("messageId"));

        Map<String, Object> writes = StatusBatch.writes(statuses);
        assertEquals(List.of(42L), writes.get("lock"));
        assertEquals(List.of(sent), writes.get("wamids"));
        assertEquals(List.of(sent), writes.get("Sent"));
        assertEquals(List.of(read), writes.get("Read"));
        assertEquals(List.of(wrongCampaign), writes.get("unmatched"));
        assertEquals("unknown wamid", wrongCampaign.get("unmatchedReason"));
    }

    @Test
    void writesAreGroupedByStatusAndOrderedByMessage() {
        Map<String, Object> late = event("111", "p1", "wamid.late", "Delivered", null);
        late.put("messageId", 30L);
        Map<String, Object> early = event("111", "p1", "wamid.early", "Delivered", null);
        early.put("messageId", 10L);
        Map<String, Object> failed = event("111", "p1", "wamid.f", "Failed", null);
        failed.put("messageId", 20L);
        Map<String, Object> unreadable = event("111", "p1", null, null, null);
        unreadable.put("problem", "the status has no id (wamid)");

        Map<String, Object> writes = StatusBatch.writes(List.of(late, unreadable, failed, early));
        assertEquals(List.of(10L, 20L, 30L), writes.get("lock"));
        assertEquals(List.of(early, failed, late), writes.get("receipts"));
        assertEquals(List.of(early, late), writes.get("Delivered"));
        assertEquals(List.of(failed), writes.get("Failed"));
        assertEquals(List.of(), writes.get("Sent"));
        assertEquals(List.of(unreadable), writes.get("unmatched"));
        assertEquals("the status has no id (wamid)", unreadable.get("unmatchedReason"));
    }
}
