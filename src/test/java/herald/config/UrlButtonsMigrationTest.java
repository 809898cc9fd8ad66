package herald.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * V12 on a database that already holds templates, on the database the suite runs against: the
 * URL buttons of every stored template are read from its components.
 */
class UrlButtonsMigrationTest {

    private static final String POSTGRES_ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";

    private final boolean postgres = System.getProperty("herald.test.db", "h2").trim().toLowerCase(Locale.ROOT)
            .equals("postgresql");
    private final String name = "herald_v12_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private final HikariDataSource dataSource = new HikariDataSource();

    @AfterEach
    void dropDatabase() throws Exception {
        dataSource.close();
        if (postgres) {
            try (Connection c = DriverManager.getConnection(POSTGRES_ADMIN_URL, "postgres", "");
                 Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        }
    }

    @Test
    void storedTemplatesGetTheirUrlButtons() throws Exception {
        if (postgres) {
            try (Connection c = DriverManager.getConnection(POSTGRES_ADMIN_URL, "postgres", "");
                 Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + name);
            }
            dataSource.setJdbcUrl("jdbc:postgresql://127.0.0.1:5432/" + name);
            dataSource.setUsername("postgres");
        } else {
            dataSource.setJdbcUrl("jdbc:h2:mem:" + name + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        }
        String[] locations = HeraldConfiguration.migrations(dataSource);
        MigrationVersion v12 = MigrationVersion.fromVersion("12");
        MigrationVersion before = Arrays.stream(Flyway.configure().dataSource(dataSource).locations(locations).load()
                        .info().all())
                .map(MigrationInfo::getVersion)
                .filter(version -> version.compareTo(v12) < 0)
                .max(MigrationVersion::compareTo)
                .orElseThrow();
        Flyway.configure().dataSource(dataSource).locations(locations).target(before).load().migrate();

        Map<String, String> components = new LinkedHashMap<>();
        components.put("link_last", """
                [{"type":"BODY","text":"Hi {{1}}"},{"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"Stop"},
                 {"type":"URL","text":"Open","url":"https://pay.test/{{1}}"}]}]""");
        components.put("static_link", """
                [{"type":"BODY","text":"Hi"},{"type":"BUTTONS","buttons":[{"type":"URL","text":"Shop","url":"https://shop.test/"}]}]""");
        components.put("no_buttons", "[{\"type\":\"BODY\",\"text\":\"Hi {{1}}\"}]");
        components.put("link_in_the_middle", """
                [{"type":"BODY","text":"Hi"},{"type":"BUTTONS","buttons":[{"type":"URL","text":"Open","url":"https://pay.test/{{1}}/x"}]}]""");
        try (Connection c = dataSource.getConnection()) {
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO whatsapp_account (id, name, phone_number_id, waba_id, access_token_enc, api_base_url, "
                        + "api_version, messages_per_second, active, is_default) "
                        + "VALUES (1, 'old', '1', '2', 'x', 'http://127.0.0.1:1', 'v23.0', 80, TRUE, TRUE)");
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO whatsapp_template (account_id, name, language, "
                    + "category, status, parameter_format, components, header_kind, header_params, body_params) "
                    + "VALUES (1, ?, 'en', 'UTILITY', 'APPROVED', 'POSITIONAL', ?, 'NONE', '[]', '[]')")) {
                for (Map.Entry<String, String> template : components.entrySet()) {
                    insert.setString(1, template.getKey());
                    insert.setString(2, template.getValue());
                    insert.executeUpdate();
                }
            }
        }

        Flyway.configure().dataSource(dataSource).locations(locations).load().migrate();

        Map<String, String> urlButtons = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT name, url_buttons FROM whatsapp_template ORDER BY id")) {
            while (rs.next()) {
                urlButtons.put(rs.getString(1), rs.getString(2));
            }
        }
        assertEquals(Map.of("link_last", "[1]", "static_link", "[]", "no_buttons", "[]",
                "link_in_the_middle", "[]"), urlButtons, "a link that cannot be read keeps none and stops nothing");
    }
}
