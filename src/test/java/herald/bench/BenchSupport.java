package herald.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import herald.HeraldMain;
import herald.testing.ApiClient;
import org.apache.camel.main.Main;

/** What the benchmarks share: their template and recipients, a PostgreSQL statement, and what they read off the JVM. */
final class BenchSupport {

    private BenchSupport() {
    }

    static long queueDepth() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        for (ObjectName name : server.queryNames(new ObjectName("org.apache.activemq.artemis:*,component=addresses,"
                + "subcomponent=queues,queue=\"herald.send\""), null)) {
            return ((Number) server.getAttribute(name, "MessageCount")).longValue();
        }
        return -1;
    }

    static void resetPeaks() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
    }

    static long peakHeapMb() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak / (1024 * 1024);
    }

    static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static long template(ApiClient api, long accountId) {
        return api.post("/api/templates", Map.of("accountId", accountId, "name", "bench_notice", "language", "en",
                "status", "APPROVED", "components", List.of(Map.of("type", "BODY", "text", "Hello {{1}}, code {{2}}."))))
                .json(201).path("id").asLong();
    }

    /** A Recipient List CSV of distinct German mobile numbers with the template's two values. */
    static Path recipientsCsv(Path dataDir, int recipients) throws IOException {
        Path csv = dataDir.resolve("bench.csv");
        try (BufferedWriter w = Files.newBufferedWriter(csv)) {
            w.write("mobile_number,recipient_name,name,code\n");
            for (int i = 0; i < recipients; i++) {
                w.write(String.format("+4915%09d,R%d,R%d,%d%n", 100_000_000 + i, i, i, 1000 + i));
            }
        }
        return csv;
    }

    /** One statement on the server's postgres database (creating or dropping a benchmark's own). */
    static void postgres(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
             Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Herald in this JVM, not yet started, on its own data folder and port, with real accounts only. */
    static Main herald(Path dataDir, int port, boolean sending) throws Exception {
        Main main = HeraldMain.create();
        main.addOverrideProperty("herald.data-dir", dataDir.toString());
        main.addOverrideProperty("herald.port", Integer.toString(port));
        main.addOverrideProperty("herald.management-port", Integer.toString(freePort()));
        main.addOverrideProperty("herald.admin.password", "bench-password");
        main.addOverrideProperty("herald.sandbox", "false");
        main.addOverrideProperty("herald.encryption-key", "bench-encryption-key");
        main.addOverrideProperty("herald.send.enabled", Boolean.toString(sending));
        return main;
    }
}
