package herald.simulator;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The simulator's settings when it runs alone: every {@link SimulatorConfig} knob from a
 * {@code SIM_*} environment variable (docs/simulator.md has the table). A variable left out or
 * blank keeps the builder's default; a value that cannot be used stops the start with a message
 * naming the variable, rather than a simulator that quietly behaves otherwise.
 */
final class SimulatorEnvironment {

    private final Map<String, String> env;

    private SimulatorEnvironment(Map<String, String> env) {
        this.env = env;
    }

    /** The builder for {@code env}; {@code args[0]}, when given, is the port and wins over SIM_PORT. */
    static SimulatorConfig.Builder read(Map<String, String> env, String[] args) throws IOException {
        return new SimulatorEnvironment(env).builder(args);
    }

    private SimulatorConfig.Builder builder(String[] args) throws IOException {
        SimulatorConfig defaults = SimulatorConfig.builder().build();
        SimulatorConfig.Builder b = SimulatorConfig.builder();
        String port = args.length > 0 ? args[0] : get("SIM_PORT");
        if (port != null) {
            b.port(whole(args.length > 0 ? "the first argument (port)" : "SIM_PORT", port));
        }
        text("SIM_BIND", b::bindAddress);
        text("SIM_TOKEN", b::accessToken);
        text("SIM_WABA_ID", b::wabaId);
        apply("SIM_HTTP_THREADS", () -> b.httpThreads(whole("SIM_HTTP_THREADS", defaults.httpThreads)));
        apply("SIM_MPS", () -> b.throughputPerSecond(whole("SIM_MPS", defaults.throughputPerSecond)));
        apply("SIM_LATENCY_MS, SIM_JITTER_MS", () -> b.latency(longNumber("SIM_LATENCY_MS", defaults.latencyMillis),
                longNumber("SIM_JITTER_MS", defaults.jitterMillis)));
        apply("SIM_SERVER_ERROR_SHARE", () -> b.serverErrorShare(share("SIM_SERVER_ERROR_SHARE", defaults.serverErrorShare)));
        apply("SIM_TRANSIENT_ERROR_SHARE",
                () -> b.transientErrorShare(share("SIM_TRANSIENT_ERROR_SHARE", defaults.transientErrorShare)));
        apply("SIM_LOST_ANSWER_SHARE", () -> b.lostAnswerShare(share("SIM_LOST_ANSWER_SHARE", defaults.lostAnswerShare)));
        apply("SIM_SEED", () -> b.seed(longNumber("SIM_SEED", defaults.seed)));
        apply("SIM_PAIR_RATE_MAX_SENDS, SIM_PAIR_RATE_WINDOW_MS", () -> b.pairRate(
                whole("SIM_PAIR_RATE_MAX_SENDS", defaults.pairRateMaxSends),
                longNumber("SIM_PAIR_RATE_WINDOW_MS", defaults.pairRateWindowMillis)));
        apply("SIM_WEBHOOK_BATCH_SIZE, SIM_WEBHOOK_LINGER_MS", () -> b.webhookBatching(
                whole("SIM_WEBHOOK_BATCH_SIZE", defaults.webhookBatchSize),
                longNumber("SIM_WEBHOOK_LINGER_MS", defaults.webhookLingerMillis)));
        apply("SIM_DELIVERED_AFTER_MS, SIM_READ_AFTER_MS", () -> b.statusDelays(
                longNumber("SIM_DELIVERED_AFTER_MS", defaults.deliveredAfterMillis),
                longNumber("SIM_READ_AFTER_MS", defaults.readAfterMillis)));
        apply("SIM_SKIPPED_DELIVERED_SHARE, SIM_DUPLICATE_SHARE, SIM_OUT_OF_ORDER_SHARE", () -> b.webhookIrregularities(
                share("SIM_SKIPPED_DELIVERED_SHARE", defaults.skippedDeliveredShare),
                share("SIM_DUPLICATE_SHARE", defaults.duplicateShare),
                share("SIM_OUT_OF_ORDER_SHARE", defaults.outOfOrderShare)));
        apply("SIM_WEBHOOK_MAX_ATTEMPTS, SIM_WEBHOOK_RETRY_MS", () -> b.webhookRetry(
                whole("SIM_WEBHOOK_MAX_ATTEMPTS", defaults.webhookMaxAttempts),
                longNumber("SIM_WEBHOOK_RETRY_MS", defaults.webhookRetryMillis)));
        phoneNumbers(b);
        asyncFailures(b);
        String webhookUrl = get("SIM_WEBHOOK_URL");
        String appSecret = get("SIM_APP_SECRET");
        if (webhookUrl != null || appSecret != null) {
            if (webhookUrl == null || appSecret == null) {
                throw new IllegalArgumentException("SIM_WEBHOOK_URL and SIM_APP_SECRET go together: set both or neither");
            }
            apply("SIM_WEBHOOK_URL", () -> b.webhook(URI.create(webhookUrl), appSecret));
        }
        String templatesFile = get("SIM_TEMPLATES");
        b.templates(templatesFile == null ? SimTemplate.demoSet() : readTemplates(Path.of(templatesFile)));
        return b;
    }

