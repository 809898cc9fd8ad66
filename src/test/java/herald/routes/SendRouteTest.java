package herald.routes;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import herald.testing.ApiClient;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The send route (routes/send.camel.yaml) with the Graph API call replaced by a mock that answers
 * each recipient its own way: what each message was sent how often, and the status its row ends in.
 */
class SendRouteTest extends HeraldRouteTestSupport {

    private static final String ACCEPTED = "+4915150000001";
    private static final String THROUGHPUT_THEN_ACCEPTED = "+4915150000002";
    private static final String ALWAYS_TRANSIENT = "+4915150000003";
    private static final String NOT_ON_WHATSAPP = "+4915150000004";
    private static final String READ_TIMEOUT = "+4915150000005";
    private static final String REFUSED_THEN_ACCEPTED = "+4915150000006";
    private static final List<String> RECIPIENTS = List.of(ACCEPTED, THROUGHPUT_THEN_ACCEPTED, ALWAYS_TRANSIENT,
            NOT_ON_WHATSAPP, READ_TIMEOUT, REFUSED_THEN_ACCEPTED);
    private static final int MAX_RETRIES = 2;

    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    @Override
    protected void configureHerald(Properties properties) {
        properties.setProperty("herald.send.max-retries", Integer.toString(MAX_RETRIES));
        properties.setProperty("herald.send.retry-delay-ms", "100");
        // Every retry stays in Camel's redelivery, so each message is one exchange of the route; the
        // longer waits Meta asks for go back to the queue, and SendFailuresTest covers those.
        properties.setProperty("herald.send.retry-wait-scale", "0");
    }

    @Test
    void eachAnswerEndsItsMessageInTheStatusItCallsFor() throws Exception {
        AdviceWith.adviceWith(context, "attempt-send-to-cloud-api", false,
                route -> route.weaveById("post-to-messages-endpoint").replace().to("mock:graph-api"));
        MockEndpoint graph = getMockEndpoint("mock:graph-api");
        graph.whenAnyExchangeReceived(this::answerAsMetaWould);
        // 1 + 2 (130429, then accepted) + 3 (131000 until the retries are used up) + 1 + 1 + 2 (refused, then accepted)
        graph.expectedMessageCount(1 + 2 + (1 + MAX_RETRIES) + 1 + 1 + 2);
        graph.expectedHeaderReceived("Authorization", "Bearer " + ACCESS_TOKEN);
        graph.allMessages().header(Exchange.HTTP_METHOD).isEqualTo("POST");
        context.start();

        String campaign = draftCampaign(1000, RECIPIENTS);
        NotifyBuilder allSent = new NotifyBuilder(context).fromRoute("send-whatsapp-message")
                .whenDone(RECIPIENTS.size()).create();
        submit(campaign, false);

        long campaignId = campaignId(campaign);
        assertTrue(allSent.matches(60, TimeUnit.SECONDS),
                () -> "every message's exchange is done; calls " + calls + ", rows " + messageRows(campaignId));
        graph.assertIsSatisfied();
        assertEquals(Map.of(ACCEPTED, 1, THROUGHPUT_THEN_ACCEPTED, 2, ALWAYS_TRANSIENT, 1 + MAX_RETRIES,
                NOT_ON_WHATSAPP, 1, READ_TIMEOUT, 1, REFUSED_THEN_ACCEPTED, 2), callsByRecipient(graph));

        Map<String, Map<String, Object>> rows = messageRows(campaignId).stream()
                .collect(Collectors.toMap(r -> (String) r.get("mobile_number"), r -> r, (a, b) -> a, TreeMap::new));
        assertRow(rows.get(ACCEPTED), "Sent", 1, null);
        assertEquals("wamid." + ACCEPTED, rows.get(ACCEPTED).get("wamid"), "Meta's message id is kept");
        assertRow(rows.get(THROUGHPUT_THEN_ACCEPTED), "Sent", 2, null);
        assertRow(rows.get(ALWAYS_TRANSIENT), "Failed", 1 + MAX_RETRIES, 131000);
        assertRow(rows.get(NOT_ON_WHATSAPP), "Failed", 1, 131026);
        assertRow(rows.get(READ_TIMEOUT), "Unconfirmed", 1, null);
        assertRow(rows.get(REFUSED_THEN_ACCEPTED), "Sent", 2, null);
    }

    /**
     * Meta's answers (reference §2), or the broken call the HTTP client would report: a read timeout
     * after the request left, or a refused connection before it did.
     */
    private void answerAsMetaWould(Exchange exchange) throws Exception {
        JsonNode request = ApiClient.JSON.readTree(exchange.getMessage().getBody(String.class));
        String to = request.path("to").asText();
        int call = calls.computeIfAbsent(to, n -> new AtomicInteger()).incrementAndGet();
        switch (to) {
            case THROUGHPUT_THEN_ACCEPTED -> {
                if (call == 1) {
                    answer(exchange, 400, error(130429, "Rate limit hit"));
                } else {
                    accept(exchange, to);
                }
            }
            case ALWAYS_TRANSIENT -> answer(exchange, 500, error(131000, "Something went wrong"));
            case NOT_ON_WHATSAPP -> answer(exchange, 400, error(131026, "Message undeliverable"));
            case READ_TIMEOUT -> exchange.setException(new SocketTimeoutException("Read timed out"));
            case REFUSED_THEN_ACCEPTED -> {
                if (call == 1) {
                    exchange.setException(new ConnectException("Connection refused"));
                } else {
                    accept(exchange, to);
                }
            }
            default -> accept(exchange, to);
        }
    }

    private static void accept(Exchange exchange, String to) {
        answer(exchange, 200, """
                {"messaging_product":"whatsapp","contacts":[{"input":"%s","wa_id":"%s"}],
                 "messages":[{"id":"wamid.%s","message_status":"accepted"}]}""".formatted(to, to.substring(1), to));
    }

    private static String error(int code, String title) {
        return """
                {"error":{"message":"(#%d) %s","type":"OAuthException","code":%d,
                 "error_data":{"messaging_product":"whatsapp","details":"%s"},"fbtrace_id":"Az8or2yhqkZfEZ-_4Qn_Bam"}}"""
                .formatted(code, title, code, title);
    }

    private static void answer(Exchange exchange, int status, String body) {
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setBody(body);
    }

    private static Map<String, Integer> callsByRecipient(MockEndpoint graph) {
        Map<String, Integer> counts = new TreeMap<>();
        for (Exchange call : graph.getReceivedExchanges()) {
            try {
                String to = ApiClient.JSON.readTree(call.getMessage().getBody(String.class)).path("to").asText();
                counts.merge(to, 1, Integer::sum);
            } catch (java.io.IOException e) {
                throw new AssertionError("the request body is not JSON", e);
            }
        }
        return counts;
    }

    private static void assertRow(Map<String, Object> row, String status, int attempts, Integer errorCode) {
        assertEquals(status, row.get("status"), row::toString);
        assertEquals(attempts, ((Number) row.get("attempts")).intValue(), () -> "attempts of " + row);
        assertEquals(errorCode, row.get("error_code") == null ? null : ((Number) row.get("error_code")).intValue(),
                () -> "error code of " + row);
    }
}
