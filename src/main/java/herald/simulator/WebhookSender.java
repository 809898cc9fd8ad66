package herald.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import herald.whatsapp.WebhookSignature;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Posts status webhooks from one background thread, so a send is answered without waiting for
 * its webhooks. Statuses wait in a delay queue until due; whatever is due together goes out in one
 * signed POST. A POST not answered 200 is posted again, byte for byte, after a doubling backoff,
 * as Meta re-delivers for days rather than dropping.
 */
final class WebhookSender {

    private static final long MAX_BACKOFF_MILLIS = 60_000;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private final SimulatorConfig config;
    private final SimStats stats;
    private final ObjectMapper mapper;
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private final DelayQueue<StatusEvent> due = new DelayQueue<>();
    private final PriorityBlockingQueue<Batch> retries = new PriorityBlockingQueue<>();
    private final AtomicLong sequence = new AtomicLong();
    // Counted apart from the queues: a status the thread has taken out of them, lingering or on
    // its way in a POST, is still undelivered.
    private final AtomicInteger undelivered = new AtomicInteger();
    private final Thread thread = new Thread(this::run, "sim-webhook");
    private volatile boolean running;

    WebhookSender(SimulatorConfig config, SimStats stats, ObjectMapper mapper) {
        this.config = config;
        this.stats = stats;
        this.mapper = mapper;
        thread.setDaemon(true);
    }

    void start() {
        running = true;
        thread.start();
    }

    void stop() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(TimeUnit.SECONDS.toMillis(5));
    }

    void enqueue(String phoneNumberId, ObjectNode status, long delayMillis) {
        undelivered.incrementAndGet();
        due.add(new StatusEvent(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis),
                sequence.incrementAndGet(), phoneNumberId, status));
    }

    /** Statuses not yet answered 200 nor abandoned: waiting, lingering, being posted or waiting for a retry. */
    int pending() {
        return undelivered.get();
    }

    private void run() {
        List<StatusEvent> batch = new ArrayList<>();
        while (running) {
            try {
                Batch retry = retries.peek();
                long waitNanos = retry == null ? TimeUnit.SECONDS.toNanos(1) : retry.dueNanos - System.nanoTime();
                StatusEvent first = due.poll(Math.max(0, waitNanos), TimeUnit.NANOSECONDS);
                if (first != null) {
                    if (config.webhookLingerMillis > 0) {
                        Thread.sleep(config.webhookLingerMillis);
                    }
                    batch.add(first);
                    due.drainTo(batch, config.webhookBatchSize - 1);
                    post(new Batch(payload(batch), batch.size()));
                    batch.clear();
                }
                while ((retry = retries.peek()) != null && retry.dueNanos <= System.nanoTime()) {
                    post(retries.poll());
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private byte[] payload(List<StatusEvent> events) {
        Map<String, ArrayNode> statusesByNumber = new LinkedHashMap<>();
        for (StatusEvent event : events) {
            statusesByNumber.computeIfAbsent(event.phoneNumberId, k -> mapper.createArrayNode()).add(event.status);
        }
        ObjectNode root = mapper.createObjectNode();
        root.put("object", "whatsapp_business_account");
        ObjectNode entry = root.putArray("entry").addObject();
        entry.put("id", config.wabaId);
        ArrayNode changes = entry.putArray("changes");
        statusesByNumber.forEach((phoneNumberId, statuses) -> {
            ObjectNode change = changes.addObject();
            change.put("field", "messages");
            ObjectNode value = change.putObject("value");
            value.put("messaging_product", "whatsapp");
            ObjectNode metadata = value.putObject("metadata");
            metadata.put("display_phone_number", config.phoneNumbers.get(phoneNumberId));
            metadata.put("phone_number_id", phoneNumberId);
            value.set("statuses", statuses);
        });
        try {
            return mapper.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings cannot fail to serialise", e);
        }
    }

    private void post(Batch batch) throws InterruptedException {
        batch.attempts++;
        if (deliver(batch.body)) {
            // Undelivered goes down first: whoever sees the delivery counted sees it no longer pending.
            undelivered.addAndGet(-batch.statuses);
            stats.webhookOk(batch.statuses);
            return;
        }
        stats.webhookFailed();
        if (batch.attempts >= config.webhookMaxAttempts) {
            undelivered.addAndGet(-batch.statuses);
            stats.webhookAbandoned();
            return;
        }
        long backoff = Math.min(MAX_BACKOFF_MILLIS, config.webhookRetryMillis << Math.min(batch.attempts - 1, 20));
        batch.dueNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff);
        retries.add(batch);
    }

    private boolean deliver(byte[] body) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(config.webhookUrl)
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .header("X-Hub-Signature-256", WebhookSignature.sign(config.appSecret, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        try {
            return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    private static final class StatusEvent implements Delayed {
        final long dueNanos;
        final long sequence;
        final String phoneNumberId;
        final ObjectNode status;

        StatusEvent(long dueNanos, long sequence, String phoneNumberId, ObjectNode status) {
            this.dueNanos = dueNanos;
            this.sequence = sequence;
            this.phoneNumberId = phoneNumberId;
            this.status = status;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            StatusEvent that = (StatusEvent) other;
            int byDue = Long.compare(dueNanos - that.dueNanos, 0);
            return byDue != 0 ? byDue : Long.compare(sequence, that.sequence);
        }
    }

    private static final class Batch implements Comparable<Batch> {
        final byte[] body;
        final int statuses;
        int attempts;
        volatile long dueNanos;

        Batch(byte[] body, int statuses) {
            this.body = body;
            this.statuses = statuses;
        }

        @Override
        public int compareTo(Batch other) {
            return Long.compare(dueNanos - other.dueNanos, 0);
        }
    }
}
