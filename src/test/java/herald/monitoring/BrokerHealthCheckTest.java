package herald.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;

import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** Readiness of the broker when none answers (the shared test Herald shows the UP side). */
class BrokerHealthCheckTest {

    @Test
    void downWhenNoBrokerListens() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + closedPort)) {
            BrokerHealthCheck check = new BrokerHealthCheck(factory, "external");
            check.setCamelContext(new DefaultCamelContext());

            HealthCheck.Result result = check.call();
            assertEquals(HealthCheck.State.DOWN, result.getState());
            assertEquals("no JMS connection to the external broker", result.getMessage().orElse(""));
            assertTrue(result.getError().isPresent());
            assertEquals("external", result.getDetails().get("broker"));
        }
    }
}
