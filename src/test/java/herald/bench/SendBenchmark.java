package herald.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import herald.simulator.CloudApiSimulator;
import herald.simulator.SimTemplate;
import herald.simulator.SimulatorConfig;
import herald.testing.ApiClient;
import org.apache.camel.api.management.ManagedCamelContext;
import org.apache.camel.api.management.mbean.ManagedRouteMBean;
import org.apache.camel.main.Main;

/**
 * Times a whole campaign: a Recipient List of N rows (CSV import), Submit, the split, and every
 * send through the send route over real HTTP to a {@link CloudApiSimulator} that caps the phone
 * number at MPS messages per second and answers each request after LATENCY_MS. Prints the time from
 * submit to the first send, to the split's end and to Completed; the send rate over the steady
 * part (the middle 80% of the sends) and overall; what the simulator saw (accepted, duplicates,
 * the peak within any sliding second, rejections); and the peak heap. Exits 1 when a recipient got
 * more than one message, the simulator did not accept exactly N, the peak exceeded the cap or the
 * campaign did not end Completed.
 *
 * <p>Arguments: RECIPIENTS (100000), DATABASE h2|postgresql (h2), MPS (1000), LATENCY_MS (200).
 * Send consumers: {@code -Dherald.send.consumers} or {@code HERALD_SEND_CONSUMERS} when given,
 * otherwise enough for the latency (MPS x (LATENCY_MS + 50 ms) / 1000, plus a quarter). Any other
 * Herald setting can be given the same way ({@code -Dherald.db.pool-size=32}).
 *
 * <pre>
 * ./mvnw -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Xmx2g -cp "target/test-classes:target/classes:$(cat target/cp.txt)" herald.bench.SendBenchmark 100000 h2
 * java -Xmx2g -cp "target/test-classes:target/classes:$(cat target/cp.txt)" herald.bench.SendBenchmark 100000 postgresql 1000 200
 * </pre>
 */
public final class SendBenchmark {

    private static final String PHONE_NUMBER_ID = "100000000000002";
    private static final String WABA_ID = "100000000000001";
    private static final String TOKEN = "bench-token";
    private static final String SEND_ROUTE = "send-whatsapp-message";

    private SendBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int recipients = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        String db = args.length > 1 ? args[1] : "h2";
        int mps = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        int latencyMs = args.length > 3 ? Integer.parseInt(args[3]) : 200;
        if (!db.equals("h2") && !db.equals("postgresql")) {
            throw new IllegalArgumentException("DATABASE must be h2 or postgresql, not " + db);
        }
        CloudApiSimulator.preferNoDelay();
        // The JDK server behind the simulator closes a connection that goes idle while 200 others
        // are idle (sun.net.httpserver.maxIdleConnections), without telling the client; Herald's
        // pool then reuses the closed connection and the send ends Unconfirmed (NoHttpResponseException).
        // With hundreds of consumers, each holding a keep-alive connection, that limit must be higher.
        System.getProperties().putIfAbsent("sun.net.httpserver.maxIdleConnections", "10000");
        CloudApiSimulator simulator = new CloudApiSimulator(SimulatorConfig.builder().port(0).accessToken(TOKEN)
                .template(new SimTemplate("1", "bench_notice", "en", "APPROVED", "UTILITY", "POSITIONAL", "NONE", null,
                        "Hello {{1}}, code {{2}}."))
                .throughputPerSecond(mps).latency(latencyMs, 0).noAsyncFailures()
                .build()).start();

