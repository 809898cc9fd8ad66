package herald.report;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import javax.sql.DataSource;

import herald.HeraldMain;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.Main;
import org.apache.camel.support.DefaultExchange;

/**
 * The Bulk WhatsApp Status report's benchmark (not a test): starts a real Herald on a database of
 * its own, fills it with campaigns and messages in bulk (INSERT ... SELECT over generate_series on
 * PostgreSQL, SYSTEM_RANGE on H2), then times the report's query as the route runs it, and the whole
 * HTTP answer, printing the median of several runs. docs/report.md gives the command and figures.
 *
 * <p>Options: {@code --db postgresql|h2} (default postgresql), {@code --campaigns N} (1000),
 * {@code --messages N} (10000000), {@code --runs N} (7), {@code --database NAME} (PostgreSQL: use
 * and keep this database and the data folder target/benchmark/NAME, filled only if it has no
 * benchmark campaigns yet; by default a fresh one is dropped at the end), {@code --data-dir PATH}
 * (the same for H2's data folder).
 */
public final class ReportBenchmark {

    private static final String PG_SERVER = "jdbc:postgresql://127.0.0.1:5432/";
    private static final String ADMIN_PASSWORD = "benchmark-admin-password";
    private static final int ACCOUNTS = 4;
    private static final int CHANGES_WAITING = 20_000;
    private static final int STATUS_WRITERS = 40;
    private static final List<String> FILL_STATUSES = List.of("Completed", "Partially Failed", "Cancelled", "In Progress");

    private final String db;
    private final int campaigns;
    private final long messages;
    private final int runs;
    private final String database;
    private final Path dataDir;
    private final boolean keep;
    private final int port;
    private Main herald;
    private DataSource dataSource;

