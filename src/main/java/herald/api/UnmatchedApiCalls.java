package herald.api;

import java.util.List;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * Hands the /api calls that no REST operation took to the route that answers them in the API's
 * error shape. A platform-http consumer cannot do this: the HTTP server tries its routes in the
 * order they were added, so a REST route stopped and started again from Hawtio would come after
 * a catch-all consumer and be shadowed by it. A Vert.x route ordered last stays behind them all.
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
        // A worker thread: authentication checks a password hash and may read the database.
        int port = Integer.parseInt(context.resolvePropertyPlaceholders("{{camel.server.port}}"));
        VertxPlatformHttpRouter.lookup(context, VertxPlatformHttpRouter.getRouterNameFromPort(port)).route("/api/*").last()
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
}
