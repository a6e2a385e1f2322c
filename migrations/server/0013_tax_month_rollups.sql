-- TVA per store, calendar month of the business day (`month` is its first day) and rate, like
-- the other month rollups (0010): the apply pipeline adds to it in the push's transaction with
-- the day rows; the TVA report and the dashboard read whole months here and the days of a
-- partial month from `tax_day_rollups`, so a year is a dozen rows per store and rate.

CREATE TABLE tax_month_rollups (
    store_id uuid    NOT NULL,
    month    date    NOT NULL,
    rate     integer NOT NULL,
    base     bigint  NOT NULL,
    tax      bigint  NOT NULL,
    PRIMARY KEY (store_id, month, rate)
) WITH (fillfactor = 50);

-- Backfill: the months of the day rows already kept. (The API tests and the portal bench run
-- the statement from this line on again, so it stays the one definition of a month row.)
INSERT INTO tax_month_rollups (store_id, month, rate, base, tax)
SELECT store_id, date_trunc('month', day)::date, rate, sum(base), sum(tax)
FROM tax_day_rollups GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
