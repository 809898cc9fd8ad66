package herald.dispatch;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import herald.testing.ApiClient;

/**
 * A Graph API that refuses each recipient's first send with an answer carrying Retry-After, as
 * a proxy or Meta may, and accepts every later one. It counts the requests per recipient: a
 * request an HTTP client repeats on its own shows up here but not in the message's attempts.
 */
final class RetryAfterStub implements AutoCloseable {

    /** The answer to a recipient's first send. */
    record Refusal(int status, String contentType, String body) {
    }

    private final HttpServer server;
    private final Map<String, Refusal> firstAnswers = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final AtomicLong wamids = new AtomicLong();

    RetryAfterStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::answer);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void refuseFirst(String to, Refusal refusal) {
        firstAnswers.put(to, refusal);
    }

    int requests(String to) {
        AtomicInteger count = requests.get(to);
        return count == null ? 0 : count.get();
    }

    private void answer(HttpExchange exchange) throws IOException {
        JsonNode request = ApiClient.JSON.readTree(exchange.getRequestBody().readAllBytes());
        String to = request.path("to").asText();
        int n = requests.computeIfAbsent(to, k -> new AtomicInteger()).incrementAndGet();
        Refusal refusal = firstAnswers.get(to);
        if (n == 1 && refusal != null) {
            exchange.getResponseHeaders().set("Retry-After", "1");
            reply(exchange, refusal.status(), refusal.contentType(), refusal.body());
            return;
        }
        reply(exchange, 200, "application/json", "{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":\"" + to
                + "\",\"wa_id\":\"" + to.substring(1) + "\"}],\"messages\":[{\"id\":\"wamid.stub" + wamids.incrementAndGet()
                + "\",\"message_status\":\"accepted\"}]}");
    }

    private static void reply(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
