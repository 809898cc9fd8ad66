package herald.crash;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    @BeforeAll
    static void start() throws Exception {
        herald = HeraldProcess.fresh("kill", ADMIN_PASSWORD, Map.of());
        herald.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (herald != null) {
            herald.stop();
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
