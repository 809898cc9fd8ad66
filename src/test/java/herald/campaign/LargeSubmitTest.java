package herald.campaign;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A large Recipient List submitted while sending is stopped: every distinct recipient must have
 * exactly one WhatsApp Message row and exactly one exchange on the send queue naming that row.
 * Size: -Dherald.large-submit.recipients (default 100000).
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
        long deadline = System.currentTimeMillis() + 900_000;
        JsonNode campaign;
        do {
            Thread.sleep(500);
            campaign = api.get("/api/campaigns/" + name).json(200);
        } while (!campaign.path("splitState").asText().equals("DONE") && System.currentTimeMillis() < deadline);
        assertEquals("DONE", campaign.path("splitState").asText(), "the split did not finish: " + campaign);

        long campaignId = ((Number) server.queryOne("SELECT id FROM bulk_whatsapp_message WHERE name = ?", name)
                .get("id")).longValue();
        Set<Long> rowIds = new HashSet<>();
        Set<String> numbers = new HashSet<>();
        for (Map<String, Object> row : server.query("SELECT id, mobile_number, status, parameters FROM whatsapp_message "
                + "WHERE bulk_message_reference = ?", campaignId)) {
            rowIds.add(((Number) row.get("id")).longValue());
            numbers.add((String) row.get("mobile_number"));
            assertEquals("Queued", row.get("status"));
        }
        assertEquals(RECIPIENTS, rowIds.size(), "one row per distinct recipient");
        assertEquals(RECIPIENTS, numbers.size());
        assertEquals(RECIPIENTS, campaign.path("recipientCount").asLong());

        Set<Long> queued = browseQueuedMessageIds(campaignId);
        assertEquals(rowIds.size(), queued.size(), "exchanges on the send queue for the campaign");
        Set<Long> missing = new HashSet<>(rowIds);
        missing.removeAll(queued);
        assertTrue(missing.isEmpty(), missing.size() + " message rows have no queued exchange");

        // Leave nothing for the tests after this one to wait behind: the exchanges go, then the campaign.
        removeQueuedExchanges(campaignId);
        api.post("/api/campaigns/" + name + "/cancel", Map.of()).expect(200);
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
