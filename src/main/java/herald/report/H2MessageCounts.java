package herald.report;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;

import org.h2.api.Trigger;

/**
 * H2's half of the campaign message counts (db/vendor/h2/V8): the row trigger on whatsapp_message
 * that appends each change of a message's campaign or status to campaign_message_count_change, and
 * the function fold_campaign_message_counts that moves those changes into campaign_message_count.
 * PostgreSQL does both in plpgsql (db/vendor/postgresql/V8).
 */
public class H2MessageCounts implements Trigger {

    private static final String APPEND =
            "INSERT INTO campaign_message_count_change (campaign_id, status, n) VALUES (?, ?, ?)";

    private int campaignColumn;
    private int statusColumn;

    @Override
    public void init(Connection conn, String schemaName, String triggerName, String tableName, boolean before, int type)
            throws SQLException {
        // H2 hands rows over as arrays in column order; the positions are looked up once.
        try (PreparedStatement ps = conn.prepareStatement("SELECT column_name, ordinal_position FROM information_schema.columns "
                + "WHERE table_schema = ? AND table_name = ? AND column_name IN ('bulk_message_reference', 'status')")) {
            ps.setString(1, schemaName);
            ps.setString(2, tableName);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getString(1).equals("status")) {
                        statusColumn = rs.getInt(2) - 1;
                    } else {
                        campaignColumn = rs.getInt(2) - 1;
                    }
                }
            }
        }
    }

    @Override
    public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
        if (oldRow != null && newRow != null && Objects.equals(oldRow[campaignColumn], newRow[campaignColumn])
                && Objects.equals(oldRow[statusColumn], newRow[statusColumn])) {
            return;
        }
        try (PreparedStatement ps = conn.prepareStatement(APPEND)) {
            if (oldRow != null) {
                add(ps, oldRow, -1);
            }
            if (newRow != null) {
                add(ps, newRow, 1);
            }
            ps.executeBatch();
        }
    }

    private void add(PreparedStatement ps, Object[] row, long n) throws SQLException {
        ps.setObject(1, row[campaignColumn]);
        ps.setObject(2, row[statusColumn]);
        ps.setLong(3, n);
        ps.addBatch();
    }

    /**
     * fold_campaign_message_counts(): one statement that deletes every committed change and adds
     * exactly the deleted ones to the counts, so none is lost or added twice. Answers how many
     * count rows it changed.
     */
    public static long fold(Connection conn) throws SQLException {
        try (Statement s = conn.createStatement()) {
            return s.executeUpdate("MERGE INTO campaign_message_count k USING (SELECT campaign_id, status, SUM(n) AS n "
                    + "FROM OLD TABLE (DELETE FROM campaign_message_count_change) GROUP BY campaign_id, status) f "
                    + "ON k.campaign_id = f.campaign_id AND k.status = f.status "
                    + "WHEN MATCHED THEN UPDATE SET n = k.n + f.n "
                    + "WHEN NOT MATCHED THEN INSERT (campaign_id, status, n) VALUES (f.campaign_id, f.status, f.n)");
        }
    }
}
