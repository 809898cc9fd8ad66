package herald.campaign;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import herald.api.ApiException;
import herald.api.Paging;
import herald.api.Views;
import org.apache.camel.Header;
import org.apache.camel.Variable;

/** Renders campaigns, their counts and their WhatsApp Messages for the API. */
public class CampaignViews {

    /** Message statuses, in the order the counts are shown. */
    static final List<String> MESSAGE_STATUSES = List.of("Queued", "Sending", "Retrying", "Sent", "Delivered", "Read",
            "Failed", "Cancelled", "Unconfirmed");

    public Map<String, Object> campaign(@Variable("campaign") Map<String, Object> row,
                                        @Variable("counts") List<Map<String, Object>> counts) {
        if (row == null) {
            throw ApiException.notFound("Bulk WhatsApp Message");
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", row.get("name"));
        view.put("title", row.get("title"));
        view.put("status", row.get("status"));
        view.put("statusReason", row.get("status_reason"));
        view.put("recipientType", row.get("recipient_type"));
        view.put("recipientListId", row.get("recipient_list_id"));
        view.put("recipientRows", row.get("recipient_rows"));
        view.put("templateId", row.get("template_id"));
        view.put("accountId", row.get("account_id"));
        view.put("sendingAccountId", row.get("sending_account_id"));
        view.put("sendingTemplateId", row.get("sending_template_id"));
        view.put("variableType", row.get("variable_type"));
        view.put("templateVariables", parse(row.get("template_variables")));
        view.put("attachmentFileId", row.get("attachment_file_id"));
        view.put("callbackUrl", row.get("callback_url"));
        view.put("amendedFrom", row.get("amended_from"));
        view.put("skipInvalid", row.get("skip_invalid"));
        view.put("splitState", row.get("split_state"));
        view.put("sandbox", row.get("sandbox"));
        view.put("createdBy", row.get("created_by"));
        view.put("createdAt", Views.instant(row.get("created_at")));
        view.put("updatedAt", Views.instant(row.get("updated_at")));
        view.put("submittedAt", Views.instant(row.get("submitted_at")));
        view.put("cancelledAt", Views.instant(row.get("cancelled_at")));
        view.putAll(progress(counts));
        return view;
    }

    /**
     * Counts by message status from one GROUP BY over the message rows. "sent" counts every
     * message Meta accepted (Sent, Delivered or Read), as the seed's Sent Count does.
     */
    public Map<String, Object> progress(List<Map<String, Object>> counts) {
        Map<String, Long> byStatus = new LinkedHashMap<>();
        MESSAGE_STATUSES.forEach(s -> byStatus.put(s, 0L));
        long total = 0;
        if (counts != null) {
            for (Map<String, Object> c : counts) {
                long n = ((Number) c.get("n")).longValue();
                byStatus.merge((String) c.get("status"), n, Long::sum);
                total += n;
            }
        }
        long read = byStatus.get("Read");
        long delivered = byStatus.get("Delivered") + read;
        long sent = byStatus.get("Sent") + delivered;
        long failed = byStatus.get("Failed");
        long cancelled = byStatus.get("Cancelled");
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("recipientCount", total);
        answer.put("sentCount", sent);
        answer.put("queued", byStatus.get("Queued") + byStatus.get("Sending") + byStatus.get("Retrying"));
        answer.put("sent", sent);
        answer.put("delivered", delivered);
        answer.put("read", read);
        answer.put("failed", failed);
        answer.put("cancelled", cancelled);
        answer.put("unconfirmed", byStatus.get("Unconfirmed"));
        long done = sent + failed + cancelled;
        answer.put("completionPercent", total == 0 ? 0.0 : Math.round(done * 1000.0 / total) / 10.0);
        return answer;
    }

    /** Get Progress: the campaign's name and status with its freshly counted progress. */
    public Map<String, Object> progressOf(Map<String, Object> campaign, Map<String, Object> progress) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("name", campaign.get("name"));
        answer.put("status", campaign.get("status"));
        answer.putAll(progress);
        return answer;
    }

