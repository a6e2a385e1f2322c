-- An event's data is kept as the JSON text the apply pipeline wrote (`json`), which the relay
-- sends as it is. As `jsonb` every event had to be decompressed and printed back to text on
-- its way out, most of the database's work while relaying (`make bench-events`). EXTERNAL: a
-- large payload goes out of line uncompressed, so reading it is a copy. The outbox is kept
-- for the retention period only, so the space this costs stays small.
ALTER TABLE outbox
    ALTER COLUMN payload TYPE json USING payload::json,
    ALTER COLUMN payload SET STORAGE EXTERNAL;
