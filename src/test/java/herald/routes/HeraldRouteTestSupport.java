package herald.routes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.zaxxer.hikari.HikariDataSource;
import herald.config.HeraldConfiguration;
import herald.testing.ApiClient;
import herald.testing.HeraldServer;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.TestExecutionConfiguration;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A Herald of its own for each test method, built as Camel Main builds it (HeraldConfiguration,
 * config/application.properties, the YAML routes under routes/), but not started: the test
 * advises the routes it examines first, then starts the context itself.
 *
 * <p>Each Herald gets a fresh data folder and a fresh database of the kind {@code herald.test.db}
 * names, as the shared test Herald does. Its broker is an in-VM Artemis of the test's own, which
 * Herald uses as it would an external broker: the shared test Herald, which may run in the same
 * JVM, already holds the in-VM address of Herald's embedded broker.
 */
abstract class HeraldRouteTestSupport extends CamelMainTestSupport {

    static final String ADMIN_PASSWORD = "route-test-admin-password";
    static final String ACCESS_TOKEN = "route-test-access-token";
    private static final AtomicInteger BROKER_IDS = new AtomicInteger(100);

    private Path dataDir;
    private String postgresDb;
    private EmbeddedActiveMQ broker;
    private int port;

    @Override
    public void configureTest(TestExecutionConfiguration testConfiguration) {
        super.configureTest(testConfiguration);
        testConfiguration.withUseAdviceWith(true);
    }

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        configuration.addConfiguration(HeraldConfiguration.class);
    }

    @Override
    protected String getPropertyPlaceholderLocations() {
        return "file:config/application.properties";
    }

    /** Settings this test needs on top of the common ones. */
    protected void configureHerald(Properties properties) {
    }

    @Override
    protected void doPreSetup() throws Exception {
        dataDir = Files.createTempDirectory("herald-route-test-");
        port = AvailablePortFinder.getNextAvailable();
        String brokerUrl = "vm://" + BROKER_IDS.incrementAndGet();
        broker = new EmbeddedActiveMQ().setConfiguration(new ConfigurationImpl()
                .setName("herald-route-test-broker")
                .setPersistenceEnabled(false)
                .setSecurityEnabled(false)
                .setJMXManagementEnabled(false)
                .addAcceptorConfiguration("in-vm", brokerUrl));
        broker.start();

        Properties p = new Properties();
        p.setProperty("herald.data-dir", dataDir.toString());
        p.setProperty("herald.port", Integer.toString(port));
        p.setProperty("herald.management-port", Integer.toString(AvailablePortFinder.getNextAvailable()));
        p.setProperty("herald.admin.password", ADMIN_PASSWORD);
        p.setProperty("herald.sandbox", "false");
        p.setProperty("herald.encryption-key", "route-test-encryption-key");
        p.setProperty("herald.broker.url", brokerUrl);
        // Nothing may reach Meta: an account without its own base URL points at a closed local port.
        p.setProperty("herald.whatsapp.api-base-url", "http://127.0.0.1:" + AvailablePortFinder.getNextAvailable());
        p.setProperty("herald.template-sync.period-ms", "0");
        p.setProperty("herald.split.poll-period-ms", "200");
        p.setProperty("herald.send.consumers", "4");
        if (HeraldServer.database().equals("postgresql")) {
            postgresDb = HeraldServer.createPostgresDatabase();
            p.setProperty("herald.db.url", "jdbc:postgresql://127.0.0.1:5432/" + postgresDb);
            p.setProperty("herald.db.user", "postgres");
            p.setProperty("herald.db.password", "");
        }
        configureHerald(p);
        camelContextConfiguration().withUseOverridePropertiesWithPropertiesComponent(p);
    }

    @Override
    protected void doPostTearDown() throws Exception {
        // The test kit stops the context only after this returns; the broker and the database must
        // outlive every route that still uses them (stopping the context closes Herald's pool).
        context.stop();
        broker.stop();
        if (postgresDb != null) {
            HeraldServer.dropPostgresDatabase(postgresDb);
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** This Herald's REST API, as its System Manager. */
    ApiClient api() {
        return new ApiClient("http://127.0.0.1:" + port).basic("admin", ADMIN_PASSWORD);
    }

    /** Rows of a query on Herald's own database; column names in any case. */
    List<Map<String, Object>> query(String sql, Object... params) {
        return new JdbcTemplate(context.getRegistry().lookupByNameAndType("dataSource", HikariDataSource.class))
                .queryForList(sql, params);
    }

    /** Changes rows of Herald's own database. */
    int update(String sql, Object... params) {
        return new JdbcTemplate(context.getRegistry().lookupByNameAndType("dataSource", HikariDataSource.class))
                .update(sql, params);
    }

    /** The campaign's WhatsApp Message rows in recipient order. */
    List<Map<String, Object>> messageRows(long campaignId) {
        return query("SELECT id, mobile_number, status, attempts, error_code, wamid FROM whatsapp_message "
                + "WHERE bulk_message_reference = ? ORDER BY seq", campaignId);
    }

    long campaignId(String name) {
        return ((Number) query("SELECT id FROM bulk_whatsapp_message WHERE name = ?", name).get(0).get("id")).longValue();
    }

    /**
     * A Draft campaign through the REST API: an account sending this many messages a second, an
     * APPROVED template with one placeholder, and one recipient row per number. Answers its name.
     */
    String draftCampaign(int messagesPerSecond, List<String> numbers) {
        ApiClient api = api();
        long account = api.post("/api/accounts", Map.of("name", "Route test account", "phoneNumberId", "1065403522",
                "wabaId", "1022901293", "accessToken", ACCESS_TOKEN, "messagesPerSecond", messagesPerSecond))
                .json(201).path("id").asLong();
        long template = api.post("/api/templates", Map.of("accountId", account, "name", "route_test_notice",
                "language", "en", "status", "APPROVED", "parameterFormat", "POSITIONAL",
                "components", List.of(Map.of("type", "BODY", "text", "Hello {{1}}"))))
                .json(201).path("id").asLong();
        List<Map<String, Object>> recipients = new ArrayList<>();
        for (String number : numbers) {
            recipients.add(Map.of("mobileNumber", number));
        }
        Map<String, Object> campaign = new LinkedHashMap<>();
        campaign.put("title", "Route test campaign");
        campaign.put("recipientType", "Individual Recipients");
        campaign.put("templateId", template);
        campaign.put("variableType", "Common");
        campaign.put("templateVariables", Map.of("1", "friend"));
        campaign.put("recipients", recipients);
        return api.post("/api/campaigns", campaign).json(201).path("name").asText();
    }

    void submit(String campaign, boolean skipInvalid) {
        api().post("/api/campaigns/" + campaign + "/submit" + (skipInvalid ? "?skipInvalid=true" : ""), Map.of())
                .expect(202);
    }
}
