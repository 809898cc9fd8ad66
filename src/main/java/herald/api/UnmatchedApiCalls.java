package herald.api;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.spi.RestRegistry;

/**
 * The /api calls that no REST operation took: handed from the HTTP server to the route that
 * answers them in the API's error shape, and refused there. A platform-http consumer cannot
 * catch them: the HTTP server tries its routes in the order they were added, so a REST route
 * stopped and started again from Hawtio would come after a catch-all consumer and be shadowed by
 * it. A Vert.x route ordered last stays behind them all.
 */
public final class UnmatchedApiCalls implements StartupListener {

    private static final String ANSWERING_ROUTE = "direct:api-unmatched-call";
    private static final List<String> ANSWER_HEADERS = List.of(Exchange.CONTENT_TYPE, "WWW-Authenticate", "Allow");

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // The HTTP server's router is only there once the context has started.
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        ProducerTemplate template = context.createProducerTemplate();
        int port = Integer.parseInt(context.resolvePropertyPlaceholders("{{camel.server.port}}"));
        VertxPlatformHttpRouter.lookup(context, VertxPlatformHttpRouter.getRouterNameFromPort(port)).route("/api/*").last()
                // On a worker thread: authentication checks a password hash and reads the database.
                .blockingHandler(call -> answer(template, call), false);
    }

    private static void answer(ProducerTemplate template, RoutingContext call) {
        Exchange answered = template.request(ANSWERING_ROUTE, exchange -> {
            Message request = exchange.getMessage();
            call.request().headers().forEach(header -> request.setHeader(header.getKey(), header.getValue()));
            request.setHeader(Exchange.HTTP_METHOD, call.request().method().name());
            request.setHeader(Exchange.HTTP_PATH, call.normalizedPath());
        });
        Message answer = answered.getMessage();
        HttpServerResponse response = call.response()
                .setStatusCode(answer.getHeader(Exchange.HTTP_RESPONSE_CODE, 500, Integer.class));
        for (String header : ANSWER_HEADERS) {
            String value = answer.getHeader(header, String.class);
            if (value != null) {
                response.putHeader(header, value);
            }
        }
        response.end(answer.getBody(String.class));
    }

    /** Refuses the call: 405 when its path has other methods, else 404. */
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
