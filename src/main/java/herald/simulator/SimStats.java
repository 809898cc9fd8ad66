package herald.simulator;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** What the simulator saw, for {@code GET /sim/stats}; every counter is safe to bump from any thread. */
final class SimStats {

    private final ConcurrentHashMap<String, LongAdder> acceptedByRecipient = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicInteger> peakPerSecond = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, LongAdder> rejectionsByCode = new ConcurrentHashMap<>();
    private final LongAdder acceptedTotal = new LongAdder();
    private final LongAdder serverErrors = new LongAdder();
    private final LongAdder lostAnswers = new LongAdder();
    private final LongAdder mediaUploads = new LongAdder();
    private final LongAdder webhookOk = new LongAdder();
    private final LongAdder webhookFailed = new LongAdder();
    private final LongAdder webhookAbandoned = new LongAdder();
    private final LongAdder statusesDelivered = new LongAdder();

    void accepted(String to) {
        acceptedTotal.increment();
        acceptedByRecipient.computeIfAbsent(to, k -> new LongAdder()).increment();
    }

    void inWindow(String phoneNumberId, int count) {
        peakPerSecond.computeIfAbsent(phoneNumberId, k -> new AtomicInteger()).accumulateAndGet(count, Math::max);
    }

    void rejected(int code) {
        rejectionsByCode.computeIfAbsent(code, k -> new LongAdder()).increment();
    }

    void serverError() {
        serverErrors.increment();
    }

    void lostAnswer() {
        lostAnswers.increment();
    }

    void mediaUploaded() {
        mediaUploads.increment();
    }

    void webhookOk(int statuses) {
        // In this order, so a reader that sees the POST counted sees its statuses counted too.
        statusesDelivered.add(statuses);
        webhookOk.increment();
    }

    void webhookFailed() {
        webhookFailed.increment();
    }

    void webhookAbandoned() {
        webhookAbandoned.increment();
    }

    void reset() {
        acceptedByRecipient.clear();
        peakPerSecond.clear();
        rejectionsByCode.clear();
        for (LongAdder adder : new LongAdder[] {acceptedTotal, serverErrors, lostAnswers, mediaUploads,
                webhookOk, webhookFailed, webhookAbandoned, statusesDelivered}) {
            adder.reset();
        }
    }

    ObjectNode toJson(java.util.function.IntSupplier webhooksPending) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("acceptedTotal", acceptedTotal.sum());
        root.put("recipients", acceptedByRecipient.size());
        ObjectNode byRecipient = root.putObject("acceptedByRecipient");
        ObjectNode duplicates = root.putObject("duplicates");
        for (Map.Entry<String, LongAdder> e : new TreeMap<>(acceptedByRecipient).entrySet()) {
            long count = e.getValue().sum();
            byRecipient.put(e.getKey(), count);
            if (count > 1) {
                duplicates.put(e.getKey(), count);
            }
        }
        ObjectNode peaks = root.putObject("peakPerSecond");
        new TreeMap<>(peakPerSecond).forEach((id, peak) -> peaks.put(id, peak.get()));
        ObjectNode rejections = root.putObject("rejectionsByCode");
        long rejectedTotal = 0;
        for (Map.Entry<Integer, LongAdder> e : new TreeMap<>(rejectionsByCode).entrySet()) {
            rejections.put(String.valueOf(e.getKey()), e.getValue().sum());
            rejectedTotal += e.getValue().sum();
        }
        root.put("rejectedTotal", rejectedTotal);
        root.put("serverErrors", serverErrors.sum());
        root.put("lostAnswers", lostAnswers.sum());
        root.put("mediaUploads", mediaUploads.sum());
        ObjectNode webhooks = root.putObject("webhooks");
        webhooks.put("ok", webhookOk.sum());
        webhooks.put("failed", webhookFailed.sum());
        webhooks.put("abandoned", webhookAbandoned.sum());
        webhooks.put("statusesDelivered", statusesDelivered.sum());
        // Read after the counts above: a POST counted as delivered or abandoned is no longer pending.
        webhooks.put("pending", webhooksPending.getAsInt());
        return root;
    }
}
