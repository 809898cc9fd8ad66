package herald.inbox;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import herald.api.ApiErrors;
import herald.api.ApiException;
import herald.api.Fields;
import herald.api.Views;
import org.apache.camel.support.DefaultMessage;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.apache.camel.Variable;

/**
 * The inbox's Java: reads a campaign file and the recipients CSV it names, checks the fields
 * only a file has, fingerprints the pair, writes the answers, and moves files out of the inbox
 * without ever replacing one already there. docs/inbox.md describes the file format.
 */
public class InboxFiles {

    /** What POST /api/campaigns takes; a file may carry these and nothing else besides FILE_FIELDS. */
    static final Set<String> CREATE_FIELDS = Set.of("title", "recipientType", "variableType", "templateId", "accountId",
            "recipientListId", "attachmentFileId", "templateVariables", "recipients", "callbackUrl");
    static final Set<String> FILE_FIELDS = Set.of("submit", "skipInvalid", "recipientsFile", "saveAsList");
    static final String RECIPIENT_LIST = "Recipient List";

    // Trailing tokens fail: "{...} garbage" is a broken file, not a campaign.
    static final ObjectMapper JSON = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    private final Path inbox;
    private final long pairWaitMinutes;

    public InboxFiles(String inboxDir, long pairWaitMinutes) {
        this.inbox = Path.of(inboxDir).toAbsolutePath().normalize();
        this.pairWaitMinutes = pairWaitMinutes;
    }

