package herald.inbox;

import static herald.testing.CampaignFixtures.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import herald.testing.ApiClient;
import herald.testing.CampaignFixtures;
import herald.testing.CloudApiStub;
import herald.testing.HeraldServer;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The file-drop inbox: campaign files and their CSVs in, answers in done/ and failed/, each content once. */
class FileInboxTest {

    private static CloudApiStub cloud;

    private final HeraldServer herald = HeraldServer.shared();
    private final ApiClient api = herald.admin();
    private final Path inbox = herald.inboxDir();
    private final long templateId = CampaignFixtures.approvedTemplate(api, cloud);

    @BeforeAll
    static void startCloudApi() {
        cloud = CloudApiStub.start();
    }

    @AfterAll
    static void stopCloudApi() {
        cloud.close();
    }

    /** Drops a file as a careful writer does: written under a hidden name, then renamed into place. */
    private void drop(String name, String content) {
        try {
            Files.createDirectories(inbox);
            Path part = inbox.resolve("." + name + ".part");
            Files.writeString(part, content, StandardCharsets.UTF_8);
            Files.move(part, inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode awaitAnswer(String folder, String file) {
        Path answer = inbox.resolve(folder).resolve(file);
        await(() -> Files.exists(answer), () -> folder + "/" + file + "; the inbox holds " + list(inbox)
                + ", done/ " + list(inbox.resolve("done")) + ", failed/ " + list(inbox.resolve("failed")));
        // The file has left the inbox once its answer is there; wait for the move that follows.
        String original = file.replaceFirst("\\.(result|error)\\.json$", "");
        await(() -> !Files.exists(inbox.resolve(original)), () -> original + " to leave the inbox");
        try {
            return ApiClient.JSON.readTree(answer.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode awaitResult(String name) {
        return awaitAnswer("done", name + ".result.json");
    }

    private JsonNode awaitError(String name) {
        return awaitAnswer("failed", name + ".error.json").path("error");
    }

    private static List<String> list(Path dir) {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private long campaignsTitled(String title) {
        return ((Number) herald.queryOne("SELECT COUNT(*) AS n FROM bulk_whatsapp_message WHERE title = ?", title)
                .get("n")).longValue();
    }

    private String campaignFile(String title, String extraFields) {
        return """
                {"title": "%s", "templateId": %d, "variableType": "Unique"%s}""".formatted(title, templateId, extraFields);
    }

    @Test
    void campaignFileWithoutCsvBecomesADraftCreatedByTheInbox() {
        String name = HeraldServer.unique("welcome") + ".json";
        String title = HeraldServer.unique("Inbox JSON only");
        drop(name, """
                {"title": "%s", "templateId": %d, "recipientType": "Individual Recipients", "variableType": "Common",
                 "templateVariables": {"1": "friend", "2": "WELCOME"},
                 "recipients": [{"mobileNumber": "+4915112350001", "recipientName": "Anna"},
                                {"mobileNumber": "0151 12350002"}],
                 "callbackUrl": "https://example.com/herald/"}""".formatted(title, templateId));

        JsonNode result = awaitResult(name);
        String campaign = result.path("campaign").asText();
        assertTrue(campaign.startsWith("BULK-WA-"), result::toString);
        assertEquals(name, result.path("file").asText());
        assertEquals("Draft", result.path("status").asText());
        assertFalse(result.path("submitted").asBoolean());
        assertEquals(2, result.path("recipients").asLong());
        assertEquals(0, result.path("rejectedRows").size());
        assertTrue(Files.exists(inbox.resolve("done").resolve(name)), "the campaign file is kept in done/");

        JsonNode stored = CampaignFixtures.campaign(api, campaign);
        assertEquals(title, stored.path("title").asText());
        assertEquals("inbox", stored.path("createdBy").asText());
        assertEquals("Individual Recipients", stored.path("recipientType").asText());
        assertEquals(2, stored.path("recipientRows").asLong());
        assertEquals("https://example.com/herald/", stored.path("callbackUrl").asText(), "kept exactly as given");
    }

    @Test
    void campaignFileWaitsForTheCsvItNames() {
        String base = HeraldServer.unique("promo");
        String title = HeraldServer.unique("Inbox pair");
        drop(base + ".json", campaignFile(title, ", \"recipientsFile\": \"" + base + ".csv\""));

        // Herald has looked at the campaign file and decided to wait for the CSV.
        await(() -> herald.logText().contains(base + ".json waits for its recipientsFile " + base + ".csv"),
                () -> "the inbox to notice " + base + ".json");
        assertTrue(Files.exists(inbox.resolve(base + ".json")), "left in the inbox while its CSV is missing");
        assertEquals(0, campaignsTitled(title), "nothing is created without the CSV");

        drop(base + ".csv", """
                mobile_number,recipient_name,first_name,code
                +49 151 12351001,Anna Schmidt,Anna,A-1
                0151 12351002,Ben Weber,Ben,B-2
                """);

        JsonNode result = awaitResult(base + ".json");
        assertEquals(base + ".csv", result.path("recipientsFile").asText());
        assertEquals(2, result.path("recipients").asLong());
        assertTrue(Files.exists(inbox.resolve("done").resolve(base + ".csv")), "the CSV goes to done/ with it");
        assertFalse(Files.exists(inbox.resolve(base + ".csv")));

        List<Map<String, Object>> rows = herald.query("SELECT r.mobile_number, r.recipient_name, r.recipient_data "
                + "FROM campaign_recipient r JOIN bulk_whatsapp_message c ON c.id = r.campaign_id WHERE c.name = ? "
                + "ORDER BY r.idx", result.path("campaign").asText());
        assertEquals(2, rows.size());
        assertEquals("+4915112351001", rows.get(0).get("mobile_number"));
        assertEquals("Anna Schmidt", rows.get(0).get("recipient_name"));
        assertEquals("{\"first_name\":\"Anna\",\"code\":\"A-1\"}", rows.get(0).get("recipient_data"),
                "Recipient Data in column order");
        assertEquals("+4915112351002", rows.get(1).get("mobile_number"));
    }

    @Test
    void brokenJsonIsAnsweredInFailedNamingTheProblem() {
        String name = HeraldServer.unique("broken") + ".json";
        drop(name, "{\"title\": \"Half a campaign\",\n \"templateId\": ");

        JsonNode error = awaitError(name);
        assertEquals("invalid_json", error.path("code").asText());
        assertTrue(error.path("message").asText().startsWith(name + " is not valid JSON (line 2"), error::toString);
        assertTrue(Files.exists(inbox.resolve("failed").resolve(name)), "the file itself is kept in failed/");
    }

    @Test
    void eachWrongFieldIsNamedInTheErrorFile() {
        Map<String, String> cases = Map.of(
                "\"submit\": \"yes\"", "submit",
                "\"sumbit\": true", "sumbit",
                "\"skipInvalid\": true", "skipInvalid",
                "\"recipientsFile\": \"../etc/passwd.csv\"", "recipientsFile",
                "\"saveAsList\": \"Needs a CSV\"", "saveAsList",
                "\"callbackUrl\": \"ftp://example.com/x\"", "callbackUrl",
                "\"templateId\": \"seven\"", "templateId");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            String name = HeraldServer.unique("wrong") + ".json";
            drop(name, "{\"title\": \"Wrong field\", \"recipientType\": \"Individual Recipients\", "
                    + "\"variableType\": \"Common\", " + c.getKey() + "}");
            JsonNode error = awaitError(name);
            assertEquals(c.getValue(), error.path("field").asText(), () -> c.getKey() + " -> " + error);
            assertTrue(error.path("message").asText().startsWith(c.getValue()), error::toString);
        }

        String name = HeraldServer.unique("invalid") + ".json";
        drop(name, "{\"title\": \"No template\", \"recipientType\": \"Individual Recipients\", "
                + "\"variableType\": \"Common\", \"templateVariables\": {}}");
        JsonNode error = awaitError(name);
        assertEquals("validation_failed", error.path("code").asText());
        assertEquals("templateId", error.path("details").path(0).path("field").asText(), error::toString);
    }

    @Test
    void rejectedCsvRowsAreListedWithTheirReasons() {
        String base = HeraldServer.unique("mixed");
        drop(base + ".csv", """
                mobile_number,recipient_name,first_name,code
                +4915112352001,Anna,Anna,A-1
                12,Too short,X,X-1
                0151 12352001,Anna again,Anna,A-2
                ,No number,Y,Y-1
                +4915112352002,Ben,Ben,B-2
                """);
        drop(base + ".json", campaignFile(HeraldServer.unique("Inbox bad rows"), ", \"recipientsFile\": \"" + base + ".csv\""));

        JsonNode result = awaitResult(base + ".json");
        assertEquals(2, result.path("recipients").asLong(), result::toString);
        assertEquals(3, result.path("rejected").asLong());
        JsonNode rejected = result.path("rejectedRows");
        assertEquals(3, rejected.size());
        assertEquals(3, rejected.path(0).path("row").asLong(), "rows are counted as in a spreadsheet, header is row 1");
        assertEquals("12", rejected.path(0).path("value").asText());
        assertTrue(rejected.path(0).path("reason").asText().startsWith("mobile_number"), rejected::toString);
        assertEquals(4, rejected.path(1).path("row").asLong());
        assertTrue(rejected.path(1).path("reason").asText().contains("duplicate"), rejected::toString);
        assertEquals(5, rejected.path(2).path("row").asLong());
        assertEquals(2, CampaignFixtures.campaign(api, result.path("campaign").asText()).path("recipientRows").asLong());
    }

    @Test
    void saveAsListStoresTheCsvAsANewRecipientList() {
        String base = HeraldServer.unique("segment");
        String listName = HeraldServer.unique("Inbox list");
        drop(base + ".csv", """
                mobile_number,recipient_name,first_name,code
                +4915112353001,Anna,Anna,A-1
                +4915112353002,Ben,Ben,B-2
                +4915112353003,Cem,Cem,C-3
                """);
        drop(base + ".json", campaignFile(HeraldServer.unique("Inbox saved list"),
                ", \"recipientsFile\": \"" + base + ".csv\", \"saveAsList\": \"" + listName + "\""));

        JsonNode result = awaitResult(base + ".json");
        long listId = result.path("recipientList").path("id").asLong();
        assertEquals(listName, result.path("recipientList").path("name").asText());
        assertEquals(3, result.path("recipients").asLong());

        JsonNode list = api.get("/api/recipient-lists/" + listId).json(200);
        assertEquals(listName, list.path("name").asText());
        assertEquals(3, list.path("rowCount").asLong());
        JsonNode campaign = CampaignFixtures.campaign(api, result.path("campaign").asText());
        assertEquals("Recipient List", campaign.path("recipientType").asText());
        assertEquals(listId, campaign.path("recipientListId").asLong());
        assertEquals(0, campaign.path("recipientRows").asLong(), "the rows live in the list, not the campaign");

        // A second file asking for the same list name is refused, and stores nothing at all.
        String again = HeraldServer.unique("segment");
        String title = HeraldServer.unique("Inbox taken list");
        drop(again + ".csv", "mobile_number\n+4915112353009\n");
        drop(again + ".json", campaignFile(title, ", \"recipientsFile\": \"" + again + ".csv\", \"saveAsList\": \""
                + listName + "\""));
        JsonNode error = awaitError(again + ".json");
        assertEquals("saveAsList", error.path("field").asText(), error::toString);
        assertEquals(0, campaignsTitled(title));
        assertEquals(3, api.get("/api/recipient-lists/" + listId).json(200).path("rowCount").asLong());
        assertTrue(Files.exists(inbox.resolve("failed").resolve(again + ".csv")), "the CSV goes to failed/ with it");
    }

    @Test
    void submitTrueSubmitsTheNewCampaign() {
        String base = HeraldServer.unique("send-now");
        drop(base + ".csv", """
                mobile_number,recipient_name,first_name,code
                +4915112354001,Anna,Anna,A-1
                +4915112354002,Ben,Ben,B-2
                """);
        drop(base + ".json", campaignFile(HeraldServer.unique("Inbox submit"),
                ", \"recipientsFile\": \"" + base + ".csv\", \"submit\": true"));

        JsonNode result = awaitResult(base + ".json");
        assertTrue(result.path("submitted").asBoolean());
        assertEquals("Queued", result.path("status").asText(), "submitted in the same transaction");
        JsonNode campaign = CampaignFixtures.awaitStatus(api, result.path("campaign").asText(), "Completed");
        assertFalse(campaign.path("submittedAt").isNull());
        assertEquals(1, cloud.sendsTo("+4915112354001"));
        assertEquals(1, cloud.sendsTo("+4915112354002"));
    }

    @Test
    void aSubmitThatFailsStoresNothing() {
        String base = HeraldServer.unique("unsendable");
        String title = HeraldServer.unique("Inbox unsendable");
        String list = HeraldServer.unique("Inbox unsendable list");
        // The template has two placeholders; these rows give one value each. Saved as a list, the
        // rows are only checked against the template by the submit.
        drop(base + ".csv", "mobile_number,first_name\n+4915112355001,Anna\n");
        drop(base + ".json", campaignFile(title, ", \"recipientsFile\": \"" + base + ".csv\", \"saveAsList\": \""
                + list + "\", \"submit\": true"));

        JsonNode error = awaitError(base + ".json");
        assertEquals("validation_failed", error.path("code").asText(), error::toString);
        assertTrue(error.path("message").asText().startsWith("1 recipient row(s) cannot be sent"), error::toString);
        assertEquals(1, error.path("total").asLong(), error::toString);
        assertEquals(0, campaignsTitled(title), "no Draft is left behind by a submit that failed");
        assertTrue(herald.query("SELECT id FROM recipient_list WHERE name = ?", list).isEmpty(),
                "nor the list it saved");
    }

    @Test
    void theSameContentTwiceCreatesOneCampaignAndPointsToIt() {
        String base = HeraldServer.unique("twice");
        String title = HeraldServer.unique("Inbox twice");
        String json = campaignFile(title, ", \"recipientsFile\": \"" + base + ".csv\", \"submit\": true");
        String csv = "mobile_number,recipient_name,first_name,code\n+4915112356001,Anna,Anna,A-1\n";
        drop(base + ".csv", csv);
        drop(base + ".json", json);
        String first = awaitResult(base + ".json").path("campaign").asText();

        // Only the second read finds the fingerprint stored by the first.
        NotifyBuilder secondRead = new NotifyBuilder(herald.context()).fromRoute("take-campaign-files-from-inbox")
                .filter(exchange -> (base + ".json").equals(exchange.getVariable("inboxFile"))
                        && exchange.getVariable("seen") != null).whenDone(1).create();
        drop(base + ".csv", csv);
        drop(base + ".json", json);
        JsonNode error = awaitError(base + ".json");
        assertTrue(secondRead.matches(30, TimeUnit.SECONDS), "the second file was recognised by its fingerprint");

        assertEquals("duplicate_file", error.path("code").asText(), error::toString);
        assertTrue(error.path("message").asText().contains(first), error::toString);
        assertEquals(first, error.path("details").path(0).path("campaign").asText());
        assertEquals(base + ".json", error.path("details").path(0).path("file").asText());
        assertEquals(1, campaignsTitled(title), "no second campaign");
        assertTrue(Files.exists(inbox.resolve("failed").resolve(base + ".csv")), "the repeated CSV goes to failed/");
        assertTrue(Files.exists(inbox.resolve("done").resolve(base + ".csv")), "the first CSV stays in done/");
        CampaignFixtures.awaitStatus(api, first, "Completed");
        assertEquals(1, cloud.sendsTo("+4915112356001"), "submitted and sent once");
    }

    @Test
    void aFileStoredBeforeACrashIsAnsweredFromTheRecordNotCreatedAgain() throws Exception {
        // The state a crash leaves between the commit and the move: the campaign and the
        // fingerprint are stored, the result is not written and the file is still in the inbox.
        String title = HeraldServer.unique("Inbox crash");
        String created = api.post("/api/campaigns", """
                {"title": "%s", "templateId": %d, "recipientType": "Individual Recipients", "variableType": "Common",
                 "templateVariables": {"1": "a", "2": "b"}, "recipients": [{"mobileNumber": "+4915112357001"}]}""".formatted(title, templateId))
                .json(201).path("name").asText();
        String name = HeraldServer.unique("interrupted") + ".json";
        String json = "{\"title\": \"" + title + "\", \"templateId\": " + templateId + ", \"recipientType\": "
                + "\"Individual Recipients\", \"variableType\": \"Common\", "
                + "\"templateVariables\": {\"1\": \"a\", \"2\": \"b\"}, \"recipients\": [{\"mobileNumber\": \"+4915112357001\"}]}";
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8)));
        try (var c = herald.dataSource().getConnection();
             var ps = c.prepareStatement("INSERT INTO inbox_file (content_sha256, file_name, campaign_name, result) "
                     + "VALUES (?, ?, ?, ?)")) {
            ps.setString(1, sha);
            ps.setString(2, name);
            ps.setString(3, created);
            ps.setString(4, "{\"campaign\": \"" + created + "\", \"stored\": \"before the crash\"}");
            ps.executeUpdate();
        }

        drop(name, json);
        JsonNode result = awaitResult(name);
        assertEquals(created, result.path("campaign").asText());
        assertEquals("before the crash", result.path("stored").asText(), "the result stored with the campaign");
        assertEquals(1, campaignsTitled(title));
        assertNotEquals(null, herald.queryOne("SELECT answered_at FROM inbox_file WHERE content_sha256 = ?", sha)
                .get("answered_at"));
    }

    @Test
    void filesLeftWaitingAreAnsweredOnceThePairWaitIsOver() throws IOException {
        FileTime longAgo = FileTime.from(Instant.now().minus(Duration.ofHours(2)));

        String lonely = HeraldServer.unique("lonely") + ".json";
        String missing = HeraldServer.unique("never-came") + ".csv";
        drop(lonely, campaignFile(HeraldServer.unique("Inbox lonely"), ", \"recipientsFile\": \"" + missing + "\""));
        Files.setLastModifiedTime(inbox.resolve(lonely), longAgo);
        JsonNode error = awaitError(lonely);
        assertEquals("recipientsFile", error.path("field").asText(), error::toString);
        assertTrue(error.path("message").asText().contains(missing + "' is not in the inbox"), error::toString);

        String orphan = HeraldServer.unique("orphan") + ".csv";
        drop(orphan, "mobile_number\n+4915112358001\n");
        Files.setLastModifiedTime(inbox.resolve(orphan), longAgo);
        assertEquals("unclaimed_recipients_file", awaitError(orphan).path("code").asText());

        String stray = HeraldServer.unique("notes") + ".txt";
        drop(stray, "not a campaign");
        Files.setLastModifiedTime(inbox.resolve(stray), longAgo);
        assertEquals("not_a_campaign_file", awaitError(stray).path("code").asText());
        assertTrue(Files.exists(inbox.resolve("failed").resolve(stray)));
    }
}
