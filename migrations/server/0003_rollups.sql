-- Rollups for the portal, kept up to date in the push's transaction: per store and business
-- day, and per store, day and product. A sale is added once, when it is first recorded; a
-- refund (its lines carry positive amounts) is subtracted and counted in `refunds`. The
-- business day is the sale's `created_at` in the stores' local time, UTC+1 (Africa/Algiers,
-- no daylight saving); the server computes it in one place, `apply::rollups::business_day`.
-- Amounts are centimes: `gross` before discounts, `discount` = line and order discounts,
-- `net` = what was paid (TTC), `tax` = its TVA, `cash`/`card` = the tenders applied.

CREATE TABLE day_rollups (
    store_id uuid   NOT NULL,
    day      date   NOT NULL,
    sales    bigint NOT NULL,
    refunds  bigint NOT NULL,
    gross    bigint NOT NULL,
    discount bigint NOT NULL,
    net      bigint NOT NULL,
    tax      bigint NOT NULL,
    cash     bigint NOT NULL,
    card     bigint NOT NULL,
    PRIMARY KEY (store_id, day)
) WITH (fillfactor = 50);

-- `qty` in pieces, or grams for weighed products; refunds subtract.
CREATE TABLE product_day_rollups (
    store_id   uuid   NOT NULL,
    day        date   NOT NULL,
    product_id uuid   NOT NULL,
    qty        bigint NOT NULL,
    gross      bigint NOT NULL,
    net        bigint NOT NULL,
    PRIMARY KEY (store_id, day, product_id)
) WITH (fillfactor = 50);

-- The feed refers to the stored entry (`origin`, `seq` in `device_changes`) instead of copying
-- its body, so a pushed body is written once, not twice. Rows written before keep their copy;
-- a pull takes the row's body if it has one, else the entry's.
ALTER TABLE feed ADD COLUMN seq bigint;
ALTER TABLE feed ALTER COLUMN body DROP NOT NULL;
ALTER TABLE feed ADD CONSTRAINT feed_body_or_entry CHECK (body IS NOT NULL OR seq IS NOT NULL);

-- Bodies of stored entries above ~2 kB (a sale of a few lines) are compressed: lz4 costs a
-- fraction of the CPU of the default pglz. Only new values are affected.
ALTER TABLE device_changes ALTER COLUMN body SET COMPRESSION lz4;
