package herald.monitoring;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.sql.DataSource;

import herald.dispatch.AccountRateLimiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.CamelContext;
import org.apache.camel.Header;
import org.apache.camel.Variable;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Herald's own Prometheus series, next to Camel's in the registry that /observe/metrics serves.
 *
 * <p>Sends and webhook status events are counted as they happen (the send route calls
 * {@link #recordSend}, the webhook route {@link #recordStatusEvents}); queue depths and account paces
 * are read live at each scrape, as both are in-memory; what only the database knows (unconfirmed
 * messages, the accounts) is sampled on a schedule, so a scrape never waits for a query.
 */
public final class HeraldMetrics extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(HeraldMetrics.class);
    private static final String ARTEMIS_DOMAIN = "org.apache.activemq.artemis";

    private final CamelContext context;
    private final MeterRegistry registry;
    private final DataSource dataSource;
    private final AccountRateLimiter limiter;
    private final long samplePeriodMillis;
    private final MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
    private final MultiGauge accountRates;
    private final Counter webhookEventsApplied;
    private final Timer webhookLag;

    private volatile double unconfirmed = Double.NaN;
    private boolean samplingFails;
    private ScheduledExecutorService sampler;

    public HeraldMetrics(CamelContext context, MeterRegistry registry, DataSource dataSource, AccountRateLimiter limiter,
                         List<String> queues, long samplePeriodMillis) {
        this.context = context;
        this.registry = registry;
        this.dataSource = dataSource;
        this.limiter = limiter;
        this.samplePeriodMillis = samplePeriodMillis;

        // Present before the first send or webhook, so dashboards and alerts find the series from the start.
        sends("ACCEPTED", null);
        for (String status : List.of("Sent", "Delivered", "Read", "Failed")) {
            webhookEventsMatched(status);
        }
        webhookEventsApplied = Counter.builder("herald.webhook.status.events.applied")
                .description("Status events from Meta's webhooks applied to Herald's messages (a repeat is not applied)")
                .register(registry);
        for (String queue : queues) {
            Gauge.builder("herald.queue.messages", () -> queueDepth(queue)).tag("queue", queue)
                    .description("Messages in the broker queue (Artemis MessageCount); NaN with an external broker")
                    .strongReference(true).register(registry);
        }
        Gauge.builder("herald.messages.unconfirmed", this, m -> m.unconfirmed)
                .description("WhatsApp Messages in status Unconfirmed: Meta may or may not have them (sampled)")
                .strongReference(true).register(registry);
        webhookLag = Timer.builder("herald.webhook.status.event.lag")
                .description("From Meta's timestamp of a matched status event to Herald writing it")
                .register(registry);
        accountRates = MultiGauge.builder("herald.account.send.rate")
                .description("Messages per second this node currently allows a WhatsApp Account: its rate, "
                        + "headroom, its share among nodes and any slowdown after a 130429")
                .register(registry);
    }

    /** Called by the send route once per Graph API call, with the outcome it classified. */
    public void recordSend(@Variable("result") Map<String, Object> result, @Variable("send") Map<String, Object> send) {
        Object code = result.get("code");
        sends((String) result.get("kind"), code).increment();
        if (Boolean.TRUE.equals(result.get("throughput"))) {
            throughputExceeded(((Number) send.get("account_id")).longValue()).increment();
        }
    }

    /**
     * Called by the webhook route with a payload's status events that matched a message, once their
     * receipts are written: the insert's update count says how many were new, that is applied.
     */
    @SuppressWarnings("unchecked")
    public void recordStatusEvents(@Variable("writes") Map<String, Object> writes,
                                   @Header("CamelSqlUpdateCount") Integer applied) {
        webhookEventsApplied.increment(applied == null ? 0 : applied);
        Instant now = Instant.now();
        for (Map<String, Object> receipt : (List<Map<String, Object>>) writes.get("receipts")) {
            webhookEventsMatched((String) receipt.get("status")).increment();
            Duration lag = Duration.between(((OffsetDateTime) receipt.get("timestamp")).toInstant(), now);
            // Meta's clock may run ahead of this one: that is no lag, and still an event to count.
            webhookLag.record(lag.isNegative() ? Duration.ZERO : lag);
        }
    }

    private Counter webhookEventsMatched(String status) {
        return Counter.builder("herald.webhook.status.events.matched")
                .description("Status events from Meta's webhooks that matched a Herald message, by status; "
                        + "a repeated delivery counts again")
                .tag("status", status)
                .register(registry);
    }

    private Counter sends(String kind, Object errorCode) {
        return Counter.builder("herald.sends")
                .description("Graph API send calls by outcome and Meta error code ('none' without one)")
                .tag("outcome", kind.toLowerCase(Locale.ROOT))
                .tag("error_code", errorCode == null ? "none" : errorCode.toString())
                .register(registry);
    }

    private Counter throughputExceeded(long accountId) {
        return Counter.builder("herald.cloudapi.throughput.exceeded")
                .description("Graph API answers 130429 (throughput exceeded) per WhatsApp Account")
                .tag("account_id", Long.toString(accountId))
                .register(registry);
    }

    /**
     * The queue's MessageCount from the broker's MBeans: 0 for a queue the broker has not created
     * yet, NaN without a broker in this JVM.
     */
    private double queueDepth(String queue) {
        try {
            ObjectName pattern = new ObjectName(ARTEMIS_DOMAIN + ":component=addresses,subcomponent=queues,queue="
                    + ObjectName.quote(queue) + ",*");
            long total = 0;
            for (ObjectName name : mbeans.queryNames(pattern, null)) {
                total += ((Number) mbeans.getAttribute(name, "MessageCount")).longValue();
            }
            boolean brokerHere = !mbeans.queryNames(new ObjectName(ARTEMIS_DOMAIN + ":broker=*"), null).isEmpty();
            return brokerHere ? total : Double.NaN;
        } catch (JMException e) {
            return Double.NaN;
        }
    }

    /** Reads what only the database knows; the schedule calls it, and so may a test that must not wait. */
    public synchronized void sample() {
        try (Connection c = dataSource.getConnection()) {
            List<MultiGauge.Row<?>> rates = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, messages_per_second FROM whatsapp_account WHERE active = TRUE");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long id = rs.getLong(1);
                    int messagesPerSecond = rs.getInt(2);
                    rates.add(MultiGauge.Row.of(Tags.of("account_id", Long.toString(id)), limiter,
                            l -> l.currentRate(id, messagesPerSecond)));
                    throughputExceeded(id);
                }
            }
            accountRates.register(rates, true);
            unconfirmed = count(c, "SELECT COUNT(*) FROM whatsapp_message WHERE status = 'Unconfirmed'");
            if (samplingFails) {
                samplingFails = false;
                LOG.info("Herald's database metrics are sampled again");
            }
        } catch (SQLException | RuntimeException e) {
            // Caught whole: an exception escaping a scheduled task would end the sampling for good.
            unconfirmed = Double.NaN;
            if (!samplingFails) {
                samplingFails = true;
                LOG.warn("Herald's database metrics cannot be sampled: {}", e.getMessage());
            }
        }
    }

    private static double count(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    protected void doStart() {
        sampler = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "herald-metrics-sampler");
        sampler.scheduleWithFixedDelay(this::sample, 0, samplePeriodMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() {
        if (sampler != null) {
            context.getExecutorServiceManager().shutdown(sampler);
            sampler = null;
        }
    }
}
