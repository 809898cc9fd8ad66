package herald.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import herald.testing.ApiClient;
import herald.testing.HeraldServer;
import org.junit.jupiter.api.Test;

/** WhatsApp Recipient Lists over HTTP: rows from JSON and CSV, per-row reports, Recipient Data order. */
class RecipientListsApiTest {

    private final HeraldServer herald = HeraldServer.shared();
    private final ApiClient api = herald.admin();

    private long emptyList() {
        return api.post("/api/recipient-lists", Map.of("name", HeraldServer.unique("List"))).json(201).path("id").asLong();
    }

    private JsonNode rows(long listId) {
        return api.get("/api/recipient-lists/" + listId + "/rows").json(200).path("items");
    }

    private long storedRowCount(long listId) {
        return ((Number) herald.queryOne("SELECT COUNT(*) AS n FROM recipient_list_row WHERE list_id = ?", listId)
                .get("n")).longValue();
    }

    private static List<String> keys(JsonNode object) {
        List<String> keys = new ArrayList<>();
        object.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    private static JsonNode problemAtRow(JsonNode report, long row) {
        for (JsonNode problem : report.path("problems")) {
            if (problem.path("row").asLong() == row) {
                return problem;
            }
        }
        throw new AssertionError("no problem reported for row " + row + ": " + report);
    }

    private static void assertCounts(JsonNode report, long added, long invalid, long duplicate) {
        assertEquals(added, report.path("added").asLong(), report::toString);
        assertEquals(invalid, report.path("invalid").asLong(), report::toString);
        assertEquals(duplicate, report.path("duplicate").asLong(), report::toString);
        assertEquals(invalid + duplicate, report.path("problems").size(), report::toString);
    }

    @Test
    void createWithRows() {
        String name = HeraldServer.unique("Customers");
        JsonNode list = api.post("/api/recipient-lists", """
                {"name": "%s", "description": "VIP customers", "rows": [
                  {"mobileNumber": "+49 151 12345001", "recipientName": "Anna"},
                  {"mobileNumber": "0151 12345002", "recipientName": "Ben", "recipientData": {"city": "Köln"}},
                  {"mobileNumber": "+4915112345003"}
                ]}""".formatted(name)).json(201);

        assertEquals(name, list.path("name").asText());
        assertEquals("VIP customers", list.path("description").asText());
        assertEquals(3, list.path("rowCount").asLong());
        assertCounts(list.path("import"), 3, 0, 0);
        long id = list.path("id").asLong();
        assertEquals(3, storedRowCount(id));

        JsonNode items = rows(id);
        assertEquals("+4915112345001", items.path(0).path("mobileNumber").asText(), "stored in E.164");
        assertEquals("Anna", items.path(0).path("recipientName").asText());
        assertEquals("+4915112345002", items.path(1).path("mobileNumber").asText(), "national form read in region DE");
        assertEquals("Köln", items.path(1).path("recipientData").path("city").asText());
        assertTrue(items.path(2).path("recipientName").isNull());

        JsonNode read = api.get("/api/recipient-lists/" + id).json(200);
        assertEquals(3, read.path("rowCount").asLong());
        assertFalse(read.has("import"), "only an import answers an import report");
        JsonNode all = api.get("/api/recipient-lists").json(200);
        boolean listed = false;
        for (JsonNode l : all) {
            listed |= l.path("id").asLong() == id && l.path("rowCount").asLong() == 3;
        }
        assertTrue(listed, "listed with its row count: " + all);
    }

    @Test
    void addedRowsAreReportedOneByOne() {
        long id = api.post("/api/recipient-lists", """
                {"name": "%s", "rows": [{"mobileNumber": "+4915112346001"}]}""".formatted(HeraldServer.unique("Adds")))
                .json(201).path("id").asLong();

        JsonNode report = api.post("/api/recipient-lists/" + id + "/rows", """
                [{"mobileNumber": "+4915112346002", "recipientName": "New"},
                 {"mobileNumber": "12"},
                 {"mobileNumber": "0151 12346001"},
                 {"mobileNumber": "+49 151 12346002"},
                 {"recipientName": "No number"},
                 {"mobileNumber": "call me"}]""").json(200).path("import");

        assertCounts(report, 1, 3, 2);
        assertEquals("12", problemAtRow(report, 2).path("value").asText());
        assertTrue(problemAtRow(report, 2).path("reason").asText().startsWith("mobile_number"), report::toString);
        assertEquals("0151 12346001", problemAtRow(report, 3).path("value").asText());
        assertTrue(problemAtRow(report, 3).path("reason").asText().contains("duplicate"), "already in the list");
        assertTrue(problemAtRow(report, 4).path("reason").asText().contains("duplicate"), "twice in one request");
        assertTrue(problemAtRow(report, 5).path("value").isNull());
        assertEquals("call me", problemAtRow(report, 6).path("value").asText());
        assertFalse(report.path("problemsTruncated").asBoolean());
        assertEquals(2, storedRowCount(id));
        assertEquals(2, api.get("/api/recipient-lists/" + id).json(200).path("rowCount").asLong());
    }

    @Test
    void recipientDataKeepsItsKeyOrder() {
        long id = emptyList();
        api.post("/api/recipient-lists/" + id + "/rows", """
                [{"mobileNumber": "+4915112347001", "recipientData": {"zeta": "z", "alpha": "a", "mid": "m"}}]""")
                .expect(200);

        Object stored = herald.queryOne("SELECT recipient_data FROM recipient_list_row WHERE list_id = ?", id)
                .get("recipient_data");
        assertEquals("{\"zeta\":\"z\",\"alpha\":\"a\",\"mid\":\"m\"}", stored);
        assertEquals(List.of("zeta", "alpha", "mid"), keys(rows(id).path(0).path("recipientData")));
    }

    @Test
    void csvImportReportsBadRowsAndKeepsColumnOrder() {
        long id = emptyList();
        String csv = """
                mobile_number,recipient_name,zeta,alpha,mid
                +4915112348001,"Doe, Jane",z1,a1,m1
                not-a-number,Bad Row,z2,a2,m2
                0151 12348001,Same Number,z3,a3,m3
                +4915112348002,Plain,z4,"a4, with a comma",m4
                """;
        JsonNode answer = api.postBytes("/api/recipient-lists/" + id + "/import", "text/csv",
                csv.getBytes(StandardCharsets.UTF_8)).json(200);

        JsonNode report = answer.path("import");
        assertCounts(report, 2, 1, 1);
        assertEquals("not-a-number", problemAtRow(report, 3).path("value").asText(), "the header is row 1");
        assertTrue(problemAtRow(report, 4).path("reason").asText().contains("duplicate"), report::toString);
        assertEquals(2, answer.path("rowCount").asLong());

        JsonNode items = rows(id);
        assertEquals("Doe, Jane", items.path(0).path("recipientName").asText());
        assertEquals(List.of("zeta", "alpha", "mid"), keys(items.path(0).path("recipientData")));
        assertEquals("a4, with a comma", items.path(1).path("recipientData").path("alpha").asText());
        List<Map<String, Object>> stored = herald.query(
                "SELECT recipient_data FROM recipient_list_row WHERE list_id = ? ORDER BY id", id);
        assertEquals("{\"zeta\":\"z1\",\"alpha\":\"a1\",\"mid\":\"m1\"}", stored.get(0).get("recipient_data"));
        assertEquals("{\"zeta\":\"z4\",\"alpha\":\"a4, with a comma\",\"mid\":\"m4\"}", stored.get(1).get("recipient_data"));
    }

    @Test
    void csvWithoutMobileNumberColumnStoresNothing() {
        long id = emptyList();
        JsonNode error = api.postBytes("/api/recipient-lists/" + id + "/import", "text/csv",
                "phone,recipient_name\n+4915112349001,Anna\n".getBytes(StandardCharsets.UTF_8)).error(400);

        assertEquals("mobile_number", error.path("field").asText());
        assertEquals(0, storedRowCount(id));
    }

    @Test
    void csvThatBreaksHalfWayStoresNothing() {
        long id = emptyList();
        String csv = "mobile_number,recipient_name\n+4915112349101,Anna\n+4915112349102,\"never closed\n";
        api.postBytes("/api/recipient-lists/" + id + "/import", "text/csv", csv.getBytes(StandardCharsets.UTF_8))
                .error(400);

        assertEquals(0, storedRowCount(id), "one import is one transaction");
    }

    @Test
    void unknownListIsNotFound() {
        assertEquals("not_found", api.get("/api/recipient-lists/987654321").error(404).path("code").asText());
        api.get("/api/recipient-lists/987654321/rows").error(404);
        api.post("/api/recipient-lists/987654321/rows", "[{\"mobileNumber\": \"+4915112349201\"}]").error(404);
        api.postBytes("/api/recipient-lists/987654321/import", "text/csv",
                "mobile_number\n+4915112349201\n".getBytes(StandardCharsets.UTF_8)).error(404);
        api.get("/api/recipient-lists/abc").error(400);
    }

    @Test
    void duplicateNameAndInvalidFields() {
        String name = HeraldServer.unique("Taken");
        api.post("/api/recipient-lists", Map.of("name", name)).expect(201);
        assertEquals("conflict", api.post("/api/recipient-lists", Map.of("name", name)).error(409).path("code").asText());

        assertEquals("name", api.post("/api/recipient-lists", Map.of("description", "no name")).error(400)
                .path("field").asText());
        assertEquals("rows", api.post("/api/recipient-lists", Map.of("name", HeraldServer.unique("Bad rows"),
                "rows", "+4915112349301")).error(400).path("field").asText());
    }

    @Test
    void aRefusedCreateStoresNoListAndItsNameStaysFree() {
        String name = HeraldServer.unique("All or nothing");
        JsonNode error = api.post("/api/recipient-lists", """
                {"name": "%s", "rows": [{"mobileNumber": "+4915112349501"},
                  {"mobileNumber": "+4915112349502", "recipientData": "not an object"}]}""".formatted(name)).error(400);
        assertEquals("rows[2].recipientData", error.path("field").asText(), error::toString);
        assertTrue(herald.query("SELECT id FROM recipient_list WHERE name = ?", name).isEmpty(), "no list is left behind");

        JsonNode created = api.post("/api/recipient-lists", """
                {"name": "%s", "rows": [{"mobileNumber": "+4915112349501"}]}""".formatted(name)).json(201);
        assertEquals(1, storedRowCount(created.path("id").asLong()), "the corrected retry gets the name");
    }

    @Test
    void aRowThatIsNotAnObjectIsNamed() {
        String name = HeraldServer.unique("Not objects");
        JsonNode error = api.post("/api/recipient-lists", """
                {"name": "%s", "rows": [{"mobileNumber": "+4915112349601"}, "+4915112349602"]}""".formatted(name))
                .error(400);
        assertEquals("rows[2]", error.path("field").asText(), error::toString);
        assertTrue(error.path("message").asText().contains("must be a JSON object"), error::toString);
        assertTrue(error.path("message").asText().contains("\"+4915112349602\""), "quotes what it got: " + error);
        assertTrue(herald.query("SELECT id FROM recipient_list WHERE name = ?", name).isEmpty());

        long id = emptyList();
        JsonNode added = api.post("/api/recipient-lists/" + id + "/rows", "[{\"mobileNumber\": \"+4915112349603\"}, 42]")
                .error(400);
        assertEquals("rows[2]", added.path("field").asText(), added::toString);
        assertTrue(added.path("message").asText().contains("the number 42"), added::toString);
        assertEquals(0, storedRowCount(id), "one request is one transaction");
    }

    @Test
    void csvWithAByteOrderMarkIsRead() {
        long id = emptyList();
        byte[] csv = "\uFEFFmobile_number,recipient_name,city\n+4915112349701,Anna,Köln\n".getBytes(StandardCharsets.UTF_8);
        JsonNode answer = api.postBytes("/api/recipient-lists/" + id + "/import", "text/csv", csv).json(200);

        assertCounts(answer.path("import"), 1, 0, 0);
        JsonNode row = rows(id).path(0);
        assertEquals("+4915112349701", row.path("mobileNumber").asText());
        assertEquals(List.of("city"), keys(row.path("recipientData")), "the mark is not part of a column name");
    }

    @Test
    void rowsArePaged() {
        long id = emptyList();
        api.post("/api/recipient-lists/" + id + "/rows", """
                [{"mobileNumber": "+4915112349401"}, {"mobileNumber": "+4915112349402"}, {"mobileNumber": "+4915112349403"}]
                """).expect(200);

        JsonNode page = api.get("/api/recipient-lists/" + id + "/rows?page=2&size=2").json(200);
        assertEquals(2, page.path("page").asInt());
        assertEquals(2, page.path("size").asInt());
        assertEquals(1, page.path("items").size());
        assertEquals("+4915112349403", page.path("items").path(0).path("mobileNumber").asText());
        assertEquals("size", api.get("/api/recipient-lists/" + id + "/rows?size=0").error(400).path("field").asText());
    }
}
