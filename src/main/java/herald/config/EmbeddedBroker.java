package herald.config;

import java.nio.file.Path;

import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The Artemis broker Herald runs inside its own process when no external broker is configured.
 * Persistent: the journal lives under the data folder, so queued sends survive a crash.
 */
public final class EmbeddedBroker extends ServiceSupport {

    static final String IN_VM_URL = "vm://0";

    private final Path dir;
    private final String sendQueue;
    private final String deadLetterQueue;
    private EmbeddedActiveMQ server;

    public EmbeddedBroker(Path dir, String sendQueue, String deadLetterQueue) {
        this.dir = dir;
        this.sendQueue = sendQueue;
        this.deadLetterQueue = deadLetterQueue;
    }

    @Override
    protected void doStart() throws Exception {
        Configuration config = new ConfigurationImpl()
                .setName("herald-embedded")
                .setPersistenceEnabled(true)
                .setSecurityEnabled(false)
                .setJMXManagementEnabled(true)
                .setJournalDirectory(dir.resolve("journal").toString())
                .setBindingsDirectory(dir.resolve("bindings").toString())
                .setPagingDirectory(dir.resolve("paging").toString())
                .setLargeMessagesDirectory(dir.resolve("large-messages").toString())
                .addAcceptorConfiguration("in-vm", IN_VM_URL);
        // Messages a consumer could not process after the broker's own redeliveries are kept,
        // visible and replayable, instead of being dropped.
        config.addAddressSetting(sendQueue, new AddressSettings()
                .setDeadLetterAddress(SimpleString.of(deadLetterQueue))
                .setAutoCreateDeadLetterResources(false)
                .setMaxDeliveryAttempts(10)
                .setRedeliveryDelay(1000)
                .setRedeliveryMultiplier(2.0)
                .setMaxRedeliveryDelay(60_000)
                .setDefaultAddressRoutingType(RoutingType.ANYCAST));
        config.addAddressSetting("#", new AddressSettings()
                .setDefaultAddressRoutingType(RoutingType.ANYCAST)
                .setAutoCreateQueues(true)
                .setAutoCreateAddresses(true));
        server = new EmbeddedActiveMQ().setConfiguration(config);
        server.start();
    }

    @Override
    protected void doStop() throws Exception {
        if (server != null) {
            server.stop();
        }
    }
}
