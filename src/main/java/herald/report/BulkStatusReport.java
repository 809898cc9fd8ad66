package herald.report;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import herald.api.ApiException;
import herald.api.Views;
import herald.campaign.CampaignStatus;
import org.apache.camel.Message;

/**
 * The Bulk WhatsApp Status report: reads its filters from the query string into the parameters
 * of the one aggregate query, and turns the query's rows into campaign rows and a totals row.
 */
public class BulkStatusReport {

    /** The counted columns, in the order the report and its CSV show them. */
    public static final List<String> COUNTS = List.of("total", "sent", "delivered", "read", "failed", "queued",
            "cancelled", "unconfirmed");

    /**
     * The query's parameters from ?from, ?to, ?tz, ?status, ?accountId, ?sandbox and ?format. The date range
     * is turned into a half-open range of instants, [from 00:00, day after to 00:00) in the time zone
     * tz (UTC unless given), so a campaign created at any time on the end date is included.
     *
     * <p>Each filter given adds its condition, a fixed text with a named parameter and never a
     * value, to the query (chosenCampaigns, for the campaigns c). So the query has one text per
     * combination of filters, and PostgreSQL, which plans a statement prepared again and again once
     * for any values, never runs the full report with the plan of a filtered one: with "? IS NULL
     * OR ..." conditions it did, taking 2.5 times as long.
     *
     * <p>The sandbox condition is always there: a report holds real campaigns (the default) or
     * sandbox ones, never both, so its totals never add simulated sends to real ones.
     */
    public Map<String, Object> filters(Message message) {
        ZoneId zone = zone(single(message, "tz"));
        LocalDate from = date("from", single(message, "from"));
        LocalDate to = date("to", single(message, "to"));
        if (from != null && to != null && from.isAfter(to)) {
            throw ApiException.badRequest("from", "must not be after to (" + from + " > " + to + ")");
        }
        List<String> statuses = statuses(message.getHeader("status"));
        Long accountId = accountId(single(message, "accountId"));
        boolean sandbox = sandbox(single(message, "sandbox"));
        String format = format(single(message, "format"));

        Map<String, Object> echo = new LinkedHashMap<>();
        echo.put("from", from == null ? null : from.toString());
        echo.put("to", to == null ? null : to.toString());
        echo.put("tz", zone.getId());
        echo.put("status", statuses);
        echo.put("accountId", accountId);
        echo.put("sandbox", sandbox);

        Map<String, Object> query = new LinkedHashMap<>();
        StringBuilder chosen = new StringBuilder();
        if (from != null) {
            query.put("fromTime", from.atStartOfDay(zone).toOffsetDateTime());
            chosen.append(" AND c.created_at >= :#fromTime");
        }
        if (to != null) {
            query.put("toTime", to.plusDays(1).atStartOfDay(zone).toOffsetDateTime());
            chosen.append(" AND c.created_at < :#toTime");
        }
        if (!statuses.isEmpty()) {
            query.put("statuses", statuses);
            chosen.append(" AND c.status IN (:#in:statuses)");
        }
        if (accountId != null) {
            query.put("accountId", accountId);
            chosen.append(" AND COALESCE(c.sending_account_id, c.account_id, t.account_id) = :#accountId");
        }
        query.put("sandbox", sandbox);
        chosen.append(" AND c.sandbox = :#sandbox");
        query.put("chosenCampaigns", chosen.toString());
        query.put("format", format);
        query.put("filters", echo);
        return query;
    }

