package herald.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import herald.whatsapp.TemplatePayloadBuilder;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives sends at a target rate through an embedded simulator that posts status webhooks to an
 * embedded receiver, then prints the rate achieved and the CPU spent. Arguments: number of
 * sends (20000), target sends per second (1000), most requests in flight (64).
 *
 * <p>Process CPU covers the client, the simulator and the receiver together, so it bounds the
 * simulator's cost from above. The simulator's own share counts its named threads, its HTTP
 * dispatcher and the HttpClient threads of its webhook sender; garbage collection and the JIT
 * compiler show in the process figure only.
 */
public final class SimulatorBenchmark {

    private SimulatorBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int sends = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        int maxInFlight = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        CloudApiSimulator.preferNoDelay();

        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        receiver.createContext("/webhook", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();

        Set<Long> threadsBefore = threadIds();
        SimulatorConfig config = SimulatorConfig.builder()
                .port(0)
                .templates(SimTemplate.demoSet())
                .throughputPerSecond(Math.max(80, rate * 2))
                .webhook(URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/webhook"), "bench-secret")
                .statusDelays(100, 300)
                .build();
        CloudApiSimulator simulator = new CloudApiSimulator(config).start();
        Set<Long> simulatorThreads = threadIds();
        simulatorThreads.removeAll(threadsBefore);
        Set<String> simulatorPrefixes = simulatorPrefixes(simulatorThreads);

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI messages = URI.create(simulator.baseUrl() + "/v23.0/"
                + config.phoneNumbers().keySet().iterator().next() + "/messages");
        String authorization = "Bearer " + config.accessToken();

        int warmUp = Math.min(sends, 2_000);
        run(client, messages, authorization, bodies(warmUp, 0), rate, maxInFlight);
        awaitWebhooks(simulator);
        client.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/sim/reset"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());

        byte[][] bodies = bodies(sends, warmUp);
        long processCpuBefore = processCpuNanos();
        long simulatorCpuBefore = simulatorCpuNanos(simulatorThreads, simulatorPrefixes);
        Result result = run(client, messages, authorization, bodies, rate, maxInFlight);
        awaitWebhooks(simulator);
        long processCpu = processCpuNanos() - processCpuBefore;
        long simulatorCpu = simulatorCpuNanos(simulatorThreads, simulatorPrefixes) - simulatorCpuBefore;
        JsonNode stats = simulator.stats();
        simulator.stop();
        receiver.stop(0);

        double seconds = result.elapsedNanos / 1e9;
        Arrays.sort(result.latencies);
        System.out.printf("sends: %d at a target of %d/s, at most %d in flight, after %d warm-up sends%n",
                sends, rate, maxInFlight, warmUp);
        System.out.printf("achieved: %.1f sends/s over %.2f s; answers by HTTP status: %s%n",
                sends / seconds, seconds, result.byStatus);
        System.out.printf("latency: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                percentile(result.latencies, 0.50), percentile(result.latencies, 0.99),
                result.latencies[result.latencies.length - 1] / 1e6);
        System.out.printf("simulator: %d accepted, peak %s per sliding second, rejections %s%n",
                stats.get("acceptedTotal").asLong(), stats.get("peakPerSecond"), stats.get("rejectionsByCode"));
        System.out.printf("webhooks: %d POSTs ok, %d failed, %d statuses%n",
                stats.at("/webhooks/ok").asLong(), stats.at("/webhooks/failed").asLong(),
                stats.at("/webhooks/statusesDelivered").asLong());
        System.out.printf("CPU: process %.2f s (%.0f%% of one core over the send window), "
                        + "simulator threads %.2f s (%.0f%% of one core)%n",
                processCpu / 1e9, 100.0 * processCpu / result.elapsedNanos,
                simulatorCpu / 1e9, 100.0 * simulatorCpu / result.elapsedNanos);
    }

    private static Result run(HttpClient client, URI messages, String authorization, byte[][] bodies,
                              int rate, int maxInFlight) throws InterruptedException {
        Semaphore inFlight = new Semaphore(maxInFlight);
        CountDownLatch done = new CountDownLatch(bodies.length);
        Map<Integer, LongAdder> byStatus = new ConcurrentHashMap<>();
        long[] latencies = new long[bodies.length];
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long start = System.nanoTime();
        for (int i = 0; i < bodies.length; i++) {
            long due = start + i * interval;
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            inFlight.acquire();
            HttpRequest request = HttpRequest.newBuilder(messages)
                    .header("Authorization", authorization)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bodies[i]))
                    .build();
            int index = i;
            long sentAt = System.nanoTime();
            client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
                latencies[index] = System.nanoTime() - sentAt;
                int status = failure == null ? response.statusCode() : -1;
                byStatus.computeIfAbsent(status, k -> new LongAdder()).increment();
                inFlight.release();
                done.countDown();
            });
        }
        done.await();
        Map<Integer, Long> counts = new TreeMap<>();
        byStatus.forEach((status, count) -> counts.put(status, count.sum()));
        return new Result(System.nanoTime() - start, counts, latencies);
    }

    private static byte[][] bodies(int count, int offset) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        byte[][] bodies = new byte[count][];
        for (int i = 0; i < count; i++) {
            String frozen = "{\"messageId\":" + (offset + i) + ",\"campaign\":\"BENCH\","
                    + "\"to\":\"+49151" + String.format("%08d", offset + i) + "\","
                    + "\"template\":{\"name\":\"invoice_ready\",\"language\":\"de\",\"parameterFormat\":\"POSITIONAL\"},"
                    + "\"header\":{\"kind\":\"DOCUMENT\",\"mediaId\":\"900000000000001\",\"filename\":\"Invoice.pdf\"},"
                    + "\"parameters\":{\"body\":[{\"name\":\"1\",\"value\":\"Anna\"},{\"name\":\"2\",\"value\":\"" + i + "\"}]}}";
            bodies[i] = TemplatePayloadBuilder.build(mapper.readTree(frozen)).getBytes(StandardCharsets.UTF_8);
        }
        return bodies;
    }

    // The statuses of the last sends are still queued when their answers arrive; their cost belongs to the run.
    private static void awaitWebhooks(CloudApiSimulator simulator) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (simulator.stats().at("/webhooks/pending").asInt() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long simulatorCpuNanos(Set<Long> ids, Set<String> prefixes) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && (ids.contains(info.getThreadId())
                    || prefixes.stream().anyMatch(info.getThreadName()::startsWith))) {
                total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }

    // Request threads and the webhook sender's HttpClient workers start later, under these names.
    private static Set<String> simulatorPrefixes(Set<Long> startedWithSimulator) {
        Set<String> prefixes = new HashSet<>(Set.of("sim-"));
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (ThreadInfo info : threads.getThreadInfo(startedWithSimulator.stream().mapToLong(Long::longValue).toArray())) {
            if (info != null && info.getThreadName().matches("HttpClient-\\d+-.*")) {
                String name = info.getThreadName();
                prefixes.add(name.substring(0, name.indexOf('-', "HttpClient-".length()) + 1));
            }
        }
        return prefixes;
    }

    private static Set<Long> threadIds() {
        Set<Long> ids = new HashSet<>();
        for (long id : ManagementFactory.getThreadMXBean().getAllThreadIds()) {
            ids.add(id);
        }
        return ids;
    }

    private static double percentile(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))] / 1e6;
    }

    private record Result(long elapsedNanos, Map<Integer, Long> byStatus, long[] latencies) {
    }
}