    /**
     * Reads a campaign file into the variable the inbox routes use: the create request, the
     * file's own fields, the recipients CSV's path and the SHA-256 of the JSON and CSV bytes.
     * The variable recipientsCsv (a File) is set as soon as the named CSV is known to exist, so a
     * file rejected for any later reason takes its CSV along to failed/.
     */
    public Map<String, Object> read(@Header(Exchange.FILE_NAME_ONLY) String name, @Body byte[] bytes, Exchange exchange)
            throws IOException {
        if (bytes.length == 0) {
            throw ApiException.badRequest(null, name + " is empty: a campaign file is a JSON object with the fields of "
                    + "POST /api/campaigns plus submit, skipInvalid, recipientsFile and saveAsList");
        }
        Object parsed;
        try {
            parsed = JSON.readValue(bytes, Object.class);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")";
            throw new ApiException(400, "invalid_json", name + " is not valid JSON" + where + ": " + e.getOriginalMessage(),
                    null, null);
        }
        if (!(parsed instanceof Map<?, ?>)) {
            throw ApiException.badRequest(null, name + " must hold one JSON object (a campaign), not "
                    + (parsed instanceof List ? "an array" : "a single value"));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> body = (Map<String, Object>) parsed;
        Fields f = new Fields(body);

        String csvName = f.text("recipientsFile", false, 255);
        Path csv = null;
        if (csvName != null) {
            checkRecipientsFileName(csvName, name);
            csv = inbox.resolve(csvName);
            if (!Files.isRegularFile(csv)) {
                throw ApiException.badRequest("recipientsFile", "'" + csvName + "' is not in the inbox: drop it beside "
                        + name + " (a campaign file waits " + pairWaitMinutes + " minutes for the CSV it names)");
            }
            exchange.setVariable("recipientsCsv", csv.toFile());
        }

        Set<String> unknown = new TreeSet<>(body.keySet());
        unknown.removeAll(CREATE_FIELDS);
        unknown.removeAll(FILE_FIELDS);
        if (!unknown.isEmpty()) {
            Set<String> known = new TreeSet<>(CREATE_FIELDS);
            known.addAll(FILE_FIELDS);
            String first = unknown.iterator().next();
            throw ApiException.badRequest(first, "is not a campaign file field" + (unknown.size() > 1 ? " (nor are "
                    + String.join(", ", unknown) + ")" : "") + "; a campaign file may have " + String.join(", ", known));
        }
        boolean submit = f.bool("submit", false);
        boolean skipInvalid = f.bool("skipInvalid", false);
        if (skipInvalid && !submit) {
            throw ApiException.badRequest("skipInvalid", "only applies when submit is true");
        }
        String listName = f.text("saveAsList", false, 140);
        checkRecipientSource(f, csvName, listName);

        Map<String, Object> request = new LinkedHashMap<>(body);
        FILE_FIELDS.forEach(request::remove);
        Map<String, Object> read = new LinkedHashMap<>();
        read.put("file", name);
        read.put("request", request);
        read.put("recipientsFile", csvName);
        read.put("saveAsList", listName);
        read.put("listDescription", "Saved by the inbox from " + csvName + " (" + name + ")");
        read.put("submit", submit);
        read.put("skipInvalid", skipInvalid);
        read.put("contentSha256", sha256(bytes, csv));
        return read;
    }

    /**
     * Replaces the file's message by a plain one with the same headers. A file's message hands
     * the file back as its body whenever the body is empty, so an SQL lookup that finds no row
     * would otherwise answer the file instead of nothing.
     */
    public void detachFromFile(Exchange exchange) {
        Message plain = new DefaultMessage(exchange);
        plain.setHeaders(exchange.getMessage().getHeaders());
        exchange.setMessage(plain);
    }

    private static void checkRecipientsFileName(String csvName, String jsonName) {
        if (csvName.contains("/") || csvName.contains("\\") || csvName.startsWith(".")
                || !csvName.toLowerCase(Locale.ROOT).endsWith(".csv")) {
            throw ApiException.badRequest("recipientsFile", "must be the name of a .csv file beside " + jsonName
                    + " in the inbox (no folders, not hidden), not '" + csvName + "'");
        }
    }

    private static void checkRecipientSource(Fields f, String csvName, String listName) {
        String type = f.has("recipientType") ? f.raw("recipientType").toString().trim() : null;
        if (listName != null) {
            if (csvName == null) {
                throw ApiException.badRequest("saveAsList", "needs a recipientsFile: the CSV's rows become the new list");
            }
            if (f.has("recipientListId")) {
                throw ApiException.badRequest("saveAsList", "cannot be used with recipientListId: the campaign sends "
                        + "to the new list");
            }
            if (type != null && !type.equalsIgnoreCase(RECIPIENT_LIST)) {
                throw ApiException.badRequest("recipientType", "must be Recipient List (or absent) when saveAsList "
                        + "names the list the CSV becomes, not '" + type + "'");
            }
        } else if (csvName != null) {
            if (f.has("recipients")) {
                throw ApiException.badRequest("recipients", "cannot be given together with a recipientsFile: the "
                        + "CSV's rows are the campaign's recipients");
            }
            if (type != null && !type.equalsIgnoreCase("Individual Recipients")) {
                throw ApiException.badRequest("recipientType", "must be Individual Recipients (or absent) when the "
                        + "recipientsFile's rows are the campaign's own; name the list in saveAsList to save them as "
                        + "a Recipient List");
            }
        }
    }

    /** The fingerprint of what was dropped: the campaign file's bytes, then the CSV's. */
    private static String sha256(byte[] json, Path csv) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform ships SHA-256", e);
        }
        digest.update(json);
        if (csv != null) {
            try (InputStream in = new DigestInputStream(Files.newInputStream(csv), digest)) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * The CSV's rows (as RecipientRowImporter.readCsv read them) become the create request's own
     * recipients; answers the per-row report.
     */
    public Map<String, Object> takeRecipients(@Variable("csvRows") Map<String, Object> rows, @Body Map<String, Object> request) {
        request.put("recipientType", "Individual Recipients");
        request.put("recipients", rows.get("recipients"));
        return castMap(rows.get("report"));
    }

    /** The named CSV, for RecipientRowImporter to read (it closes the stream). */
    public InputStream openRecipientsFile(@Variable("recipientsCsv") File csv) throws IOException {
        return Files.newInputStream(csv.toPath());
    }

    /** The create request sends to the Recipient List the CSV was saved as. */
    public void sendToList(@Variable("listId") long listId, @Body Map<String, Object> request) {
        request.put("recipientType", RECIPIENT_LIST);
        request.put("recipientListId", listId);
    }

    public void refuseTakenListName(@Variable("inbox") Map<String, Object> read) {
        throw new ApiException(409, "conflict", "saveAsList: a WhatsApp Recipient List named '" + read.get("saveAsList")
                + "' already exists; name a new list, or send to the existing one with recipientListId", "saveAsList", null);
    }

    /** What done/<file>.result.json says, kept with the fingerprint so a re-read can answer the same. */
    public String result(@Variable("inbox") Map<String, Object> read, @Variable("created") Map<String, Object> created,
                         @Variable("imported") Map<String, Object> imported, @Variable("listId") Long listId)
            throws JsonProcessingException {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("file", read.get("file"));
        result.put("recipientsFile", read.get("recipientsFile"));
        result.put("contentSha256", read.get("contentSha256"));
        result.put("campaign", created.get("name"));
        result.put("status", created.get("status"));
        result.put("submitted", read.get("submit"));
        result.put("createdBy", created.get("created_by"));
        if (listId != null) {
            Map<String, Object> list = new LinkedHashMap<>();
            list.put("id", listId);
            list.put("name", read.get("saveAsList"));
            result.put("recipientList", list);
        }
        result.put("recipients", created.get("recipients"));
        if (imported != null) {
            result.put("rejected", ((Number) imported.get("invalid")).longValue() + ((Number) imported.get("duplicate")).longValue());
            result.put("rejectedRows", imported.get("problems"));
            result.put("rejectedRowsTruncated", imported.get("problemsTruncated"));
        } else {
            result.put("rejected", 0);
            result.put("rejectedRows", List.of());
            result.put("rejectedRowsTruncated", false);
        }
        result.put("processedAt", Instant.now().toString());
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result);
    }

