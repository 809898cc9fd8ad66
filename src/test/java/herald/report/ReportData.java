package herald.report;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.sql.DataSource;

import herald.testing.HeraldServer;

/**
 * Writes campaigns and their message rows straight into the shared Herald's database, as the split
 * and send routes would leave them, so a report test controls every count without sending anything.
 * Every account is new, so a test that filters by its account sees only its own campaigns.
 */
final class ReportData {

    /** A WhatsApp Account with one template, both written by this class. */
    record Account(long id, String name, long templateId, String templateName, boolean sandbox) {
    }

    private final DataSource dataSource;

    ReportData(HeraldServer herald) {
        this.dataSource = herald.dataSource();
    }

    Account account() {
        return account(false);
    }

    /** An account with its template, both marked sandbox when {@code sandbox}, as sandbox mode writes them. */
    Account account(boolean sandbox) {
        String name = HeraldServer.unique("Report account");
        String template = HeraldServer.unique("report_offer").toLowerCase();
        try (Connection c = dataSource.getConnection()) {
            long accountId = insert(c, "INSERT INTO whatsapp_account (name, phone_number_id, waba_id, access_token_enc, "
                    + "api_base_url, api_version, messages_per_second, active, is_default, sandbox) "
                    + "VALUES (?, '106540352242922', '102290129340398', 'not-a-real-token', 'http://127.0.0.1:9', 'v23.0', "
                    + "80, TRUE, FALSE, ?)", name, sandbox);
            long templateId = insert(c, "INSERT INTO whatsapp_template (account_id, name, language, category, status, "
                    + "parameter_format, components, header_kind, header_params, body_params, sandbox) "
                    + "VALUES (?, ?, 'en', 'MARKETING', 'APPROVED', 'POSITIONAL', '[]', 'NONE', '[]', '[]', ?)", accountId,
                    template, sandbox);
            return new Account(accountId, name, templateId, template, sandbox);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A submitted campaign sending through the account, with message rows in the given statuses
     * (status to count, in order). Its split is done unless it is still running, so Herald's own
     * reconciliation only ever moves a running campaign to Completed or Partially Failed.
     */
    String campaign(Account account, String title, String status, OffsetDateTime createdAt, Map<String, Integer> messages) {
        String name = HeraldServer.unique("RPT");
        try (Connection c = dataSource.getConnection()) {
            long id = insert(c, "INSERT INTO bulk_whatsapp_message (name, title, recipient_type, template_id, account_id, "
                    + "sending_account_id, sending_template_id, variable_type, status, split_state, created_by, created_at, "
                    + "sandbox) VALUES (?, ?, 'Recipient List', ?, NULL, ?, ?, 'Common', ?, ?, 'report-test', ?, ?)",
                    name, title, account.templateId(), account.id(), account.templateId(), status,
                    status.equals("In Progress") ? "DONE" : "NONE", createdAt, account.sandbox());
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO whatsapp_message (bulk_message_reference, seq, "
                    + "mobile_number, account_id, template_id, parameters, status) VALUES (?, ?, ?, ?, ?, '[]', ?)")) {
                int seq = 0;
                for (Map.Entry<String, Integer> e : messages.entrySet()) {
                    for (int i = 0; i < e.getValue(); i++) {
                        seq++;
                        ps.setLong(1, id);
                        ps.setLong(2, seq);
                        ps.setString(3, "+4915100" + String.format("%06d", seq));
                        ps.setLong(4, account.id());
                        ps.setLong(5, account.templateId());
                        ps.setString(6, e.getKey());
                        ps.addBatch();
                    }
                }
                ps.executeBatch();
            }
            return name;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A Draft, not yet submitted, as the campaign API writes one: it sends through its override
     * account if it names one, else through its template's account.
     */
    String draft(Account templateOwner, Account override, String title, OffsetDateTime createdAt) {
        String name = HeraldServer.unique("RPT");
        try (Connection c = dataSource.getConnection()) {
            insert(c, "INSERT INTO bulk_whatsapp_message (name, title, recipient_type, template_id, account_id, variable_type, "
                    + "status, created_by, created_at) VALUES (?, ?, 'Individual Recipients', ?, ?, 'Common', 'Draft', "
                    + "'report-test', ?)", name, title, templateOwner.templateId(), override == null ? null : override.id(),
                    createdAt);
            return name;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Moves up to n of the campaign's messages from one status to another, as sends and receipts do. */
    int move(String campaign, String from, String to, int n) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE whatsapp_message SET status = ?, updated_at = CURRENT_TIMESTAMP "
                     + "WHERE id IN (SELECT m.id FROM whatsapp_message m JOIN bulk_whatsapp_message b "
                     + "ON b.id = m.bulk_message_reference WHERE b.name = ? AND m.status = ? ORDER BY m.seq LIMIT ?)")) {
            ps.setString(1, to);
            ps.setString(2, campaign);
            ps.setString(3, from);
            ps.setInt(4, n);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The campaign's message rows counted by status, straight from the table. */
    Map<String, Long> messageCounts(String campaign) {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT m.status, COUNT(*) FROM whatsapp_message m "
                     + "JOIN bulk_whatsapp_message b ON b.id = m.bulk_message_reference WHERE b.name = ? GROUP BY m.status")) {
            ps.setString(1, campaign);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getString(1), rs.getLong(2));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return counts;
    }

    static OffsetDateTime utc(String isoInstant) {
        return OffsetDateTime.parse(isoInstant).withOffsetSameInstant(ZoneOffset.UTC);
    }

    private static long insert(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }
}
