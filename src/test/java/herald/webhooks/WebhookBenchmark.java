package herald.webhooks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import herald.testing.ApiClient;
import herald.testing.HeraldServer;
import herald.whatsapp.WebhookSignature;

/**
 * Fires a burst of status webhooks at a running Herald (the test harness's server, on H2 unless
 * -Dherald.test.db=postgresql) and prints how fast they were answered and applied.
 *
 * <p>Arguments: status events (50000), statuses per POST (100), concurrent clients (8). Every
 * message gets sent, delivered and read, shuffled across all POSTs, so most arrive out of order.
 * "Applied" is when the last receipt is in the database; the first POST starts both clocks.
 * A small burst first warms the JIT and the connection pools and is not counted.
 */
public final class WebhookBenchmark {

    private static final long T0 = 1_780_000_000L;
    private static final String[] STATUSES = {"sent", "delivered", "read"};

    private WebhookBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int asked = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        // Whole messages of three events each, so at least the number asked for
        int events = (asked + STATUSES.length - 1) / STATUSES.length * STATUSES.length;
        int perPost = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int clients = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        HeraldServer herald = HeraldServer.shared();
        String secret = "benchmark-app-secret";
        Map<String, Object> account = account(herald, secret);

        System.out.println("warming up...");
        run(herald, account, secret, 3_000, perPost, clients);
        System.out.printf("burst: %,d status events, %d per POST, %d clients, %s database%n",
                events, perPost, clients, herald.db());
        Result result = run(herald, account, secret, events, perPost, clients);

