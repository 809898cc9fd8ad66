package herald.config;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import herald.domain.PasswordHasher;
import herald.domain.SecretCipher;
import herald.domain.TemplateSpec;
import herald.simulator.CloudApiSimulator;
import herald.simulator.SimTemplate;
import herald.simulator.SimulatorConfig;
import org.apache.camel.support.service.ServiceSupport;

/**
 * Sandbox mode: Meta's Cloud API is played by Herald's own simulator, in this process, behind a
 * sandbox WhatsApp Account with two APPROVED templates, so a first campaign needs no Meta account.
 * Everything it creates is marked sandbox, and campaigns never mix sandbox and real records.
 */
final class Sandbox extends ServiceSupport {

    static final String ACCOUNT_NAME = "Sandbox (simulated Cloud API)";
    private static final List<String> TEMPLATES = List.of("invoice_ready:de", "spring_sale:en");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataSource dataSource;
    private final SecretCipher cipher;
    private final String webhookUrl;
    private final int messagesPerSecond;
    private CloudApiSimulator simulator;

    Sandbox(DataSource dataSource, SecretCipher cipher, String webhookUrl, int messagesPerSecond) {
        this.dataSource = dataSource;
        this.cipher = cipher;
        this.webhookUrl = webhookUrl;
        this.messagesPerSecond = messagesPerSecond;
    }

    @Override
    protected void doStart() throws Exception {
        String[] secrets = accountSecrets();
        SimulatorConfig.Builder config = SimulatorConfig.builder().port(0).accessToken(secrets[0])
                .throughputPerSecond(messagesPerSecond).latency(40, 30)
                .webhook(URI.create(webhookUrl), secrets[1]).statusDelays(1_000, 4_000);
        SimTemplate.demoSet().forEach(config::template);
        simulator = new CloudApiSimulator(config.build()).start();
        SimulatorConfig defaults = SimulatorConfig.builder().build();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            long accountId = upsertAccount(c, defaults, secrets);
            for (SimTemplate t : SimTemplate.demoSet()) {
                if (TEMPLATES.contains(t.name() + ":" + t.language())) {
                    insertTemplate(c, accountId, t);
                }
            }
            c.commit();
        }
    }

    @Override
    protected void doStop() {
        if (simulator != null) {
            simulator.stop();
        }
    }

    /** The sandbox account's access token and app secret: made once, then read back each start. */
    private String[] accountSecrets() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT access_token_enc, app_secret_enc FROM whatsapp_account WHERE name = ? AND sandbox = TRUE")) {
            ps.setString(1, ACCOUNT_NAME);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return new String[] {cipher.decrypt(rs.getString(1)), cipher.decrypt(rs.getString(2))};
                }
            }
        }
        return new String[] {PasswordHasher.newToken(), PasswordHasher.newToken()};
    }

    private long upsertAccount(Connection c, SimulatorConfig defaults, String[] secrets) throws SQLException {
        String phoneNumberId = defaults.phoneNumbers().keySet().iterator().next();
        // The simulator listens on a new port each start: the account follows it.
        try (PreparedStatement update = c.prepareStatement(
                "UPDATE whatsapp_account SET api_base_url = ?, updated_at = CURRENT_TIMESTAMP WHERE name = ? AND sandbox = TRUE")) {
            update.setString(1, simulator.baseUrl());
            update.setString(2, ACCOUNT_NAME);
            if (update.executeUpdate() == 0) {
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO whatsapp_account (name, phone_number_id, "
                        + "waba_id, app_id, access_token_enc, app_secret_enc, verify_token_enc, api_base_url, api_version, "
                        + "messages_per_second, active, is_default, sandbox) VALUES (?, ?, ?, NULL, ?, ?, ?, ?, 'v23.0', ?, "
                        + "TRUE, FALSE, TRUE)")) {
                    insert.setString(1, ACCOUNT_NAME);
                    insert.setString(2, phoneNumberId);
                    insert.setString(3, defaults.wabaId());
                    insert.setString(4, cipher.encrypt(secrets[0]));
                    insert.setString(5, cipher.encrypt(secrets[1]));
                    insert.setString(6, cipher.encrypt(PasswordHasher.newToken()));
                    insert.setString(7, simulator.baseUrl());
                    insert.setInt(8, messagesPerSecond);
                    insert.executeUpdate();
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM whatsapp_account WHERE name = ? AND sandbox = TRUE")) {
            ps.setString(1, ACCOUNT_NAME);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void insertTemplate(Connection c, long accountId, SimTemplate t) throws Exception {
        String components = JSON.writeValueAsString(t.toGraphJson().get("components"));
        TemplateSpec spec = TemplateSpec.parse(components, t.parameterFormat());
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO whatsapp_template (account_id, name, language, "
                + "category, status, parameter_format, components, header_kind, header_params, body_params, "
                + "url_buttons, meta_template_id, sandbox) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, TRUE) "
                + "ON CONFLICT DO NOTHING")) {
            insert.setLong(1, accountId);
            insert.setString(2, t.name());
            insert.setString(3, t.language());
            insert.setString(4, t.category());
            insert.setString(5, t.status());
            insert.setString(6, t.parameterFormat());
            insert.setString(7, components);
            insert.setString(8, spec.headerKind().name());
            insert.setString(9, JSON.writeValueAsString(spec.headerParams()));
            insert.setString(10, JSON.writeValueAsString(spec.bodyParams()));
            insert.setString(11, JSON.writeValueAsString(spec.urlButtons()));
            insert.setString(12, t.id());
            insert.executeUpdate();
        }
    }
}
