package herald.campaign;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import herald.api.ApiException;
import herald.api.Fields;
import herald.domain.PhoneNormaliser;
import herald.domain.TemplateSpec;
import herald.domain.TemplateVariables;
import herald.templates.TemplateRequests;
import org.apache.camel.Variable;

/**
 * The rules a campaign must meet, checked when it is saved and again when it is submitted (a
 * template or account may have changed in between). Every problem names its field or row.
 */
public class CampaignRules {

    public enum RecipientType { INDIVIDUAL_RECIPIENTS, RECIPIENT_LIST }

    public enum VariableType { COMMON, UNIQUE }

    static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_REPORTED = 100;

    private final PhoneNormaliser phones;

    public CampaignRules(PhoneNormaliser phones) {
        this.phones = phones;
    }

    /**
     * Checks a create or edit request against the records it names and answers the columns to store,
     * plus the entered recipient rows under "recipients" (null when the request leaves them as they are).
     */
    public Map<String, Object> forSave(Map<String, Object> body, @Variable("sending") Map<String, Object> sending,
                                       @Variable("file") Map<String, Object> file,
                                       @Variable("list") Map<String, Object> list) {
        Fields f = new Fields(body);
        List<Map<String, Object>> problems = new ArrayList<>();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("title", f.text("title", true, 300));
        RecipientType recipientType = f.choice("recipientType", RecipientType.class, null);
        VariableType variableType = f.choice("variableType", VariableType.class, VariableType.COMMON);
        row.put("recipientType", label(recipientType));
        row.put("variableType", label(variableType));
        row.put("templateId", f.has("templateId") ? f.integer("templateId", 0, 1, Integer.MAX_VALUE) : null);
        row.put("accountId", f.has("accountId") ? f.integer("accountId", 0, 1, Integer.MAX_VALUE) : null);
        row.put("recipientListId", null);
        row.put("attachmentFileId", f.has("attachmentFileId") ? f.integer("attachmentFileId", 0, 1, Integer.MAX_VALUE) : null);
        row.put("callbackUrl", callbackUrl(f));

        TemplateSpec spec = checkTemplateAndAccount(row, sending, problems);
        row.put("sandbox", sending != null && Boolean.TRUE.equals(sending.get("sandbox")));

        Object variables = f.raw("templateVariables");
        boolean emptyVariables = variables == null || variables instanceof Map<?, ?> m && m.isEmpty()
                || variables instanceof String s && s.isBlank();
        if (variableType == VariableType.UNIQUE) {
            if (!emptyVariables) {
                problem(problems, "templateVariables", "must be empty for Unique: each recipient's Recipient Data gives the values");
            }
            row.put("templateVariables", null);
        } else {
            JsonNode node = JSON.valueToTree(variables);
            if (!(variables instanceof Map)) {
                problem(problems, "templateVariables", "must be a JSON object for Common, e.g. {\"name\": \"Valued Customer\"}");
            } else if (spec != null) {
                for (String p : TemplateVariables.problems(spec, node)) {
                    problem(problems, "templateVariables", p);
                }
            }
            row.put("templateVariables", variables instanceof Map ? node.toString() : null);
        }

        checkAttachment(row, spec, file, problems);

        List<Map<String, Object>> recipients = null;
        if (recipientType == RecipientType.RECIPIENT_LIST) {
            if (!f.has("recipientListId")) {
                problem(problems, "recipientListId", "is required when Recipient Type is Recipient List");
            } else if (list == null) {
                problem(problems, "recipientListId", "no WhatsApp Recipient List has id " + f.raw("recipientListId"));
            } else {
                row.put("recipientListId", list.get("id"));
            }
            if (f.has("recipients")) {
                problem(problems, "recipients", "must be empty when Recipient Type is Recipient List");
            }
        } else if (f.has("recipients")) {
            if (!(f.raw("recipients") instanceof List<?> entered)) {
                throw ApiException.badRequest("recipients", "must be a JSON array of {mobileNumber, recipientName, recipientData}");
            }
            recipients = recipientRows(entered);
            checkEnteredRows(recipients, variableType, spec, problems);
        }
        if (!problems.isEmpty()) {
            throw ApiException.invalid("the campaign cannot be saved: " + problems.get(0).get("field") + ": "
                    + problems.get(0).get("message") + (problems.size() > 1 ? " (and " + (problems.size() - 1)
                    + " more problems in details)" : ""), problems);
        }
        row.put("recipients", recipients);
        return row;
    }

