package herald.callbacks;

import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;

/**
 * The HTTP client of completion callbacks makes exactly one call per attempt. Its default would
 * repeat a call answered 503 or 429 on its own, unseen by the outbox: the attempt list would
 * hide calls, and the outbox already retries, with backoff and a deadline.
 */
public class SingleCallHttpClient implements HttpClientConfigurer {

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        builder.disableAutomaticRetries();
    }
}
