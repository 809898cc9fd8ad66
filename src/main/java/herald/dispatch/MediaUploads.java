package herald.dispatch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import org.apache.camel.ProducerTemplate;

/**
 * A campaign's attachment is uploaded once per (campaign, account) and its media id reused by
 * every message; Meta keeps an id 30 days, so one older than 29 is uploaded again. The upload
 * itself is the route direct:upload-campaign-media.
 *
 * <p>Herald nodes share only the database, so the one that uploads holds the (campaign, account)
 * row locked until its id is committed, and the others wait on the row, then take that id.
 */
public class MediaUploads {

    private static final String FIND = "SELECT media_id FROM media_upload WHERE campaign_id = ? AND account_id = ? "
            + "AND uploaded_at > ?";
    // A row inserted by another node's uncommitted upload makes this wait for that node's commit
    // or rollback, on PostgreSQL and H2 alike.
    private static final String ENSURE_ROW = "INSERT INTO media_upload (campaign_id, account_id) VALUES (?, ?) "
            + "ON CONFLICT DO NOTHING";
    // Locks by key only: a condition on uploaded_at would let a stale row through unlocked.
    private static final String LOCK = "SELECT CASE WHEN uploaded_at > ? THEN media_id END FROM media_upload "
            + "WHERE campaign_id = ? AND account_id = ? FOR UPDATE";
    private static final String SAVE = "UPDATE media_upload SET media_id = ?, uploaded_at = ? "
            + "WHERE campaign_id = ? AND account_id = ?";
    private static final Duration REUSE_FOR = Duration.ofDays(29);

    private final DataSource dataSource;
    private final ProducerTemplate producer;
    // Hundreds of consumers start on one campaign at once: one of them asks the database (and
    // uploads), the rest wait here for its id instead of each holding a pooled connection.
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    public MediaUploads(DataSource dataSource, ProducerTemplate producer) {
        this.dataSource = dataSource;
        this.producer = producer;
    }

    public String mediaIdFor(Map<String, Object> send) {
        long campaignId = ((Number) send.get("campaign_id")).longValue();
        long accountId = ((Number) send.get("account_id")).longValue();
        Object lock = locks.computeIfAbsent(campaignId + ":" + accountId, k -> new Object());
        synchronized (lock) {
            try (Connection c = dataSource.getConnection()) {
                String known = find(c, campaignId, accountId);
                return known != null ? known : uploadUnlessAnotherNodeDid(c, send, campaignId, accountId);
            } catch (SQLException e) {
                throw new IllegalStateException("media upload bookkeeping failed", e);
            }
        }
    }

    private String find(Connection c, long campaignId, long accountId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(FIND)) {
            ps.setLong(1, campaignId);
            ps.setLong(2, accountId);
            ps.setTimestamp(3, reusableSince());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /**
     * Uploads in the transaction that holds the row locked, so a node that waited on it finds the
     * id once this one commits, and uploads itself if this one failed and rolled back.
     */
    private String uploadUnlessAnotherNodeDid(Connection c, Map<String, Object> send, long campaignId, long accountId)
            throws SQLException {
        c.setAutoCommit(false);
        try (PreparedStatement ensure = c.prepareStatement(ENSURE_ROW);
             PreparedStatement lock = c.prepareStatement(LOCK);
             PreparedStatement save = c.prepareStatement(SAVE)) {
            ensure.setLong(1, campaignId);
            ensure.setLong(2, accountId);
            ensure.executeUpdate();
            lock.setTimestamp(1, reusableSince());
            lock.setLong(2, campaignId);
            lock.setLong(3, accountId);
            String mediaId;
            try (ResultSet rs = lock.executeQuery()) {
                mediaId = rs.next() ? rs.getString(1) : null;
            }
            if (mediaId == null) {
                mediaId = producer.requestBody("direct:upload-campaign-media", send, String.class);
                save.setString(1, mediaId);
                save.setTimestamp(2, Timestamp.from(Instant.now()));
                save.setLong(3, campaignId);
                save.setLong(4, accountId);
                save.executeUpdate();
            }
            c.commit();
            return mediaId;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        }
    }

    private static Timestamp reusableSince() {
        return Timestamp.from(Instant.now().minus(REUSE_FOR));
    }
}