    /** The answer: the filters applied, one row per campaign, and the totals over those rows. */
    public Map<String, Object> report(List<Map<String, Object>> rows, Map<String, Object> query) {
        List<Map<String, Object>> campaigns = new ArrayList<>(rows.size());
        Map<String, Long> sums = new LinkedHashMap<>();
        COUNTS.forEach(c -> sums.put(c, 0L));
        for (Map<String, Object> row : rows) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("name", row.get("name"));
            r.put("title", row.get("title"));
            r.put("createdAt", Views.instant(row.get("created_at")));
            r.put("status", row.get("status"));
            r.put("accountId", number(row.get("account_id")));
            r.put("account", row.get("account_name"));
            r.put("templateId", number(row.get("template_id")));
            r.put("template", row.get("template_name"));
            r.put("templateLanguage", row.get("template_language"));
            r.put("sandbox", Boolean.TRUE.equals(row.get("sandbox")));
            Map<String, Long> counts = new LinkedHashMap<>();
            for (String c : COUNTS) {
                // "read" is a reserved word in some SQL dialects, so the query names it read_count.
                long n = number(row.get(c.equals("read") ? "read_count" : c));
                counts.put(c, n);
                sums.merge(c, n, Long::sum);
            }
            r.putAll(counts);
            r.put("completionPercent", completion(counts));
            campaigns.add(r);
        }
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("campaigns", (long) campaigns.size());
        totals.putAll(sums);
        totals.put("completionPercent", completion(sums));

        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("filters", query.get("filters"));
        answer.put("rows", campaigns);
        answer.put("totals", totals);
        return answer;
    }

    /** (sent + failed + cancelled) / total in percent, one decimal; 0 for a campaign without messages. */
    static double completion(Map<String, Long> counts) {
        long total = counts.get("total");
        long done = counts.get("sent") + counts.get("failed") + counts.get("cancelled");
        return total == 0 ? 0.0 : Math.round(done * 1000.0 / total) / 10.0;
    }

    private static long number(Object value) {
        return value == null ? 0L : ((Number) value).longValue();
    }

    /** A query parameter given once; a repeated one is a mistake worth naming rather than guessing. */
    private static String single(Message message, String name) {
        Object value = message.getHeader(name);
        if (value instanceof Collection<?> many) {
            if (many.size() > 1) {
                throw ApiException.badRequest(name, "may be given only once");
            }
            value = many.isEmpty() ? null : many.iterator().next();
        }
        if (value == null || value.toString().isBlank()) {
            return null;
        }
        return value.toString().trim();
    }

    private static ZoneId zone(String text) {
        if (text == null) {
            return ZoneId.of("UTC");
        }
        try {
            return ZoneId.of(text);
        } catch (DateTimeException e) {
            throw ApiException.badRequest("tz", "must be a time zone such as UTC or Europe/Berlin, not '" + text + "'");
        }
    }

    private static LocalDate date(String field, String text) {
        if (text == null) {
            return null;
        }
        try {
            return LocalDate.parse(text);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(field, "must be a date as YYYY-MM-DD, not '" + text + "'");
        }
    }

    /** ?status=Completed, ?status=Queued,In Progress or the parameter repeated; labels as the campaigns show them. */
    static List<String> statuses(Object header) {
        List<String> given = new ArrayList<>();
        if (header instanceof Collection<?> many) {
            many.forEach(v -> given.add(String.valueOf(v)));
        } else if (header != null) {
            given.add(header.toString());
        }
        Set<String> labels = new LinkedHashSet<>();
        for (String value : given) {
            for (String part : value.split(",")) {
                if (!part.isBlank()) {
                    labels.add(label(part.trim()));
                }
            }
        }
        return List.copyOf(labels);
    }

    private static String label(String text) {
        for (CampaignStatus s : CampaignStatus.values()) {
            if (s.label().equalsIgnoreCase(text) || s.name().equalsIgnoreCase(text)) {
                return s.label();
            }
        }
        List<String> known = new ArrayList<>();
        for (CampaignStatus s : CampaignStatus.values()) {
            known.add(s.label());
        }
        throw ApiException.badRequest("status", "must be one of " + String.join(", ", known) + ", not '" + text + "'");
    }

    private static Long accountId(String text) {
        if (text == null) {
            return null;
        }
        if (!text.matches("\\d{1,18}")) {
            throw ApiException.badRequest("accountId", "must be the id of a WhatsApp Account (a whole number), not '"
                    + text + "'");
        }
        return Long.parseLong(text);
    }

    private static boolean sandbox(String text) {
        if (text == null || text.equalsIgnoreCase("false")) {
            return false;
        }
        if (text.equalsIgnoreCase("true")) {
            return true;
        }
        throw ApiException.badRequest("sandbox", "must be true (sandbox campaigns) or false (real campaigns), not '"
                + text + "'");
    }

    private static String format(String text) {
        String format = text == null ? "json" : text.toLowerCase(Locale.ROOT);
        if (!format.equals("json") && !format.equals("csv")) {
            throw ApiException.badRequest("format", "must be json or csv, not '" + text + "'");
        }
        return format;
    }
}