    /** The record ids a request names, checked to be whole numbers before they reach SQL. */
    public Map<String, Object> ids(Map<String, Object> body) {
        Fields f = new Fields(body);
        Map<String, Object> ids = new LinkedHashMap<>();
        for (String field : List.of("templateId", "accountId", "attachmentFileId", "recipientListId")) {
            ids.put(field, f.has(field) ? (long) f.integer(field, 0, 1, Integer.MAX_VALUE) : null);
        }
        return ids;
    }

    /** Checks that a stored campaign still meets every rule, e.g. its template is still APPROVED. */
    public void checkSubmittable(@Variable("campaign") Map<String, Object> campaign,
                                 @Variable("sending") Map<String, Object> sending,
                                 @Variable("file") Map<String, Object> file,
                                 @Variable("list") Map<String, Object> list) {
        forSave(asRequest(campaign), sending, file, list);
    }

    /** A stored campaign as the request that would create it. */
    public Map<String, Object> asRequest(@Variable("campaign") Map<String, Object> campaign) {
        return merge(Map.of(), campaign);
    }

    /** Throws 409 unless the campaign's status is one of those the action allows. */
    public void requireStatus(@Variable("campaign") Map<String, Object> campaign, String action, String allowed) {
        CampaignStatus[] statuses = java.util.Arrays.stream(allowed.split(","))
                .map(String::trim).map(CampaignStatus::valueOf).toArray(CampaignStatus[]::new);
        CampaignStatus.require((String) campaign.get("name"), (String) campaign.get("status"), action, statuses);
    }

    /** BULK-WA-{YYYY}-{#####} from the year's counter. */
    public String seriesName(String prefix, long value) {
        return prefix + String.format("%05d", value);
    }

    /** An amendment is named after the first campaign of its chain, ... */
    public String amendPrefix(@Variable("campaign") Map<String, Object> campaign) {
        String name = (String) campaign.get("name");
        return (campaign.get("amended_from") == null ? name : name.substring(0, name.lastIndexOf('-'))) + "-";
    }

    /** The entered recipient rows, each tagged with the campaign they belong to. */
    public List<Map<String, Object>> recipientsOf(List<Map<String, Object>> rows, long campaignId) {
        rows.forEach(r -> r.put("campaignId", campaignId));
        return rows;
    }

    /** The Draft as a create request, so an edit can change some fields and keep the rest. */
    public Map<String, Object> merge(Map<String, Object> body, @Variable("campaign") Map<String, Object> stored) {
        Map<String, Object> merged = new LinkedHashMap<>();
        merged.put("title", stored.get("title"));
        merged.put("recipientType", stored.get("recipient_type"));
        merged.put("variableType", stored.get("variable_type"));
        merged.put("templateId", stored.get("template_id"));
        merged.put("accountId", stored.get("account_id"));
        merged.put("recipientListId", stored.get("recipient_list_id"));
        merged.put("attachmentFileId", stored.get("attachment_file_id"));
        merged.put("templateVariables", CampaignViews.parse(stored.get("template_variables")));
        merged.put("callbackUrl", stored.get("callback_url"));
        merged.putAll(body);
        return merged;
    }