    /** What Retry Failed (or Resend Unconfirmed) did: how many went back to the queue, and what was skipped and why. */
    public Map<String, Object> retryAnswer(Map<String, Object> campaign, long requeued, List<Map<String, Object>> skipped) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("name", campaign.get("name"));
        answer.put("requeued", requeued);
        if (skipped != null) {
            List<Map<String, Object>> reasons = new ArrayList<>();
            long total = 0;
            for (Map<String, Object> s : skipped) {
                long n = ((Number) s.get("n")).longValue();
                total += n;
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("reason", SKIP_REASONS.getOrDefault(String.valueOf(s.get("reason")), String.valueOf(s.get("reason"))));
                r.put("count", n);
                reasons.add(r);
            }
            answer.put("skipped", total);
            answer.put("skippedReasons", reasons);
        }
        return answer;
    }

    private static final Map<String, String> SKIP_REASONS = Map.of(
            "131050", "131050: the recipient stopped marketing messages from this business (opt-out); never resent",
            "131049", "131049: Meta held it back to keep the ecosystem healthy; not resent within 24 hours",
            "130472", "130472: the recipient is part of a Meta marketing experiment; not resent",
            "Invalid recipient", "invalid recipient row: fix the number or data and amend the campaign");

    public List<Map<String, Object>> summaries(List<Map<String, Object>> rows) {
        List<Map<String, Object>> items = new ArrayList<>(rows.size());
        for (Map<String, Object> row : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", row.get("name"));
            m.put("title", row.get("title"));
            m.put("status", row.get("status"));
            m.put("recipientType", row.get("recipient_type"));
            m.put("variableType", row.get("variable_type"));
            m.put("recipientCount", row.get("recipient_count"));
            m.put("createdAt", Views.instant(row.get("created_at")));
            m.put("submittedAt", Views.instant(row.get("submitted_at")));
            items.add(m);
        }
        return items;
    }

    public Map<String, Object> messages(List<Map<String, Object>> rows, @Header("page") int page,
                                        @Header("pageSize") int size) {
        List<Map<String, Object>> items = new ArrayList<>(rows.size());
        for (Map<String, Object> row : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", row.get("id"));
            m.put("mobileNumber", row.get("mobile_number"));
            m.put("recipientName", row.get("recipient_name"));
            m.put("status", row.get("status"));
            m.put("messageId", row.get("wamid"));
            m.put("messageStatus", row.get("message_status"));
            m.put("parameters", parse(row.get("parameters")));
            m.put("attempts", row.get("attempts"));
            if (row.get("error_title") != null || row.get("error_code") != null) {
                Map<String, Object> error = new LinkedHashMap<>();
                error.put("code", row.get("error_code"));
                error.put("title", row.get("error_title"));
                error.put("message", row.get("error_message"));
                error.put("details", row.get("error_details"));
                m.put("error", error);
            }
            m.put("sentAt", Views.instant(row.get("sent_at")));
            m.put("deliveredAt", Views.instant(row.get("delivered_at")));
            m.put("readAt", Views.instant(row.get("read_at")));
            m.put("failedAt", Views.instant(row.get("failed_at")));
            m.put("updatedAt", Views.instant(row.get("updated_at")));
            items.add(m);
        }
        return Paging.answer(page, size, items);
    }

    /** A page of the campaign's own recipient rows as they were entered, numbered from 1. */
    public Map<String, Object> recipients(List<Map<String, Object>> rows, @Header("page") int page,
                                          @Header("pageSize") int size) {
        List<Map<String, Object>> items = new ArrayList<>(rows.size());
        for (Map<String, Object> row : rows) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("row", row.get("idx"));
            r.put("mobileNumber", row.get("mobile_number"));
            r.put("recipientName", row.get("recipient_name"));
            r.put("recipientData", parse(row.get("recipient_data")));
            items.add(r);
        }
        return Paging.answer(page, size, items);
    }

    static Object parse(Object json) {
        if (json == null) {
            return null;
        }
        try {
            return CampaignRules.JSON.readValue(json.toString(), LinkedHashMap.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is unreadable", e);
        }
    }
}
