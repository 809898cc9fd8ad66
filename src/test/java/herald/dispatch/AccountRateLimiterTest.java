package herald.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * An account-wide limit from Meta holds one account for the wait, never another, and never
 * shortens; a hold another node stored on the account row holds this node too.
 */
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
    void aHoldStoredByAnotherNodeHoldsThisOneToo() {
        OffsetDateTime inAMinute = OffsetDateTime.now(ZoneOffset.UTC).plusMinutes(1);
        long left = limiter.heldFor(4, inAMinute);
        assertTrue(left > 50_000 && left <= 60_000, "held for " + left);
        assertTrue(limiter.heldFor(4) > 50_000, "the stored hold is now this node's own");
        long fromTimestamp = limiter.heldFor(5, Timestamp.from(Instant.now().plusSeconds(30)));
        assertTrue(fromTimestamp > 20_000 && fromTimestamp <= 30_000, "held for " + fromTimestamp);
        assertEquals(0, limiter.heldFor(6, OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(5)), "an old hold is over");
        assertEquals(0, limiter.heldFor(6, null));
    }

    @Test
    void aHoldAnswersWhenItEndsForTheOtherNodes() {
        OffsetDateTime until = limiter.hold(7, 60_000);
        long fromNow = until.toInstant().toEpochMilli() - System.currentTimeMillis();
        assertTrue(fromNow > 50_000 && fromNow <= 60_000, "ends in " + fromNow + " ms");
    }

    @Test
    void aShorterHoldDoesNotCutALongerOneShort() {
        limiter.hold(3, 60_000);
        limiter.hold(3, 10);
        assertTrue(limiter.heldFor(3) > 50_000, "held for " + limiter.heldFor(3));
    }
}
