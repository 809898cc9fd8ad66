package herald.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import herald.accounts.AccountRequests;
import herald.api.AccessRequests;
import herald.api.ApiAuthenticator;
import herald.api.UnmatchedApiCalls;
import herald.campaign.CampaignRecipients;
import herald.campaign.CampaignRules;
import herald.campaign.CampaignViews;
import herald.dispatch.AccountRateLimiter;
import herald.dispatch.MediaRequests;
import herald.dispatch.MediaUploads;
import herald.dispatch.SendRequests;
import herald.files.FileStore;
import herald.recipients.ListRequests;
import herald.recipients.RecipientRowImporter;
import herald.templates.TemplateRequests;
import herald.domain.PhoneNormaliser;
import herald.domain.SecretCipher;
import jakarta.jms.ConnectionFactory;
import io.vertx.core.VertxOptions;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.camel.spring.spi.SpringTransactionPolicy;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jms.connection.CachingConnectionFactory;
import org.springframework.jms.connection.JmsTransactionManager;

/**
 * Start-up wiring: the database (migrated by Flyway), the broker (embedded unless configured),
 * the two transaction policies the routes use, and the beans the routes call by name.
 */
public class HeraldConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(HeraldConfiguration.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent props = context.getPropertiesComponent();
        Path dataDir = Path.of(props.resolveProperty("herald.data-dir").orElse("./data")).toAbsolutePath().normalize();
        boolean sandbox = Boolean.parseBoolean(props.resolveProperty("herald.sandbox").orElse("false"));
        // Before anything is created: a start refused for want of a key leaves no database, no
        // broker journal and no running threads behind, so the process exits with the reason.
        SecretCipher cipher = new SecretCipher(EncryptionKey.resolve(props.resolveProperty("herald.encryption-key").orElse(""),
                sandbox, dataDir));
        Files.createDirectories(dataDir);

        // Picked up by the HTTP server. A worker thread may rightly run an API call for minutes (a
        // 1,000,000-row import, a submit checking every row); Vert.x's default would log a stack
        // trace for it every second after one minute.
        bind(context, "vertxOptions", new VertxOptions().setMaxWorkerExecuteTime(30).setMaxWorkerExecuteTimeUnit(TimeUnit.MINUTES));
        context.addStartupListener(new UnmatchedApiCalls());

        HikariDataSource dataSource = dataSource(props, dataDir);
        Flyway.configure().dataSource(dataSource).locations(migrations(dataSource)).load().migrate();
        bind(context, "dataSource", dataSource);
        // Services stop in the reverse order of their adding, all after the routes: the pool last.
        context.addService(onStop(dataSource::close), true, false);
        bind(context, "durableCommits", new DurableCommits(dataSource, dataSource.getJdbcUrl()));
        bind(context, "dbTx", transactionPolicy(new DataSourceTransactionManager(dataSource)));

        ConnectionFactory connectionFactory = connectionFactory(context, props, dataDir);
        // Producers share cached sessions; consumers get the plain factory (jmsConsumerConnectionFactory),
        // because a cached consumer outlives its stopped route and keeps holding the messages it fetched.
        CachingConnectionFactory caching = new CachingConnectionFactory(connectionFactory);
        caching.setSessionCacheSize(20);
        caching.setCacheConsumers(false);
        context.addService(onStop(caching::destroy), true, false);
        bind(context, "jmsConsumerConnectionFactory", connectionFactory);
        JmsComponent jms = JmsComponent.jmsComponent(caching);
        jms.setDestinationResolver(new CachedDestinations());
        jms.setDeliveryPersistent(true);
        context.addComponent("jms", jms);
        bind(context, "jmsTx", transactionPolicy(new JmsTransactionManager(caching)));

        PhoneNormaliser phones = new PhoneNormaliser(props.resolveProperty("herald.default-region").orElseThrow());
        CampaignRules rules = new CampaignRules(phones);
        bind(context, "secretCipher", cipher);
        bind(context, "apiAuthenticator", new ApiAuthenticator(dataSource));
        bind(context, "accountRequests", new AccountRequests(cipher, props.resolveProperty("herald.whatsapp.api-base-url").orElseThrow(),
                props.resolveProperty("herald.whatsapp.api-version").orElseThrow(),
                Integer.parseInt(props.resolveProperty("herald.whatsapp.messages-per-second").orElseThrow())));
        bind(context, "templateRequests", new TemplateRequests());
        bind(context, "listRequests", new ListRequests());
        bind(context, "recipientRowImporter", new RecipientRowImporter(dataSource, phones,
                Integer.parseInt(props.resolveProperty("herald.import.max-reported-problems").orElseThrow())));
        bind(context, "fileStore", new FileStore(dataDir.resolve("files")));
        bind(context, "campaignRules", rules);
        bind(context, "campaignViews", new CampaignViews());
        bind(context, "campaignRecipients", new CampaignRecipients(dataSource, rules,
                Integer.parseInt(props.resolveProperty("herald.split.batch-size").orElseThrow())));
        bind(context, "accessRequests", new AccessRequests());
        bind(context, "accountRateLimiter", new AccountRateLimiter(
                Double.parseDouble(props.resolveProperty("herald.send.rate-headroom").orElseThrow()),
                Integer.parseInt(props.resolveProperty("herald.send.node-count").orElseThrow()),
                Long.parseLong(props.resolveProperty("herald.send.throttle-recovery-ms").orElseThrow())));
        bind(context, "sendRequests", new SendRequests(cipher,
                new MediaUploads(dataSource, context.createProducerTemplate()),
                Long.parseLong(props.resolveProperty("herald.send.retry-delay-ms").orElseThrow()),
                Long.parseLong(props.resolveProperty("herald.send.max-retry-delay-ms").orElseThrow()),
                Double.parseDouble(props.resolveProperty("herald.send.retry-wait-scale").orElseThrow())));
        bind(context, "mediaRequests", new MediaRequests(cipher, dataDir.resolve("files")));
        props.addOverrideProperty("herald.node-id", NodeId.resolve(props.resolveProperty("herald.node-id").orElse(""), dataDir));

        if (sandbox) {
            Sandbox simulated = new Sandbox(dataSource, cipher,
                    "http://127.0.0.1:" + props.resolveProperty("herald.port").orElseThrow() + "/webhooks/whatsapp",
                    Integer.parseInt(props.resolveProperty("herald.whatsapp.messages-per-second").orElseThrow()));
            simulated.start();
            context.addService(simulated, true, false);
            LOG.warn("Sandbox mode: Meta's Cloud API is simulated in this process (account '{}'); "
                    + "set HERALD_SANDBOX=false and HERALD_ENCRYPTION_KEY for real accounts", Sandbox.ACCOUNT_NAME);
        }
        AdminBootstrap.ensureAdmin(dataSource,
                props.resolveProperty("herald.admin.user").orElse("admin"),
                props.resolveProperty("herald.admin.password").orElse(""));
        Monitoring.configure(context, dataDir);
        LOG.info("Herald data folder: {}", dataDir);
    }

    /**
     * Flyway's locations: db/migration serves both databases, db/vendor/h2 or db/vendor/postgresql
     * what each does its own way (the triggers of the report's counts).
     */
    static String[] migrations(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            String vendor = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
            return new String[] {"classpath:db/migration", "classpath:db/vendor/" + vendor};
        }
    }

    private static ServiceSupport onStop(Runnable stop) {
        return new ServiceSupport() {
            @Override
            protected void doStop() {
                stop.run();
            }
        };
    }

    private static void bind(CamelContext context, String name, Object bean) {
        context.getRegistry().bind(name, bean);
    }

    private static HikariDataSource dataSource(PropertiesComponent props, Path dataDir) {
        String url = props.resolveProperty("herald.db.url").orElse("");
        HikariConfig config = new HikariConfig();
        if (url.isBlank()) {
            // PostgreSQL mode lets one set of SQL (ON CONFLICT, identity columns) serve both databases.
            // H2's own exit hook would close the database under a graceful stop's in-flight sends;
            // the pool closes it instead, once the routes have stopped.
            url = "jdbc:h2:file:" + dataDir.resolve("herald") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;"
                    + "DEFAULT_NULL_ORDERING=HIGH;LOCK_TIMEOUT=10000;DB_CLOSE_ON_EXIT=FALSE";
        }
        if (url.startsWith("jdbc:postgresql:")) {
            // Path and query parameters arrive as text; let the server cast them to the column type.
            config.addDataSourceProperty("stringtype", "unspecified");
        }
        config.setJdbcUrl(url);
        config.setUsername(props.resolveProperty("herald.db.user").orElse(""));
        config.setPassword(props.resolveProperty("herald.db.password").orElse(""));
        config.setMaximumPoolSize(Integer.parseInt(props.resolveProperty("herald.db.pool-size").orElse("16")));
        config.setPoolName("herald-db");
        return new HikariDataSource(config);
    }

    private static ConnectionFactory connectionFactory(CamelContext context, PropertiesComponent props, Path dataDir)
            throws Exception {
        String url = props.resolveProperty("herald.broker.url").orElse("");
        String sendQueue = props.resolveProperty("herald.queue.send").orElseThrow();
        String deadLetters = props.resolveProperty("herald.queue.send-dead-letter").orElseThrow();
        if (url.isBlank()) {
            EmbeddedBroker broker = new EmbeddedBroker(dataDir.resolve("artemis"), sendQueue, deadLetters);
            // Started now, before the JMS routes; stopped by the context after them.
            broker.start();
            context.addService(broker, true, false);
            url = EmbeddedBroker.IN_VM_URL;
        }
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(url);
        // No prefetch: with several Herald nodes each idle consumer would otherwise hoard messages.
        factory.setConsumerWindowSize(Integer.parseInt(props.resolveProperty("herald.broker.consumer-window-size").orElse("0")));
        props.resolveProperty("herald.broker.user").filter(s -> !s.isBlank()).ifPresent(factory::setUser);
        props.resolveProperty("herald.broker.password").filter(s -> !s.isBlank()).ifPresent(factory::setPassword);
        return factory;
    }

    private static SpringTransactionPolicy transactionPolicy(org.springframework.transaction.PlatformTransactionManager manager) {
        SpringTransactionPolicy policy = new SpringTransactionPolicy(manager);
        policy.setPropagationBehaviorName("PROPAGATION_REQUIRED");
        return policy;
    }

}
