package herald.testing;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import javax.sql.DataSource;

import herald.HeraldMain;
import org.apache.camel.CamelContext;
import org.apache.camel.main.DefaultMainShutdownStrategy;
import org.apache.camel.main.Main;

/**
 * One real Herald for the whole test JVM: started on first use and stopped when the JVM exits.
 * Starting Herald (Flyway, Artemis, HTTP) costs seconds, so every test class shares it; tests
 * therefore give what they create unique names ({@link #unique}) and never assume an empty database.
 *
 * <p>The database comes from the system property {@code herald.test.db}: {@code h2} (default, the
 * embedded file under a fresh data folder) or {@code postgresql} (a fresh database on
 * 127.0.0.1:5432, dropped at exit).
 */
public final class HeraldServer {

    public static final String ADMIN_USER = "admin";
    public static final String ADMIN_PASSWORD = "admin-password-for-tests";
    /** The key Herald signs completion callbacks with in tests (herald.callbacks.secret). */
    public static final String CALLBACK_SECRET = "callback-secret-for-tests";
    /** How long a completion callback is retried in tests: short, so giving up can be watched. */
    public static final int CALLBACK_DEADLINE_SECONDS = 6;

    private static final String POSTGRES_ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";
    private static final AtomicLong NAMES = new AtomicLong();
    private static HeraldServer shared;
    private static RuntimeException startFailure;

    private final String db;
    private final Path dataDir;
    private final Path logFile;
    private final int port;
    private final Main main;
    private final CamelContext context;
    private final DataSource dataSource;

