package herald.simulator;

import java.util.ArrayDeque;

/**
 * Counts admissions within the last {@code windowNanos}, the way Meta's throughput and pair-rate
 * limits count messages: a moving window, not calendar seconds, so a burst straddling a second
 * boundary is still caught.
 */
final class SlidingWindow {

    private final ArrayDeque<Long> admitted = new ArrayDeque<>();

    /** Admits one at {@code now} unless {@code max} are already inside the window; returns the count after admission, or -1. */
    synchronized int tryAdmit(long now, long windowNanos, int max) {
        Long oldest;
        while ((oldest = admitted.peekFirst()) != null && now - oldest >= windowNanos) {
            admitted.pollFirst();
        }
        if (admitted.size() >= max) {
            return -1;
        }
        admitted.addLast(now);
        return admitted.size();
    }
}
