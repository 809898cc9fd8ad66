package herald.campaign;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import com.fasterxml.jackson.databind.JsonNode;
import herald.testing.ApiClient;
import herald.testing.HeraldServer;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.Message;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.camel.component.jms.JmsComponent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A large Recipient List submitted while sending is stopped: every distinct recipient must have
 * exactly one WhatsApp Message row, and the send queue must hold exactly the campaign's window
 * (herald.split.window-seconds of the account's rate) of exchanges, one per row, for its first
 * rows; the rest wait, Queued, with the split unfinished. Size: -Dherald.large-submit.recipients
 * (default 100000).
 */
class LargeSubmitTest {

    private static final int RECIPIENTS = Integer.getInteger("herald.large-submit.recipients", 100_000);
    private static final String SEND_ROUTE = "send-whatsapp-message";

    private final HeraldServer server = HeraldServer.shared();
    private final ApiClient api = server.admin();

    @BeforeEach
    void stopSending() throws Exception {
        server.context().getRouteController().stopRoute(SEND_ROUTE);
    }

    @AfterEach
    void startSending() throws Exception {
        server.context().getRouteController().startRoute(SEND_ROUTE);
    }

    @Test
    void everyRecipientHasOneRowAndOneQueuedExchange() throws Exception {
        long accountId = api.post("/api/accounts", Map.of("name", HeraldServer.unique("large"), "phoneNumberId", "1234",
                "wabaId", "5678", "accessToken", "large-token", "messagesPerSecond", 1000)).json(201).path("id").asLong();
        String templateName = HeraldServer.unique("large_notice");
        long templateId = api.post("/api/templates", Map.of("accountId", accountId, "name", templateName, "language", "en",
                "status", "APPROVED", "components", List.of(Map.of("type", "BODY", "text", "Hi {{1}}, code {{2}}"))))
                .json(201).path("id").asLong();
        Path csv = Files.createTempFile("large-", ".csv");
        StringBuilder rows = new StringBuilder("mobile_number,recipient_name,name,code\n");
        for (int i = 0; i < RECIPIENTS; i++) {
            rows.append(String.format("+4916%09d,R%d,R%d,%d%n", 200_000_000 + i, i, i, i));
        }
        // Duplicates of the first rows: they must not become messages of their own.
        for (int i = 0; i < 10; i++) {
            rows.append(String.format("+4916%09d,again,again,%d%n", 200_000_000 + i, i));
        }
        Files.writeString(csv, rows);
        long listId = api.post("/api/recipient-lists", Map.of("name", HeraldServer.unique("large list"))).json(201)
                .path("id").asLong();
        JsonNode imported = api.postFile("/api/recipient-lists/" + listId + "/import", "text/csv", csv).json(200);
        assertEquals(RECIPIENTS, imported.path("import").path("added").asLong());
        assertEquals(10, imported.path("import").path("duplicate").asLong());

        String name = api.post("/api/campaigns", Map.of("title", "Large", "recipientType", "Recipient List",
                "recipientListId", listId, "templateId", templateId, "variableType", "Unique")).json(201)
                .path("name").asText();
        api.post("/api/campaigns/" + name + "/submit", Map.of()).expect(202);
        long campaignId = ((Number) server.queryOne("SELECT id FROM bulk_whatsapp_message WHERE name = ?", name)
                .get("id")).longValue();
        long deadline = System.currentTimeMillis() + 900_000;
        JsonNode campaign;
        do {
            Thread.sleep(500);
            campaign = api.get("/api/campaigns/" + name).json(200);
        } while (campaign.path("recipientCount").asLong() < RECIPIENTS && System.currentTimeMillis() < deadline);
        assertEquals(RECIPIENTS, campaign.path("recipientCount").asLong(), "the rows were not all written: " + campaign);
        // A few more ticks: the window must stay as it is while nothing is sent.
        Thread.sleep(3000);
        assertEquals("SPLITTING", api.get("/api/campaigns/" + name).json(200).path("splitState").asText(),
                "the split cannot be done while messages wait for room in the window");

        // Row by row: the i-th CSV row (its duplicates dropped) is the i-th message, with the
        // number, name and exact values it will send.
        Set<Long> rowIds = new HashSet<>();
        List<Long> firstRows = new ArrayList<>();
        int i = 0;
        for (Map<String, Object> row : server.query("SELECT id, mobile_number, recipient_name, parameters, status "
                + "FROM whatsapp_message WHERE bulk_message_reference = ? ORDER BY seq", campaignId)) {
            long id = ((Number) row.get("id")).longValue();
            rowIds.add(id);
            String expectedNumber = String.format("+4916%09d", 200_000_000 + i);
            assertEquals(expectedNumber, row.get("mobile_number"), "message " + i);
            assertEquals("R" + i, row.get("recipient_name"), "message " + i);
            JsonNode body = ApiClient.JSON.readTree((String) row.get("parameters")).path("body");
            assertEquals(List.of("R" + i, Integer.toString(i)), List.of(body.path(0).path("value").asText(),
                    body.path(1).path("value").asText()), "values of message " + i + " in key order");
            assertEquals(2, body.size(), "message " + i);
            assertEquals("Queued", row.get("status"), "message " + i);
            if (firstRows.size() < window()) {
                firstRows.add(id);
            }
            i++;
        }
        assertEquals(RECIPIENTS, i, "one row per distinct recipient, every CSV number among them");
        assertEquals(RECIPIENTS, rowIds.size());

        Set<Long> queued = browseQueuedMessageIds(campaignId);
        assertEquals(window(), queued.size(), "exchanges on the send queue for the campaign");
        assertEquals(new HashSet<>(firstRows), queued, "the exchanges name the campaign's first rows");

        // Leave nothing for the tests after this one to wait behind: the exchanges go, then the campaign.
        removeQueuedExchanges(campaignId);
        api.post("/api/campaigns/" + name + "/cancel", Map.of()).expect(200);
    }

    /** 1,000 messages per second for herald.split.window-seconds. */
    private int window() {
        return 1000 * Integer.parseInt(server.context().resolvePropertyPlaceholders("{{herald.split.window-seconds}}"));
    }

    private static void removeQueuedExchanges(long campaignId) throws Exception {
        MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
        for (ObjectName queue : mbeans.queryNames(new ObjectName("org.apache.activemq.artemis:*,component=addresses,"
                + "subcomponent=queues,queue=\"herald.send\""), null)) {
            mbeans.invoke(queue, "removeMessages", new Object[] {"HeraldCampaignId = " + campaignId},
                    new String[] {String.class.getName()});
        }
    }

    private Set<Long> browseQueuedMessageIds(long campaignId) throws Exception {
        ConnectionFactory factory = server.context().getComponent("jms", JmsComponent.class).getConnectionFactory();
        Set<Long> ids = new HashSet<>();
        int exchanges = 0;
        try (Connection connection = factory.createConnection()) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            QueueBrowser browser = session.createBrowser(session.createQueue("herald.send"),
                    "HeraldCampaignId = " + campaignId);
            Enumeration<?> messages = browser.getEnumeration();
            while (messages.hasMoreElements()) {
                Message m = (Message) messages.nextElement();
                JsonNode body = ApiClient.JSON.readTree(((TextMessage) m).getText());
                ids.add(body.path("messageId").asLong());
                exchanges++;
            }
        }
        assertEquals(ids.size(), exchanges, "no message row has two exchanges");
        return ids;
    }
}
