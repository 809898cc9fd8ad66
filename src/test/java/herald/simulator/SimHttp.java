package herald.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

/** Calls a running simulator the way Herald will: over HTTP with java.net.http. */
final class SimHttp {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String TOKEN = "test-token";
    static final String WABA = "2000000000001";
    static final String PHONE = "3000000000001";
    static final String DISPLAY = "15550009999";

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String base;

    SimHttp(CloudApiSimulator simulator) {
        this.base = simulator.baseUrl();
    }

    static SimulatorConfig.Builder config() {
        return SimulatorConfig.builder()
                .port(0)
                .accessToken(TOKEN)
                .wabaId(WABA)
                .phoneNumber(PHONE, DISPLAY)
                .template(new SimTemplate("1", "invoice_ready", "de", "APPROVED", "UTILITY", "POSITIONAL",
                        "DOCUMENT", null, "Hallo {{1}}, Ihre Rechnung {{2}} ist bereit.",
                        List.of(SimTemplate.Button.url("Rechnung ansehen", "https://pay.example.com/{{1}}"),
                                SimTemplate.Button.quickReply("Stop"))))
                .template(new SimTemplate("2", "spring_sale", "en", "APPROVED", "MARKETING", "NAMED",
                        "TEXT", "Hi {{first_name}}", "{{first_name}}, {{discount}} off until Sunday."))
                .template(new SimTemplate("3", "draft", "en", "PENDING", "MARKETING", "POSITIONAL", "NONE", null, "Soon."))
                .template(new SimTemplate("4", "tired", "en", "PAUSED", "MARKETING", "POSITIONAL", "NONE", null, "Again."))
                .template(new SimTemplate("5", "gone", "en", "DISABLED", "MARKETING", "POSITIONAL", "NONE", null, "Never."));
    }

    /** A valid send of invoice_ready/de, as TemplatePayloadBuilder would produce it. */
    static ObjectNode invoice(String to) {
        try {
            return (ObjectNode) MAPPER.readTree("{\"messaging_product\":\"whatsapp\",\"recipient_type\":\"individual\","
                    + "\"to\":\"" + to + "\",\"type\":\"template\",\"biz_opaque_callback_data\":\"CAMP-1:917\","
                    + "\"template\":{\"name\":\"invoice_ready\",\"language\":{\"code\":\"de\"},\"components\":["
                    + "{\"type\":\"header\",\"parameters\":[{\"type\":\"document\",\"document\":{\"id\":\"55\",\"filename\":\"I.pdf\"}}]},"
                    + "{\"type\":\"body\",\"parameters\":[{\"type\":\"text\",\"text\":\"Anna\"},{\"type\":\"text\",\"text\":\"9001\"}]},"
                    + "{\"type\":\"button\",\"sub_type\":\"url\",\"index\":\"0\",\"parameters\":[{\"type\":\"text\",\"text\":\"inv/9001\"}]}]}}");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> send(JsonNode body) throws Exception {
        return send(PHONE, body.toString(), "Bearer " + TOKEN);
    }

    HttpResponse<String> send(String phoneNumberId, String body, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/v23.0/" + phoneNumberId + "/messages"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String url, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url.startsWith("http") ? url : base + url)).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String contentType, byte[] body, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode stats() throws Exception {
        return MAPPER.readTree(get("/sim/stats", null).body());
    }

    static JsonNode json(HttpResponse<String> response) throws IOException {
        return MAPPER.readTree(response.body());
    }
}