        Path dataDir = Files.createTempDirectory("herald-send-bench-");
        int port = BenchSupport.freePort();
        Main main = BenchSupport.herald(dataDir, port, true);
        // Little's law: the consumers must hold MPS x (latency + Herald's own time per send) in flight.
        String consumers = setting("herald.send.consumers");
        if (consumers == null) {
            consumers = Integer.toString((int) Math.ceil(mps * (latencyMs + 50) / 1000.0 * 1.25));
            main.addOverrideProperty("herald.send.consumers", consumers);
        }
        String pgDb = null;
        if (db.equals("postgresql")) {
            pgDb = "herald_send_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
            BenchSupport.postgres("CREATE DATABASE " + pgDb);
            main.addOverrideProperty("herald.db.url", "jdbc:postgresql://127.0.0.1:5432/" + pgDb);
            main.addOverrideProperty("herald.db.user", "postgres");
        } else {
            main.addOverrideProperty("herald.db.url", "");
        }
        int exit = 1;
        try {
            main.start();
            var props = main.getCamelContext().getPropertiesComponent();
            System.out.printf("settings: herald.send.consumers=%s, herald.db.pool-size=%s, "
                            + "camel.component.http.connections-per-route=%s, herald.send.rate-headroom=%s, load average %s%n",
                    props.resolveProperty("herald.send.consumers").orElse("?"),
                    props.resolveProperty("herald.db.pool-size").orElse("?"),
                    props.resolveProperty("camel.component.http.connections-per-route").orElse("?"),
                    props.resolveProperty("herald.send.rate-headroom").orElse("?"), loadAverage());
            var jms = main.getCamelContext().getComponent("jms", org.apache.camel.component.jms.JmsComponent.class)
                    .getConfiguration();
            System.out.printf("settings: jms lazy-create-transaction-manager=%s, cache-level-name=%s%n",
                    jms.isLazyCreateTransactionManager(), jms.getCacheLevelName());
            exit = run(main, new ApiClient("http://127.0.0.1:" + port).basic("admin", "bench-password"), simulator,
                    recipients, db, mps, latencyMs, dataDir,
                    main.getCamelContext().getRegistry().lookupByNameAndType("dataSource", DataSource.class));
        } finally {
            main.stop();
            simulator.stop();
            if (pgDb != null) {
                BenchSupport.postgres("DROP DATABASE IF EXISTS " + pgDb + " WITH (FORCE)");
            }
        }
        System.exit(exit);
    }

    private static int run(Main main, ApiClient api, CloudApiSimulator simulator, int recipients, String db, int mps,
                           int latencyMs, Path dataDir, DataSource dataSource) throws Exception {
        Map<String, Object> account = new LinkedHashMap<>();
        account.put("name", "Bench");
        account.put("phoneNumberId", PHONE_NUMBER_ID);
        account.put("wabaId", WABA_ID);
        account.put("accessToken", TOKEN);
        account.put("apiBaseUrl", simulator.baseUrl());
        account.put("messagesPerSecond", mps);
        long accountId = api.post("/api/accounts", account).json(201).path("id").asLong();
        long templateId = BenchSupport.template(api, accountId);
        Path csv = BenchSupport.recipientsCsv(dataDir, recipients);
        long listId = api.post("/api/recipient-lists", Map.of("name", "bench")).json(201).path("id").asLong();
        JsonNode imported = api.postFile("/api/recipient-lists/" + listId + "/import", "text/csv", csv).json(200);
        if (imported.path("import").path("added").asLong() != recipients) {
            throw new IllegalStateException("import added " + imported.path("import").path("added") + " rows");
        }
        String name = api.post("/api/campaigns", Map.of("title", "Send bench", "recipientType", "Recipient List",
                "recipientListId", listId, "templateId", templateId, "variableType", "Unique")).json(201).path("name").asText();

        ManagedRouteMBean sendRoute = main.getCamelContext().getCamelContextExtension()
                .getContextPlugin(ManagedCamelContext.class).getManagedRoute(SEND_ROUTE);
        System.gc();
        BenchSupport.resetPeaks();
        String loadBefore = loadAverage();
        long cpuBefore = processCpuNanos();
        Instant submitted = Instant.now();
        long t0 = System.nanoTime();
        api.post("/api/campaigns/" + name + "/submit", Map.of()).expect(202);
        long splitMs = -1;
        long lastSample = t0;
        long lastCompleted = 0;
        long idleAt = -1;
        long idleSince = 0;
        long deadline = t0 + TimeUnit.MINUTES.toNanos(Long.getLong("bench.timeout-minutes", 60));
        JsonNode campaign;
        String status;
        while (true) {
            Thread.sleep(200);
            campaign = api.get("/api/campaigns/" + name).json(200);
            status = campaign.path("status").asText();
            long now = System.nanoTime();
            if (splitMs < 0 && campaign.path("splitState").asText().equals("DONE")) {
                splitMs = (now - t0) / 1_000_000;
            }
            if (now - lastSample >= TimeUnit.SECONDS.toNanos(5)) {
                long completed = sendRoute.getExchangesCompleted();
                System.out.printf("  %5.1f s: %s, split %s, send route: %,d done (%,.0f/s over the last %.1f s), "
                                + "%d in flight, send queue %,d, load %s%n", (now - t0) / 1e9, status,
                        campaign.path("splitState").asText(), completed,
                        (completed - lastCompleted) * 1e9 / (now - lastSample), (now - lastSample) / 1e9,
                        sendRoute.getExchangesInflight(), BenchSupport.queueDepth(), loadAverage());
                lastSample = now;
                lastCompleted = completed;
            }
            if (status.equals("Completed") || status.equals("Partially Failed") || status.equals("Cancelled")
                    || status.equals("Paused") || now > deadline) {
                break;
            }
            // Every exchange handled, yet not final: messages left Unconfirmed never finish by themselves.
            long handled = sendRoute.getExchangesCompleted() + sendRoute.getExchangesFailed();
            if (splitMs >= 0 && handled != idleAt && sendRoute.getExchangesInflight() == 0 && BenchSupport.queueDepth() == 0) {
                idleAt = handled;
                idleSince = now;
            } else if (handled != idleAt || sendRoute.getExchangesInflight() > 0) {
                idleAt = -1;
            } else if (now - idleSince > TimeUnit.SECONDS.toNanos(15)) {
                System.out.println("nothing left to send, yet " + status + ": "
                        + api.get("/api/campaigns/" + name + "/progress").json(200));
                break;
            }
        }
        long completedMs = (System.nanoTime() - t0) / 1_000_000;
        String loadAfter = loadAverage();
        long peakHeap = BenchSupport.peakHeapMb();
        long cpuMs = (processCpuNanos() - cpuBefore) / 1_000_000;

        double[] sentAt = sentSeconds(dataSource, submitted);
        JsonNode stats = simulator.stats();
        long accepted = stats.path("acceptedTotal").asLong();
        int duplicates = stats.path("duplicates").size();
        long peak = stats.path("peakPerSecond").path(PHONE_NUMBER_ID).asLong();

        System.out.printf("%n== send benchmark (%s, %,d recipients, cap %,d mps, latency %d ms) ==%n",
                db, recipients, mps, latencyMs);
        System.out.printf("campaign %s: %s, sent %s, failed %s%n", name, status, campaign.path("sent"), campaign.path("failed"));
        if (sentAt.length > 0) {
            System.out.printf("submit to first send: %,d ms%n", Math.round(sentAt[0] * 1000));
        }
        System.out.printf("submit to split done: %,d ms%n", splitMs);
        System.out.printf("submit to %s: %,d ms%n", status, completedMs);
        if (sentAt.length > 1) {
            int n = sentAt.length;
            int from = (int) (n * 0.1);
            int to = (int) (n * 0.9) - 1;
            double steady = (to - from) / (sentAt[to] - sentAt[from]);
            double firstToLast = (n - 1) / (sentAt[n - 1] - sentAt[0]);
            System.out.printf("send rate, steady (10%%..90%% of sends, %.1f s): %,.0f msg/s%n",
                    sentAt[to] - sentAt[from], steady);
            System.out.printf("send rate, first to last send (%.1f s): %,.0f msg/s; submit to %s: %,.0f msg/s%n",
                    sentAt[n - 1] - sentAt[0], firstToLast, status, n * 1000.0 / completedMs);
            int[] perSecond = perSecond(sentAt);
            int[] sorted = Arrays.stream(perSecond).filter(c -> c > 0).sorted().toArray();
            System.out.printf("sends per wall-clock second: median %,d, max %,d (of %d seconds)%n",
                    sorted[sorted.length / 2], sorted[sorted.length - 1], perSecond.length);
        }
        System.out.printf("simulator: accepted %,d (expected %,d), duplicates %d, peak %,d per sliding second "
                        + "(cap %,d), rejections %s%n", accepted, recipients, duplicates, peak, mps,
                stats.path("rejectionsByCode"));
        System.out.printf("peak heap: %,d MB (max heap %,d MB)%n", peakHeap, Runtime.getRuntime().maxMemory() / (1024 * 1024));
        System.out.printf("process CPU from submit to the end: %,d s on %,d s of wall clock (%.2f cores), %.1f ms per message "
                        + "(Herald and the simulator together)%n", cpuMs / 1000, completedMs / 1000,
                (double) cpuMs / completedMs, (double) cpuMs / recipients);
        System.out.printf("load average: before submit %s, at the end %s (%d cores)%n", loadBefore, loadAfter,
                Runtime.getRuntime().availableProcessors());

        List<String> problems = new ArrayList<>();
        if (duplicates > 0) {
            problems.add(duplicates + " recipients got more than one message");
        }
        if (accepted != recipients) {
            problems.add("the simulator accepted " + accepted + ", not " + recipients);
        }
        if (peak > mps) {
            problems.add("peak " + peak + " per second exceeds the cap " + mps);
        }
        if (!status.equals("Completed")) {
            problems.add("the campaign ended " + status);
        }
        System.out.println(problems.isEmpty() ? "OK" : "FAILED: " + String.join("; ", problems));
        return problems.isEmpty() ? 0 : 1;
    }

    /** Seconds from submit to each message's sent_at, in order. */
    private static double[] sentSeconds(DataSource dataSource, Instant submitted) throws Exception {
        List<Double> seconds = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT sent_at FROM whatsapp_message WHERE sent_at IS NOT NULL");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Instant at = rs.getObject(1, OffsetDateTime.class).toInstant();
                seconds.add(Duration.between(submitted, at).toNanos() / 1e9);
            }
        }
        return seconds.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }

    private static int[] perSecond(double[] sentAt) {
        int first = (int) Math.floor(sentAt[0]);
        int[] counts = new int[(int) Math.floor(sentAt[sentAt.length - 1]) - first + 1];
        for (double s : sentAt) {
            counts[(int) Math.floor(s) - first]++;
        }
        return counts;
    }

    /** A setting given to this JVM as a system property or an environment variable, as Camel reads them. */
    private static String setting(String key) {
        String value = System.getProperty(key);
        if (value == null) {
            value = System.getenv(key.toUpperCase().replace('.', '_').replace('-', '_'));
        }
        return value == null || value.isBlank() ? null : value;
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (Exception e) {
            return String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
