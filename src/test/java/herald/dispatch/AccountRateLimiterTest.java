package herald.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** An account-wide limit from Meta holds one account for the wait, never another, and never shortens. */
class AccountRateLimiterTest {

    private final AccountRateLimiter limiter = new AccountRateLimiter(0.9, 1, 10_000);

    @Test
    void aHeldAccountWaitsAndOthersDoNot() throws InterruptedException {
        assertEquals(0, limiter.heldFor(1));
        // What is left is bounded by the time the two calls took, however long the machine paused.
        long start = System.nanoTime();
        limiter.hold(1, 300);
        long left = limiter.heldFor(1);
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(left <= 300 && left >= 300 - took - 1, "held for " + left + " ms, " + took + " ms after the hold");
        assertEquals(0, limiter.heldFor(2), "another account sends on");
        Thread.sleep(350);
        assertEquals(0, limiter.heldFor(1), "the wait is over");
    }

    @Test
    void aShorterHoldDoesNotCutALongerOneShort() {
        limiter.hold(3, 60_000);
        limiter.hold(3, 10);
        assertTrue(limiter.heldFor(3) > 50_000, "held for " + limiter.heldFor(3));
    }
}
