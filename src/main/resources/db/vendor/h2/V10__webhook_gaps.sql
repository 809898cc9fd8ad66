-- Webhook gaps (docs/webhooks.md, docs/callbacks.md). The PostgreSQL migration of the same version
-- does the same; only the digest functions differ.

-- Every error Meta gave with a status, as the JSON array it sent; error_code and the other error
-- columns keep the first one for queries.
ALTER TABLE message_receipt ADD COLUMN errors VARCHAR;

-- uq_unmatched_event (wamid, status, meta_timestamp) never holds for an event without an id or a
-- timestamp (NULLs are distinct): this key does. SHA-256 of waba_id|phone_number_id|event, the
-- same as herald.webhooks.WebhookEvents computes; repeats already stored are dropped, the first kept.
ALTER TABLE webhook_unmatched_status ADD COLUMN event_key VARCHAR(64);
UPDATE webhook_unmatched_status SET event_key = LOWER(RAWTOHEX(HASH('SHA-256',
    COALESCE(waba_id, '') || '|' || COALESCE(phone_number_id, '') || '|' || event)));
DELETE FROM webhook_unmatched_status u WHERE EXISTS (SELECT 1 FROM webhook_unmatched_status d
    WHERE d.event_key = u.event_key AND d.id < u.id);
ALTER TABLE webhook_unmatched_status ALTER COLUMN event_key SET NOT NULL;
ALTER TABLE webhook_unmatched_status ADD CONSTRAINT uq_unmatched_event_key UNIQUE (event_key);

-- A late failure turns a Completed campaign Partially Failed within the same retry round: that
-- final status is announced too, once.
ALTER TABLE campaign_callback DROP CONSTRAINT uq_callback_round;
ALTER TABLE campaign_callback ADD CONSTRAINT uq_callback_round_status UNIQUE (campaign_id, retry_round, campaign_status);
