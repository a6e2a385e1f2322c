-- Members of staff added at a till travel to the server (and through it to the store's other
-- tills) as `staff` entries of the change log. SQLite cannot change a CHECK constraint in
-- place, so the log is rebuilt with the new kind allowed; its rows are copied as they are.
CREATE TABLE change_log_next (
    seq       INTEGER PRIMARY KEY,
    kind      TEXT    NOT NULL CHECK (kind IN ('product_genesis', 'product', 'cart', 'sale', 'movement', 'shift_event', 'audit', 'staff')),
    entity_id TEXT    NOT NULL,
    body      BLOB    NOT NULL,
    hlc       TEXT    NOT NULL,
    acked     INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO change_log_next (seq, kind, entity_id, body, hlc, acked)
    SELECT seq, kind, entity_id, body, hlc, acked FROM change_log;
DROP TABLE change_log;
ALTER TABLE change_log_next RENAME TO change_log;
