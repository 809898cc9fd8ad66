-- Meta's account-wide limits (4, 80007) hold the account on every Herald node, not only on the
-- node whose send was refused.
ALTER TABLE whatsapp_account ADD COLUMN held_until TIMESTAMP WITH TIME ZONE;
