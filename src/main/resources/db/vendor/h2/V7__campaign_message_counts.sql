-- The Bulk WhatsApp Status report reads its counts from here instead of counting every message
-- (docs/report.md; the PostgreSQL migration of the same version explains the design). H2 has no
-- statement triggers with transition tables: a row trigger in Java appends the changes.
CREATE TABLE campaign_message_count (
    campaign_id BIGINT      NOT NULL,
    status      VARCHAR(20) NOT NULL,
    n           BIGINT      NOT NULL,
    PRIMARY KEY (campaign_id, status)
);

CREATE TABLE campaign_message_count_change (
    campaign_id BIGINT      NOT NULL,
    status      VARCHAR(20) NOT NULL,
    n           BIGINT      NOT NULL
);

CREATE TRIGGER count_message_changes AFTER INSERT, UPDATE, DELETE ON whatsapp_message
    FOR EACH ROW CALL 'herald.report.H2MessageCounts';

INSERT INTO campaign_message_count (campaign_id, status, n)
SELECT bulk_message_reference, status, COUNT(*) FROM whatsapp_message GROUP BY bulk_message_reference, status;

CREATE ALIAS fold_campaign_message_counts FOR 'herald.report.H2MessageCounts.fold';
