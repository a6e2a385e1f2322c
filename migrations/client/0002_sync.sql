-- What sync could not do, for the manager to see (`pos log`, the UI's sync badge): entries the
-- server rejected (direction 'push', ref = seq) and pulled entries this terminal could not apply
-- (direction 'pull', ref = feed cursor).
CREATE TABLE sync_problems (
    id        INTEGER PRIMARY KEY,
    direction TEXT    NOT NULL CHECK (direction IN ('push', 'pull')),
    ref       INTEGER NOT NULL,
    code      TEXT    NOT NULL,
    message   TEXT    NOT NULL,
    at_ms     INTEGER NOT NULL
) STRICT;
