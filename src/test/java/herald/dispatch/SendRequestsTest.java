package herald.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

import herald.whatsapp.CloudApiOutcome;
import herald.whatsapp.ErrorClassifier;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelExchangeException;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.hc.client5.http.ConnectExceptionSupport;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.junit.jupiter.api.Test;

/**
 * What a broken call to the Graph API comes to (retried only when the request never left), how
 * long a retry-later answer waits, and what a message whose media header has no attachment comes to.
 */
class SendRequestsTest {

    private static final CamelContext CONTEXT = new DefaultCamelContext();
    private static final HttpHost GRAPH = new HttpHost("https", "graph.facebook.com", 443);

    private final SendRequests requests = new SendRequests(null, null, 1000, 60_000, 1.0);

    private Map<String, Object> broken(Throwable failure) {
        Exchange exchange = new DefaultExchange(CONTEXT);
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, failure);
        exchange.getMessage().setHeader("Authorization", "Bearer EAAG-secret");
        Map<String, Object> result = requests.brokenCall(exchange);
        assertNull(exchange.getMessage().getHeader("Authorization"), "the token does not outlive the call");
        return result;
    }

    @Test
    void aConnectionThatNeverOpenedIsRetried() {
        Exchange exchange = new DefaultExchange(CONTEXT);
        for (Throwable failure : List.of(
                // what HttpClient throws when the connect is refused or times out
                ConnectExceptionSupport.enhance(new ConnectException("Connection refused"), GRAPH),
                ConnectExceptionSupport.enhance(new SocketTimeoutException("Connect timed out"), GRAPH),
                new UnknownHostException("graph.facebook.com"),
                new NoRouteToHostException("No route to host"),
                new SSLHandshakeException("PKIX path building failed"),
                new ConnectionRequestTimeoutException("Timeout deadline: 3000 MILLISECONDS"),
                new CamelExchangeException("the call failed", exchange, new ConnectException("Connection refused")))) {
            Map<String, Object> result = broken(failure);
            assertEquals("RETRY_LATER", result.get("kind"), failure.toString());
            assertEquals("Connection failed", result.get("title"), failure.toString());
        }
    }

    @Test
    void aCallThatMayHaveReachedMetaIsUnconfirmed() {
        for (Throwable failure : List.of(
                new SocketTimeoutException("Read timed out"),
                new SocketException("Connection reset"),
                new NoHttpResponseException("graph.facebook.com:443 failed to respond"),
                new ConnectionClosedException("Premature end of Content-Length delimited message body"),
                new SSLException("Connection reset"),
                new InterruptedIOException("interrupted"),
                new IOException("Broken pipe"))) {
            Map<String, Object> result = broken(failure);
            assertEquals("UNKNOWN", result.get("kind"), failure.toString());
            assertTrue(((String) result.get("message")).contains(failure.getClass().getSimpleName()), result::toString);
        }
    }

    @Test
    void aMediaHeaderWithoutAttachmentPausesTheCampaignNamingWhy() {
        Map<String, Object> send = new HashMap<>();
        send.put("header_kind", "DOCUMENT");
        send.put("file_key", null);
        SendFailure failure = assertThrows(SendFailure.CampaignMustPause.class,
                () -> requests.mediaId(send));
        assertEquals("No attachment: the template has a DOCUMENT header but the campaign has no attachment",
                failure.getMessage());
    }

    @Test
    void noHeaderNeedsNoMedia() {
        assertNull(requests.mediaId(Map.of("header_kind", "NONE")));
    }

    private static Map<String, Object> refused(int code) {
        CloudApiOutcome outcome = ErrorClassifier.classify(400, "{\"error\":{\"message\":\"refused\",\"code\":" + code + "}}");
        return Map.of("outcome", outcome, "throughput", code == 130429);
    }

    @Test
    void aWaitLongerThanThePolicysNextDelayIsWaitedOnTheQueue() {
        // The policy: 1 s, doubling per redelivery. 131057 asks for 60 s, 131000 for 5 s.
        assertEquals(60_000, requests.longerWait(refused(131057), 0, null));
        assertEquals(60_000, requests.longerWait(refused(80007), 2, 2));
        assertEquals(5_000, requests.longerWait(refused(131000), 0, 0));
        assertEquals(0, requests.longerWait(refused(131000), 3, 3), "the policy's 8 s is long enough");
        // A requeued exchange starts its redeliveries again; its backoff does not.
        assertEquals(16_000, requests.longerWait(refused(131000), 4, 0));
        assertEquals(0, requests.longerWait(refused(130429), 0, 0), "130429 has its own policy");
        assertEquals(0, requests.longerWait(refused(131056), 0, 0), "131056 has its own policy");
        assertEquals(6_000, new SendRequests(null, null, 1000, 60_000, 0.1).longerWait(refused(131057), 0, 0));
    }

    @Test
    void retriesCountTheWaitsOnTheQueueAndTheRedeliveries() {
        assertEquals(0, requests.retriesSoFar(null, null));
        assertEquals(5, requests.retriesSoFar(3, 2));
    }
}
