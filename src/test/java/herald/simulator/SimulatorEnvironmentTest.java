package herald.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulator run alone: every SimulatorConfig knob read from its SIM_* variable. */
class SimulatorEnvironmentTest {

    private static SimulatorConfig read(Map<String, String> env, String... args) throws IOException {
        return SimulatorEnvironment.read(env, args).build();
    }

    @Test
    void withoutVariablesTheBuildersDefaultsAndTheDemoTemplatesApply() throws IOException {
        SimulatorConfig config = read(Map.of("SIM_LATENCY_MS", " ", "SIM_MPS", ""));
        SimulatorConfig defaults = SimulatorConfig.builder().build();
        assertEquals(List.of(defaults.bindAddress, defaults.port, defaults.httpThreads, defaults.accessToken,
                defaults.wabaId, defaults.phoneNumbers, defaults.throughputPerSecond, defaults.latencyMillis,
                defaults.pairRateMaxSends, defaults.asyncFailures),
                List.of(config.bindAddress, config.port, config.httpThreads, config.accessToken, config.wabaId,
                        config.phoneNumbers, config.throughputPerSecond, config.latencyMillis, config.pairRateMaxSends,
                        config.asyncFailures), "blank counts as not set");
        assertEquals(SimTemplate.demoSet(), config.templates);
        assertNull(config.webhookUrl);
    }

    @Test
    void everyKnobHasItsVariable(@TempDir Path dir) throws IOException {
        Path templates = dir.resolve("templates.json");
        Files.writeString(templates, "{\"data\": [" + SimTemplate.demoSet().get(2).toGraphJson() + "]}");
        Map<String, String> env = new HashMap<>();
        env.put("SIM_PORT", "9191");
        env.put("SIM_BIND", "0.0.0.0");
        env.put("SIM_HTTP_THREADS", "9");
        env.put("SIM_TOKEN", "env-token");
        env.put("SIM_WABA_ID", "555000111");
        env.put("SIM_PHONE_NUMBERS", "200000000000001:4930111, 200000000000002:4930222");
        env.put("SIM_TEMPLATES", templates.toString());
        env.put("SIM_MPS", "250");
        env.put("SIM_LATENCY_MS", "75");
        env.put("SIM_JITTER_MS", "25");
        env.put("SIM_SERVER_ERROR_SHARE", "0.01");
        env.put("SIM_TRANSIENT_ERROR_SHARE", "0.02");
        env.put("SIM_LOST_ANSWER_SHARE", "0.03");
        env.put("SIM_SEED", "1234");
        env.put("SIM_PAIR_RATE_MAX_SENDS", "5");
        env.put("SIM_PAIR_RATE_WINDOW_MS", "9000");
        env.put("SIM_ASYNC_FAILURES", "0026:131026,9999:131047");
        env.put("SIM_WEBHOOK_URL", "http://127.0.0.1:8080/webhooks/whatsapp");
        env.put("SIM_APP_SECRET", "env-secret");
        env.put("SIM_WEBHOOK_BATCH_SIZE", "10");
        env.put("SIM_WEBHOOK_LINGER_MS", "5");
        env.put("SIM_DELIVERED_AFTER_MS", "300");
        env.put("SIM_READ_AFTER_MS", "900");
        env.put("SIM_SKIPPED_DELIVERED_SHARE", "0.1");
        env.put("SIM_DUPLICATE_SHARE", "0.2");
        env.put("SIM_OUT_OF_ORDER_SHARE", "0.3");
        env.put("SIM_WEBHOOK_MAX_ATTEMPTS", "4");
        env.put("SIM_WEBHOOK_RETRY_MS", "250");

        SimulatorConfig c = read(env);

        assertEquals(List.of(9191, "0.0.0.0", 9, "env-token", "555000111"),
                List.of(c.port, c.bindAddress, c.httpThreads, c.accessToken, c.wabaId));
        assertEquals(Map.of("200000000000001", "4930111", "200000000000002", "4930222"), c.phoneNumbers);
        assertEquals(List.of(SimTemplate.demoSet().get(2)), c.templates);
        assertEquals(250, c.throughputPerSecond);
        assertEquals(List.of(75L, 25L), List.of(c.latencyMillis, c.jitterMillis));
        assertEquals(List.of(0.01, 0.02, 0.03), List.of(c.serverErrorShare, c.transientErrorShare, c.lostAnswerShare));
        assertEquals(1234L, c.seed);
        assertEquals(List.of(5L, 9000L), List.of((long) c.pairRateMaxSends, c.pairRateWindowMillis));
        assertEquals(Map.of("0026", 131026, "9999", 131047), c.asyncFailures, "the list replaces the defaults");
        assertEquals(URI.create("http://127.0.0.1:8080/webhooks/whatsapp"), c.webhookUrl);
        assertEquals("env-secret", c.appSecret);
        assertEquals(List.of(10L, 5L), List.of((long) c.webhookBatchSize, c.webhookLingerMillis));
        assertEquals(List.of(300L, 900L), List.of(c.deliveredAfterMillis, c.readAfterMillis));
        assertEquals(List.of(0.1, 0.2, 0.3), List.of(c.skippedDeliveredShare, c.duplicateShare, c.outOfOrderShare));
        assertEquals(List.of(4L, 250L), List.of((long) c.webhookMaxAttempts, c.webhookRetryMillis));
    }

