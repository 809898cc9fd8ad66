package herald.templates;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import herald.api.ApiException;
import herald.domain.SecretCipher;
import org.apache.camel.Body;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.Variable;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.support.CamelContextHelper;

/**
 * Template sync with Meta (reference §5): pages through an account's message_templates and plans
 * the rows to insert, update, mark gone or delete. Rows are derived exactly as for the REST API,
 * by {@link TemplateRequests}, so a synced template is indistinguishable from a registered one.
 */
public class TemplateSync implements CamelContextAware {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FIELDS = "id,name,language,status,category,parameter_format,components";

    private final int pageSize;
    private final int maxPages;

    /** What one account's sync has fetched so far. */
    public static final class Fetch {
        private final List<JsonNode> templates = new ArrayList<>();
        private int pages;
    }

    /** Why one account could not be synced; the message is safe to show (no token, no URL query). */
    public static final class SyncFailure extends RuntimeException {
        public SyncFailure(String message) {
            super(message);
        }
    }

    private CamelContext context;

    public TemplateSync(int pageSize, int maxPages) {
        this.pageSize = pageSize;
        this.maxPages = maxPages;
    }

    @Override
    public void setCamelContext(CamelContext context) {
        this.context = context;
    }

    @Override
    public CamelContext getCamelContext() {
        return context;
    }

    // Looked up on use: YAML beans are made while the routes are pre-parsed, before
    // HeraldConfiguration has bound these.
    private <T> T lookup(String name, Class<T> type) {
        return CamelContextHelper.mandatoryLookup(context, name, type);
    }

    public Fetch start() {
        return new Fetch();
    }

    public String firstPage(@Variable("account") Map<String, Object> account) {
        return account.get("api_base_url") + "/" + account.get("api_version") + "/" + account.get("waba_id")
                + "/message_templates?fields=" + FIELDS + "&limit=" + pageSize;
    }

    /** The page's URL without its query: what the GET is addressed to. */
    public String address(@Variable("pageUrl") String pageUrl) {
        int query = pageUrl.indexOf('?');
        return query < 0 ? pageUrl : pageUrl.substring(0, query);
    }

    /**
     * The page's query exactly as written, for the header CamelHttpRawQuery: a query that went
     * through an endpoint URI would be decoded and encoded again, and Meta's cursor with it
     * ('%2B' read as '+', then sent as a space or re-encoded otherwise).
     */
    public String rawQuery(@Variable("pageUrl") String pageUrl) {
        int query = pageUrl.indexOf('?');
        return query < 0 ? null : pageUrl.substring(query + 1);
    }

    public String bearer(@Variable("account") Map<String, Object> account) {
        try {
            return "Bearer " + lookup("secretCipher", SecretCipher.class).decrypt((String) account.get("access_token_enc"));
        } catch (IllegalStateException e) {
            throw new SyncFailure("the account's access token: " + e.getMessage());
        }
    }

    /**
     * Keeps one page's templates and answers the next page's URL, or null after the last page.
     * The next URL must stay on the account's API base URL: the Bearer token goes with it.
     */
    public String page(@Body String body, @Variable("fetch") Fetch fetch, @Variable("account") Map<String, Object> account) {
        JsonNode page;
        try {
            page = JSON.readTree(body == null ? "" : body);
        } catch (JsonProcessingException e) {
            throw new SyncFailure("the template list is not valid JSON: " + e.getOriginalMessage());
        }
        JsonNode data = page == null ? null : page.get("data");
        if (data == null || !data.isArray()) {
            throw new SyncFailure("the template list has no data array");
        }
        data.forEach(fetch.templates::add);
        fetch.pages++;
        JsonNode next = page.path("paging").get("next");
        if (next == null || !next.isTextual() || next.asText().isBlank()) {
            return null;
        }
        if (fetch.pages >= maxPages) {
            throw new SyncFailure("more than " + maxPages + " pages of templates; raise herald.template-sync.max-pages");
        }
        return sameOriginWithoutToken(next.asText(), (String) account.get("api_base_url"));
    }

