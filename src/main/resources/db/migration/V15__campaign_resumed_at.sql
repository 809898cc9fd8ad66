-- A failed status webhook pauses a campaign only for a failure that happened after the campaign
-- was submitted or last resumed: Meta repeats webhooks, and failures of sends that were already
-- in flight keep coming after the operator resumed.
ALTER TABLE bulk_whatsapp_message ADD COLUMN resumed_at TIMESTAMP WITH TIME ZONE;
