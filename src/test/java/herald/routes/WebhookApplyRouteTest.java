package herald.routes;

import java.sql.SQLTransientConnectionException;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The webhook apply route (routes/webhooks.camel.yaml) while the database refuses every write of
 * statuses: the payload is applied again as often as configured, then parked whole on the dead
 * letter queue, where it can be replayed.
 */
class WebhookApplyRouteTest extends HeraldRouteTestSupport {

    private static final int MAX_REDELIVERIES = 2;
    private static final String PAYLOAD = """
            {"object":"whatsapp_business_account","entry":[{"id":"1022901293","changes":[{"field":"messages",
             "value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550000000",
             "phone_number_id":"1065403522"},"statuses":[{"id":"wamid.HBgLNDkxNTE1MDAwMDAwMRUCABEYEjk5",
             "status":"delivered","timestamp":"1750000000","recipient_id":"4915150000001"}]}}]}]}""";

    @Override
    protected void configureHerald(Properties properties) {
        properties.setProperty("herald.webhooks.max-redeliveries", Integer.toString(MAX_REDELIVERIES));
        properties.setProperty("herald.webhooks.redelivery-delay-ms", "100");
    }

    @Test
    void payloadThatKeepsFailingIsParkedWholeOnTheDeadLetterQueue() throws Exception {
        AdviceWith.adviceWith(context, "apply-webhook-notifications", false,
                route -> route.weaveById("apply-every-status").replace().to("mock:apply-statuses"));
        MockEndpoint applyStatuses = getMockEndpoint("mock:apply-statuses");
        applyStatuses.whenAnyExchangeReceived(exchange ->
                exchange.setException(new SQLTransientConnectionException("the database refuses connections")));
        applyStatuses.expectedMessageCount(1 + MAX_REDELIVERIES);
        context.start();

        NotifyBuilder applied = new NotifyBuilder(context).fromRoute("apply-webhook-notifications").whenDone(1).create();
        template.sendBody("jms:queue:{{herald.queue.webhooks}}?jmsMessageType=Text", PAYLOAD);

        assertTrue(applied.matches(30, TimeUnit.SECONDS), "the payload's exchange is done");
        applyStatuses.assertIsSatisfied();
        assertEquals(PAYLOAD, consumer.receiveBody("jms:queue:{{herald.queue.webhooks-dead-letter}}", 10_000, String.class),
                "the payload as Meta sent it, not what the route made of it");
    }
}
