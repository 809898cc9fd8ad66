package herald.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Stands in for Herald's webhook endpoint: keeps every POST and answers as told. */
final class WebhookReceiver implements AutoCloseable {

    record Post(byte[] body, String signature, int answer) {
        JsonNode json() throws IOException {
            return SimHttp.MAPPER.readTree(body);
        }
    }

    private final HttpServer server;
    private final BlockingQueue<Post> posts = new LinkedBlockingQueue<>();
    private final AtomicInteger count = new AtomicInteger();

    /** {@code answerForPost} maps the 1-based number of a POST to the status to answer it with. */
    WebhookReceiver(IntUnaryOperator answerForPost) throws IOException {
        CloudApiSimulator.preferNoDelay();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/webhook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int answer = answerForPost.applyAsInt(count.incrementAndGet());
            posts.add(new Post(body, exchange.getRequestHeaders().getFirst("X-Hub-Signature-256"), answer));
            exchange.sendResponseHeaders(answer, -1);
            exchange.close();
        });
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/webhook");
    }

    Post next() throws InterruptedException {
        // Only a bound for a simulator that never posts; a loaded machine may take seconds.
        Post post = posts.poll(60, TimeUnit.SECONDS);
        assertNotNull(post, "no webhook POST arrived");
        return post;
    }

    /** The statuses of the next POSTs, in arrival order, until at least {@code n} have come. */
    List<JsonNode> statuses(int n) throws Exception {
        List<JsonNode> statuses = new ArrayList<>();
        while (statuses.size() < n) {
            statuses.addAll(statusesOf(next().json()));
        }
        return statuses;
    }

    static List<JsonNode> statusesOf(JsonNode payload) {
        List<JsonNode> statuses = new ArrayList<>();
        for (JsonNode entry : payload.path("entry")) {
            for (JsonNode change : entry.path("changes")) {
                change.at("/value/statuses").forEach(statuses::add);
            }
        }
        return statuses;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
