-- The split writes every message row of a campaign at once but enqueues them only a few seconds of
-- the account's rate ahead of its sends, so the account's running campaigns share its rate instead
-- of the first one holding the send queue. queue_cursor is the last seq enqueued in this round;
-- rows between it and split_cursor wait, Queued, for the split to enqueue them.
ALTER TABLE bulk_whatsapp_message ADD COLUMN queue_cursor BIGINT NOT NULL DEFAULT 0;
-- Splits started before this enqueued every row they wrote.
UPDATE bulk_whatsapp_message SET queue_cursor = split_cursor;
