package herald.config;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

/**
 * Makes committed transactions survive a kill of this process before Herald acts on them: before
 * a request to Meta leaves, before a JMS message is acknowledged, before a file leaves the inbox
 * and before an API call that changed something is answered.
 *
 * <p>PostgreSQL has written a commit to its log when the commit returns, so nothing is to be done.
 * Embedded H2 has no log: a commit lives in memory until the store is written, and a SIGKILL
 * before that loses it. H2's own background writer writes through worker threads, so a CHECKPOINT
 * issued while it runs returns before the data is in the file; with the writer off
 * ({@code WRITE_DELAY 0}) a CHECKPOINT writes the store itself before it returns. Herald then
 * writes it on a timer (the {@code store-embedded-database} route) and whenever a caller needs it.
 * Callers share CHECKPOINTs: whoever arrives while one runs waits for the next, which covers all of
 * them (a group commit), so a busy node pays one CHECKPOINT per round, not per call.
 */
public final class DurableCommits {

    private final DataSource dataSource;
    private final boolean needed;
    private final Object lock = new Object();
    /** Calls registered so far, and how many of them the last finished CHECKPOINT covered. */
    private long requested;
    private long covered;
    private boolean checkpointRunning;

    public DurableCommits(DataSource dataSource, String jdbcUrl) throws SQLException {
        this.dataSource = dataSource;
        this.needed = jdbcUrl.startsWith("jdbc:h2:file:");
        if (needed) {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.execute("SET WRITE_DELAY 0");
            }
        }
    }

    /** Returns once every transaction this thread committed before the call is on disk. */
    public void await() throws SQLException, InterruptedException {
        if (!needed) {
            return;
        }
        long upTo;
        synchronized (lock) {
            long ticket = ++requested;
            while (covered < ticket && checkpointRunning) {
                lock.wait();
            }
            if (covered >= ticket) {
                return;
            }
            checkpointRunning = true;
            // Everyone registered by now committed before this CHECKPOINT starts.
            upTo = requested;
        }
        boolean stored = false;
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("CHECKPOINT");
            stored = true;
        } finally {
            synchronized (lock) {
                if (stored) {
                    covered = upTo;
                }
                checkpointRunning = false;
                lock.notifyAll();
            }
        }
    }
}