    /** The report of an account whose sync failed, with a reason an operator can act on. */
    public Map<String, Object> failed(@Variable("account") Map<String, Object> account, Exchange exchange) {
        return notSynced(account, "error", reason(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class)));
    }

    /** Sandbox accounts hold sample templates that Meta has never seen; a sync would delete them. */
    public Map<String, Object> skipped(@Variable("account") Map<String, Object> account) {
        return notSynced(account, "skipped", "sandbox account: its templates are sample data, not Meta's");
    }

    private static String reason(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SyncFailure sync) {
                return sync.getMessage();
            }
            if (t instanceof HttpOperationFailedException http) {
                return "Meta answered HTTP " + http.getStatusCode() + metaError(http.getResponseBody());
            }
            if (t instanceof IOException io) {
                return "the Graph API could not be reached: " + io.getClass().getSimpleName();
            }
        }
        return "the sync failed: " + (failure == null ? "unknown cause" : failure.getClass().getSimpleName());
    }

    /** Meta's own words from an error answer (reference §2), when it has any. */
    private static String metaError(String body) {
        try {
            JsonNode error = body == null ? null : JSON.readTree(body).get("error");
            if (error != null && error.hasNonNull("message")) {
                return ": " + error.get("message").asText() + " (code " + error.path("code").asText("?") + ")";
            }
        } catch (JsonProcessingException e) {
            // not Meta's error shape; the HTTP status alone is reported
        }
        return "";
    }

    /**
     * What to write for one account: inserts, updates, templates to mark gone (referenced by a
     * campaign) and to delete (referenced by none), and the report the caller sees.
     */
    public Map<String, Object> plan(@Variable("account") Map<String, Object> account, @Variable("fetch") Fetch fetch,
                                    @Variable("stored") List<Map<String, Object>> stored,
                                    @Variable("referenced") List<Map<String, Object>> referenced) {
        Map<String, Map<String, Object>> storedByKey = new LinkedHashMap<>();
        for (Map<String, Object> row : stored) {
            storedByKey.put(key(row.get("name"), row.get("language")), row);
        }
        Set<Object> referencedIds = referenced.stream().map(row -> row.get("id")).map(String::valueOf)
                .collect(Collectors.toSet());
        TemplateRequests requests = lookup("templateRequests", TemplateRequests.class);
        Set<String> atMeta = new HashSet<>();
        List<Map<String, Object>> inserts = new ArrayList<>();
        List<Map<String, Object>> updates = new ArrayList<>();
        List<Map<String, Object>> gone = new ArrayList<>();
        List<Map<String, Object>> deletes = new ArrayList<>();
        List<Map<String, Object>> problems = new ArrayList<>();
        int unchanged = 0;
        for (JsonNode template : fetch.templates) {
            String name = template.path("name").asText(null);
            String language = template.path("language").asText(null);
            String key = key(name, language);
            if (!atMeta.add(key)) {
                continue;
            }
            Map<String, Object> row;
            try {
                row = requests.forInsert(asRequest(template), account);
            } catch (ApiException e) {
                problems.add(problem(name, language, e.getMessage()));
                continue;
            }
            Map<String, Object> existing = storedByKey.get(key);
            if (existing == null) {
                inserts.add(row);
            } else if (differs(row, existing)) {
                row.put("id", existing.get("id"));
                updates.add(row);
            } else {
                unchanged++;
            }
        }
        for (Map.Entry<String, Map<String, Object>> entry : storedByKey.entrySet()) {
            Map<String, Object> row = entry.getValue();
            if (atMeta.contains(entry.getKey())) {
                continue;
            }
            Map<String, Object> id = Map.of("id", row.get("id"));
            if (!referencedIds.contains(String.valueOf(row.get("id")))) {
                deletes.add(id);
            } else if (Boolean.TRUE.equals(row.get("gone_from_meta"))) {
                unchanged++;
            } else {
                gone.add(id);
            }
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("accountId", account.get("id"));
        report.put("account", account.get("name"));
        report.put("pages", fetch.pages);
        report.put("fetched", fetch.templates.size());
        report.put("inserted", inserts.size());
        report.put("updated", updates.size());
        report.put("unchanged", unchanged);
        report.put("gone", gone.size());
        report.put("deleted", deletes.size());
        report.put("problems", problems);
        Map<String, Object> plan = new LinkedHashMap<>();
        plan.put("inserts", inserts);
        plan.put("updates", updates);
        plan.put("gone", gone);
        plan.put("deletes", deletes);
        plan.put("report", report);
        return plan;
    }

    private static Map<String, Object> notSynced(Map<String, Object> account, String outcome, String reason) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("accountId", account.get("id"));
        report.put("account", account.get("name"));
        report.put(outcome, reason);
        return report;
    }

    /** Every account's report and the totals. */
    public Map<String, Object> summary(@Body List<Map<String, Object>> reports) {
        Map<String, Object> summary = new LinkedHashMap<>();
        for (String count : List.of("inserted", "updated", "unchanged", "gone", "deleted")) {
            summary.put(count, reports.stream().mapToInt(r -> r.get(count) instanceof Integer n ? n : 0).sum());
        }
        summary.put("problems", reports.stream()
                .mapToInt(r -> r.get("problems") instanceof List<?> list ? list.size() : 0).sum());
        summary.put("failedAccounts", reports.stream().filter(r -> r.containsKey("error")).count());
        summary.put("accounts", reports);
        return summary;
    }

    private static Map<String, Object> asRequest(JsonNode template) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("name", template.path("name").asText(null));
        request.put("language", template.path("language").asText(null));
        request.put("category", template.path("category").asText(null));
        request.put("status", template.path("status").asText(null));
        request.put("parameterFormat", template.path("parameter_format").asText(null));
        request.put("components", JSON.convertValue(template.get("components"), new TypeReference<Object>() { }));
        request.put("metaTemplateId", template.path("id").asText(null));
        return request;
    }

    private static boolean differs(Map<String, Object> row, Map<String, Object> stored) {
        return !Objects.equals(row.get("status"), stored.get("status"))
                || !Objects.equals(row.get("category"), stored.get("category"))
                || !Objects.equals(row.get("parameterFormat"), stored.get("parameter_format"))
                || !Objects.equals(row.get("components"), stored.get("components"))
                || !Objects.equals(row.get("headerKind"), stored.get("header_kind"))
                || !Objects.equals(row.get("headerParams"), stored.get("header_params"))
                || !Objects.equals(row.get("bodyParams"), stored.get("body_params"))
                || !Objects.equals(row.get("urlButtons"), stored.get("url_buttons"))
                || !Objects.equals(row.get("metaTemplateId"), stored.get("meta_template_id"))
                || Boolean.TRUE.equals(stored.get("gone_from_meta"));
    }

    private static Map<String, Object> problem(String name, String language, String reason) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("name", name);
        problem.put("language", language);
        problem.put("reason", reason);
        return problem;
    }

    private static String key(Object name, Object language) {
        return name + "\u0000" + language;
    }

    private static String sameOriginWithoutToken(String next, String baseUrl) {
        URI uri;
        URI base;
        try {
            uri = new URI(next);
            base = new URI(baseUrl);
        } catch (URISyntaxException e) {
            throw new SyncFailure("paging.next is not a URL");
        }
        if (!Objects.equals(uri.getScheme(), base.getScheme()) || !Objects.equals(uri.getRawAuthority(), base.getRawAuthority())) {
            throw new SyncFailure("paging.next leads away from the account's API base URL; not followed");
        }
        String query = uri.getRawQuery();
        if (query == null) {
            return next;
        }
        // The token travels in the Authorization header; a copy in the URL would end up in endpoint names.
        String kept = Arrays.stream(query.split("&"))
                .filter(param -> !param.startsWith("access_token="))
                .collect(Collectors.joining("&"));
        return uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath() + (kept.isEmpty() ? "" : "?" + kept);
    }
}
