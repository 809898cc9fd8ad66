package herald.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Serves the dashboard's few files from the classpath folder dashboard/. Only the files named
 * here are served, so no request path can reach another classpath resource or a file on disk.
 * The files hold no data: the page asks /api for it with the credentials the user types in.
 */
public class DashboardAssets {

    // The page loads nothing but these files and talks to nothing but this server's /api.
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    private static final Map<String, String> TYPES = Map.of(
            "index.html", "text/html; charset=UTF-8",
            "dashboard.js", "text/javascript; charset=UTF-8",
            "dashboard.css", "text/css; charset=UTF-8");

    private final Map<String, byte[]> files = new LinkedHashMap<>();

    public DashboardAssets() {
        for (String name : TYPES.keySet()) {
            try (InputStream in = DashboardAssets.class.getClassLoader().getResourceAsStream("dashboard/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("dashboard/" + name + " is missing from the classpath");
                }
                files.put(name, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read dashboard/" + name, e);
            }
        }
    }

    /** Answers GET /dashboard/{file} (the page itself for /dashboard and /dashboard/), 404 for anything else. */
    public void serve(Message message) {
        String path = message.getHeader(Exchange.HTTP_PATH, "", String.class);
        String name = path.replaceFirst("^/?(dashboard)?/?", "");
        if (name.isEmpty()) {
            name = "index.html";
        }
        byte[] file = files.get(name);
        message.setHeaders(new LinkedHashMap<>());
        if (file == null) {
            message.setHeader(Exchange.HTTP_RESPONSE_CODE, 404);
            message.setHeader(Exchange.CONTENT_TYPE, "text/plain; charset=UTF-8");
            message.setBody("Not found");
            return;
        }
        message.setHeader(Exchange.CONTENT_TYPE, TYPES.get(name));
        message.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        message.setHeader("X-Content-Type-Options", "nosniff");
        message.setHeader("Referrer-Policy", "no-referrer");
        // A new Herald version's page is picked up at the next load, never mixed with old scripts.
        message.setHeader("Cache-Control", "no-cache");
        message.setBody(file);
    }
}
