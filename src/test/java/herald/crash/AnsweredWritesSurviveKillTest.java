package herald.crash;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import herald.testing.ApiClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the API answered as stored is still there after a SIGKILL that comes right after the
 * answer. Embedded H2 keeps commits in memory for up to half a second; without a store before the
 * answer, a kill in that window takes back what the caller was told had happened.
 */
class AnsweredWritesSurviveKillTest {

    private static final String ADMIN_PASSWORD = "kill-test-password";
    private static HeraldProcess herald;
    private static String postgresDb;

    @BeforeAll
    static void start() throws Exception {
        Path dataDir = Files.createTempDirectory("herald-kill-");
        int port = HeraldProcess.freePort();
        Map<String, String> env = new HashMap<>();
        env.put("HERALD_DATA_DIR", dataDir.toString());
        env.put("HERALD_PORT", Integer.toString(port));
        env.put("HERALD_MANAGEMENT_PORT", Integer.toString(HeraldProcess.freePort()));
        env.put("HERALD_ADMIN_PASSWORD", ADMIN_PASSWORD);
        env.put("HERALD_SANDBOX", "false");
        env.put("HERALD_ENCRYPTION_KEY", "kill-test-encryption-key");
        if ("postgresql".equals(System.getProperty("herald.test.db", "h2"))) {
            postgresDb = "herald_kill_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
                 Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + postgresDb);
            }
            env.put("HERALD_DB_URL", "jdbc:postgresql://127.0.0.1:5432/" + postgresDb);
            env.put("HERALD_DB_USER", "postgres");
        }
        herald = new HeraldProcess(env, dataDir.resolve("herald.log"), port);
        herald.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (herald != null) {
            herald.stop();
        }
        if (postgresDb != null) {
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
                 Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + postgresDb + " WITH (FORCE)");
            }
        }
    }

    private static ApiClient api() {
        return new ApiClient(herald.baseUrl()).basic("admin", ADMIN_PASSWORD);
    }

    @Test
    void everyAnsweredCreationIsStillThereAfterAnImmediateKill() throws Exception {
        List<Long> created = new ArrayList<>();
        for (int round = 1; round <= 3; round++) {
            Map<String, Object> account = new LinkedHashMap<>();
            account.put("name", "Kill account " + round);
            account.put("phoneNumberId", "10000000000000" + round);
            account.put("wabaId", "20000000000000" + round);
            account.put("accessToken", "token-" + round);
            created.add(api().post("/api/accounts", account).json(201).path("id").asLong());
            herald.kill();
            herald.start();
        }
        for (int i = 0; i < created.size(); i++) {
            JsonNode account = api().get("/api/accounts/" + created.get(i)).json(200);
            assertEquals("Kill account " + (i + 1), account.path("name").asText());
        }
    }
}
