package herald.recipients;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PushbackReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import herald.api.ApiException;
import herald.domain.PhoneNormaliser;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.springframework.jdbc.datasource.DataSourceUtils;

/**
 * Adds rows to a WhatsApp Recipient List from a JSON array or a streamed CSV. Numbers are
 * normalised to E.164; the database's unique (list, number) key finds duplicates, so neither the
 * file nor the set of numbers is ever held in memory. One import is one transaction: a file that
 * breaks half way stores nothing.
 */
public class RecipientRowImporter {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INSERT = "INSERT INTO recipient_list_row (list_id, mobile_number, recipient_name, "
            + "recipient_data) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING";
    private static final int BATCH = 1000;

    private final DataSource dataSource;
    private final PhoneNormaliser phones;
    private final int maxReportedProblems;

    public RecipientRowImporter(DataSource dataSource, PhoneNormaliser phones, int maxReportedProblems) {
        this.dataSource = dataSource;
        this.phones = phones;
        this.maxReportedProblems = maxReportedProblems;
    }

    /** One row as entered: row number (1-based, the CSV's header is row 1), number, name, data. */
    record Row(long rowNumber, String mobileNumber, String name, Map<String, Object> data) {
    }

    /** Rows as the JSON request gives them: anything but an object is refused, naming its row. */
    public Map<String, Object> importJson(long listId, List<?> rows) throws SQLException {
        if (rows == null) {
            throw ApiException.badRequest(null, "a JSON array of rows is required");
        }
        Iterator<?> source = rows.iterator();
        return store(listId, new Iterator<>() {
            private long n;

            @Override
            public boolean hasNext() {
                return source.hasNext();
            }

            @Override
            public Row next() {
                n++;
                Object entry = source.next();
                if (entry != null && !(entry instanceof Map)) {
                    throw ApiException.badRequest("rows[" + n + "]", "must be a JSON object {mobileNumber, recipientName, "
                            + "recipientData}, not " + describe(entry));
                }
                Map<?, ?> row = (Map<?, ?>) entry;
                Object data = row == null ? null : row.get("recipientData");
                if (data != null && !(data instanceof Map)) {
                    throw ApiException.badRequest("rows[" + n + "].recipientData", "must be a JSON object");
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> dataMap = (Map<String, Object>) data;
                return new Row(n, row == null ? null : text(row.get("mobileNumber")),
                        row == null ? null : text(row.get("recipientName")), dataMap);
            }
        });
    }

    private static String describe(Object value) {
        if (value instanceof List) {
            return "an array";
        }
        return (value instanceof String ? "the text " : value instanceof Number ? "the number " : "the value ")
                + JSON.valueToTree(value);
    }

    public Map<String, Object> importCsv(long listId, InputStream csv) throws SQLException, IOException {
        try (Reader reader = utf8(csv); CSVParser parser = csvParser(reader)) {
            return store(listId, csvRows(parser));
        }
    }

    /**
     * A CSV read as a campaign's own recipients rather than into a list: the rows with a valid
     * number, in file order and in E.164 ({mobileNumber, recipientName, recipientData} as the
     * campaign API takes them), and the same report an import gives. A number seen before in
     * the file is a duplicate, as a list's unique key would make it.
     */
    public Map<String, Object> readCsv(InputStream csv) throws IOException {
        Summary summary = new Summary(maxReportedProblems);
        List<Map<String, Object>> recipients = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        try (Reader reader = utf8(csv); CSVParser parser = csvParser(reader)) {
            Iterator<Row> rows = csvRows(parser);
            while (rows.hasNext()) {
                Row row = rows.next();
                PhoneNormaliser.Result number = phones.normalise(row.mobileNumber());
                if (!number.ok()) {
                    summary.invalid(row, number.error());
                } else if (!seen.add(number.e164())) {
                    summary.duplicate(row, "duplicate: the number is on an earlier row of this file");
                } else {
                    Map<String, Object> recipient = new LinkedHashMap<>();
                    recipient.put("mobileNumber", number.e164());
                    recipient.put("recipientName", row.name());
                    recipient.put("recipientData", row.data().isEmpty() ? null : row.data());
                    recipients.add(recipient);
                    summary.added++;
                }
            }
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("recipients", recipients);
        answer.put("report", summary.answer());
        return answer;
    }

    /**
     * Excel saves "CSV UTF-8" with a byte order mark first, which would otherwise become part of
     * the first column's name and hide its mobile_number column.
     */
    private static Reader utf8(InputStream csv) throws IOException {
        PushbackReader reader = new PushbackReader(new InputStreamReader(csv, StandardCharsets.UTF_8));
        int first = reader.read();
        if (first != -1 && first != '\uFEFF') {
            reader.unread(first);
        }
        return reader;
    }

    private static CSVParser csvParser(Reader reader) throws IOException {
        return CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true)
                .setIgnoreSurroundingSpaces(true).setTrim(true).get().parse(reader);
    }

    /** The CSV's rows: mobile_number, recipient_name, and every other column as Recipient Data in column order. */
    private static Iterator<Row> csvRows(CSVParser parser) {
        List<String> header = parser.getHeaderNames();
        if (!header.contains("mobile_number")) {
            throw ApiException.badRequest("mobile_number", "the CSV header row must name a mobile_number column; it has "
                    + header);
        }
        Iterator<CSVRecord> records = parser.iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                try {
                    return records.hasNext();
                } catch (UncheckedIOException | IllegalStateException e) {
                    throw ApiException.badRequest(null, "the CSV cannot be read after row "
                            + (parser.getRecordNumber() + 1) + ": " + e.getMessage());
                }
            }

            @Override
            public Row next() {
                CSVRecord record = records.next();
                Map<String, Object> data = new LinkedHashMap<>();
                for (String column : header) {
                    if (!column.equals("mobile_number") && !column.equals("recipient_name") && record.isSet(column)) {
                        data.put(column, record.get(column));
                    }
                }
                return new Row(record.getRecordNumber() + 1, record.isSet("mobile_number") ? record.get("mobile_number") : null,
                        record.isSet("recipient_name") ? record.get("recipient_name") : null, data);
            }
        };
    }

    private Map<String, Object> store(long listId, Iterator<Row> rows) throws SQLException {
        Summary summary = new Summary(maxReportedProblems);
        // Inside a transacted route (the inbox saving a list for a new campaign) the import joins
        // that transaction, so the list and its campaign are stored together or not at all.
        Connection c = DataSourceUtils.getConnection(dataSource);
        boolean joined = DataSourceUtils.isConnectionTransactional(c, dataSource);
        try {
            if (!joined) {
                c.setAutoCommit(false);
            }
            try (PreparedStatement insert = c.prepareStatement(INSERT)) {
                List<Row> batch = new ArrayList<>(BATCH);
                while (rows.hasNext()) {
                    Row row = rows.next();
                    PhoneNormaliser.Result number = phones.normalise(row.mobileNumber());
                    if (!number.ok()) {
                        summary.invalid(row, number.error());
                        continue;
                    }
                    insert.setLong(1, listId);
                    insert.setString(2, number.e164());
                    insert.setString(3, row.name());
                    insert.setString(4, row.data() == null || row.data().isEmpty() ? null : json(row.data()));
                    insert.addBatch();
                    batch.add(row);
                    if (batch.size() == BATCH) {
                        flush(insert, batch, summary);
                    }
                }
                flush(insert, batch, summary);
                if (!joined) {
                    c.commit();
                }
            } catch (RuntimeException | SQLException e) {
                if (!joined) {
                    c.rollback();
                }
                throw e;
            }
        } finally {
            DataSourceUtils.releaseConnection(c, dataSource);
        }
        return summary.answer();
    }

    private static void flush(PreparedStatement insert, List<Row> batch, Summary summary) throws SQLException {
        if (batch.isEmpty()) {
            return;
        }
        int[] counts = insert.executeBatch();
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == 0) {
                summary.duplicate(batch.get(i));
            } else {
                summary.added++;
            }
        }
        batch.clear();
    }

    private static String json(Map<String, Object> data) {
        try {
            return JSON.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }

    private static final class Summary {
        private final int maxReported;
        private final List<Map<String, Object>> problems = new ArrayList<>();
        private long added;
        private long invalid;
        private long duplicate;

        Summary(int maxReported) {
            this.maxReported = maxReported;
        }

        void invalid(Row row, String reason) {
            invalid++;
            report(row, "mobile_number " + reason);
        }

        void duplicate(Row row) {
            duplicate(row, "duplicate: the number is already in this list");
        }

        void duplicate(Row row, String reason) {
            duplicate++;
            report(row, reason);
        }

        private void report(Row row, String reason) {
            if (problems.size() < maxReported) {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("row", row.rowNumber());
                p.put("value", row.mobileNumber());
                p.put("reason", reason);
                problems.add(p);
            }
        }

        Map<String, Object> answer() {
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("added", added);
            answer.put("invalid", invalid);
            answer.put("duplicate", duplicate);
            answer.put("problems", problems);
            answer.put("problemsTruncated", invalid + duplicate > problems.size());
            return answer;
        }
    }
}
