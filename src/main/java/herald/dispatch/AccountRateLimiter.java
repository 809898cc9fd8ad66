package herald.dispatch;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Paces sends per WhatsApp Account so none exceeds its messages per second (Throttler, keyed by
 * account). Sends are spaced evenly instead of bursting, and a 130429 halves an account's pace
 * until it has been quiet for a while; an account-wide limit holds the account for the wait Meta
 * asks. The pace lives in this JVM: with several Herald nodes, each paces at its share
 * (herald.send.node-count); a hold reaches the other nodes through the account row.
 */
public class AccountRateLimiter {

    private final double headroom;
    private final int nodeCount;
    private final long recoveryNanos;
    private final Map<Long, Pace> paces = new ConcurrentHashMap<>();

    private static final class Pace {
        private long nextFreeNanos;
        private double slowdown = 1.0;
        private long lastThrottledNanos;
        private long heldUntilNanos;
    }

    public AccountRateLimiter(double headroom, int nodeCount, long recoveryMillis) {
        this.headroom = headroom;
        this.nodeCount = nodeCount;
        this.recoveryNanos = TimeUnit.MILLISECONDS.toNanos(recoveryMillis);
    }

    /** Blocks until the account may send one more message. */
    public void acquire(long accountId, int messagesPerSecond) {
        Pace pace = paces.computeIfAbsent(accountId, id -> new Pace());
        long slot;
        synchronized (pace) {
            long now = System.nanoTime();
            if (pace.slowdown < 1.0 && now - pace.lastThrottledNanos > recoveryNanos) {
                pace.slowdown = 1.0;
            }
            double rate = messagesPerSecond * headroom * pace.slowdown / nodeCount;
            long interval = (long) (1_000_000_000L / Math.max(rate, 0.1));
            slot = Math.max(now, pace.nextFreeNanos);
            pace.nextFreeNanos = slot + interval;
        }
        for (long wait = slot - System.nanoTime(); wait > 0; wait = slot - System.nanoTime()) {
            LockSupport.parkNanos(wait);
        }
    }

    /** Meta answered 130429: the account sends at half its pace until it stays quiet. */
    public void throttled(long accountId) {
        Pace pace = paces.computeIfAbsent(accountId, id -> new Pace());
        synchronized (pace) {
            long now = System.nanoTime();
            // One burst over the cap answers many in-flight sends with 130429 at once: that is
            // one signal, not one per answer.
            if (now - pace.lastThrottledNanos > 1_000_000_000L) {
                pace.slowdown = Math.max(0.1, pace.slowdown / 2);
            }
            pace.lastThrottledNanos = now;
        }
    }

    /**
     * Meta limited the whole account (code 4 or 80007): nothing goes out through it for this long.
     * Answers when the hold ends, for the other nodes.
     */
    public OffsetDateTime hold(long accountId, long millis) {
        Pace pace = paces.computeIfAbsent(accountId, id -> new Pace());
        synchronized (pace) {
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            if (pace.heldUntilNanos == 0 || until - pace.heldUntilNanos > 0) {
                pace.heldUntilNanos = until;
            }
        }
        return OffsetDateTime.now(ZoneOffset.UTC).plus(millis, ChronoUnit.MILLIS);
    }

    /**
     * Milliseconds the account is still held for, 0 when it may send, taking in a hold another
     * node stored on the account row ({@code heldUntil}: a JDBC timestamp, or null).
     */
    public long heldFor(long accountId, Object heldUntil) {
        Instant until = heldUntil instanceof OffsetDateTime odt ? odt.toInstant()
                : heldUntil instanceof Timestamp ts ? ts.toInstant() : null;
        long left = until == null ? 0 : until.toEpochMilli() - System.currentTimeMillis();
        if (left > 0) {
            hold(accountId, left);
        }
        return heldFor(accountId);
    }

    /** Milliseconds the account is still held for on this node, 0 when it may send. */
    public long heldFor(long accountId) {
        Pace pace = paces.get(accountId);
        if (pace == null) {
            return 0;
        }
        synchronized (pace) {
            long left = pace.heldUntilNanos - System.nanoTime();
            return pace.heldUntilNanos == 0 || left <= 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(left));
        }
    }

    /** The account's current pace in messages per second on this node, for metrics. */
    public double currentRate(long accountId, int messagesPerSecond) {
        Pace pace = paces.get(accountId);
        double slowdown = pace == null ? 1.0 : pace.slowdown;
        return messagesPerSecond * headroom * slowdown / nodeCount;
    }
}
