-- Herald nodes share the database and nothing else, so a media_upload row is also the lock that
-- lets one node upload an attachment while the others wait for its id: the uploading transaction
-- inserts the row with neither id nor time before it uploads, and a failed upload rolls it back.
ALTER TABLE media_upload ALTER COLUMN media_id DROP NOT NULL;
ALTER TABLE media_upload ALTER COLUMN uploaded_at DROP NOT NULL;
ALTER TABLE media_upload ADD CONSTRAINT media_upload_id_with_time CHECK ((media_id IS NULL) = (uploaded_at IS NULL));
