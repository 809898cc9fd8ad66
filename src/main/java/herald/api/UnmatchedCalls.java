package herald.api;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import org.apache.camel.Exchange;
import org.apache.camel.spi.RestRegistry;

/** Refuses an /api call that no REST operation took: 405 when its path has other methods, else 404. */
public final class UnmatchedCalls {

    private UnmatchedCalls() {
    }

    public static void refuse(Exchange exchange) {
        String path = exchange.getMessage().getHeader(Exchange.HTTP_PATH, String.class);
        String method = exchange.getMessage().getHeader(Exchange.HTTP_METHOD, String.class);
        Set<String> allowed = new TreeSet<>();
        for (RestRegistry.RestService operation : exchange.getContext().getRestRegistry().listAllRestServices()) {
            if (matches(operation.getBasePath() + Objects.toString(operation.getUriTemplate(), ""), path)) {
                allowed.add(operation.getMethod().toUpperCase(Locale.ROOT));
            }
        }
        if (allowed.isEmpty()) {
            throw new ApiException(404, "not_found", "the API has no path " + path + "; GET /api-doc lists its paths",
                    null, null);
        }
        throw new MethodNotAllowedException(method, path, allowed);
    }

    /** Whether a path fits a template such as /api/campaigns/{name}/submit, each {...} standing for one segment. */
    static boolean matches(String template, String path) {
        String[] expected = template.split("/");
        String[] actual = path.split("/");
        if (expected.length != actual.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            boolean parameter = expected[i].startsWith("{") && expected[i].endsWith("}");
            if (parameter ? actual[i].isEmpty() : !expected[i].equals(actual[i])) {
                return false;
            }
        }
        return true;
    }
}
