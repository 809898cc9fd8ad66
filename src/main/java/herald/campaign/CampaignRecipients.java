package herald.campaign;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import herald.api.ApiException;
import herald.domain.TemplateSpec;
import herald.templates.TemplateRequests;
import org.apache.camel.Exchange;
import org.apache.camel.Variable;
import org.springframework.jdbc.datasource.DataSourceUtils;

/**
 * Reads a campaign's recipients (its own rows, or its Recipient List) in position order, a batch
 * at a time, so neither the submit check nor the split ever holds the whole set in memory. The
 * position (row index, or list row id) becomes the message's seq: the split's resumable cursor.
 */
public class CampaignRecipients {

    // Ordered by the whole index key: H2 reads a batch straight from the index only then; ordered by
    // the position alone it sorts every remaining row for each batch, and a 1,000,000-row submit
    // check took longer than five minutes.
    private static final String INDIVIDUAL = "SELECT idx AS pos, mobile_number, recipient_name, recipient_data "
            + "FROM campaign_recipient WHERE campaign_id = ? AND idx > ? AND idx <= ? ORDER BY campaign_id, idx LIMIT ?";
    private static final String LIST = "SELECT id AS pos, mobile_number, recipient_name, recipient_data "
            + "FROM recipient_list_row WHERE list_id = ? AND id > ? AND id <= ? ORDER BY list_id, id LIMIT ?";
    private static final int MAX_REPORTED = 100;

    private final DataSource dataSource;
    private final CampaignRules rules;
    private final int batchSize;

    public CampaignRecipients(DataSource dataSource, CampaignRules rules, int batchSize) {
        this.dataSource = dataSource;
        this.rules = rules;
        this.batchSize = batchSize;
    }

    /**
     * The submit check: every recipient row is read once; a submit with invalid rows is refused
     * with the first 100 problems and their total, unless skipInvalid sends the valid ones. The
     * answer's lastPosition is the last row checked: the split reads no further, so rows added to
     * a Recipient List after the submit are never sent unchecked.
     */
    public Map<String, Object> checkForSubmit(@Variable("campaign") Map<String, Object> campaign,
                                              @Variable("sending") Map<String, Object> sending,
                                              boolean skipInvalid) throws SQLException {
        TemplateSpec spec = spec(sending);
        JsonNode common = commonValues(campaign);
        long valid = 0;
        long invalid = 0;
        List<Map<String, Object>> problems = new ArrayList<>();
        long cursor = 0;
        while (true) {
            List<Map<String, Object>> rows = read(campaign, cursor);
            if (rows.isEmpty()) {
                break;
            }
            for (Map<String, Object> row : rows) {
                CampaignRules.Recipient r = recipient(row, spec, common);
                if (r.problem() == null) {
                    valid++;
                } else {
                    invalid++;
                    CampaignRules.problem(problems, "recipients[" + r.position() + "]", r.problem());
                }
                cursor = r.position();
            }
        }
        if (invalid > 0 && !skipInvalid) {
            throw ApiException.invalid(invalid + " recipient row(s) cannot be sent; the first " + problems.size()
                    + " are in details. Fix them, or submit with skipInvalid=true to send the valid rows and record "
                    + "the others as Failed", problems, invalid);
        }
        if (valid == 0) {
            throw invalid == 0 ? ApiException.invalid("the campaign has no recipients: an empty recipient set cannot be "
                    + "submitted", problems) : ApiException.invalid("none of the " + invalid + " recipient rows can be sent",
                    problems, invalid);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("validRows", valid);
        answer.put("invalidRows", invalid);
        answer.put("lastPosition", cursor);
        return answer;
    }

    /**
     * The next batch of WhatsApp Message rows after the campaign's split cursor. Sets the variable
     * batchLast to the last position read (0 when there is nothing left).
     */
    public List<Map<String, Object>> nextBatch(@Variable("campaign") Map<String, Object> campaign,
                                               @Variable("sending") Map<String, Object> sending,
                                               @Variable("cursor") long cursor, Exchange exchange) throws SQLException {
        TemplateSpec spec = spec(sending);
        JsonNode common = commonValues(campaign);
        List<Map<String, Object>> rows = read(campaign, cursor);
        List<Map<String, Object>> messages = new ArrayList<>(rows.size());
        long last = 0;
        for (Map<String, Object> row : rows) {
            CampaignRules.Recipient r = recipient(row, spec, common);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("campaignId", campaign.get("id"));
            m.put("seq", r.position());
            m.put("mobileNumber", r.mobileNumber());
            m.put("recipientName", r.name());
            m.put("accountId", campaign.get("sending_account_id"));
            m.put("templateId", campaign.get("sending_template_id"));
            m.put("parameters", r.parameters());
            m.put("status", r.problem() == null ? "Queued" : "Failed");
            m.put("errorTitle", r.problem() == null ? null : "Invalid recipient");
            m.put("errorMessage", r.problem());
            messages.add(m);
            last = r.position();
        }
        exchange.setVariable("batchLast", last);
        return messages;
    }

    private CampaignRules.Recipient recipient(Map<String, Object> row, TemplateSpec spec, JsonNode common) {
        return rules.recipient(((Number) row.get("pos")).longValue(), (String) row.get("mobile_number"),
                (String) row.get("recipient_name"), (String) row.get("recipient_data"), spec, common,
                Boolean.TRUE.equals(row.get("stored_e164")));
    }

    private List<Map<String, Object>> read(Map<String, Object> campaign, long after) throws SQLException {
        boolean list = "Recipient List".equals(campaign.get("recipient_type"));
        // Joins the caller's transaction when there is one: the inbox creates and submits a
        // campaign in one, and the submit check must see the rows that it has not committed yet.
        Connection c = DataSourceUtils.getConnection(dataSource);
        try (PreparedStatement ps = c.prepareStatement(list ? LIST : INDIVIDUAL)) {
            ps.setLong(1, ((Number) campaign.get(list ? "recipient_list_id" : "id")).longValue());
            ps.setLong(2, after);
            // A Draft has no split_end yet: its submit check reads every row there is.
            Object end = campaign.get("split_end");
            ps.setLong(3, end == null ? Long.MAX_VALUE : ((Number) end).longValue());
            ps.setInt(4, batchSize);
            try (ResultSet rs = ps.executeQuery()) {
                List<Map<String, Object>> rows = new ArrayList<>(batchSize);
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("pos", rs.getLong(1));
                    row.put("mobile_number", rs.getString(2));
                    row.put("recipient_name", rs.getString(3));
                    row.put("recipient_data", rs.getString(4));
                    row.put("stored_e164", list);
                    rows.add(row);
                }
                return rows;
            }
        } finally {
            DataSourceUtils.releaseConnection(c, dataSource);
        }
    }

    private static TemplateSpec spec(Map<String, Object> sending) {
        return TemplateRequests.spec(Map.of("header_kind", sending.get("sending_header_kind"),
                "parameter_format", sending.get("sending_parameter_format"),
                "header_params", sending.get("sending_header_params"),
                "body_params", sending.get("sending_body_params"),
                "url_buttons", sending.get("sending_url_buttons")));
    }

    private static JsonNode commonValues(Map<String, Object> campaign) {
        if (!"Common".equals(campaign.get("variable_type"))) {
            return null;
        }
        try {
            Object values = campaign.get("template_variables");
            return CampaignRules.JSON.readTree(values == null ? "{}" : values.toString());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored Template Variables are unreadable", e);
        }
    }
}
