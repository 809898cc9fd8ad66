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
 */
public class MediaUploads {

    private static final String FIND = "SELECT media_id FROM media_upload WHERE campaign_id = ? AND account_id = ? "
            + "AND uploaded_at > ?";
    private static final String SAVE_DELETE = "DELETE FROM media_upload WHERE campaign_id = ? AND account_id = ?";
    private static final String SAVE_INSERT = "INSERT INTO media_upload (campaign_id, account_id, media_id, uploaded_at) "
            + "VALUES (?, ?, ?, ?)";
    private static final Duration REUSE_FOR = Duration.ofDays(29);

    private final DataSource dataSource;
    private final ProducerTemplate producer;
    // Hundreds of consumers start on one campaign at once: one of them uploads, the rest wait for its id.
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
            try {
                String known = find(campaignId, accountId);
                if (known != null) {
                    return known;
                }
                String mediaId = producer.requestBody("direct:upload-campaign-media", send, String.class);
                save(campaignId, accountId, mediaId);
                return mediaId;
            } catch (SQLException e) {
                throw new IllegalStateException("media upload bookkeeping failed", e);
            }
        }
    }

    private String find(long campaignId, long accountId) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(FIND)) {
            ps.setLong(1, campaignId);
            ps.setLong(2, accountId);
            ps.setTimestamp(3, Timestamp.from(Instant.now().minus(REUSE_FOR)));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private void save(long campaignId, long accountId, String mediaId) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement delete = c.prepareStatement(SAVE_DELETE);
                 PreparedStatement insert = c.prepareStatement(SAVE_INSERT)) {
                delete.setLong(1, campaignId);
                delete.setLong(2, accountId);
                delete.executeUpdate();
                insert.setLong(1, campaignId);
                insert.setLong(2, accountId);
                insert.setString(3, mediaId);
                insert.setTimestamp(4, Timestamp.from(Instant.now()));
                insert.executeUpdate();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