    private ReportBenchmark(Map<String, String> options) throws IOException {
        db = options.getOrDefault("db", "postgresql");
        if (!db.equals("postgresql") && !db.equals("h2")) {
            throw new IllegalArgumentException("--db must be postgresql or h2");
        }
        campaigns = Integer.parseInt(options.getOrDefault("campaigns", "1000"));
        messages = Long.parseLong(options.getOrDefault("messages", "10000000"));
        runs = Integer.parseInt(options.getOrDefault("runs", "7"));
        if (campaigns < 1 || messages < campaigns || runs < 1) {
            throw new IllegalArgumentException("--campaigns, --messages and --runs must be positive, messages >= campaigns");
        }
        keep = options.containsKey("database") || options.containsKey("data-dir");
        database = options.getOrDefault("database", "herald_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10));
        // A kept database needs its data folder too: the sandbox account's secrets are encrypted with a key kept there.
        dataDir = options.containsKey("data-dir") ? Path.of(options.get("data-dir"))
                : options.containsKey("database") ? Path.of("target", "benchmark", database)
                : Files.createTempDirectory("herald-bench-");
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                System.err.println("usage: ReportBenchmark [--db postgresql|h2] [--campaigns N] [--messages N] [--runs N] "
                        + "[--database NAME] [--data-dir PATH]");
                System.exit(2);
            }
            options.put(args[i].substring(2), args[++i]);
        }
        ReportBenchmark benchmark = new ReportBenchmark(options);
        try {
            benchmark.run();
        } finally {
            benchmark.close();
        }
    }

    private void run() throws Exception {
        start();
        long existing = count("SELECT COUNT(*) FROM bulk_whatsapp_message WHERE created_by = 'benchmark'");
        if (existing == 0) {
            fill();
        } else {
            System.out.printf(Locale.ROOT, "Reusing %,d benchmark campaigns and %,d messages%n", existing,
                    count("SELECT COUNT(*) FROM whatsapp_message"));
        }
        System.out.printf(Locale.ROOT, "%nDatabase: %s; %d cores; load average %.2f before timing%n", product(),
                Runtime.getRuntime().availableProcessors(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.printf(Locale.ROOT, "Each figure: the median of %d runs after one unmeasured run (min / median / max, ms)%n%n", runs);

        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        long someAccount = count("SELECT MIN(sending_account_id) FROM bulk_whatsapp_message WHERE created_by = 'benchmark'");
        Map<String, Map<String, Object>> scenarios = new LinkedHashMap<>();
        scenarios.put("all campaigns, no filter", Map.of());
        scenarios.put("last 30 days (from/to)", Map.of("from", today.minusDays(29).toString(), "to", today.toString()));
        scenarios.put("running (status=Queued,In Progress,Paused)", Map.of("status", "Queued,In Progress,Paused"));
        scenarios.put("one account of " + ACCOUNTS + " (accountId)", Map.of("accountId", Long.toString(someAccount)));

        // The floor any report over every message pays: reading each row once, without grouping.
        print("floor  SELECT COUNT(*) FROM whatsapp_message", time(() -> {
            count("SELECT COUNT(*) FROM whatsapp_message");
            return null;
        }), "for comparison");
        CamelContext context = herald.getCamelContext();
        ProducerTemplate producer = context.createProducerTemplate();
        BulkStatusReport report = new BulkStatusReport();
        for (Map.Entry<String, Map<String, Object>> s : scenarios.entrySet()) {
            Exchange request = new DefaultExchange(context);
            request.getMessage().setHeaders(new LinkedHashMap<>(s.getValue()));
            Map<String, Object> query = report.filters(request.getMessage());
            int[] rows = new int[1];
            print("query  " + s.getKey(), time(() -> {
                rows[0] = producer.requestBody("direct:bulk-whatsapp-status-rows", query, List.class).size();
                return null;
            }), rows[0] + " campaigns");
        }
        timeWithChangesWaiting(producer, report);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String authorization = "Basic " + Base64.getEncoder().encodeToString(("admin:" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));
        for (String format : List.of("json", "csv")) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/api/reports/bulk-whatsapp-status?format=" + format)).header("Authorization", authorization).build();
            long[] bytes = new long[1];
            print("HTTP   GET all campaigns, format=" + format, time(() -> {
                HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("the report answered " + response.statusCode());
                }
                bytes[0] = response.body().length;
                return null;
            }), String.format(Locale.ROOT, "%,d bytes", bytes[0]));
        }
        System.out.printf(Locale.ROOT, "%nLoad average after timing: %.2f%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        if (db.equals("postgresql")) {
            timeStatusChanges();
        }
        checkExact(producer, report);
    }

    /**
     * The report while the fold is stopped and CHANGES_WAITING change rows wait for it (they add up
     * to nothing, so the figures stay right): what it costs when changes come faster than a fold a
     * second takes them, or the fold is late.
     */
    private void timeWithChangesWaiting(ProducerTemplate producer, BulkStatusReport report) throws Exception {
        herald.getCamelContext().getRouteController().stopRoute("fold-message-count-changes");
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO campaign_message_count_change (campaign_id, status, n) SELECT c.id, 'Read', "
                    + "CASE WHEN MOD(s.n, 2) = 0 THEN 1 ELSE -1 END FROM bulk_whatsapp_message c CROSS JOIN "
                    + (db.equals("postgresql") ? "generate_series" : "SYSTEM_RANGE") + "(1, " + (CHANGES_WAITING / campaigns)
                    + ") AS s(n) WHERE c.created_by = 'benchmark'");
        }
        Map<String, Object> query = report.filters(new DefaultExchange(herald.getCamelContext()).getMessage());
        print(String.format(Locale.ROOT, "query  all campaigns, %,d changes waiting", count(
                "SELECT COUNT(*) FROM campaign_message_count_change")), time(() -> {
            producer.requestBody("direct:bulk-whatsapp-status-rows", query, List.class);
            return null;
        }), "fold stopped");
        herald.getCamelContext().getRouteController().startRoute("fold-message-count-changes");
    }

    /**
     * What the counting triggers cost the send path: STATUS_WRITERS connections change messages of
     * one running campaign, each message Queued to Sending then to Sent in two single-row
     * statements as a send's claim and its result do, with the triggers off and on by turns. The
     * rounds with the triggers off put their messages back with the triggers still off, so the
     * counts stay true.
     */
    private void timeStatusChanges() throws Exception {
        long campaign = count("SELECT MIN(id) FROM bulk_whatsapp_message WHERE created_by = 'benchmark' AND status = 'In Progress'");
        List<Long> ids = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM whatsapp_message WHERE bulk_message_reference = " + campaign
                     + " AND status = 'Queued' ORDER BY id")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        System.out.printf(Locale.ROOT, "%nStatus changes: %d connections, %,d messages of one campaign, Queued -> Sending -> Sent "
                + "(2 single-row statements each), changes per second:%n", STATUS_WRITERS, ids.size());
        String triggers = "ALTER TABLE whatsapp_message %s TRIGGER count_updated_messages";
        for (int round = 0; round < 3; round++) {
            for (boolean on : List.of(false, true)) {
                if (!on) {
                    execute(triggers.formatted("DISABLE"));
                }
                double perSecond = changeStatuses(ids);
                requeue(ids);
                if (!on) {
                    execute(triggers.formatted("ENABLE"));
                }
                System.out.printf(Locale.ROOT, "  round %d, counting triggers %-3s %,8.0f /s   (load average %.2f)%n", round + 1,
                        on ? "on" : "off", perSecond, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            }
        }
    }

    private void requeue(List<Long> ids) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE whatsapp_message SET status = 'Queued' WHERE id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("bigint", ids.toArray()));
            ps.executeUpdate();
        }
    }

    private double changeStatuses(List<Long> ids) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(STATUS_WRITERS);
        long t0 = System.nanoTime();
        try {
            List<Future<Void>> writers = new ArrayList<>();
            for (int w = 0; w < STATUS_WRITERS; w++) {
                int first = w;
                writers.add(pool.submit((Callable<Void>) () -> {
                    try (Connection c = dataSource.getConnection();
                         PreparedStatement ps = c.prepareStatement("UPDATE whatsapp_message SET status = ?, "
                                 + "updated_at = CURRENT_TIMESTAMP WHERE id = ?")) {
                        for (int i = first; i < ids.size(); i += STATUS_WRITERS) {
                            for (String status : List.of("Sending", "Sent")) {
                                ps.setString(1, status);
                                ps.setLong(2, ids.get(i));
                                ps.executeUpdate();
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<Void> writer : writers) {
                writer.get();
            }
        } finally {
            pool.shutdown();
        }
        return ids.size() * 2 / ((System.nanoTime() - t0) / 1e9);
    }

    /** The report's counts of every campaign against a GROUP BY over the message rows: they must be equal. */
    private void checkExact(ProducerTemplate producer, BulkStatusReport report) throws Exception {
        Map<String, Object> query = report.filters(new DefaultExchange(herald.getCamelContext()).getMessage());
        Map<Long, Map<String, Long>> reported = new LinkedHashMap<>();
        for (Object row : producer.requestBody("direct:bulk-whatsapp-status-rows", query, List.class)) {
            Map<?, ?> r = (Map<?, ?>) row;
            Map<String, Long> counts = reported.computeIfAbsent(((Number) r.get("id")).longValue(), id -> new LinkedHashMap<>());
            for (String column : BulkStatusReport.COUNTS) {
                counts.put(column, ((Number) r.get(column.equals("read") ? "read_count" : column)).longValue());
            }
        }
        Map<Long, Map<String, Long>> counted = new LinkedHashMap<>();
        for (long id : reported.keySet()) {
            counted.put(id, new LinkedHashMap<>(Map.of("total", 0L, "sent", 0L, "delivered", 0L, "read", 0L, "failed", 0L,
                    "queued", 0L, "cancelled", 0L, "unconfirmed", 0L)));
        }
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT bulk_message_reference, status, COUNT(*) FROM whatsapp_message "
                     + "GROUP BY bulk_message_reference, status")) {
            while (rs.next()) {
                Map<String, Long> counts = counted.computeIfAbsent(rs.getLong(1), id -> new LinkedHashMap<>());
                long n = rs.getLong(3);
                List<String> columns = switch (rs.getString(2)) {
                    case "Sent" -> List.of("sent");
                    case "Delivered" -> List.of("sent", "delivered");
                    case "Read" -> List.of("sent", "delivered", "read");
                    case "Failed" -> List.of("failed");
                    case "Queued", "Sending", "Retrying" -> List.of("queued");
                    case "Cancelled" -> List.of("cancelled");
                    default -> List.of("unconfirmed");
                };
                counts.merge("total", n, Long::sum);
                columns.forEach(column -> counts.merge(column, n, Long::sum));
            }
        }
        for (Map.Entry<Long, Map<String, Long>> campaign : counted.entrySet()) {
            if (!campaign.getValue().equals(reported.get(campaign.getKey()))) {
                throw new IllegalStateException("campaign " + campaign.getKey() + ": the report says " + reported.get(campaign.getKey())
                        + ", the message rows " + campaign.getValue());
            }
        }
        System.out.printf(Locale.ROOT, "%nExact: every count of the report equals a GROUP BY over the messages (%d campaigns)%n",
                counted.size());
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private void start() throws Exception {
        String url = "";
        if (db.equals("postgresql")) {
            try (Connection c = DriverManager.getConnection(PG_SERVER + "postgres", "postgres", "");
                 Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + database.replace("'", "") + "'")) {
                if (!rs.next()) {
                    s.execute("CREATE DATABASE \"" + database.replace("\"", "") + "\"");
                }
            }
            url = PG_SERVER + database;
        }
        System.out.println("Starting Herald on " + (db.equals("h2") ? "H2 in " + dataDir : "PostgreSQL database " + database));
        herald = HeraldMain.create();
        herald.addOverrideProperty("herald.data-dir", dataDir.toString());
        herald.addOverrideProperty("herald.port", Integer.toString(port));
        try (ServerSocket socket = new ServerSocket(0)) {
            herald.addOverrideProperty("herald.management-port", Integer.toString(socket.getLocalPort()));
        }
        herald.addOverrideProperty("herald.admin.password", ADMIN_PASSWORD);
        herald.addOverrideProperty("herald.db.url", url);
        herald.addOverrideProperty("herald.db.user", db.equals("h2") ? "" : "postgres");
        herald.addOverrideProperty("herald.db.password", "");
        // The timed figures are the report's alone: no reconciliation sweeps the filled campaigns meanwhile.
        herald.addOverrideProperty("herald.results.reconcile-period-ms", "86400000");
        // Enough connections for the status writers to run side by side, as that many senders would.
        herald.addOverrideProperty("herald.db.pool-size", Integer.toString(STATUS_WRITERS + 8));
        herald.start();
        dataSource = herald.getCamelContext().getRegistry().lookupByNameAndType("dataSource", DataSource.class);
    }

    /**
     * Accounts, templates and campaigns first, then the messages campaign by campaign in two
     * parallel connections. On PostgreSQL the plain indexes of whatsapp_message are built once
     * after the load (far faster than maintaining them row by row) and foreign keys are not
     * checked during it (the rows are made to match them), nor are the report's counting triggers
     * run, so the report's counts of the filled messages are taken once at the end; then VACUUM
     * ANALYZE, as autovacuum would eventually do, so the planner knows the table and index-only scans see all-visible pages.
     */
    private void fill() throws Exception {
        long started = System.nanoTime();
        long perCampaign = messages / campaigns;
        System.out.printf(Locale.ROOT, "Filling %,d campaigns with %,d messages each...%n", campaigns, perCampaign);
        boolean postgres = db.equals("postgresql");
        // The same column name on both databases: s.n.
        String range = postgres ? "generate_series(1, %d) AS s(n)" : "SYSTEM_RANGE(1, %d) AS s(n)";
        String number = "s.n";
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO whatsapp_account (name, phone_number_id, waba_id, access_token_enc, api_base_url, "
                    + "api_version, messages_per_second, active, is_default) SELECT 'Benchmark account ' || " + number
                    + ", '10654035224292' || " + number + ", '10229012934039' || " + number + ", 'benchmark-not-a-token', "
                    + "'http://127.0.0.1:9', 'v23.0', 80, TRUE, FALSE FROM " + range.formatted(ACCOUNTS));
            s.execute("INSERT INTO whatsapp_template (account_id, name, language, category, status, parameter_format, "
                    + "components, header_kind, header_params, body_params) SELECT id, 'benchmark_offer', 'en', 'MARKETING', "
                    + "'APPROVED', 'POSITIONAL', '[]', 'NONE', '[]', '[]' FROM whatsapp_account WHERE name LIKE 'Benchmark account %'");
            // Campaigns a year apart from first to last, the newest created now; one in ten still running.
            long spacingSeconds = Math.max(1, 365L * 86400 / campaigns);
            s.execute("INSERT INTO bulk_whatsapp_message (name, title, recipient_type, template_id, sending_account_id, "
                    + "sending_template_id, variable_type, status, split_state, created_by, created_at) "
                    + "SELECT 'BENCH-' || LPAD(CAST(" + number + " AS VARCHAR), 6, '0'), 'Benchmark campaign ' || " + number
                    + ", 'Recipient List', t.id, t.account_id, t.id, 'Common', CASE "
                    + "WHEN MOD(" + number + ", 10) = 0 THEN '" + FILL_STATUSES.get(3) + "' "
                    + "WHEN MOD(" + number + ", 10) = 1 THEN '" + FILL_STATUSES.get(1) + "' "
                    + "WHEN MOD(" + number + ", 25) = 2 THEN '" + FILL_STATUSES.get(2) + "' ELSE '" + FILL_STATUSES.get(0)
                    + "' END, 'NONE', 'benchmark', CURRENT_TIMESTAMP - (" + campaigns + " - " + number + ") * " + spacingSeconds
                    + " * INTERVAL '1' SECOND FROM " + range.formatted(campaigns) + " "
                    + "JOIN whatsapp_template t ON t.name = 'benchmark_offer' AND t.account_id = "
                    + "(SELECT MIN(id) FROM whatsapp_account WHERE name LIKE 'Benchmark account %') + MOD(" + number + ", "
                    + ACCOUNTS + ")");
        }
        List<String> dropped = postgres ? dropPlainIndexes() : List.of();
        List<Long> ids = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM bulk_whatsapp_message WHERE created_by = 'benchmark' ORDER BY id")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        // Statuses by position in the campaign, shifted per campaign; running campaigns keep a third queued.
        String insert = "INSERT INTO whatsapp_message (bulk_message_reference, seq, mobile_number, account_id, template_id, "
                + "parameters, status) SELECT c.id, " + number + ", '+49151' || LPAD(CAST(" + number + " AS VARCHAR), 8, '0'), "
                + "c.sending_account_id, c.sending_template_id, '[]', CASE "
                + "WHEN c.status = 'In Progress' AND MOD(" + number + ", 3) = 0 THEN 'Queued' "
                + "WHEN MOD(" + number + " + c.id, 100) < 45 THEN 'Read' WHEN MOD(" + number + " + c.id, 100) < 75 THEN 'Delivered' "
                + "WHEN MOD(" + number + " + c.id, 100) < 88 THEN 'Sent' WHEN MOD(" + number + " + c.id, 100) < 93 THEN 'Failed' "
                + "WHEN MOD(" + number + " + c.id, 100) < 95 THEN 'Queued' WHEN MOD(" + number + " + c.id, 100) < 96 THEN 'Sending' "
                + "WHEN MOD(" + number + " + c.id, 100) < 97 THEN 'Retrying' WHEN MOD(" + number + " + c.id, 100) < 99 THEN 'Cancelled' "
                + "ELSE 'Unconfirmed' END FROM bulk_whatsapp_message c CROSS JOIN " + range.formatted(perCampaign) + " "
                + "WHERE c.id = ?";
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Void>> parts = new ArrayList<>();
            for (int part = 0; part < 2; part++) {
                List<Long> mine = ids.subList(part * ids.size() / 2, (part + 1) * ids.size() / 2);
                boolean reports = part == 0;
                parts.add(pool.submit((Callable<Void>) () -> {
                    insertMessages(insert, mine, postgres, reports ? ids.size() : 0, started);
                    return null;
                }));
            }
            for (Future<Void> part : parts) {
                part.get();
            }
        } finally {
            pool.shutdown();
        }
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (String index : dropped) {
                s.execute(index);
            }
            if (postgres) {
                // session_replication_role = replica silenced the counting triggers too: count the filled messages once.
                s.execute("INSERT INTO campaign_message_count (campaign_id, status, n) SELECT m.bulk_message_reference, m.status, "
                        + "COUNT(*) FROM whatsapp_message m JOIN bulk_whatsapp_message c ON c.id = m.bulk_message_reference "
                        + "WHERE c.created_by = 'benchmark' GROUP BY m.bulk_message_reference, m.status");
            }
            s.execute(postgres ? "VACUUM ANALYZE" : "ANALYZE");
        }
        System.out.printf(Locale.ROOT, "Filled %,d messages in %.1f s%n", count("SELECT COUNT(*) FROM whatsapp_message"),
                (System.nanoTime() - started) / 1e9);
    }

    private void insertMessages(String insert, List<Long> campaignIds, boolean postgres, int reportOf, long started)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (postgres) {
                try (Statement s = c.createStatement()) {
                    s.execute("SET session_replication_role = replica");
                }
            }
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(insert)) {
                int done = 0;
                for (long id : campaignIds) {
                    ps.setLong(1, id);
                    ps.executeUpdate();
                    c.commit();
                    done++;
                    if (reportOf > 0 && done % Math.max(1, campaignIds.size() / 10) == 0) {
                        System.out.printf(Locale.ROOT, "  ~%d%% of the messages after %.0f s%n", done * 100 / campaignIds.size(),
                                (System.nanoTime() - started) / 1e9);
                    }
                }
            } finally {
                c.setAutoCommit(true);
                if (postgres) {
                    // The connection goes back to Herald's pool: foreign keys are checked again there.
                    try (Statement s = c.createStatement()) {
                        s.execute("SET session_replication_role = origin");
                    }
                }
            }
        }
    }

    /** Drops whatsapp_message's plain (non-unique) indexes and answers the statements that recreate them. */
    private List<String> dropPlainIndexes() throws SQLException {
        List<String> recreate = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            List<String> names = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'whatsapp_message' "
                    + "AND indexdef NOT LIKE 'CREATE UNIQUE%'")) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                    recreate.add(rs.getString(2));
                }
            }
            for (String name : names) {
                s.execute("DROP INDEX \"" + name + "\"");
            }
        }
        return recreate;
    }

    private long[] time(Callable<Void> call) throws Exception {
        touch();
        call.call();
        long[] millis = new long[runs];
        for (int i = 0; i < runs; i++) {
            touch();
            long t0 = System.nanoTime();
            call.call();
            millis[i] = (System.nanoTime() - t0) / 1_000_000;
        }
        Arrays.sort(millis);
        return millis;
    }

    /**
     * Changes one message's status before each run, untimed, as sends do all the time: H2 answers a
     * query it ran before from its last result while no table changed, which would time nothing.
     */
    private void touch() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE whatsapp_message SET status = CASE WHEN status = 'Read' THEN 'Delivered' ELSE 'Read' END, "
                    + "updated_at = CURRENT_TIMESTAMP WHERE id = (SELECT MIN(id) FROM whatsapp_message)");
        }
    }

    private static void print(String what, long[] sorted, String size) {
        System.out.printf(Locale.ROOT, "%-60s %6d / %6d / %6d ms   (%s)%n", what, sorted[0], sorted[sorted.length / 2],
                sorted[sorted.length - 1], size);
    }

    private long count(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private String product() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return c.getMetaData().getDatabaseProductName() + " " + c.getMetaData().getDatabaseProductVersion();
        }
    }

    private void close() throws Exception {
        if (herald != null) {
            herald.stop();
        }
        if (!keep) {
            if (db.equals("postgresql")) {
                try (Connection c = DriverManager.getConnection(PG_SERVER + "postgres", "postgres", "");
                     Statement s = c.createStatement()) {
                    s.execute("DROP DATABASE IF EXISTS \"" + database.replace("\"", "") + "\" WITH (FORCE)");
                }
            }
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        } else {
            System.out.println("Kept " + (db.equals("h2") ? "the data folder " + dataDir : "the database " + database)
                    + " for another run");
        }
    }
}
