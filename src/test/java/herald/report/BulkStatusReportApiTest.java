package herald.report;

import static herald.report.ReportData.utc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import herald.report.ReportData.Account;
import herald.testing.ApiClient;
import herald.testing.ApiClient.Response;
import herald.testing.HeraldServer;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

/** GET /api/reports/bulk-whatsapp-status over HTTP: counts, filters, totals, CSV and roles. */
class BulkStatusReportApiTest {

    private static final String REPORT = "/api/reports/bulk-whatsapp-status";
    private static final List<String> COUNTS = List.of("total", "sent", "delivered", "read", "failed", "queued",
            "cancelled", "unconfirmed");

    private final HeraldServer herald = HeraldServer.shared();
    private final ApiClient api = herald.admin();
    private final ReportData data = new ReportData(herald);

    /** One message in every status, each status a different number of times so no two counts agree by chance. */
    private static Map<String, Integer> everyStatus() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("Queued", 3);
        m.put("Sending", 1);
        m.put("Retrying", 2);
        m.put("Sent", 4);
        m.put("Delivered", 5);
        m.put("Read", 6);
        m.put("Failed", 7);
        m.put("Cancelled", 8);
        m.put("Unconfirmed", 9);
        return m;
    }

    private static Map<String, Integer> sent(int n) {
        return Map.of("Sent", n);
    }

    private JsonNode report(String query) {
        return api.get(REPORT + query).json(200);
    }

    private static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static List<String> names(JsonNode report) {
        List<String> names = new ArrayList<>();
        report.path("rows").forEach(r -> names.add(r.path("name").asText()));
        return names;
    }

    private static JsonNode row(JsonNode report, String name) {
        for (JsonNode r : report.path("rows")) {
            if (r.path("name").asText().equals(name)) {
                return r;
            }
        }
        throw new AssertionError(name + " is not in the report " + report);
    }

    @Test
    void countsMatchTheMessageRows() {
        Account account = data.account();
        String campaign = data.campaign(account, "Spring offer", "In Progress", utc("2030-03-14T09:30:00Z"), everyStatus());
        String empty = data.draft(account, null, "Not sent yet", utc("2030-03-15T10:00:00Z"));

        JsonNode report = report("?accountId=" + account.id());
        assertEquals(List.of(empty, campaign), names(report), "newest first");

        JsonNode r = row(report, campaign);
        assertEquals("Spring offer", r.path("title").asText());
        assertEquals("In Progress", r.path("status").asText());
        assertEquals("2030-03-14T09:30:00Z", r.path("createdAt").asText());
        assertEquals(account.id(), r.path("accountId").asLong());
        assertEquals(account.name(), r.path("account").asText());
        assertEquals(account.templateId(), r.path("templateId").asLong());
        assertEquals(account.templateName(), r.path("template").asText());
        assertEquals("en", r.path("templateLanguage").asText());
        assertEquals(45, r.path("total").asLong());
        assertEquals(4 + 5 + 6, r.path("sent").asLong(), "Sent + Delivered + Read");
        assertEquals(5 + 6, r.path("delivered").asLong(), "Delivered + Read");
        assertEquals(6, r.path("read").asLong());
        assertEquals(7, r.path("failed").asLong());
        assertEquals(3 + 1 + 2, r.path("queued").asLong(), "Queued + Sending + Retrying");
        assertEquals(8, r.path("cancelled").asLong());
        assertEquals(9, r.path("unconfirmed").asLong());
        assertEquals(66.7, r.path("completionPercent").asDouble(), 1e-9, "(15 sent + 7 failed + 8 cancelled) / 45");

        // The same figures counted straight from the table, after messages moved on.
        assertEquals(3, data.move(campaign, "Queued", "Read", 3));
        assertEquals(2, data.move(campaign, "Unconfirmed", "Failed", 2));
        Map<String, Long> rows = data.messageCounts(campaign);
        JsonNode moved = row(report("?accountId=" + account.id()), campaign);
        long read = rows.getOrDefault("Read", 0L);
        long delivered = read + rows.getOrDefault("Delivered", 0L);
        long sentCount = delivered + rows.getOrDefault("Sent", 0L);
        assertEquals(rows.values().stream().mapToLong(Long::longValue).sum(), moved.path("total").asLong());
        assertEquals(sentCount, moved.path("sent").asLong());
        assertEquals(delivered, moved.path("delivered").asLong());
        assertEquals(read, moved.path("read").asLong());
        assertEquals(rows.getOrDefault("Failed", 0L), moved.path("failed").asLong());
        assertEquals(rows.getOrDefault("Queued", 0L) + rows.getOrDefault("Sending", 0L) + rows.getOrDefault("Retrying", 0L),
                moved.path("queued").asLong());
        assertEquals(rows.getOrDefault("Unconfirmed", 0L), moved.path("unconfirmed").asLong());

        JsonNode draft = row(report("?accountId=" + account.id()), empty);
        for (String count : COUNTS) {
            assertEquals(0, draft.path(count).asLong(), count);
        }
        assertEquals(0.0, draft.path("completionPercent").asDouble(), "a campaign without messages is 0 % complete");
        assertEquals(account.name(), draft.path("account").asText(), "a Draft's account is its template's");
    }

    @Test
    void dateRangeIncludesItsEndDate() {
        Account account = data.account();
        String dayBefore = data.campaign(account, "Day before", "Completed", utc("2031-05-09T23:59:59Z"), sent(1));
        String firstDay = data.campaign(account, "First day", "Completed", utc("2031-05-10T00:00:00Z"), sent(1));
        String lastDay = data.campaign(account, "Last day, last moment", "Completed", utc("2031-05-20T23:59:59.999Z"), sent(1));
        String dayAfter = data.campaign(account, "Day after", "Completed", utc("2031-05-21T00:00:00Z"), sent(1));
        String scope = "?accountId=" + account.id();

        assertEquals(List.of(lastDay, firstDay), names(report(scope + "&from=2031-05-10&to=2031-05-20")));
        assertEquals(List.of(lastDay), names(report(scope + "&from=2031-05-20&to=2031-05-20")), "a one-day range");
        assertEquals(List.of(dayAfter, lastDay, firstDay), names(report(scope + "&from=2031-05-10")));
        assertEquals(List.of(lastDay, firstDay, dayBefore), names(report(scope + "&to=2031-05-20")));

        // Days in Berlin (UTC+2 in May): 2031-05-09T23:59:59Z is already the 10th there, 2031-05-20T23:59:59Z the 21st.
        JsonNode berlin = report(scope + "&from=2031-05-10&to=2031-05-20&tz=" + q("Europe/Berlin"));
        assertEquals(List.of(firstDay, dayBefore), names(berlin));
        assertEquals("Europe/Berlin", berlin.path("filters").path("tz").asText());
        assertEquals("2031-05-20", berlin.path("filters").path("to").asText());

        assertEquals("from", api.get(REPORT + "?from=2031-05-21&to=2031-05-20").error(400).path("field").asText());
        assertEquals("to", api.get(REPORT + "?to=20.05.2031").error(400).path("field").asText());
        assertEquals("tz", api.get(REPORT + "?tz=Mars/Olympus").error(400).path("field").asText());
    }

    @Test
    void statusFilter() {
        Account account = data.account();
        OffsetDateTimes t = new OffsetDateTimes("2030-06-01T08:00:00Z");
        String completed = data.campaign(account, "Done", "Completed", t.next(), sent(2));
        String cancelled = data.campaign(account, "Stopped", "Cancelled", t.next(), Map.of("Cancelled", 2));
        String partial = data.campaign(account, "Some failed", "Partially Failed", t.next(), Map.of("Failed", 1, "Sent", 1));
        String draft = data.draft(account, null, "Draft", t.next());
        String scope = "?accountId=" + account.id();

        assertEquals(List.of(completed), names(report(scope + "&status=Completed")));
        assertEquals(List.of(cancelled, completed), names(report(scope + "&status=" + q("Completed,Cancelled"))));
        assertEquals(List.of(cancelled, completed), names(report(scope + "&status=Completed&status=Cancelled")),
                "the parameter repeated");
        assertEquals(List.of(partial), names(report(scope + "&status=" + q("partially failed"))), "any letter case");
        assertEquals(List.of(draft), names(report(scope + "&status=Draft")));
        assertEquals(List.of(), names(report(scope + "&status=Paused")));
        assertEquals("[\"Completed\",\"Cancelled\"]",
                report(scope + "&status=" + q("completed, Cancelled")).path("filters").path("status").toString());

        JsonNode error = api.get(REPORT + "?status=Sent").error(400);
        assertEquals("status", error.path("field").asText());
        assertTrue(error.path("message").asText().contains("Partially Failed"), error::toString);
    }

    @Test
    void accountFilter() {
        Account mine = data.account();
        Account other = data.account();
        OffsetDateTimes t = new OffsetDateTimes("2030-07-01T08:00:00Z");
        String sentThroughMine = data.campaign(mine, "Mine", "Completed", t.next(), sent(3));
        String sentThroughOther = data.campaign(other, "Other", "Completed", t.next(), sent(4));
        // A Draft with other's template but mine as its override sends through mine.
        String overridden = data.draft(other, mine, "Override", t.next());

        JsonNode report = report("?accountId=" + mine.id());
        assertEquals(List.of(overridden, sentThroughMine), names(report));
        assertEquals(mine.name(), row(report, overridden).path("account").asText());
        assertEquals(other.templateName(), row(report, overridden).path("template").asText());
        assertEquals(List.of(sentThroughOther), names(report("?accountId=" + other.id())));
        assertEquals(mine.id(), report.path("filters").path("accountId").asLong());

        assertEquals("accountId", api.get(REPORT + "?accountId=abc").error(400).path("field").asText());
        assertEquals(List.of(), names(report("?accountId=999999999")));
    }

    @Test
    void sandboxCampaignsAreMarkedAndReportedApartFromRealOnes() throws IOException {
        Account real = data.account();
        Account sandbox = data.account(true);
        OffsetDateTimes t = new OffsetDateTimes("2030-08-15T08:00:00Z");
        String realCampaign = data.campaign(real, "Real", "Completed", t.next(), sent(3));
        String sandboxCampaign = data.campaign(sandbox, "Simulated", "Completed", t.next(), Map.of("Read", 4, "Failed", 1));
        String window = "&from=2030-08-15&to=2030-08-15";

        JsonNode byDefault = report("?" + window.substring(1));
        assertTrue(names(byDefault).contains(realCampaign), byDefault::toString);
        assertFalse(names(byDefault).contains(sandboxCampaign), "real campaigns only unless asked: " + byDefault);
        assertFalse(byDefault.path("filters").path("sandbox").asBoolean());
        byDefault.path("rows").forEach(r -> assertFalse(r.path("sandbox").asBoolean(), r::toString));
        assertEquals(names(byDefault), names(report("?sandbox=false" + window)));

        JsonNode simulated = report("?sandbox=true" + window);
        assertTrue(names(simulated).contains(sandboxCampaign), simulated::toString);
        assertFalse(names(simulated).contains(realCampaign), simulated::toString);
        assertTrue(simulated.path("filters").path("sandbox").asBoolean());
        simulated.path("rows").forEach(r -> assertTrue(r.path("sandbox").asBoolean(), r::toString));
        assertEquals(5, row(simulated, sandboxCampaign).path("total").asLong());

        // Each account's totals hold only its own kind: nothing simulated is added to real sends.
        assertEquals(3, report("?accountId=" + real.id()).path("totals").path("sent").asLong());
        assertEquals(0, report("?accountId=" + sandbox.id()).path("totals").path("campaigns").asLong(),
                "a sandbox account's campaigns are not in the real report");
        JsonNode sandboxTotals = report("?sandbox=TRUE&accountId=" + sandbox.id()).path("totals");
        assertEquals(List.of(1L, 5L, 4L, 1L), List.of(sandboxTotals.path("campaigns").asLong(), sandboxTotals.path("total").asLong(),
                sandboxTotals.path("sent").asLong(), sandboxTotals.path("failed").asLong()), sandboxTotals::toString);
        assertEquals(List.of(), names(report("?sandbox=true&accountId=" + real.id())));

        List<CSVRecord> csv = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(api.get(REPORT + "?sandbox=true&accountId=" + sandbox.id() + "&format=csv")
                        .expect(200).text())).getRecords();
        assertEquals(List.of(sandboxCampaign, "Total"), csv.stream().map(r -> r.get("Name")).toList());
        assertEquals(List.of("true", "true"), csv.stream().map(r -> r.get("Sandbox")).toList());

        JsonNode error = api.get(REPORT + "?sandbox=yes").error(400);
        assertEquals("sandbox", error.path("field").asText());
        assertTrue(error.path("message").asText().contains("'yes'"), error::toString);
        assertEquals("sandbox", api.get(REPORT + "?sandbox=true&sandbox=false").error(400).path("field").asText());
    }

    @Test
    void totalsRowIsTheSumOfTheRows() {
        Account account = data.account();
        OffsetDateTimes t = new OffsetDateTimes("2030-08-01T08:00:00Z");
        data.campaign(account, "A", "In Progress", t.next(), everyStatus());
        data.campaign(account, "B", "Partially Failed", t.next(), Map.of("Read", 10, "Failed", 5));
        data.campaign(account, "C", "Cancelled", t.next(), Map.of("Cancelled", 20, "Delivered", 1));
        data.draft(account, null, "D", t.next());

        for (String query : List.of("", "?accountId=" + account.id())) {
            JsonNode report = report(query);
            JsonNode totals = report.path("totals");
            assertEquals(report.path("rows").size(), totals.path("campaigns").asInt(), query);
            for (String count : COUNTS) {
                long sum = 0;
                for (JsonNode r : report.path("rows")) {
                    sum += r.path(count).asLong();
                }
                assertEquals(sum, totals.path(count).asLong(), query + " " + count);
            }
            long total = totals.path("total").asLong();
            long done = totals.path("sent").asLong() + totals.path("failed").asLong() + totals.path("cancelled").asLong();
            assertEquals(total == 0 ? 0.0 : Math.round(done * 1000.0 / total) / 10.0,
                    totals.path("completionPercent").asDouble(), 1e-9, query);
        }
        JsonNode mine = report("?accountId=" + account.id()).path("totals");
        assertEquals(4, mine.path("campaigns").asInt());
        assertEquals(45 + 15 + 21, mine.path("total").asLong());
        assertEquals(15 + 10 + 1, mine.path("sent").asLong());
        assertEquals(81.5, mine.path("completionPercent").asDouble(), 1e-9, "(26 sent + 12 failed + 28 cancelled) / 81");
    }

    @Test
    void csvHasTheJsonRowsAndTotals() throws IOException {
        Account account = data.account();
        OffsetDateTimes t = new OffsetDateTimes("2030-09-01T08:00:00Z");
        String quoted = data.campaign(account, "Sale, \"50%\" off\nsecond line", "In Progress", t.next(), everyStatus());
        String formula = data.campaign(account, "=HYPERLINK(\"http://example.invalid\")", "Completed", t.next(), sent(2));
        String plain = data.campaign(account, "Grüße aus Köln", "Completed", t.next(), Map.of("Read", 3, "Failed", 1));
        String query = "?accountId=" + account.id() + "&from=2030-09-01&to=2030-09-30";

        JsonNode json = report(query);
        Response csv = api.get(REPORT + query + "&format=csv").expect(200);
        assertEquals("text/csv; charset=UTF-8", csv.headers().firstValue("Content-Type").orElse(""));
        String disposition = csv.headers().firstValue("Content-Disposition").orElse("");
        assertTrue(disposition.matches("attachment; filename=\"bulk-whatsapp-status-\\d{4}-\\d{2}-\\d{2}\\.csv\""), disposition);
        assertFalse(csv.headers().firstValue("accountId").isPresent(), "query parameters are not echoed as headers");

        List<CSVRecord> records = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(csv.text())).getRecords();
        assertEquals(List.of("Name", "Title", "Created", "Account", "Template", "Language", "Status", "Total Recipients",
                "Sent", "Delivered", "Read", "Failed", "Queued", "Cancelled", "Unconfirmed", "Completion %", "Sandbox"),
                records.get(0).getParser().getHeaderNames());
        assertEquals(json.path("rows").size() + 1, records.size(), "one line per campaign and the totals");
        assertEquals(List.of(plain, formula, quoted), names(json));

        for (int i = 0; i < json.path("rows").size(); i++) {
            JsonNode r = json.path("rows").get(i);
            CSVRecord line = records.get(i);
            assertEquals(r.path("name").asText(), line.get("Name"));
            String title = r.path("title").asText();
            assertEquals(title.startsWith("=") ? "'" + title : title, line.get("Title"),
                    "a title a spreadsheet would run as a formula starts with an apostrophe");
            assertEquals(r.path("createdAt").asText(), line.get("Created"));
            assertEquals(r.path("account").asText(), line.get("Account"));
            assertEquals(r.path("template").asText(), line.get("Template"));
            assertEquals(r.path("templateLanguage").asText(), line.get("Language"));
            assertEquals(r.path("status").asText(), line.get("Status"));
            assertEquals("false", line.get("Sandbox"));
            assertCounts(r, line);
        }
        CSVRecord totals = records.get(records.size() - 1);
        assertEquals("Total", totals.get("Name"));
        assertEquals("3 campaigns", totals.get("Title"));
        assertCounts(json.path("totals"), totals);
        assertEquals("Sale, \"50%\" off\nsecond line", records.get(2).get("Title"), "commas, quotes and line breaks survive");
    }

    private static void assertCounts(JsonNode expected, CSVRecord line) {
        assertEquals(expected.path("total").asText(), line.get("Total Recipients"));
        assertEquals(expected.path("sent").asText(), line.get("Sent"));
        assertEquals(expected.path("delivered").asText(), line.get("Delivered"));
        assertEquals(expected.path("read").asText(), line.get("Read"));
        assertEquals(expected.path("failed").asText(), line.get("Failed"));
        assertEquals(expected.path("queued").asText(), line.get("Queued"));
        assertEquals(expected.path("cancelled").asText(), line.get("Cancelled"));
        assertEquals(expected.path("unconfirmed").asText(), line.get("Unconfirmed"));
        assertEquals(expected.path("completionPercent").asDouble(), Double.parseDouble(line.get("Completion %")), 1e-9);
    }

    @Test
    void campaignViewerCanReadItAndStrangersCannot() {
        Account account = data.account();
        String campaign = data.campaign(account, "Visible to viewers", "Completed", utc("2030-10-01T08:00:00Z"), sent(5));
        String viewer = HeraldServer.unique("viewer");
        String password = "viewer-password-" + viewer;
        api.post("/api/users", Map.of("username", viewer, "password", password, "role", "Campaign Viewer")).expect(201);
        ApiClient asViewer = herald.anonymous().basic(viewer, password);

        JsonNode report = asViewer.get(REPORT + "?accountId=" + account.id()).json(200);
        assertEquals(5, row(report, campaign).path("sent").asLong());
        asViewer.get(REPORT + "?accountId=" + account.id() + "&format=csv").expect(200);

        herald.anonymous().get(REPORT).error(401);
        herald.anonymous().basic(viewer, "wrong-password-entirely").get(REPORT).error(401);
    }

    @Test
    void describedInTheOpenApiDocument() {
        JsonNode doc = herald.anonymous().get("/api-doc").json(200);
        JsonNode get = doc.path("paths").path(REPORT).path("get");
        // Camel puts a rest verb's description into the operation's summary.
        assertTrue(get.path("summary").asText().contains("completion % = (sent+failed+cancelled)/total"),
                doc.path("paths").path(REPORT)::toString);
        List<String> params = new ArrayList<>();
        get.path("parameters").forEach(p -> params.add(p.path("name").asText()));
        assertEquals(List.of("from", "to", "tz", "status", "accountId", "sandbox", "format"), params);
    }

    /** Creation times a minute apart, so "newest first" has one answer. */
    private static final class OffsetDateTimes {
        private OffsetDateTime next;

        OffsetDateTimes(String first) {
            this.next = utc(first);
        }

        OffsetDateTime next() {
            OffsetDateTime now = next;
            next = next.plusMinutes(1);
            return now;
        }
    }
}
