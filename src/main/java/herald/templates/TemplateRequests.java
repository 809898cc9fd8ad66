package herald.templates;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import herald.api.ApiException;
import herald.api.Fields;
import herald.api.Views;
import herald.domain.TemplateSpec;

/**
 * Maps WhatsApp Template requests to rows: Meta's components are kept as given, and the header
 * kind and exact placeholder lists are derived from them once, here.
 */
public class TemplateRequests {

    public enum Status { APPROVED, PENDING, REJECTED, PAUSED, DISABLED }

    public enum Category { MARKETING, UTILITY, AUTHENTICATION }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("[a-z0-9_]{1,512}");
    private static final Pattern LANGUAGE = Pattern.compile("[a-z]{2,3}(_[A-Za-z]{2,4})?");

    /**
     * The accountId of a request body as a number, read before the account is looked up so a
     * malformed id is answered as the caller's mistake instead of failing in the database.
     */
    public Long accountId(Map<String, Object> body) {
        Object value = body == null ? null : body.get("accountId");
        if (value == null) {
            return null;
        }
        if (value instanceof Integer || value instanceof Long) {
            return ((Number) value).longValue();
        }
        if (value instanceof String text && text.trim().matches("\\d{1,18}")) {
            return Long.parseLong(text.trim());
        }
        throw ApiException.badRequest("accountId", "must be the id of a WhatsApp Account (a whole number), not '"
                + value + "'");
    }

    public Map<String, Object> forInsert(Map<String, Object> body, Map<String, Object> account) {
        Fields f = new Fields(body);
        if (account == null) {
            throw ApiException.badRequest("accountId", f.has("accountId")
                    ? "no WhatsApp Account has id " + f.raw("accountId") : "is required");
        }
        Map<String, Object> row = columns(f);
        row.put("accountId", account.get("id"));
        row.put("sandbox", account.get("sandbox"));
        return row;
    }

    public Map<String, Object> forUpdate(Map<String, Object> body, Map<String, Object> stored) {
        if (stored == null) {
            throw ApiException.notFound("WhatsApp Template");
        }
        Map<String, Object> merged = new LinkedHashMap<>(view(stored));
        merged.putAll(body);
        if (!String.valueOf(stored.get("account_id")).equals(String.valueOf(merged.get("accountId")))) {
            throw ApiException.badRequest("accountId", "a template's account cannot change; register it for the other account");
        }
        Map<String, Object> row = columns(new Fields(merged));
        row.put("id", stored.get("id"));
        return row;
    }

    private Map<String, Object> columns(Fields f) {
        Map<String, Object> row = new LinkedHashMap<>();
        String name = f.text("name", true, 512);
        if (!NAME.matcher(name).matches()) {
            throw ApiException.badRequest("name", "must be lower case letters, digits and underscores, as Meta names templates");
        }
        String language = f.text("language", true, 20);
        if (!LANGUAGE.matcher(language).matches()) {
            throw ApiException.badRequest("language", "must be a language code such as en, de or en_US");
        }
        row.put("name", name);
        row.put("language", language);
        row.put("category", f.choice("category", Category.class, Category.UTILITY).name());
        row.put("status", f.choice("status", Status.class, null).name());
        String format = f.choice("parameterFormat", TemplateSpec.ParameterFormat.class,
                TemplateSpec.ParameterFormat.POSITIONAL).name();
        row.put("parameterFormat", format);
        Object components = f.raw("components");
        if (!(components instanceof List<?>)) {
            throw ApiException.badRequest("components", "is required: Meta's components array for this template");
        }
        String componentsJson;
        TemplateSpec spec;
        try {
            componentsJson = JSON.writeValueAsString(components);
            spec = TemplateSpec.parse(componentsJson, format);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw ApiException.badRequest("components", e.getMessage());
        }
        row.put("components", componentsJson);
        row.put("headerKind", spec.headerKind().name());
        row.put("headerParams", write(spec.headerParams()));
        row.put("bodyParams", write(spec.bodyParams()));
        row.put("urlButtons", write(spec.urlButtons()));
        row.put("metaTemplateId", f.text("metaTemplateId", false, 40));
        return row;
    }

    public Map<String, Object> view(Map<String, Object> row) {
        if (row == null) {
            throw ApiException.notFound("WhatsApp Template");
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", row.get("id"));
        view.put("accountId", row.get("account_id"));
        view.put("name", row.get("name"));
        view.put("language", row.get("language"));
        view.put("category", row.get("category"));
        view.put("status", row.get("status"));
        view.put("parameterFormat", row.get("parameter_format"));
        view.put("headerKind", row.get("header_kind"));
        view.put("headerParams", read(row.get("header_params")));
        view.put("bodyParams", read(row.get("body_params")));
        view.put("urlButtons", read(row.get("url_buttons")));
        view.put("components", read(row.get("components")));
        view.put("metaTemplateId", row.get("meta_template_id"));
        view.put("goneFromMeta", row.get("gone_from_meta"));
        view.put("sandbox", row.get("sandbox"));
        view.put("createdAt", Views.instant(row.get("created_at")));
        view.put("updatedAt", Views.instant(row.get("updated_at")));
        return view;
    }

    /** The placeholder spec of a stored template row. */
    public static TemplateSpec spec(Map<String, Object> row) {
        return new TemplateSpec(TemplateSpec.HeaderKind.valueOf((String) row.get("header_kind")),
                TemplateSpec.ParameterFormat.valueOf((String) row.get("parameter_format")),
                readList(row.get("header_params"), new TypeReference<>() { }),
                readList(row.get("body_params"), new TypeReference<>() { }),
                readList(row.get("url_buttons"), new TypeReference<>() { }));
    }

    private static String write(List<?> list) {
        try {
            return JSON.writeValueAsString(list);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object read(Object json) {
        try {
            return json == null ? null : JSON.readValue(json.toString(), Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is unreadable", e);
        }
    }

    private static <T> List<T> readList(Object json, TypeReference<List<T>> type) {
        try {
            return JSON.readValue(json.toString(), type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored placeholder list is unreadable", e);
        }
    }
}
