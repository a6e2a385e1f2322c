-- How far a terminal's set-up goes: the last change-log number it held when it enrolled. What it
-- did up to there names nobody and is vouched for by the one-time code; what it did after is
-- checked against the store's staff, whatever time the entry claims. Terminals enrolled before
-- this column had sent their set-up long ago: 0.
ALTER TABLE devices ADD COLUMN setup_through bigint NOT NULL DEFAULT 0 CHECK (setup_through >= 0);
