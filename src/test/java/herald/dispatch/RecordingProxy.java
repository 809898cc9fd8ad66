package herald.dispatch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import herald.simulator.CloudApiSimulator;
import herald.testing.ApiClient;

/**
 * Sits between Herald and a simulator and keeps every message request with the status it was
 * answered: the simulator checks a payload's shape but keeps none, and a test that promises the
 * right values, header and filename reached each recipient has to read what went over the wire.
 */
final class RecordingProxy implements AutoCloseable {

    /** One POST to /messages: the JSON Herald sent, the HTTP status the simulator answered, when it arrived. */
    record Exchange(JsonNode request, int status, long arrivedAtMillis) {
    }

    private final String target;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(64, r -> {
        Thread t = new Thread(r, "recording-proxy");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ConcurrentLinkedQueue<Exchange> messages = new ConcurrentLinkedQueue<>();

    RecordingProxy(String targetBaseUrl) {
        this.target = targetBaseUrl;
        // The JDK server otherwise lets Nagle hold each answer's body for a delayed ACK (see docs/simulator.md).
        CloudApiSimulator.preferNoDelay();
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(threads);
        server.createContext("/", this::forward);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<Exchange> messages() {
        return List.copyOf(messages);
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            long arrived = System.currentTimeMillis();
            byte[] body = exchange.getRequestBody().readAllBytes();
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI()))
                    .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            for (String header : new String[] {"Authorization", "Content-Type"}) {
                String value = exchange.getRequestHeaders().getFirst(header);
                if (value != null) {
                    request.header(header, value);
                }
            }
            HttpResponse<byte[]> answer;
            try {
                answer = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(502, -1);
                return;
            }
            if (exchange.getRequestMethod().equals("POST") && exchange.getRequestURI().getPath().endsWith("/messages")) {
                messages.add(new Exchange(ApiClient.JSON.readTree(body), answer.statusCode(), arrived));
            }
            answer.headers().firstValue("Content-Type").ifPresent(v -> exchange.getResponseHeaders().set("Content-Type", v));
            exchange.sendResponseHeaders(answer.statusCode(), answer.body().length == 0 ? -1 : answer.body().length);
            exchange.getResponseBody().write(answer.body());
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