    /** SIM_PHONE_NUMBERS: {@code id:display} pairs separated by commas; they replace the default number. */
    private void phoneNumbers(SimulatorConfig.Builder b) {
        String value = get("SIM_PHONE_NUMBERS");
        if (value == null) {
            return;
        }
        for (String[] pair : digitPairs("SIM_PHONE_NUMBERS", value, "\\d+",
                "phoneNumberId:displayNumber pairs of digits separated by commas")) {
            b.phoneNumber(pair[0], pair[1]);
        }
    }

    /** SIM_ASYNC_FAILURES: {@code suffix:code} pairs separated by commas, or {@code none}; they replace the defaults. */
    private void asyncFailures(SimulatorConfig.Builder b) {
        String value = get("SIM_ASYNC_FAILURES");
        if (value == null) {
            return;
        }
        b.noAsyncFailures();
        if (value.equalsIgnoreCase("none")) {
            return;
        }
        for (String[] pair : digitPairs("SIM_ASYNC_FAILURES", value, "\\d{1,9}",
                "numberSuffix:errorCode pairs of digits separated by commas, or none")) {
            b.asyncFailure(pair[0], Integer.parseInt(pair[1]));
        }
    }

    /** The {@code digits:second} pairs of a comma-separated setting, refused as a whole when one is not that shape. */
    private static List<String[]> digitPairs(String name, String value, String second, String shape) {
        List<String[]> pairs = new ArrayList<>();
        for (String pair : value.split(",")) {
            String[] parts = pair.trim().split(":");
            if (parts.length != 2 || !parts[0].matches("\\d+") || !parts[1].matches(second)) {
                throw new IllegalArgumentException(name + " must be " + shape + ", not '" + pair.trim() + "'");
            }
            pairs.add(parts);
        }
        return pairs;
    }

    private String get(String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : value.trim();
    }

    private void text(String name, Consumer<String> setter) {
        String value = get(name);
        if (value != null) {
            setter.accept(value);
        }
    }

    private int whole(String name, int fallback) {
        return number(name, get(name), fallback, Integer::valueOf, "a whole number");
    }

    private static int whole(String name, String value) {
        return number(name, value, 0, Integer::valueOf, "a whole number");
    }

    private long longNumber(String name, long fallback) {
        return number(name, get(name), fallback, Long::valueOf, "a whole number");
    }

    private double share(String name, double fallback) {
        return number(name, get(name), fallback, Double::valueOf, "a share between 0 and 1 such as 0.05");
    }

    private static <T> T number(String name, String value, T fallback, Function<String, T> parse, String expected) {
        if (value == null) {
            return fallback;
        }
        try {
            return parse.apply(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be " + expected + ", not '" + value + "'");
        }
    }

    /** Runs a builder call, naming the variables behind it when the builder refuses a value. */
    private static void apply(String names, Runnable call) {
        try {
            call.run();
        } catch (IllegalArgumentException e) {
            throw e.getMessage() != null && e.getMessage().startsWith("SIM_") ? e
                    : new IllegalArgumentException(names + ": " + e.getMessage(), e);
        }
    }

    private static List<SimTemplate> readTemplates(Path file) throws IOException {
        JsonNode root = new ObjectMapper().readTree(Files.readAllBytes(file));
        List<SimTemplate> templates = new ArrayList<>();
        for (JsonNode node : root.isArray() ? root : root.path("data")) {
            templates.add(SimTemplate.fromGraphJson(node));
        }
        return templates;
    }
}
