package herald.dispatch;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import herald.testing.ApiClient;

/**
 * A Graph API that refuses each recipient's first send with an answer carrying Retry-After, as
 * a proxy or Meta may, and accepts every later one. It records the requests per recipient (when
 * each arrived, and its body): a request an HTTP client repeats on its own shows up here but not
 * in the message's attempts. Media uploads are accepted and counted.
 */
final class RetryAfterStub implements AutoCloseable {

    /** The answer to a recipient's first send. */
    record Refusal(int status, String contentType, String body) {

        /** Meta's error body (reference §2) for {@code code}, under the HTTP status Meta sent it with. */
        static Refusal graphError(int status, int code, String message) {
            return new Refusal(status, "application/json", "{\"error\":{\"message\":\"(#" + code + ") " + message
                    + "\",\"type\":\"OAuthException\",\"code\":" + code + "}}");
        }
    }

    /** One send as it arrived. */
    record Request(long atMillis, JsonNode body) {
    }

    private final HttpServer server;
    private final Map<String, Refusal> firstAnswers = new ConcurrentHashMap<>();
    private final Map<String, List<Request>> requests = new ConcurrentHashMap<>();
    private final List<Long> requestTimes = new CopyOnWriteArrayList<>();
    private final AtomicInteger uploads = new AtomicInteger();
    private final AtomicLong wamids = new AtomicLong();
    private volatile String messageStatus = "accepted";

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

    /** The message_status of every acceptance from now on (reference §1). */
    void acceptAs(String status) {
        messageStatus = status;
    }

    int requests(String to) {
        return sends(to).size();
    }

    List<Request> sends(String to) {
        return requests.getOrDefault(to, List.of());
    }

    /** When each send arrived, whatever its recipient, in order. */
    List<Long> requestTimes() {
        return requestTimes;
    }

    int uploads() {
        return uploads.get();
    }

    private void answer(HttpExchange exchange) throws IOException {
        if (exchange.getRequestURI().getPath().endsWith("/media")) {
            exchange.getRequestBody().readAllBytes();
            reply(exchange, 200, "application/json", "{\"id\":\"media-" + uploads.incrementAndGet() + "\"}");
            return;
        }
        long now = System.currentTimeMillis();
        JsonNode request = ApiClient.JSON.readTree(exchange.getRequestBody().readAllBytes());
        String to = request.path("to").asText();
        List<Request> seen = requests.computeIfAbsent(to, k -> new CopyOnWriteArrayList<>());
        seen.add(new Request(now, request));
        requestTimes.add(now);
        Refusal refusal = firstAnswers.get(to);
        if (seen.size() == 1 && refusal != null) {
            exchange.getResponseHeaders().set("Retry-After", "1");
            reply(exchange, refusal.status(), refusal.contentType(), refusal.body());
            return;
        }
        reply(exchange, 200, "application/json", "{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":\"" + to
                + "\",\"wa_id\":\"" + to.substring(1) + "\"}],\"messages\":[{\"id\":\"wamid.stub" + wamids.incrementAndGet()
                + "\",\"message_status\":\"" + messageStatus + "\"}]}");
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