    /**
     * Where Herald announces the campaign's final status: kept exactly as given (a receiver may
     * care about a trailing slash), and never with user:password, which the API would show to
     * every reader; the X-Herald-Signature header is what proves a callback came from Herald.
     */
    private static String callbackUrl(Fields f) {
        String text = f.text("callbackUrl", false, 2000);
        if (text == null) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw ApiException.badRequest("callbackUrl", "is not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw ApiException.badRequest("callbackUrl", "must be an absolute http(s) URL such as "
                    + "https://example.com/herald-callbacks, not '" + text + "'");
        }
        if (uri.getRawUserInfo() != null) {
            throw ApiException.badRequest("callbackUrl", "must not carry a user name or password: the API shows the URL "
                    + "to every reader; verify the X-Herald-Signature header instead");
        }
        return text;
    }

    private TemplateSpec checkTemplateAndAccount(Map<String, Object> row, Map<String, Object> sending,
                                                 List<Map<String, Object>> problems) {
        if (row.get("templateId") == null) {
            problem(problems, "templateId", "is required");
            return null;
        }
        if (sending == null || sending.get("template_id") == null) {
            problem(problems, "templateId", "no WhatsApp Template has id " + row.get("templateId"));
            return null;
        }
        if (!"APPROVED".equals(sending.get("template_status"))) {
            problem(problems, "templateId", "template " + sending.get("template_name") + " (" + sending.get("template_language")
                    + ") is " + sending.get("template_status") + "; only an APPROVED template can be sent");
        }
        if (sending.get("account_id") == null) {
            problem(problems, "accountId", "no WhatsApp Account has id " + row.get("accountId"));
            return null;
        }
        if (!Boolean.TRUE.equals(sending.get("account_active"))) {
            problem(problems, "accountId", "WhatsApp Account " + sending.get("account_name") + " is not active");
        }
        if (!Boolean.TRUE.equals(sending.get("template_sandbox")) != !Boolean.TRUE.equals(sending.get("sandbox"))) {
            problem(problems, "accountId", "sandbox and real accounts never mix: the template and the account must both "
                    + "be sandbox or both real");
        }
        if (sending.get("sending_template_id") == null) {
            problem(problems, "accountId", "WhatsApp Account " + sending.get("account_name") + " has no template "
                    + sending.get("template_name") + " in " + sending.get("template_language"));
            return null;
        }
        if (!"APPROVED".equals(sending.get("sending_template_status"))) {
            problem(problems, "accountId", "WhatsApp Account " + sending.get("account_name") + "'s template "
                    + sending.get("template_name") + " (" + sending.get("template_language") + ") is "
                    + sending.get("sending_template_status") + ", not APPROVED");
        }
        return TemplateRequests.spec(Map.of("header_kind", sending.get("sending_header_kind"),
                "parameter_format", sending.get("sending_parameter_format"),
                "header_params", sending.get("sending_header_params"),
                "body_params", sending.get("sending_body_params"),
                "url_buttons", sending.get("sending_url_buttons")));
    }

    private static void checkAttachment(Map<String, Object> row, TemplateSpec spec, Map<String, Object> file,
                                        List<Map<String, Object>> problems) {
        Object fileId = row.get("attachmentFileId");
        if (fileId != null && file == null) {
            problem(problems, "attachmentFileId", "no uploaded file has id " + fileId);
            return;
        }
        if (spec == null) {
            return;
        }
        String kind = spec.headerKind().name();
        if (!spec.hasMediaHeader()) {
            if (file != null) {
                problem(problems, "attachmentFileId", "the template has " + (spec.headerKind() == TemplateSpec.HeaderKind.NONE
                        ? "no header" : "a " + kind + " header") + ", so it cannot carry an attachment");
            }
            return;
        }
        if (file == null) {
            problem(problems, "attachmentFileId", "the template has a " + kind + " header: attach a "
                    + expected(kind));
            return;
        }
        String type = (String) file.get("content_type");
        boolean fits = switch (kind) {
            case "DOCUMENT" -> type.equals("application/pdf");
            case "IMAGE" -> type.equals("image/jpeg") || type.equals("image/png");
            case "VIDEO" -> type.equals("video/mp4");
            default -> false;
        };
        if (!fits) {
            problem(problems, "attachmentFileId", "the template's " + kind + " header needs a " + expected(kind)
                    + ", not " + type + " (" + file.get("original_name") + ")");
        }
    }

    private static String expected(String kind) {
        return switch (kind) {
            case "DOCUMENT" -> "PDF (application/pdf)";
            case "IMAGE" -> "JPEG or PNG image";
            case "VIDEO" -> "MP4 video";
            default -> "file Meta accepts in a " + kind + " header";
        };
    }

    private static List<Map<String, Object>> recipientRows(List<?> entered) {
        List<Map<String, Object>> rows = new ArrayList<>(entered.size());
        int idx = 0;
        for (Object o : entered) {
            idx++;
            if (!(o instanceof Map<?, ?> m)) {
                throw ApiException.badRequest("recipients[" + idx + "]", "must be an object {mobileNumber, recipientName, recipientData}");
            }
            Object data = m.get("recipientData");
            if (data != null && !(data instanceof Map)) {
                throw ApiException.badRequest("recipients[" + idx + "].recipientData", "must be a JSON object");
            }
            Object number = m.get("mobileNumber");
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("idx", idx);
            row.put("mobileNumber", number == null ? "" : number.toString().trim());
            row.put("recipientName", m.get("recipientName") == null ? null : m.get("recipientName").toString());
            row.put("recipientData", data == null ? null : JSON.valueToTree(data).toString());
            rows.add(row);
        }
        return rows;
    }

    /**
     * Entered rows are checked when they are saved, by the rules the submit applies again: a typo
     * is refused while its author is still at the form, not when the campaign is sent.
     */
    private void checkEnteredRows(List<Map<String, Object>> rows, VariableType variableType, TemplateSpec spec,
                                  List<Map<String, Object>> problems) {
        for (Map<String, Object> row : rows) {
            String where = "recipients[" + row.get("idx") + "]";
            String rawNumber = (String) row.get("mobileNumber");
            PhoneNormaliser.Result number = phones.normalise(rawNumber);
            if (!number.ok()) {
                problem(problems, where + ".mobileNumber", numberProblem(rawNumber, number));
            }
            if (variableType == VariableType.UNIQUE && spec != null) {
                String data = dataProblem(spec, parse((String) row.get("recipientData")));
                if (data != null) {
                    problem(problems, where + ".recipientData", data);
                }
            }
        }
    }

    /**
     * One recipient as it will be sent, or why it cannot be: the E.164 number and the frozen
     * parameters, or a problem naming the row.
     */
    public Recipient recipient(long position, String rawNumber, String name, String recipientData,
                               TemplateSpec spec, JsonNode commonValues, boolean storedAsE164) {
        // Recipient List rows were normalised when they were stored; parsing them again costs
        // about as much as the rest of the split together.
        PhoneNormaliser.Result number = storedAsE164 ? new PhoneNormaliser.Result(rawNumber, null)
                : phones.normalise(rawNumber);
        if (!number.ok()) {
            return Recipient.invalid(position, null, name, numberProblem(rawNumber, number));
        }
        JsonNode values = commonValues;
        if (values == null) {
            values = parse(recipientData);
            String problem = dataProblem(spec, values);
            if (problem != null) {
                return Recipient.invalid(position, number.e164(), name, problem);
            }
        }
        return new Recipient(position, number.e164(), name, TemplateVariables.freeze(spec, values).toString(), null);
    }

    private static String numberProblem(String rawNumber, PhoneNormaliser.Result number) {
        return "mobile_number '" + rawNumber + "' " + number.error();
    }

    /** Stored Recipient Data as JSON; null when it is not JSON at all. */
    private static JsonNode parse(String recipientData) {
        try {
            return recipientData == null ? JSON.createObjectNode() : JSON.readTree(recipientData);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return null;
        }
    }

    private static String dataProblem(TemplateSpec spec, JsonNode values) {
        if (values == null) {
            return "recipient_data is not valid JSON";
        }
        List<String> problems = TemplateVariables.problems(spec, values);
        return problems.isEmpty() ? null : "recipient_data: " + String.join("; ", problems);
    }

    /**
     * A recipient ready to become a WhatsApp Message row; {@code problem} is set when it cannot be sent.
     * {@code mobileNumber} is null when the row's number cannot be read, so that two such rows are not
     * taken for one recipient; the problem quotes what was typed.
     */
    public record Recipient(long position, String mobileNumber, String name, String parameters, String problem) {
        static Recipient invalid(long position, String number, String name, String problem) {
            return new Recipient(position, number, name, "{}", problem);
        }
    }

    static void problem(List<Map<String, Object>> problems, String field, String message) {
        if (problems.size() < MAX_REPORTED) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("field", field);
            p.put("message", message);
            problems.add(p);
        }
    }

    static String label(Enum<?> value) {
        if (value == null) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        for (String word : value.name().split("_")) {
            b.append(b.length() == 0 ? "" : " ").append(word.charAt(0)).append(word.substring(1).toLowerCase());
        }
        return b.toString();
    }
}
