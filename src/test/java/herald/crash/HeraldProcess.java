package herald.crash;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Herald as a separate operating-system process, started from the test's own classpath in the
 * project folder, so a test can kill it with SIGKILL and start it again on the same data.
 */
final class HeraldProcess {

    private final Map<String, String> env;
    private final Path dataDir;
    private final Path log;
    private final int port;
    private final String postgresDb;
    private Process process;

    private HeraldProcess(Map<String, String> env, Path dataDir, Path log, int port, String postgresDb) {
        this.env = env;
        this.dataDir = dataDir;
        this.log = log;
        this.port = port;
        this.postgresDb = postgresDb;
    }

    /**
     * A Herald, not yet started, on a new data folder and, when the tests run on PostgreSQL, a new
     * database (dropped by {@link #stop()}); {@code settings} are environment variables on top.
     */
    static HeraldProcess fresh(String name, String adminPassword, Map<String, String> settings) throws Exception {
        Path dataDir = Files.createTempDirectory("herald-" + name + "-");
        int port = freePort();
        Map<String, String> env = new HashMap<>();
        env.put("HERALD_DATA_DIR", dataDir.toString());
        env.put("HERALD_PORT", Integer.toString(port));
        env.put("HERALD_MANAGEMENT_PORT", Integer.toString(freePort()));
        env.put("HERALD_ADMIN_PASSWORD", adminPassword);
        env.put("HERALD_SANDBOX", "false");
        env.put("HERALD_ENCRYPTION_KEY", name + "-test-encryption-key");
        String postgresDb = null;
        if ("postgresql".equals(System.getProperty("herald.test.db", "h2"))) {
            postgresDb = "herald_" + name + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            postgres("CREATE DATABASE " + postgresDb);
            env.put("HERALD_DB_URL", "jdbc:postgresql://127.0.0.1:5432/" + postgresDb);
            env.put("HERALD_DB_USER", "postgres");
        }
        env.putAll(settings);
        return new HeraldProcess(env, dataDir, dataDir.resolve("herald.log"), port, postgresDb);
    }

    private static void postgres(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
             Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    Path dataDir() {
        return dataDir;
    }

    /** Everything the process wrote to standard output and error. */
    String output() throws IOException {
        return Files.readString(log);
    }

    /** The PostgreSQL database's tables, when the tests run on PostgreSQL (none on H2: it is a file in the data folder). */
    long postgresTables() throws Exception {
        if (postgresDb == null) {
            return 0;
        }
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + postgresDb, "postgres", "");
             Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Starts a Herald that must refuse to start, and answers its exit code; one still running
     * after a minute is stopped and fails the test, as a refusal that hangs is a failure too.
     */
    int exitOfRefusedStart() throws Exception {
        process = launch("-Xmx256m");
        if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("Herald was expected to refuse to start but was still running after a minute; see " + log);
        }
        return process.exitValue();
    }

    int port() {
        return port;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    private Process launch(String maxHeap) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                maxHeap, "-cp", System.getProperty("java.class.path"), "herald.HeraldMain")
                .directory(new File(System.getProperty("user.dir")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        return builder.start();
    }

    void start() throws Exception {
        process = launch("-Xmx1g");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.currentTimeMillis() + 300_000;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Herald exited with " + process.exitValue() + "; see " + log);
            }
            try {
                // 401 comes from the /api routes themselves: they are up, not just the HTTP server.
                int status = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/api/accounts")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 401) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("Herald did not answer within five minutes; see " + log);
    }

    /** SIGKILL: no shutdown hook, no flush, exactly like a crash. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    void stop() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroy();
            process.waitFor();
        }
        if (postgresDb != null) {
            postgres("DROP DATABASE IF EXISTS " + postgresDb + " WITH (FORCE)");
        }
    }
}
