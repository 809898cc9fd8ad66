package herald.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A stand-in for Meta's Graph API on 127.0.0.1 that the tests' WhatsApp Accounts send to, so a
 * submitted campaign really runs to a final status without leaving the machine. It accepts
 * every message, except numbers told to fail (once, as undeliverable: code 131026), or every
 * message while told to refuse the template (which pauses the campaign).
 */
public final class CloudApiStub implements AutoCloseable {

    private final HttpServer server;
    private final AtomicLong ids = new AtomicLong();
    private final Set<String> failOnce = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> sends = new ConcurrentHashMap<>();
    private volatile boolean refuseTemplate;

    private CloudApiStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::answer);
        server.start();
    }

    public static CloudApiStub start() {
        try {
            return new CloudApiStub();
        } catch (IOException e) {
            throw new IllegalStateException("the Cloud API stub did not start", e);
        }
    }

    /** What a WhatsApp Account's apiBaseUrl is set to. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The next send to this number (E.164) fails as undeliverable; later ones are accepted. */
    public void failOnce(String e164) {
        failOnce.add(e164.replace("+", ""));
    }

    /** While true, every send is refused with an answer that is not Meta's, which pauses the campaign. */
    public void refuseTemplate(boolean refuse) {
        refuseTemplate = refuse;
    }

    /** How many sends to this number (E.164) arrived. */
    public int sendsTo(String e164) {
        return sends.getOrDefault(e164.replace("+", ""), 0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        String to;
        try (InputStream in = exchange.getRequestBody()) {
            JsonNode request = ApiClient.JSON.readTree(in);
            to = request.path("to").asText("").replace("+", "");
        }
        sends.merge(to, 1, Integer::sum);
        int status = 200;
        String body;
        if (refuseTemplate) {
            status = 400;
            body = "not a Graph answer";
        } else if (failOnce.remove(to)) {
            status = 400;
            body = "{\"error\":{\"message\":\"Message Undeliverable.\",\"type\":\"OAuthException\",\"code\":131026,"
                    + "\"error_data\":{\"details\":\"Message Undeliverable.\"}}}";
        } else {
            body = "{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":\"" + to + "\",\"wa_id\":\"" + to
                    + "\"}],\"messages\":[{\"id\":\"wamid.stub" + ids.incrementAndGet() + "\"}]}";
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
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
