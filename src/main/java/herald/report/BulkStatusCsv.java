package herald.report;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/** The Bulk WhatsApp Status report as a CSV download: the JSON answer's rows, then its totals row. */
public class BulkStatusCsv {

    static final List<String> HEADER = List.of("Name", "Title", "Created", "Account", "Template", "Language", "Status",
            "Total Recipients", "Sent", "Delivered", "Read", "Failed", "Queued", "Cancelled", "Unconfirmed",
            "Completion %", "Sandbox");

    /** Replaces the report in the body with its CSV text and sets the download's headers. */
    @SuppressWarnings("unchecked")
    public void render(Message message) {
        Map<String, Object> report = message.getBody(Map.class);
        message.setBody(csv(report));
        message.setHeader(Exchange.CONTENT_TYPE, "text/csv; charset=UTF-8");
        message.setHeader("Content-Disposition", "attachment; filename=\"bulk-whatsapp-status-"
                + LocalDate.now(ZoneOffset.UTC) + ".csv\"");
    }

    @SuppressWarnings("unchecked")
    static String csv(Map<String, Object> report) {
        StringWriter out = new StringWriter();
        try (CSVPrinter printer = new CSVPrinter(out, CSVFormat.RFC4180.builder().setHeader(HEADER.toArray(String[]::new)).get())) {
            for (Map<String, Object> row : (List<Map<String, Object>>) report.get("rows")) {
                List<Object> cells = new ArrayList<>();
                cells.add(text(row.get("name")));
                cells.add(text(row.get("title")));
                cells.add(text(row.get("createdAt")));
                cells.add(text(row.get("account")));
                cells.add(text(row.get("template")));
                cells.add(text(row.get("templateLanguage")));
                cells.add(text(row.get("status")));
                addCounts(cells, row);
                cells.add(row.get("sandbox"));
                printer.printRecord(cells);
            }
            Map<String, Object> totals = (Map<String, Object>) report.get("totals");
            List<Object> cells = new ArrayList<>();
            cells.add("Total");
            cells.add(totals.get("campaigns") + " campaigns");
            for (int i = 0; i < 5; i++) {
                cells.add("");
            }
            addCounts(cells, totals);
            cells.add(((Map<String, Object>) report.get("filters")).get("sandbox"));
            printer.printRecord(cells);
        } catch (IOException e) {
            throw new UncheckedIOException("writing the report CSV to memory failed", e);
        }
        return out.toString();
    }

    private static void addCounts(List<Object> cells, Map<String, Object> row) {
        for (String count : BulkStatusReport.COUNTS) {
            cells.add(row.get(count));
        }
        cells.add(row.get("completionPercent"));
    }

    /**
     * A text cell that a spreadsheet would run as a formula (=, +, -, @, tab or carriage return
     * first) gets a leading apostrophe, so a campaign title can never run code in whoever opens
     * the download.
     */
    static String text(Object value) {
        if (value == null) {
            return "";
        }
        String text = value.toString();
        if (!text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
            return "'" + text;
        }
        return text;
    }
}
