package herald.campaign;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import herald.simulator.CloudApiSimulator;
import herald.simulator.SimTemplate;
import herald.simulator.SimulatorConfig;
import herald.testing.ApiClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static herald.campaign.CampaignFixture.recipient;
import static herald.campaign.CampaignFixture.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Campaigns that really go out, through accounts pointed at a Cloud API simulator: what reaches
 * Meta is exactly one message per distinct valid recipient, and every row left out is accounted for.
 */
class CampaignSendTest {

    private static final String TEMPLATE = "campaign_send_notice";
    private static final String TOKEN = "campaign-send-test-token";
    private static final Set<String> FINISHED = Set.of("Completed", "Partially Failed");

    private static final CampaignFixture fixture = new CampaignFixture();
    private static CloudApiSimulator simulator;
    private final ApiClient api = fixture.api;

    @BeforeAll
    static void startSimulator() throws IOException {
        CloudApiSimulator.preferNoDelay();
        simulator = new CloudApiSimulator(SimulatorConfig.builder().port(0).accessToken(TOKEN)
                .template(new SimTemplate("1", TEMPLATE, "en", "APPROVED", "UTILITY", "POSITIONAL", "NONE", null,
                        CampaignFixture.TWO_VALUES_BODY))
                .throughputPerSecond(1000)
                .build()).start();
    }

    @AfterAll
    static void stopSimulator() {
        fixture.cancelUnfinished();
        simulator.stop();
    }

    private long simulatedTemplate() {
        long account = fixture.account(Map.of("apiBaseUrl", simulator.baseUrl(), "accessToken", TOKEN));
        return fixture.twoValueTemplate(account, TEMPLATE);
    }

    private static long acceptedBy(String number) {
        return simulator.stats().path("acceptedByRecipient").path(number).asLong();
    }

    @Test
    void skipInvalidSendsTheValidRowsAndRecordsEachSkippedRowAsFailed() throws Exception {
        List<Map<String, Object>> rows = List.of(
                recipient("+4915140000001", "Valid one", values("Anna", "A1")),
                recipient("n/a", "No number", values("Ben", "B2")),
                recipient("+4915140000003", "Too few values", Map.of("name", "Cleo")),
                recipient("", "Blank number", values("Dev", "D4")),
                recipient("n/a", "No number again", values("Eve", "E5")),
                recipient("+4915140000006", "Newline", values("Finn", "F\n6")),
                recipient("+4915140000007", "Valid two", values("Gus", "G7")),
                recipient("", "Blank again", values("Hal", "H8")));
        String name = fixture.create(CampaignFixture.uniqueCampaign(simulatedTemplate(), rows.subList(0, 1)));
        fixture.storeUnchecked(name, rows.subList(1, rows.size()));

        JsonNode refused = api.post("/api/campaigns/" + name + "/submit", Map.of()).error(400);
        assertTrue(refused.path("message").asText().startsWith("6 recipient row(s) cannot be sent"), refused::toString);
        List<String> refusedRows = new ArrayList<>();
        refused.path("details").forEach(d -> refusedRows.add(d.path("field").asText()));
        assertEquals(List.of("recipients[2]", "recipients[3]", "recipients[4]", "recipients[5]", "recipients[6]",
                "recipients[8]"), refusedRows);

        assertTrue(fixture.submit(name, true).path("skipInvalid").asBoolean());
        JsonNode done = fixture.awaitStatus(name, FINISHED);
        assertEquals("Partially Failed", done.path("status").asText(), done::toString);
        assertEquals(8, done.path("recipientCount").asInt(), "one message per row: " + done);
        assertEquals(2, done.path("sent").asInt());
        assertEquals(6, done.path("failed").asInt());

        JsonNode failed = api.get("/api/campaigns/" + name + "/messages?status=Failed").json(200).path("items");
        List<String> reasons = new ArrayList<>();
        for (JsonNode m : failed) {
            assertEquals("Invalid recipient", m.path("error").path("title").asText(), m::toString);
            reasons.add(m.path("recipientName").asText() + ": " + m.path("error").path("message").asText());
            boolean unreadable = m.path("error").path("message").asText().startsWith("mobile_number");
            assertEquals(unreadable, m.path("mobileNumber").isNull(), "a number that cannot be read is not stored: " + m);
        }
        assertEquals(6, reasons.size(), reasons::toString);
        assertReason(reasons, "No number: mobile_number 'n/a' is not a phone number");
        assertReason(reasons, "Too few values: recipient_data: expected 2 values");
        assertReason(reasons, "Blank number: mobile_number '' is empty");
        assertReason(reasons, "No number again: mobile_number 'n/a' is not a phone number");
        assertReason(reasons, "Newline: recipient_data: \"code\": must not contain a newline or tab");
        assertReason(reasons, "Blank again: mobile_number '' is empty");

        JsonNode sent = api.get("/api/campaigns/" + name + "/messages?status=Sent").json(200).path("items");
        assertEquals(2, sent.size(), sent::toString);
        for (JsonNode m : sent) {
            assertFalse(m.path("messageId").asText().isBlank(), "Meta's wamid is kept: " + m);
        }
        assertEquals(1, acceptedBy("+4915140000001"));
        assertEquals(1, acceptedBy("+4915140000007"));
        assertEquals(0, acceptedBy("+4915140000003"), "a row with invalid values never reaches Meta");
        assertEquals(0, acceptedBy("+4915140000006"), "a row with invalid values never reaches Meta");
    }

    private static void assertReason(List<String> reasons, String expected) {
        assertTrue(reasons.stream().anyMatch(r -> r.startsWith(expected)), "no '" + expected + "' in " + reasons);
    }

    @Test
    void oneNumberWrittenSeveralWaysGetsOneMessage() throws Exception {
        List<Map<String, Object>> rows = List.of(
                recipient("+49 151 4000 0101", "Anna", values("Anna", "A1")),
                recipient("0151 40000101", "Anna at work", values("Anna", "A2")),
                recipient("0049 (151) 4000-0101", "Anna again", values("Anna", "A3")),
                recipient("+4915140000102", "Ben", values("Ben", "B1")));
        String name = fixture.create(CampaignFixture.uniqueCampaign(simulatedTemplate(), rows));

        fixture.submit(name, false);
        JsonNode done = fixture.awaitStatus(name, FINISHED);
        assertEquals("Completed", done.path("status").asText(), done::toString);
        assertEquals(2, done.path("recipientCount").asInt(), done::toString);

        List<Map<String, Object>> messages = fixture.messageRows(name);
        assertEquals(List.of("+4915140000101", "+4915140000102"), messages.stream().map(m -> m.get("mobile_number")).toList());
        assertEquals("Anna", messages.get(0).get("recipient_name"), "the first row of a number is the one sent");
        assertTrue(((String) messages.get(0).get("parameters")).contains("\"A1\""), messages.get(0)::toString);
        assertEquals(1, acceptedBy("+4915140000101"));
        assertEquals(1, acceptedBy("+4915140000102"));
    }
}
