package herald.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import herald.testing.ApiClient;
import org.apache.camel.api.management.ManagedCamelContext;
import org.apache.camel.main.Main;

/**
 * Times a submit: a Recipient List of N rows (CSV import), then Submit (the streaming check) and
 * the split into N WhatsApp Message rows and the campaign's window of exchanges on the Artemis
 * send queue (sending is off, so the window stays full and the queue depth is its size). Prints
 * the figures and the peak heap.
 *
 * <pre>
 * ./mvnw -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Xmx2g -cp "target/test-classes:target/classes:$(cat target/cp.txt)" herald.bench.SubmitBenchmark 100000 h2
 * java -Xmx2g -cp "target/test-classes:target/classes:$(cat target/cp.txt)" herald.bench.SubmitBenchmark 1000000 postgresql
 * </pre>
 */
public final class SubmitBenchmark {

    private SubmitBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int recipients = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        String db = args.length > 1 ? args[1] : "h2";
        Path dataDir = Files.createTempDirectory("herald-bench-");
        int port = BenchSupport.freePort();
        Main main = BenchSupport.herald(dataDir, port, false);
        String pgDb = null;
        if (db.equals("postgresql")) {
            pgDb = "herald_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
            BenchSupport.postgres("CREATE DATABASE " + pgDb);
            main.addOverrideProperty("herald.db.url", "jdbc:postgresql://127.0.0.1:5432/" + pgDb);
            main.addOverrideProperty("herald.db.user", "postgres");
        }
        main.start();
        try {
            run(new ApiClient("http://127.0.0.1:" + port).basic("admin", "bench-password"), recipients, db, dataDir,
                    main.getCamelContext().getRegistry().lookupByNameAndType("dataSource", DataSource.class));
            ManagedCamelContext managed = main.getCamelContext().getCamelContextExtension()
                    .getContextPlugin(ManagedCamelContext.class);
            for (String route : List.of("write-message-batch", "enqueue-message-batch")) {
                var stats = managed.getManagedRoute(route);
                System.out.printf("route %s: %,d batches, mean %,d ms, max %,d ms%n", route,
                        stats.getExchangesCompleted(), stats.getMeanProcessingTime(), stats.getMaxProcessingTime());
            }
        } finally {
            main.stop();
            if (pgDb != null) {
                BenchSupport.postgres("DROP DATABASE IF EXISTS " + pgDb + " WITH (FORCE)");
            }
        }
    }

    private static void run(ApiClient api, int recipients, String db, Path dataDir, DataSource dataSource) throws Exception {
        long accountId = api.post("/api/accounts", Map.of("name", "Bench", "phoneNumberId", "1000001", "wabaId", "2000001",
                "accessToken", "bench-token", "apiBaseUrl", "http://127.0.0.1:9", "messagesPerSecond", 1000))
                .json(201).path("id").asLong();
        long templateId = BenchSupport.template(api, accountId);
        Path csv = BenchSupport.recipientsCsv(dataDir, recipients);
        long listId = api.post("/api/recipient-lists", Map.of("name", "bench")).json(201).path("id").asLong();
        long t0 = System.nanoTime();
        JsonNode imported = api.postFile("/api/recipient-lists/" + listId + "/import", "text/csv", csv).json(200);
        long importMs = (System.nanoTime() - t0) / 1_000_000;
        String name = api.post("/api/campaigns", Map.of("title", "Bench", "recipientType", "Recipient List",
                "recipientListId", listId, "templateId", templateId, "variableType", "Unique")).json(201).path("name").asText();

        System.gc();
        BenchSupport.resetPeaks();
        long t1 = System.nanoTime();
        api.post("/api/campaigns/" + name + "/submit", Map.of()).expect(202);
        long submitCallMs = (System.nanoTime() - t1) / 1_000_000;
        long rows;
        do {
            Thread.sleep(200);
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                 var rs = s.executeQuery("SELECT COUNT(*) FROM whatsapp_message")) {
                rs.next();
                rows = rs.getLong(1);
            }
        } while (rows < recipients);
        long splitMs = (System.nanoTime() - t1) / 1_000_000;
        System.out.printf("%n== submit benchmark (%s, %,d recipients) ==%n", db, recipients);
        System.out.printf("CSV import: %,d ms (%s added)%n", importMs, imported.path("import").path("added"));
        System.out.printf("submit call (checks every row): %,d ms%n", submitCallMs);
        System.out.printf("submit to every row written: %,d ms (%,.0f recipients/s)%n", splitMs, recipients * 1000.0 / splitMs);
        // Sending is off, so the campaign's window (herald.split.window-seconds at 1,000 mps) stays full.
        System.out.printf("message rows: %,d, send queue depth: %,d (the window)%n", rows, BenchSupport.queueDepth());
        System.out.printf("peak heap during submit and split: %,d MB (max heap %,d MB)%n", BenchSupport.peakHeapMb(),
                Runtime.getRuntime().maxMemory() / (1024 * 1024));
    }
}
