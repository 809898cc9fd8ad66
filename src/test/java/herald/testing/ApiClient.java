package herald.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Calls Herald's REST API over real HTTP with one set of credentials. Bodies given as a String are
 * sent as they are (so tests can send broken JSON); anything else is written as JSON by Jackson.
 */
public final class ApiClient {

    public static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    // Cancelling a 100,000-message campaign on H2 under a loaded CI machine takes more than a minute.
    private static final Duration TIMEOUT = Duration.ofSeconds(300);

    private final String baseUrl;
    private final String authorization;

    public ApiClient(String baseUrl) {
        this(baseUrl, null);
    }

    private ApiClient(String baseUrl, String authorization) {
        this.baseUrl = baseUrl;
        this.authorization = authorization;
    }

    /** The same server with HTTP Basic credentials. */
    public ApiClient basic(String user, String password) {
        String pair = user + ":" + password;
        return new ApiClient(baseUrl, "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }

    /** The same server with an API token. */
    public ApiClient bearer(String token) {
        return new ApiClient(baseUrl, "Bearer " + token);
    }

    public Response get(String path) {
        return send(request(path).GET());
    }

    public Response post(String path, Object json) {
        return send(request(path).header("Content-Type", "application/json").POST(body(json)));
    }

    public Response put(String path, Object json) {
        return send(request(path).header("Content-Type", "application/json").PUT(body(json)));
    }

    public Response delete(String path) {
        return send(request(path).DELETE());
    }

    /** A POST with a body of any type, as an upload or a CSV import sends it. */
    public Response postBytes(String path, String contentType, byte[] bytes) {
        return send(request(path).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(bytes)));
    }

    /** A POST streaming a file from disk, as a large CSV import is sent. */
    public Response postFile(String path, String contentType, java.nio.file.Path file) {
        try {
            return send(request(path).timeout(java.time.Duration.ofMinutes(30)).header("Content-Type", contentType)
                    .POST(HttpRequest.BodyPublishers.ofFile(file)));
        } catch (java.io.FileNotFoundException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(TIMEOUT)
                .header("Accept", "application/json");
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        return builder;
    }

    private static HttpRequest.BodyPublisher body(Object json) {
        try {
            String text = json instanceof String s ? s : JSON.writeValueAsString(json);
            return HttpRequest.BodyPublishers.ofString(text, StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write the request body as JSON", e);
        }
    }

    private static Response send(HttpRequest.Builder builder) {
        HttpRequest request = builder.build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Response(request.method() + " " + request.uri(), response.statusCode(), response.headers(),
                    response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + request.method() + " " + request.uri(), e);
        }
    }

    /** An answer: status, headers, the raw text (to search for leaks) and the text read as JSON. */
    public record Response(String call, int status, HttpHeaders headers, String text) {

        /** The body as JSON; fails the test, showing the body, when it is not JSON. */
        public JsonNode json() {
            try {
                return JSON.readTree(text);
            } catch (JsonProcessingException e) {
                throw new AssertionError(call + " answered " + status + " with a body that is not JSON: " + text, e);
            }
        }

        /** Fails the test, showing the call and body, unless the status is the expected one. */
        public Response expect(int expected) {
            if (status != expected) {
                throw new AssertionError(call + ": expected HTTP " + expected + " but got " + status + ": " + text);
            }
            return this;
        }

        /** Shorthand for {@code expect(expected).json()}. */
        public JsonNode json(int expected) {
            return expect(expected).json();
        }

        /**
         * Checks the status and Herald's one error shape, {"error":{"code","message",...}}, and
         * answers the inner error object.
         */
        public JsonNode error(int expected) {
            JsonNode error = json(expected).path("error");
            if (!error.path("code").isTextual() || error.path("code").asText().isBlank()
                    || !error.path("message").isTextual() || error.path("message").asText().isBlank()) {
                throw new AssertionError(call + ": not Herald's error shape {\"error\":{\"code\",\"message\"}}: " + text);
            }
            return error;
        }
    }
}
