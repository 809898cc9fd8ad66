-- The splitter measures a campaign's window by its unfinished messages up to the queue cursor, a
-- few thousand rows; by (campaign, status) alone that count read every Queued row of the campaign,
-- so each batch of a 1,000,000-recipient split cost more than the last. The extra column serves it
-- from the index, and the index still serves every (campaign, status) lookup.
DROP INDEX ix_message_campaign_status;
CREATE INDEX ix_message_campaign_status_seq ON whatsapp_message (bulk_message_reference, status, seq);
