-- Month rollups for the dashboard's breakdowns: products (and so categories), hours of the day,
-- cashiers and terminals, per store and calendar month of the business day (`month` is its
-- first day). The apply pipeline adds to them in the push's transaction with the day rows
-- (`apply::rollups`); the dashboard reads the months of a range here, with the days at its
-- ends from the day tables added or taken back (`portal::breakdowns`), so a year is a dozen
-- rows per key instead of 365.

CREATE TABLE product_month_rollups (
    store_id   uuid   NOT NULL,
    month      date   NOT NULL,
    product_id uuid   NOT NULL,
    qty        bigint NOT NULL,
    gross      bigint NOT NULL,
    net        bigint NOT NULL,
    PRIMARY KEY (store_id, month, product_id)
) WITH (fillfactor = 50);

CREATE TABLE hour_month_rollups (
    store_id uuid     NOT NULL,
    month    date     NOT NULL,
    hour     smallint NOT NULL,
    sales    bigint   NOT NULL,
    refunds  bigint   NOT NULL,
    net      bigint   NOT NULL,
    PRIMARY KEY (store_id, month, hour)
) WITH (fillfactor = 50);

CREATE TABLE cashier_month_rollups (
    store_id   uuid   NOT NULL,
    month      date   NOT NULL,
    cashier_id uuid   NOT NULL,
    sales      bigint NOT NULL,
    refunds    bigint NOT NULL,
    net        bigint NOT NULL,
    PRIMARY KEY (store_id, month, cashier_id)
) WITH (fillfactor = 50);

CREATE TABLE device_month_rollups (
    store_id  uuid   NOT NULL,
    month     date   NOT NULL,
    device_id uuid   NOT NULL,
    sales     bigint NOT NULL,
    refunds   bigint NOT NULL,
    net       bigint NOT NULL,
    PRIMARY KEY (store_id, month, device_id)
) WITH (fillfactor = 50);

-- Backfill: the months of the day rows already kept, written in key order so a month's rows
-- sit together. (The API tests and the portal bench run the statements from this line on
-- again, so they stay the one definition of a month row.)
INSERT INTO product_month_rollups (store_id, month, product_id, qty, gross, net)
SELECT store_id, date_trunc('month', day)::date, product_id, sum(qty), sum(gross), sum(net)
FROM product_day_rollups GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;

INSERT INTO hour_month_rollups (store_id, month, hour, sales, refunds, net)
SELECT store_id, date_trunc('month', day)::date, hour, sum(sales), sum(refunds), sum(net)
FROM hour_rollups GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;

INSERT INTO cashier_month_rollups (store_id, month, cashier_id, sales, refunds, net)
SELECT store_id, date_trunc('month', day)::date, cashier_id, sum(sales), sum(refunds), sum(net)
FROM cashier_day_rollups GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;

INSERT INTO device_month_rollups (store_id, month, device_id, sales, refunds, net)
SELECT store_id, date_trunc('month', day)::date, device_id, sum(sales), sum(refunds), sum(net)
FROM device_day_rollups GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