    @Test
    void oneHalfOfAPairKeepsTheOthersDefault() throws IOException {
        SimulatorConfig defaults = SimulatorConfig.builder().build();
        SimulatorConfig c = read(Map.of("SIM_JITTER_MS", "40", "SIM_PAIR_RATE_MAX_SENDS", "7", "SIM_DUPLICATE_SHARE", "0.5"));
        assertEquals(List.of(defaults.latencyMillis, 40L), List.of(c.latencyMillis, c.jitterMillis));
        assertEquals(List.of(7L, defaults.pairRateWindowMillis), List.of((long) c.pairRateMaxSends, c.pairRateWindowMillis));
        assertEquals(List.of(defaults.skippedDeliveredShare, 0.5, defaults.outOfOrderShare),
                List.of(c.skippedDeliveredShare, c.duplicateShare, c.outOfOrderShare));
    }

    @Test
    void theFirstArgumentIsThePortAndNoneSwitchesAsyncFailuresOff() throws IOException {
        SimulatorConfig c = read(Map.of("SIM_PORT", "9191", "SIM_ASYNC_FAILURES", "none"), "9292");
        assertEquals(9292, c.port);
        assertTrue(c.asyncFailures.isEmpty(), c.asyncFailures::toString);
    }

    @Test
    void aValueThatCannotBeUsedNamesItsVariable() {
        assertRefused(Map.of("SIM_LATENCY_MS", "fast"), "SIM_LATENCY_MS must be a whole number, not 'fast'");
        assertRefused(Map.of("SIM_JITTER_MS", "-5"), "SIM_LATENCY_MS, SIM_JITTER_MS: jitterMillis must not be negative: -5");
        assertRefused(Map.of("SIM_DUPLICATE_SHARE", "1.5"),
                "SIM_SKIPPED_DELIVERED_SHARE, SIM_DUPLICATE_SHARE, SIM_OUT_OF_ORDER_SHARE: duplicate must be between 0 and 1: 1.5");
        assertRefused(Map.of("SIM_LOST_ANSWER_SHARE", "5%"), "SIM_LOST_ANSWER_SHARE must be a share between 0 and 1");
        assertRefused(Map.of("SIM_PAIR_RATE_WINDOW_MS", "0"),
                "SIM_PAIR_RATE_MAX_SENDS, SIM_PAIR_RATE_WINDOW_MS: windowMillis must be at least 1: 0");
        assertRefused(Map.of("SIM_MPS", "0"), "SIM_MPS: throughputPerSecond must be at least 1: 0");
        assertRefused(Map.of("SIM_ASYNC_FAILURES", "0026=131026"), "SIM_ASYNC_FAILURES must be numberSuffix:errorCode");
        assertRefused(Map.of("SIM_PHONE_NUMBERS", "abc"), "SIM_PHONE_NUMBERS must be phoneNumberId:displayNumber");
        assertRefused(Map.of("SIM_WEBHOOK_URL", "http://127.0.0.1:8080/webhooks/whatsapp"),
                "SIM_WEBHOOK_URL and SIM_APP_SECRET go together");
        assertRefused(Map.of("SIM_PORT", "eighty"), "SIM_PORT must be a whole number, not 'eighty'");
    }

    private static void assertRefused(Map<String, String> env, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(env));
        assertTrue(e.getMessage().startsWith(expected), "expected '" + expected + "...' but got: " + e.getMessage());
    }
}
