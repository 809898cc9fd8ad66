-- A recipient row whose number cannot be read has no number to be unique by: it is stored with
-- none, and (campaign, seq) keeps a replayed split batch from adding it twice. Two such rows used
-- to share one typed text ('', 'n/a') and merge into one Failed message, losing the other row.
ALTER TABLE whatsapp_message ALTER COLUMN mobile_number DROP NOT NULL;
DROP INDEX ix_message_campaign_seq;
ALTER TABLE whatsapp_message ADD CONSTRAINT uq_message_seq UNIQUE (bulk_message_reference, seq);
