package herald.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import herald.simulator.CloudApiSimulator;
import herald.simulator.SimTemplate;
import herald.simulator.SimulatorConfig;
import herald.testing.ApiClient;
import herald.testing.HeraldServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Template sync of a real (not sandbox) account against the Cloud API simulator rather than a
 * stand-in: more templates than one page of herald.template-sync.page-size (100 in the shipped
 * settings the tests run with), so Herald must follow the simulator's own paging.next links.
 */
class TemplateSyncSimulatorTest {

    private static final String TOKEN = "template-sync-simulator-token";
    private static final String WABA = "100000000007001";
    private static final int TEMPLATES = 230;
    private static final List<String> HEADERS = List.of("NONE", "TEXT", "IMAGE", "VIDEO", "DOCUMENT");

    private static CloudApiSimulator simulator;
    private final HeraldServer herald = HeraldServer.shared();
    private final ApiClient api = herald.admin();

    @BeforeAll
    static void startSimulator() throws IOException {
        List<SimTemplate> templates = new ArrayList<>();
        for (int i = 0; i < TEMPLATES; i++) {
            String header = HEADERS.get(i % HEADERS.size());
            boolean named = i % 2 == 1;
            templates.add(new SimTemplate(Integer.toString(700_000 + i), "synced_" + i, "en", "APPROVED", "UTILITY",
                    named ? "NAMED" : "POSITIONAL", header, header.equals("TEXT") ? (named ? "Hi {{who}}" : "Hi {{1}}") : null,
                    named ? "Template {{who}} number " + i : "Template {{1}} number " + i));
        }
        simulator = new CloudApiSimulator(SimulatorConfig.builder().port(0).accessToken(TOKEN).wabaId(WABA)
                .templates(templates).build()).start();
    }

    @AfterAll
    static void stopSimulator() {
        simulator.stop();
    }

    @Test
    void everyPageOfTheSimulatorsTemplatesArrives() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", HeraldServer.unique("sync_simulator"));
        body.put("phoneNumberId", "100000000000002");
        body.put("wabaId", WABA);
        body.put("accessToken", TOKEN);
        body.put("apiBaseUrl", simulator.baseUrl());
        JsonNode account = api.post("/api/accounts", body).json(201);
        assertEquals(false, account.path("sandbox").asBoolean(), account::toString);
        long accountId = account.path("id").asLong();

        JsonNode report = null;
        for (JsonNode r : api.post("/api/templates/sync", Map.of()).json(200).path("accounts")) {
            if (r.path("accountId").asLong() == accountId) {
                report = r;
            }
        }
        int pageSize = Integer.parseInt(herald.context().getPropertiesComponent()
                .resolveProperty("herald.template-sync.page-size").orElseThrow());
        assertNotNull(report, "a report for account " + accountId);
        assertTrue(pageSize < TEMPLATES, "more templates than one page of " + pageSize);
        assertEquals((TEMPLATES + pageSize - 1) / pageSize, report.path("pages").asInt(), "one request a page: " + report);
        assertEquals(TEMPLATES, report.path("fetched").asInt(), report::toString);
        assertEquals(TEMPLATES, report.path("inserted").asInt(), report::toString);
        assertEquals(0, report.path("problems").size(), report::toString);

        List<Map<String, Object>> stored = herald.query("SELECT name, header_kind, parameter_format, meta_template_id"
                + " FROM whatsapp_template WHERE account_id = ? ORDER BY meta_template_id", accountId);
        assertEquals(TEMPLATES, stored.size());
        for (int i = 0; i < TEMPLATES; i++) {
            Map<String, Object> row = stored.get(i);
            assertEquals(List.of("synced_" + i, HEADERS.get(i % HEADERS.size()), i % 2 == 1 ? "NAMED" : "POSITIONAL",
                    Integer.toString(700_000 + i)), List.of(row.get("name"), row.get("header_kind"),
                    row.get("parameter_format"), row.get("meta_template_id")), row::toString);
        }
    }
}
