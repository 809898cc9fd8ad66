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
-- H2 joins the report's derived table campaign by campaign, reading the changes once per campaign:
-- without this index, 20,000 waiting changes made the report of 100 campaigns take a second.
CREATE INDEX ix_count_change_campaign ON campaign_message_count_change (campaign_id);

CREATE TRIGGER count_message_changes AFTER INSERT, UPDATE, DELETE ON whatsapp_message
    FOR EACH ROW CALL 'herald.report.H2MessageCounts';

INSERT INTO campaign_message_count (campaign_id, status, n)
SELECT bulk_message_reference, status, COUNT(*) FROM whatsapp_message GROUP BY bulk_message_reference, status;

CREATE ALIAS fold_campaign_message_counts FOR 'herald.report.H2MessageCounts.fold';
