package herald.monitoring;

import java.util.Map;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness: a new JMS connection to the broker opens and starts. A new one each time, not the
 * routes' cached connection, so a broker that went away is seen even before a route notices.
 * For the embedded broker this also tells whether it is running, as its in-VM acceptor goes with it.
 */
public final class BrokerHealthCheck extends AbstractHealthCheck {

    private final ConnectionFactory connectionFactory;
    private final String kind;

    /** @param kind "embedded" or "external", reported with the result */
    public BrokerHealthCheck(ConnectionFactory connectionFactory, String kind) {
        super("herald", "broker");
        this.connectionFactory = connectionFactory;
        this.kind = kind;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("broker", kind);
        try (Connection connection = connectionFactory.createConnection()) {
            connection.start();
            builder.up();
        } catch (JMSException e) {
            builder.message("no JMS connection to the " + kind + " broker").error(e).down();
        }
    }
}