    /** The same content came back: it was processed once and is never created or submitted again. */
    public void refuseDuplicate(@Variable("inbox") Map<String, Object> read, @Variable("seen") Map<String, Object> seen) {
        Map<String, Object> first = new LinkedHashMap<>();
        first.put("campaign", seen.get("campaign_name"));
        first.put("file", seen.get("file_name"));
        first.put("processedAt", Views.instant(seen.get("processed_at")));
        first.put("contentSha256", read.get("contentSha256"));
        throw new ApiException(409, "duplicate_file", read.get("file") + " has the same content (campaign file and "
                + "recipients CSV) as " + seen.get("file_name") + ", processed " + first.get("processedAt")
                + " as campaign " + seen.get("campaign_name") + "; it is not created or submitted again",
                null, List.of(first));
    }

    /** A file the inbox has no use for, answered once it has lain untouched for the pair wait. */
    public void refuseLeftover(@Header(Exchange.FILE_NAME_ONLY) String name) {
        if (name.toLowerCase(Locale.ROOT).endsWith(".csv")) {
            throw new ApiException(400, "unclaimed_recipients_file", name + " lay in the inbox for " + pairWaitMinutes
                    + " minutes and no campaign file names it as its recipientsFile; drop it again together with a "
                    + "campaign file that does", null, null);
        }
        throw new ApiException(400, "not_a_campaign_file", name + " is not a campaign file: the inbox takes campaign "
                + "files (*.json) and the recipient CSVs (*.csv) they name", null, null);
    }

    /** The error file's text: the API's one error shape. */
    public String error(Exchange exchange) throws JsonProcessingException {
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(
                ApiErrors.shape(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class)));
    }

    /** A name in done/ or failed/ that no earlier file has: name.ext, else name-2.ext, name-3.ext, ... */
    public String freeName(String folder, String name) {
        Path dir = inbox.resolve(folder);
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : "";
        String candidate = name;
        for (int n = 2; Files.exists(dir.resolve(candidate)) || Files.exists(dir.resolve(candidate + ".result.json"))
                || Files.exists(dir.resolve(candidate + ".error.json")); n++) {
            candidate = stem + "-" + n + ext;
        }
        return candidate;
    }

    /** Moves the recipients CSV, if the campaign file named one that is still in the inbox, into done/ or failed/. */
    public void moveRecipientsFile(String folder, @Variable("recipientsCsv") File recipientsCsv) throws IOException {
        if (recipientsCsv == null || !recipientsCsv.exists()) {
            return;
        }
        Path csv = recipientsCsv.toPath();
        Path dir = Files.createDirectories(inbox.resolve(folder));
        Files.move(csv, dir.resolve(freeName(folder, csv.getFileName().toString())));
    }

    /** The recipientsFile a campaign file names, or null when it names none or cannot be read (yet). */
    static String namedRecipientsFile(Path json) {
        try {
            Object value = JSON.readValue(json.toFile(), Map.class).get("recipientsFile");
            return value instanceof String s && !s.isBlank() && !s.contains("/") && !s.contains("\\") ? s.trim() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object value) {
        return (Map<String, Object>) value;
    }

    static boolean hasExtension(String name, String... extensions) {
        String lower = name.toLowerCase(Locale.ROOT);
        return Arrays.stream(extensions).anyMatch(lower::endsWith);
    }
}
