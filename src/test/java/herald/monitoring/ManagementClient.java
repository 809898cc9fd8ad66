package herald.monitoring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import herald.testing.HeraldServer;

/**
 * Talks to the shared test Herald's management server over real HTTP: Jolokia's JSON protocol,
 * metrics and health, with the monitoring user's credentials (or none, or others).
 */
final class ManagementClient {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String baseUrl;
    private final String authorization;

    private ManagementClient(String baseUrl, String authorization) {
        this.baseUrl = baseUrl;
        this.authorization = authorization;
    }

    /** Signed in as the monitoring user, whose password the test Herald generated into its data folder. */
    static ManagementClient monitoring(HeraldServer herald) {
        try {
            String password = Files.readString(herald.dataDir().resolve(ManagementAccess.GENERATED_PASSWORD_FILE)).trim();
            return anonymous(herald).basic("monitor", password);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ManagementClient anonymous(HeraldServer herald) {
        String port = herald.context().resolvePropertyPlaceholders("{{herald.management-port}}");
        return new ManagementClient("http://127.0.0.1:" + port, null);
    }

    ManagementClient basic(String user, String password) {
        String pair = user + ":" + password;
        return new ManagementClient(baseUrl, "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }

    HttpResponse<String> get(String path) {
        return send(request(path).GET().build());
    }

    HttpResponse<String> post(String path, String body) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build());
    }

    /**
     * One Jolokia request as JSON, answered with Jolokia's JSON answer. Jolokia reports its own
     * refusals (403) and errors inside the answer, with HTTP 200, so the HTTP status must be 200.
     */
    JsonNode jolokia(Object request) {
        try {
            HttpResponse<String> response = post("/observe/jolokia", JSON.writeValueAsString(request));
            if (response.statusCode() != 200) {
                throw new AssertionError("Jolokia answered HTTP " + response.statusCode() + ": " + response.body());
            }
            return JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw new AssertionError("Jolokia's answer is not JSON", e);
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(60));
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        return builder;
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + request.method() + " " + request.uri(), e);
        }
    }
}
