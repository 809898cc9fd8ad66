package herald.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What an answer to a media upload comes to: an upload, unlike a send, may safely be repeated. */
class MediaRequestsTest {

    private static final DefaultCamelContext CONTEXT = new DefaultCamelContext();

    private final MediaRequests requests = new MediaRequests(null, null);

    private String answered(int status, String body) throws Exception {
        Exchange exchange = new DefaultExchange(CONTEXT);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setBody(body);
        return requests.mediaId(exchange);
    }

    @Test
    void acceptedUploadGivesTheMediaId() throws Exception {
        assertEquals("1234567890", answered(200, "{\"id\":\"1234567890\"}"));
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 504})
    void bareServerErrorIsRetried(int status) {
        assertThrows(SendFailure.RetryLater.class, () -> answered(status, "<html><h1>Bad Gateway</h1></html>"));
    }

    @Test
    void transientGraphErrorIsRetried() {
        assertThrows(SendFailure.RetryLater.class,
                () -> answered(500, "{\"error\":{\"message\":\"(#131000) Something went wrong\",\"code\":131000}}"));
    }

    @Test
    void refusedUploadPausesTheCampaign() {
        assertThrows(SendFailure.CampaignMustPause.class,
                () -> answered(400, "{\"error\":{\"message\":\"(#131053) Media upload error\",\"code\":131053}}"));
        assertThrows(SendFailure.CampaignMustPause.class, () -> answered(404, "Not Found"));
    }
}
