package herald.webhooks;

import static herald.webhooks.WebhookFixture.T0;
import static herald.webhooks.WebhookFixture.marker;
import static herald.webhooks.WebhookFixture.payload;
import static herald.webhooks.WebhookFixture.status;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import herald.webhooks.WebhookFixture.Account;
import herald.webhooks.WebhookFixture.Campaign;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.Test;

/** Applied status events reach Herald's metrics through the webhook route's counting step. */
class WebhookMetricsTest {

    private final WebhookFixture fx = new WebhookFixture();
    private final MeterRegistry registry = fx.herald.context().getRegistry().findSingleByType(MeterRegistry.class);

    private double matched(String status) {
        return registry.get("herald.webhook.status.events.matched").tag("status", status).counter().count();
    }

    private double applied() {
        return registry.get("herald.webhook.status.events.applied").counter().count();
    }

    @Test
    void eachAppliedStatusEventIsCountedWithItsLag() {
        Account account = fx.account("app-secret-" + WebhookFixture.digits(), true);
        Campaign campaign = fx.sentCampaign(account, 3);
        double readBefore = matched("Read");
        double appliedBefore = applied();
        Timer lag = registry.get("herald.webhook.status.event.lag").timer();
        long lagCountBefore = lag.count();

        List<ObjectNode> statuses = new ArrayList<>();
        for (long id : campaign.messageIds()) {
            statuses.add(status((String) fx.message(id).get("wamid"), "read", T0 + 30));
        }
        ObjectNode marker = marker();
        statuses.add(marker);
        fx.deliver(account, payload(account, statuses.toArray(ObjectNode[]::new)));
        fx.awaitMarker(marker);

        // Other tests' webhooks may be applied meanwhile on the shared server: at least these three.
        assertTrue(matched("Read") >= readBefore + 3, () -> "Read events counted: " + (matched("Read") - readBefore));
        assertTrue(applied() >= appliedBefore + 3, () -> "events applied: " + (applied() - appliedBefore));
        assertTrue(lag.count() >= lagCountBefore + 3);
        long secondsSinceMetaTimestamp = Instant.now().getEpochSecond() - (T0 + 30);
        assertTrue(lag.max(TimeUnit.SECONDS) >= secondsSinceMetaTimestamp - 60,
                () -> "lag " + lag.max(TimeUnit.SECONDS) + " s, Meta's timestamp was " + secondsSinceMetaTimestamp + " s ago");
    }
}
