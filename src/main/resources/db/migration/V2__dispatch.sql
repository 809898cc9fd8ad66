-- Dispatch: which Herald node holds a message in flight, and each campaign's uploaded media id.
ALTER TABLE whatsapp_message ADD COLUMN claimed_by VARCHAR(100);

CREATE TABLE media_upload (
    campaign_id BIGINT       NOT NULL REFERENCES bulk_whatsapp_message (id) ON DELETE CASCADE,
    account_id  BIGINT       NOT NULL REFERENCES whatsapp_account (id),
    media_id    VARCHAR(200) NOT NULL,
    uploaded_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (campaign_id, account_id)
);