        long[] latencies = result.latenciesNanos();
        Arrays.sort(latencies);
        System.out.println("---- WebhookBenchmark ----");
        System.out.printf("POSTs answered:          %,d in %.2f s (%.0f POSTs/s)%n", latencies.length,
                result.answeredSeconds(), latencies.length / result.answeredSeconds());
        System.out.printf("HTTP latency:            median %.1f ms, p95 %.1f ms, max %.1f ms%n",
                percentile(latencies, 50), percentile(latencies, 95), latencies[latencies.length - 1] / 1e6);
        System.out.printf("status events applied:   %,d in %.2f s = %,.0f events/s%n", events,
                result.appliedSeconds(), events / result.appliedSeconds());
        System.out.printf("messages Read at the end: %,d of %,d%n", result.read(), events / STATUSES.length);
        System.exit(result.read() == events / STATUSES.length ? 0 : 1);
    }

    private record Result(long[] latenciesNanos, double answeredSeconds, double appliedSeconds, long read) {
    }

    private static Result run(HeraldServer herald, Map<String, Object> account, String secret, int events,
                              int perPost, int clients) throws Exception {
        int messages = events / STATUSES.length;
        long campaignId = seed(herald, account, messages);
        List<ObjectNode> statuses = new ArrayList<>();
        for (int m = 0; m < messages; m++) {
            for (int s = 0; s < STATUSES.length; s++) {
                ObjectNode status = ApiClient.JSON.createObjectNode();
                status.put("id", "wamid.bench." + campaignId + "." + m);
                status.put("status", STATUSES[s]);
                status.put("timestamp", Long.toString(T0 + 10L * (s + 1)));
                status.put("recipient_id", "49151" + m);
                status.putObject("pricing").put("billable", true).put("pricing_model", "PMP").put("category", "utility");
                statuses.add(status);
            }
        }
        Collections.shuffle(statuses, new Random(campaignId));
        ConcurrentLinkedQueue<byte[]> bodies = new ConcurrentLinkedQueue<>();
        for (int from = 0; from < statuses.size(); from += perPost) {
            bodies.add(payload(account, statuses.subList(from, Math.min(from + perPost, statuses.size())))
                    .getBytes(StandardCharsets.UTF_8));
        }
        int posts = bodies.size();

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI uri = URI.create(herald.baseUrl() + "/webhooks/whatsapp");
        long[] latencies = new long[posts];
        AtomicInteger next = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(clients);
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            Thread client = new Thread(() -> {
                try {
                    for (byte[] body = bodies.poll(); body != null; body = bodies.poll()) {
                        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                                .header("Content-Type", "application/json")
                                .header("X-Hub-Signature-256", WebhookSignature.sign(secret, body))
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
                        long sent = System.nanoTime();
                        HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
                        latencies[next.getAndIncrement()] = System.nanoTime() - sent;
                        if (response.statusCode() != 200) {
                            throw new IllegalStateException("POST answered " + response.statusCode());
                        }
                    }
                } catch (Exception e) {
                    failures.add(e);
                } finally {
                    done.countDown();
                }
            }, "webhook-client-" + c);
            client.start();
        }
        done.await();
        long answered = System.nanoTime();
        if (!failures.isEmpty()) {
            throw new IllegalStateException("the burst failed", failures.get(0));
        }
        long applied = awaitReceipts(herald, campaignId, events);
        long read = ((Number) herald.queryOne("SELECT COUNT(*) AS n FROM whatsapp_message"
                + " WHERE bulk_message_reference = ? AND status = 'Read'", campaignId).get("n")).longValue();
        return new Result(Arrays.copyOf(latencies, next.get()), (answered - start) / 1e9, (applied - start) / 1e9, read);
    }

    private static long awaitReceipts(HeraldServer herald, long campaignId, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
        while (System.nanoTime() < deadline) {
            long count = ((Number) herald.queryOne("SELECT COUNT(*) AS n FROM message_receipt r JOIN whatsapp_message m"
                    + " ON m.id = r.message_id WHERE m.bulk_message_reference = ?", campaignId).get("n")).longValue();
            if (count >= expected) {
                return System.nanoTime();
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the status events were not all applied within 30 minutes");
    }

    private static Map<String, Object> account(HeraldServer herald, String secret) {
        String suffix = Long.toString(System.currentTimeMillis());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", "benchmark " + suffix);
        body.put("phoneNumberId", "1" + suffix);
        body.put("wabaId", "2" + suffix);
        body.put("accessToken", "EAAG-benchmark");
        body.put("appSecret", secret);
        body.put("apiBaseUrl", "http://127.0.0.1:1");
        Map<String, Object> account = ApiClient.JSON.convertValue(herald.admin().post("/api/accounts", body).json(201), Map.class);
        Map<String, Object> template = new LinkedHashMap<>();
        template.put("accountId", account.get("id"));
        template.put("name", "benchmark_" + suffix);
        template.put("language", "en");
        template.put("status", "APPROVED");
        template.put("components", List.of(Map.of("type", "BODY", "text", "Hello {{1}}")));
        account.put("templateId", herald.admin().post("/api/templates", template).json(201).get("id").asLong());
        return account;
    }

    /** A campaign whose messages were all sent: one row each, with the wamid the statuses name. */
    private static long seed(HeraldServer herald, Map<String, Object> account, int messages) throws Exception {
        String name = "BULK-WA-BENCH-" + System.nanoTime();
        long accountId = ((Number) account.get("id")).longValue();
        long templateId = ((Number) account.get("templateId")).longValue();
        try (Connection c = herald.dataSource().getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO bulk_whatsapp_message (name, title, recipient_type,"
                    + " template_id, account_id, sending_account_id, sending_template_id, variable_type, status, created_by)"
                    + " VALUES (?, 'benchmark', 'INDIVIDUAL_RECIPIENTS', ?, ?, ?, ?, 'COMMON', 'In Progress', 'benchmark')")) {
                ps.setString(1, name);
                ps.setLong(2, templateId);
                ps.setLong(3, accountId);
                ps.setLong(4, accountId);
                ps.setLong(5, templateId);
                ps.executeUpdate();
            }
            long campaignId = ((Number) herald.queryOne("SELECT id FROM bulk_whatsapp_message WHERE name = ?", name)
                    .get("id")).longValue();
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO whatsapp_message (bulk_message_reference, seq,"
                    + " mobile_number, account_id, template_id, parameters, status, wamid, sent_at)"
                    + " VALUES (?, ?, ?, ?, ?, '{}', 'Sent', ?, CURRENT_TIMESTAMP)")) {
                for (int m = 0; m < messages; m++) {
                    ps.setLong(1, campaignId);
                    ps.setLong(2, m + 1);
                    ps.setString(3, "+49151" + m);
                    ps.setLong(4, accountId);
                    ps.setLong(5, templateId);
                    ps.setString(6, "wamid.bench." + campaignId + "." + m);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();
            return campaignId;
        }
    }

    private static String payload(Map<String, Object> account, List<ObjectNode> statuses) {
        ObjectNode root = ApiClient.JSON.createObjectNode();
        root.put("object", "whatsapp_business_account");
        ObjectNode entry = root.putArray("entry").addObject();
        entry.put("id", (String) account.get("wabaId"));
        ObjectNode change = entry.putArray("changes").addObject();
        change.put("field", "messages");
        ObjectNode value = change.putObject("value");
        value.put("messaging_product", "whatsapp");
        value.putObject("metadata").put("display_phone_number", "4930123456")
                .put("phone_number_id", (String) account.get("phoneNumberId"));
        ArrayNode array = value.putArray("statuses");
        statuses.forEach(array::add);
        return root.toString();
    }

    private static double percentile(long[] sorted, int percent) {
        int index = (int) Math.ceil(percent / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, index)] / 1e6;
    }
}
