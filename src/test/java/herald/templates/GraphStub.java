package herald.templates;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import herald.testing.ApiClient;

/**
 * A stand-in for the Graph API's GET /{version}/{waba}/message_templates (reference §5): a few
 * templates per page, cursors holding '+', '/' and '=' (so their next links carry %2B, %2F and
 * %3D), and next links that carry the token in the query as Graph's do. Every request's path,
 * raw query and Authorization header is recorded, and so is every next link handed out.
 */
final class GraphStub implements AutoCloseable {

    record Request(String path, String query, String authorization) {
    }

    private final HttpServer server;
    private final int pageSize;
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    private final Map<String, List<ObjectNode>> templates = new ConcurrentHashMap<>();
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final List<String> nextLinks = Collections.synchronizedList(new ArrayList<>());
    private final Set<String> unavailable = ConcurrentHashMap.newKeySet();

    GraphStub(int pageSize) throws IOException {
        this.pageSize = pageSize;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void account(String wabaId, String token, List<ObjectNode> list) {
        tokens.put(wabaId, token);
        templates.put(wabaId, List.copyOf(list));
    }

    void templates(String wabaId, List<ObjectNode> list) {
        templates.put(wabaId, List.copyOf(list));
    }

    /** The account's template list answers a bare 503 with Retry-After, as a proxy in front of Graph may. */
    void unavailable(String wabaId) {
        unavailable.add(wabaId);
    }

    List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    List<String> nextLinks() {
        synchronized (nextLinks) {
            return List.copyOf(nextLinks);
        }
    }

    static ObjectNode template(String id, String name, String language, String status, String category,
                               ObjectNode... components) {
        ObjectNode template = ApiClient.JSON.createObjectNode();
        template.put("name", name);
        template.put("parameter_format", "POSITIONAL");
        ArrayNode array = template.putArray("components");
        for (ObjectNode component : components) {
            array.add(component);
        }
        template.put("language", language);
        template.put("status", status);
        template.put("category", category);
        template.put("id", id);
        return template;
    }

    static ObjectNode component(String type, String format, String text) {
        ObjectNode component = ApiClient.JSON.createObjectNode();
        component.put("type", type);
        if (format != null) {
            component.put("format", format);
        }
        if (text != null) {
            component.put("text", text);
        }
        return component;
    }

    private void handle(HttpExchange exchange) throws IOException {
        URI uri = exchange.getRequestURI();
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        requests.add(new Request(uri.getRawPath(), uri.getRawQuery(), authorization));
        String[] parts = uri.getPath().split("/");
        if (!"GET".equals(exchange.getRequestMethod()) || parts.length != 4 || !"message_templates".equals(parts[3])) {
            answer(exchange, 404, "{\"error\":{\"message\":\"Unknown path\",\"type\":\"GraphMethodException\",\"code\":100}}");
            return;
        }
        String wabaId = parts[2];
        if (unavailable.contains(wabaId)) {
            byte[] page = "<html><body><h1>503 Service Unavailable</h1></body></html>".getBytes(StandardCharsets.US_ASCII);
            exchange.getResponseHeaders().set("Content-Type", "text/html");
            exchange.getResponseHeaders().set("Retry-After", "1");
            exchange.sendResponseHeaders(503, page.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(page);
            }
            return;
        }
        if (!("Bearer " + tokens.get(wabaId)).equals(authorization)) {
            answer(exchange, 401, "{\"error\":{\"message\":\"Invalid OAuth access token - Cannot parse access token\","
                    + "\"type\":\"OAuthException\",\"code\":190,\"fbtrace_id\":\"Atrace\"}}");
            return;
        }
        Map<String, String> query = query(uri.getRawQuery());
        int offset;
        try {
            offset = query.containsKey("after") ? offset(query.get("after")) : 0;
        } catch (IllegalArgumentException e) {
            answer(exchange, 400, "{\"error\":{\"message\":\"Invalid cursor\",\"type\":\"GraphMethodException\",\"code\":100}}");
            return;
        }
        List<ObjectNode> all = templates.getOrDefault(wabaId, List.of());
        ObjectNode page = ApiClient.JSON.createObjectNode();
        ArrayNode data = page.putArray("data");
        all.subList(Math.min(offset, all.size()), Math.min(offset + pageSize, all.size())).forEach(data::add);
        ObjectNode paging = page.putObject("paging");
        ObjectNode cursors = paging.putObject("cursors");
        cursors.put("before", cursor(offset));
        cursors.put("after", cursor(offset + pageSize));
        if (offset + pageSize < all.size()) {
            String next = baseUrl() + uri.getRawPath() + "?access_token=" + tokens.get(wabaId)
                    + "&fields=" + URLEncoder.encode(query.getOrDefault("fields", ""), StandardCharsets.UTF_8)
                    + "&limit=" + pageSize + "&after=" + URLEncoder.encode(cursor(offset + pageSize), StandardCharsets.UTF_8);
            nextLinks.add(next);
            paging.put("next", next);
        }
        answer(exchange, 200, page.toString());
    }

    // Base64 with '+', '/' and '=' padding, as Graph's cursors may be: a client that decodes %2B
    // to '+' sends a space, one that leaves '+' raw or re-encodes differently sends another cursor.
    private static final byte[] CURSOR_PREFIX = {(byte) 0xFB, (byte) 0xFF, (byte) 0xBF};

    private static String cursor(int offset) {
        byte[] text = ("offset:" + offset).getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[CURSOR_PREFIX.length + text.length];
        System.arraycopy(CURSOR_PREFIX, 0, bytes, 0, CURSOR_PREFIX.length);
        System.arraycopy(text, 0, bytes, CURSOR_PREFIX.length, text.length);
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static int offset(String cursor) {
        byte[] bytes = Base64.getDecoder().decode(cursor);
        String text = new String(bytes, CURSOR_PREFIX.length, bytes.length - CURSOR_PREFIX.length, StandardCharsets.UTF_8);
        if (!text.startsWith("offset:")) {
            throw new IllegalArgumentException("not a cursor of this stub: " + cursor);
        }
        return Integer.parseInt(text.substring(7));
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new LinkedHashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return params;
    }

    private static void answer(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
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
