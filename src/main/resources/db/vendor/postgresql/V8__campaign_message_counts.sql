-- The Bulk WhatsApp Status report reads its counts from here instead of counting every message
-- (docs/report.md). A message's campaign count is its row in campaign_message_count plus the
-- changes not yet folded into it, so the two tables together always equal a GROUP BY over
-- whatsapp_message as of any one statement's snapshot.
--
-- Triggers only ever INSERT a change row, never update a shared counter: 40 senders changing
-- messages of one campaign would otherwise queue on that campaign's counter rows (held until
-- each commit), and webhook batches locking them in another order could deadlock with them.
-- The report's route folds the changes into the counts every second.
CREATE TABLE campaign_message_count (
    campaign_id BIGINT      NOT NULL,
    status      VARCHAR(20) NOT NULL,
    n           BIGINT      NOT NULL,
    PRIMARY KEY (campaign_id, status)
);

-- No key and no index: appending must stay as cheap as possible, and it is always read whole.
CREATE TABLE campaign_message_count_change (
    campaign_id BIGINT      NOT NULL,
    status      VARCHAR(20) NOT NULL,
    n           BIGINT      NOT NULL
);

-- Statement triggers with transition tables: a split batch or a cancel of a million messages adds
-- one change row per campaign and status, not one per message.
CREATE FUNCTION count_inserted_messages() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO campaign_message_count_change (campaign_id, status, n)
    SELECT bulk_message_reference, status, COUNT(*) FROM inserted GROUP BY bulk_message_reference, status;
    RETURN NULL;
END $$;

CREATE FUNCTION count_deleted_messages() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO campaign_message_count_change (campaign_id, status, n)
    SELECT bulk_message_reference, status, -COUNT(*) FROM deleted GROUP BY bulk_message_reference, status;
    RETURN NULL;
END $$;

-- Each row leaves its old (campaign, status) and joins its new one; a row whose status did not
-- change (wamid, timestamps, attempts) cancels out and adds nothing. Summed per side, never by
-- joining the two transition tables: they have no index, and a join of a 100,000-row cancel
-- ran for minutes.
CREATE FUNCTION count_updated_messages() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO campaign_message_count_change (campaign_id, status, n)
    SELECT campaign_id, status, SUM(n) FROM (
        SELECT bulk_message_reference AS campaign_id, status, -COUNT(*) AS n
        FROM before_update GROUP BY bulk_message_reference, status
        UNION ALL
        SELECT bulk_message_reference, status, COUNT(*)
        FROM after_update GROUP BY bulk_message_reference, status
    ) moved GROUP BY campaign_id, status HAVING SUM(n) <> 0;
    RETURN NULL;
END $$;

-- Created before the counts are taken: the lock each takes keeps writers waiting until this
-- migration commits, so no message changes between the count below and the first trigger.
CREATE TRIGGER count_inserted_messages AFTER INSERT ON whatsapp_message
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION count_inserted_messages();
CREATE TRIGGER count_deleted_messages AFTER DELETE ON whatsapp_message
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION count_deleted_messages();
CREATE TRIGGER count_updated_messages AFTER UPDATE ON whatsapp_message
    REFERENCING OLD TABLE AS before_update NEW TABLE AS after_update
    FOR EACH STATEMENT EXECUTE FUNCTION count_updated_messages();

INSERT INTO campaign_message_count (campaign_id, status, n)
SELECT bulk_message_reference, status, COUNT(*) FROM whatsapp_message GROUP BY bulk_message_reference, status;

-- Moves every committed change into the counts in one statement: a change is deleted exactly
-- when it is added, so none is lost or added twice, even with several nodes folding at once
-- (the sorted upsert keeps two folds from locking count rows in opposite orders).
CREATE FUNCTION fold_campaign_message_counts() RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE
    folded BIGINT;
BEGIN
    WITH taken AS (DELETE FROM campaign_message_count_change RETURNING campaign_id, status, n)
    INSERT INTO campaign_message_count (campaign_id, status, n)
    SELECT campaign_id, status, SUM(n) FROM taken GROUP BY campaign_id, status ORDER BY campaign_id, status
    ON CONFLICT (campaign_id, status) DO UPDATE SET n = campaign_message_count.n + EXCLUDED.n;
    GET DIAGNOSTICS folded = ROW_COUNT;
    RETURN folded;
END $$;
