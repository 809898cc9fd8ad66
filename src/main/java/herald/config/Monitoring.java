package herald.config;

import java.nio.file.Path;
import java.util.List;

import javax.sql.DataSource;

import herald.dispatch.AccountRateLimiter;
import herald.monitoring.BrokerHealthCheck;
import herald.monitoring.DatabaseHealthCheck;
import herald.monitoring.HeraldMetrics;
import herald.monitoring.ManagementAccess;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import jakarta.jms.ConnectionFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.MicrometerUtils;
import org.apache.camel.component.micrometer.prometheus.MicrometerPrometheus;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Hawtio and Prometheus see of Herald on Camel's management server (docs/monitoring.md):
 * credentials on Jolokia and metrics, readiness checks for the database and the broker, and
 * Herald's own metrics. Runs after the database, broker and dispatch beans are bound, and before
 * the context (and so the management server) starts.
 */
final class Monitoring {

    private static final Logger LOG = LoggerFactory.getLogger(Monitoring.class);

    private Monitoring() {
    }

    static void configure(CamelContext context, Path dataDir) throws Exception {
        PropertiesComponent props = context.getPropertiesComponent();
        protectManagementServer(context, props, dataDir);

        DataSource dataSource = context.getRegistry().lookupByNameAndType("dataSource", DataSource.class);
        // The plain factory, not the producers' cached one: the check must open a connection of its own.
        ConnectionFactory broker = context.getRegistry().lookupByNameAndType("jmsConsumerConnectionFactory",
                ConnectionFactory.class);
        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        if (health != null) {
            health.register(new DatabaseHealthCheck(dataSource, HeraldConfiguration.migrations(dataSource)));
            health.register(new BrokerHealthCheck(broker,
                    context.hasService(EmbeddedBroker.class) != null ? "embedded" : "external"));
        }

        // Camel's micrometer-prometheus registry when camel.metrics is enabled; otherwise the global
        // registry, which without registries of its own records nothing.
        MeterRegistry registry = MicrometerUtils.getMeterRegistryFromCamelRegistry(context.getRegistry(),
                MicrometerConstants.METRICS_REGISTRY_NAME);
        HeraldMetrics metrics = new HeraldMetrics(context, registry != null ? registry : Metrics.globalRegistry, dataSource,
                context.getRegistry().lookupByNameAndType("accountRateLimiter", AccountRateLimiter.class),
                List.of(props.resolveProperty("herald.queue.send").orElseThrow(),
                        props.resolveProperty("herald.queue.send-dead-letter").orElseThrow()),
                Long.parseLong(props.resolveProperty("herald.monitoring.sample-period-ms").orElseThrow()));
        context.getRegistry().bind("heraldMetrics", metrics);
        context.addService(metrics);
    }

    private static void protectManagementServer(CamelContext context, PropertiesComponent props, Path dataDir)
            throws Exception {
        ManagementHttpServer management = context.hasService(ManagementHttpServer.class);
        if (management == null) {
            return;
        }
        MainHttpServer main = context.hasService(MainHttpServer.class);
        if (main != null && main.getPort() == management.getPort()) {
            // Camel would then serve management on the API server, where these credentials do not apply.
            throw new IllegalStateException("herald.management-port must differ from herald.port (both are "
                    + main.getPort() + "): Jolokia and metrics are only protected on a management port of their own");
        }
        ManagementAccess access = ManagementAccess.resolve(props.resolveProperty("herald.monitoring.user").orElse(""),
                props.resolveProperty("herald.monitoring.password").orElse(""), dataDir);
        MicrometerPrometheus prometheus = context.hasService(MicrometerPrometheus.class);
        // A trailing '*' is a prefix: whatever path reaches Jolokia or metrics passes through these.
        if (prometheus != null) {
            access.protect(management, management.getJolokiaPath() + "*", prometheus.getPath() + "*");
        } else {
            access.protect(management, management.getJolokiaPath() + "*");
        }
        LOG.info("{} and metrics require the monitoring user '{}'{}", management.getJolokiaPath(), access.user(),
                access.generatedPasswordFile().map(file -> " (its generated password is in " + file + ")").orElse(""));
    }
}
