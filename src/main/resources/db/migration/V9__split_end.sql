-- The last recipient position (row index, or Recipient List row id) that the submit checked: the
-- split reads no further, so rows added to a Recipient List after the submit are never sent
-- unchecked. Campaigns submitted before this have none and read their recipients to the end.
ALTER TABLE bulk_whatsapp_message ADD COLUMN split_end BIGINT;