    private HeraldServer(String db) throws Exception {
        this.db = db;
        this.dataDir = Files.createTempDirectory("herald-test-");
        this.logFile = dataDir.resolve("test-output.log");
        this.port = freePort();
        String postgresDb = db.equals("postgresql") ? createPostgresDatabase() : null;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(postgresDb), "herald-test-shutdown"));
        captureOutput(logFile);

        main = HeraldMain.create();
        // The hook above stops Herald before it drops the database and deletes the data folder;
        // Camel's own hook would stop it at the same time and race that clean-up.
        if (main.getShutdownStrategy() instanceof DefaultMainShutdownStrategy camelHook) {
            camelHook.disableHangupSupport();
        }
        main.addOverrideProperty("herald.data-dir", dataDir.toString());
        main.addOverrideProperty("herald.port", Integer.toString(port));
        main.addOverrideProperty("herald.management-port", Integer.toString(freePort()));
        main.addOverrideProperty("herald.admin.user", ADMIN_USER);
        main.addOverrideProperty("herald.admin.password", ADMIN_PASSWORD);
        // Whatever the shipped default: the sandbox tests walk through the README's simulated account.
        main.addOverrideProperty("herald.sandbox", "true");
        // The inbox and the callbacks at test pace: short waits, quick retries, a deadline of seconds.
        main.addOverrideProperty("herald.inbox.poll-ms", "200");
        main.addOverrideProperty("herald.inbox.stable-ms", "400");
        main.addOverrideProperty("herald.callbacks.secret", CALLBACK_SECRET);
        main.addOverrideProperty("herald.callbacks.poll-ms", "200");
        main.addOverrideProperty("herald.callbacks.first-retry-ms", "300");
        main.addOverrideProperty("herald.callbacks.max-retry-ms", "1000");
        main.addOverrideProperty("herald.callbacks.deadline-seconds", Integer.toString(CALLBACK_DEADLINE_SECONDS));
        // Meta's minute-long waits (maintenance, call-rate limits) in seconds.
        main.addOverrideProperty("herald.send.retry-wait-scale", "0.1");
        // Tests never reach Meta: an account created without its own apiBaseUrl points at a closed local port.
        main.addOverrideProperty("herald.whatsapp.api-base-url", "http://127.0.0.1:" + freePort());
        if (postgresDb != null) {
            main.addOverrideProperty("herald.db.url", "jdbc:postgresql://127.0.0.1:5432/" + postgresDb);
            main.addOverrideProperty("herald.db.user", "postgres");
            main.addOverrideProperty("herald.db.password", "");
        } else {
            main.addOverrideProperty("herald.db.url", "");
        }
        main.start();
        context = main.getCamelContext();
        if (context == null || !context.isStarted()) {
            throw new IllegalStateException("Herald's CamelContext did not start");
        }
        dataSource = context.getRegistry().lookupByNameAndType("dataSource", DataSource.class);
    }

    /** The shared server, started on the first call; a failed start fails every later call the same way. */
    public static synchronized HeraldServer shared() {
        if (startFailure != null) {
            throw startFailure;
        }
        if (shared == null) {
            String db;
            try {
                db = database();
            } catch (IllegalArgumentException e) {
                startFailure = e;
                throw startFailure;
            }
            try {
                shared = new HeraldServer(db);
            } catch (Exception e) {
                startFailure = new IllegalStateException("the shared test Herald (" + db + ") did not start", e);
                throw startFailure;
            }
        }
        return shared;
    }

    /** The database the tests run on, from the system property herald.test.db: "h2" (default) or "postgresql". */
    public static String database() {
        String db = System.getProperty("herald.test.db", "h2").trim().toLowerCase(Locale.ROOT);
        if (!db.equals("h2") && !db.equals("postgresql")) {
            throw new IllegalArgumentException("herald.test.db must be h2 or postgresql, not '" + db + "'");
        }
        return db;
    }

    /** A name no other test in this JVM gets: prefix, underscore, a counter (valid as a template name too). */
    public static String unique(String prefix) {
        return prefix + "_" + NAMES.incrementAndGet();
    }

    /** The database the server runs on: "h2" or "postgresql". */
    public String db() {
        return db;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The file-drop inbox Herald watches (herald.inbox-dir, under the data folder). */
    public Path inboxDir() {
        return dataDir.resolve("inbox");
    }

    public CamelContext context() {
        return context;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** An API client signed in as the System Manager created at start-up. */
    public ApiClient admin() {
        return new ApiClient(baseUrl()).basic(ADMIN_USER, ADMIN_PASSWORD);
    }

    /** An API client that sends no credentials. */
    public ApiClient anonymous() {
        return new ApiClient(baseUrl());
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** Rows of a query, column names in lower case whichever database answered. */
    public List<Map<String, Object>> query(String sql, Object... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData meta = rs.getMetaData();
                List<Map<String, Object>> rows = new ArrayList<>();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int col = 1; col <= meta.getColumnCount(); col++) {
                        row.put(meta.getColumnLabel(col).toLowerCase(Locale.ROOT), rs.getObject(col));
                    }
                    rows.add(row);
                }
                return rows;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** The single row a query must return. */
    public Map<String, Object> queryOne(String sql, Object... params) {
        List<Map<String, Object>> rows = query(sql, params);
        if (rows.size() != 1) {
            throw new AssertionError("expected one row from " + sql + " but got " + rows.size());
        }
        return rows.get(0);
    }

    /** Everything Herald (and the tests) printed to standard output and error so far. */
    public String logText() {
        System.out.flush();
        System.err.flush();
        try {
            return Files.readString(logFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** A fresh, empty database on the test PostgreSQL; answers its name. */
    public static String createPostgresDatabase() throws SQLException {
        // Random, so concurrent runs on one PostgreSQL never share a database.
        String name = "herald_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(POSTGRES_ADMIN_URL, "postgres", "");
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return name;
    }

    /** Drops a database {@link #createPostgresDatabase} made. */
    public static void dropPostgresDatabase(String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(POSTGRES_ADMIN_URL, "postgres", "");
             Statement s = c.createStatement()) {
            // FORCE: the pool may still hold connections if Herald did not stop cleanly.
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }

    /**
     * slf4j-simple and Camel write to System.err and System.out at each call, so a tee installed
     * before Herald starts sees every log line while the console still gets them.
     */
    private static void captureOutput(Path file) throws IOException {
        OutputStream log = new FileOutputStream(file.toFile(), true);
        System.setOut(tee(System.out, log));
        System.setErr(tee(System.err, log));
    }

    private static PrintStream tee(PrintStream console, OutputStream log) {
        return new PrintStream(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                console.write(b);
                synchronized (log) {
                    log.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                console.write(b, off, len);
                synchronized (log) {
                    log.write(b, off, len);
                }
            }

            @Override
            public void flush() throws IOException {
                console.flush();
                synchronized (log) {
                    log.flush();
                }
            }
        }, true, StandardCharsets.UTF_8);
    }

    private void shutdown(String postgresDb) {
        try {
            if (main != null) {
                main.stop();
            }
        } catch (Exception e) {
            e.printStackTrace();
        }
        // Closing the pool closes an H2 file database, waiting for H2's own exit hook if that is
        // closing it already, so nothing writes to the data folder once this returns.
        if (dataSource instanceof AutoCloseable pool) {
            try {
                pool.close();
            } catch (Exception e) {
                e.printStackTrace();
            }
        }
        if (postgresDb != null) {
            try {
                dropPostgresDatabase(postgresDb);
            } catch (SQLException e) {
                e.printStackTrace();
            }
        }
        // Artemis or H2 may still be letting go of a file; try again, for a bounded time.
        long deadline = System.currentTimeMillis() + 10_000;
        while (Files.exists(dataDir) && System.currentTimeMillis() < deadline) {
            deleteTree(dataDir);
            if (Files.exists(dataDir)) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a file vanished or appeared while walking: the caller tries again
        }
    }

}
