package herald.dispatch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.JsonNode;
import herald.simulator.CloudApiSimulator;
import herald.simulator.SimTemplate;
import herald.simulator.SimulatorConfig;
import herald.testing.ApiClient;

/**
 * One Cloud API simulator of a test's own, on a free port, with a phone number id and WABA no
 * other simulator in this JVM has: webhooks and stats are keyed by them, and the shared Herald
 * holds the accounts of every test.
 */
final class FakeMeta implements AutoCloseable {

    private static final AtomicLong IDS = new AtomicLong(System.nanoTime() % 1_000_000_000L);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final CloudApiSimulator simulator;
    final String accessToken;
    final String phoneNumberId;
    final String wabaId;

    private FakeMeta(CloudApiSimulator simulator, String accessToken, String phoneNumberId, String wabaId) {
        this.simulator = simulator;
        this.accessToken = accessToken;
        this.phoneNumberId = phoneNumberId;
        this.wabaId = wabaId;
    }

    /** A fresh phone number id, digits only like Meta's. */
    static String newId() {
        return Long.toString(200_000_000_000_000L + IDS.incrementAndGet());
    }

    /**
     * Starts a simulator with no latency and no webhooks unless {@code tune} adds them; its cap
     * is {@code throughputPerSecond}.
     */
    static FakeMeta start(int throughputPerSecond, UnaryOperator<SimulatorConfig.Builder> tune, SimTemplate... templates) {
        return start(newId(), newId(), "token-" + newId(), throughputPerSecond, tune, templates);
    }

    /** As {@link #start(int, UnaryOperator, SimTemplate...)}, sharing ids and token with another simulator. */
    static FakeMeta start(String phoneNumberId, String wabaId, String accessToken, int throughputPerSecond,
                          UnaryOperator<SimulatorConfig.Builder> tune, SimTemplate... templates) {
        CloudApiSimulator.preferNoDelay();
        SimulatorConfig.Builder builder = SimulatorConfig.builder().port(0).accessToken(accessToken)
                .wabaId(wabaId).phoneNumber(phoneNumberId, "1555" + phoneNumberId.substring(phoneNumberId.length() - 7))
                .throughputPerSecond(throughputPerSecond)
                // Enough threads that the simulator is never what limits Herald's rate in a test.
                .httpThreads(16);
        for (SimTemplate template : templates) {
            builder.template(template);
        }
        try {
            return new FakeMeta(new CloudApiSimulator(tune.apply(builder).build()).start(), accessToken, phoneNumberId,
                    wabaId);
        } catch (IOException e) {
            throw new UncheckedIOException("the simulator did not start", e);
        }
    }

    String baseUrl() {
        return simulator.baseUrl();
    }

    JsonNode stats() {
        return simulator.stats();
    }

    long accepted() {
        return stats().path("acceptedTotal").asLong();
    }

    long rejections(int code) {
        return stats().path("rejectionsByCode").path(Integer.toString(code)).asLong();
    }

    /** Recipient → how often the simulator accepted a message to it. */
    Map<String, Long> acceptedByRecipient() {
        Map<String, Long> accepted = new HashMap<>();
        stats().path("acceptedByRecipient").fields().forEachRemaining(e -> accepted.put(e.getKey(), e.getValue().asLong()));
        return accepted;
    }

    /** Changes the simulator's throughput cap or injected failure shares while it runs (POST /sim/config). */
    void configure(Map<String, Object> changes) {
        try {
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/sim/config"))
                    .POST(HttpRequest.BodyPublishers.ofString(ApiClient.JSON.writeValueAsString(changes)))
                    .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (answer.statusCode() != 200) {
                throw new AssertionError("the simulator refused " + changes + ": " + answer.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        simulator.stop();
    }
}
