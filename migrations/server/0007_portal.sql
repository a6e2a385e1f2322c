-- The back-office portal, part 1: people who sign in (owner, manager, accountant) and the
-- stores each may see, their sessions, the lock-out after repeated failures, the store's time
-- zone (its business day), when each terminal was last heard from, and the rollups the reports
-- read: refunds apart from sales, TVA per rate, and sales by hour, cashier and terminal.

-- Back-office roles. `admin` becomes `owner` (every store); a `cashier` account has no place in
-- the back office and becomes the least it could be, a read-only accountant with no store.
ALTER TABLE users DROP CONSTRAINT users_role_check;
UPDATE users SET role = CASE role WHEN 'admin' THEN 'owner' WHEN 'cashier' THEN 'accountant' ELSE role END;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('owner', 'manager', 'accountant'));
ALTER TABLE users ADD COLUMN password_changed_at timestamptz;

-- A manager's or an accountant's stores; an owner sees every store without rows here.
CREATE TABLE user_stores (
    user_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    store_id uuid NOT NULL REFERENCES stores (id),
    PRIMARY KEY (user_id, store_id)
);

-- Sessions kept by tower-sessions (`portal/session_store.rs`): the record as JSON.
CREATE TABLE portal_sessions (
    id         text        PRIMARY KEY,
    data       jsonb       NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX portal_sessions_expiry ON portal_sessions (expires_at);

-- Failed sign-ins per key (`account:EMAIL` or `address:IP`) in the current window.
CREATE TABLE portal_lockouts (
    key          text        PRIMARY KEY,
    failures     integer     NOT NULL,
    first_at     timestamptz NOT NULL,
    locked_until timestamptz
);

-- The business day is the store's local date in this zone (a name Postgres knows).
ALTER TABLE stores ADD COLUMN time_zone text NOT NULL DEFAULT 'Africa/Algiers';

-- When a terminal last reached the server (any authenticated request, kept to the minute).
ALTER TABLE devices ADD COLUMN last_seen_at timestamptz;

-- Receipt lookups: its refunds, and the receipts list over several stores by time.
CREATE INDEX sales_refund_of ON sales (refund_of) WHERE refund_of IS NOT NULL;
CREATE INDEX sales_time_id ON sales (created_at, id);

-- Refunds apart: `gross`/`discount`/`net` of day_rollups are sales minus refunds, and the
-- dashboard shows what was sold and what was given back.
ALTER TABLE day_rollups ADD COLUMN refund_gross bigint NOT NULL DEFAULT 0;
ALTER TABLE day_rollups ADD COLUMN refund_net bigint NOT NULL DEFAULT 0;

-- TVA per rate (basis points): HT base and TVA, refunds subtracted.
CREATE TABLE tax_day_rollups (
    store_id uuid    NOT NULL,
    day      date    NOT NULL,
    rate     integer NOT NULL,
    base     bigint  NOT NULL,
    tax      bigint  NOT NULL,
    PRIMARY KEY (store_id, day, rate)
) WITH (fillfactor = 50);

-- By local hour of the business day.
CREATE TABLE hour_rollups (
    store_id uuid     NOT NULL,
    day      date     NOT NULL,
    hour     smallint NOT NULL,
    sales    bigint   NOT NULL,
    refunds  bigint   NOT NULL,
    net      bigint   NOT NULL,
    PRIMARY KEY (store_id, day, hour)
) WITH (fillfactor = 50);

-- By cashier (the till's staff id) and by terminal (the enrolled device).
CREATE TABLE cashier_day_rollups (
    store_id   uuid   NOT NULL,
    day        date   NOT NULL,
    cashier_id uuid   NOT NULL,
    sales      bigint NOT NULL,
    refunds    bigint NOT NULL,
    net        bigint NOT NULL,
    PRIMARY KEY (store_id, day, cashier_id)
) WITH (fillfactor = 50);

CREATE TABLE device_day_rollups (
    store_id  uuid   NOT NULL,
    day       date   NOT NULL,
    device_id uuid   NOT NULL,
    sales     bigint NOT NULL,
    refunds   bigint NOT NULL,
    net       bigint NOT NULL,
    PRIMARY KEY (store_id, day, device_id)
) WITH (fillfactor = 50);

-- Sales recorded before this migration, into the new columns and tables. The day is the
-- store's zone, as the apply pipeline computes it from now on.
WITH s AS (
    SELECT s.id, s.store_id, s.kind, s.device_id, s.cashier_id,
           (s.created_at AT TIME ZONE st.time_zone)::date AS day,
           extract(hour FROM s.created_at AT TIME ZONE st.time_zone)::smallint AS hour,
           CASE s.kind WHEN 'refund' THEN -1 ELSE 1 END AS sign,
           (SELECT sum(l.net) FROM sale_lines l WHERE l.sale_id = s.id AND l.created_at = s.created_at) AS net
    FROM sales s JOIN stores st ON st.id = s.store_id
), h AS (
    INSERT INTO hour_rollups (store_id, day, hour, sales, refunds, net)
    SELECT store_id, day, hour, count(*) FILTER (WHERE kind = 'sale'),
           count(*) FILTER (WHERE kind = 'refund'), coalesce(sum(sign * net), 0)
    FROM s GROUP BY store_id, day, hour
), c AS (
    INSERT INTO cashier_day_rollups (store_id, day, cashier_id, sales, refunds, net)
    SELECT store_id, day, cashier_id, count(*) FILTER (WHERE kind = 'sale'),
           count(*) FILTER (WHERE kind = 'refund'), coalesce(sum(sign * net), 0)
    FROM s GROUP BY store_id, day, cashier_id
)
INSERT INTO device_day_rollups (store_id, day, device_id, sales, refunds, net)
SELECT store_id, day, device_id, count(*) FILTER (WHERE kind = 'sale'),
       count(*) FILTER (WHERE kind = 'refund'), coalesce(sum(sign * net), 0)
FROM s GROUP BY store_id, day, device_id;

-- Per sale and rate: HT = round(TTC × 10000 / (10000 + rate)), halves away from zero (as
-- `pos_shared::pricing`), TVA = TTC − HT.
WITH r AS (
    SELECT s.store_id, (s.created_at AT TIME ZONE st.time_zone)::date AS day, l.tax_rate AS rate,
           CASE s.kind WHEN 'refund' THEN -1 ELSE 1 END AS sign, sum(l.net) AS ttc
    FROM sales s JOIN stores st ON st.id = s.store_id
    JOIN sale_lines l ON l.sale_id = s.id AND l.created_at = s.created_at
    GROUP BY s.id, s.store_id, day, s.kind, l.tax_rate
), t AS (
    SELECT store_id, day, rate, sign, ttc, round(ttc::numeric * 10000 / (10000 + rate))::bigint AS ht
    FROM r
)
INSERT INTO tax_day_rollups (store_id, day, rate, base, tax)
SELECT store_id, day, rate, sum(sign * ht), sum(sign * (ttc - ht)) FROM t GROUP BY store_id, day, rate;

UPDATE day_rollups d SET refund_gross = x.g, refund_net = x.n
FROM (SELECT s.store_id, (s.created_at AT TIME ZONE st.time_zone)::date AS day,
             sum(l.gross) AS g, sum(l.net) AS n
      FROM sales s JOIN stores st ON st.id = s.store_id
      JOIN sale_lines l ON l.sale_id = s.id AND l.created_at = s.created_at
      WHERE s.kind = 'refund' GROUP BY 1, 2) x
WHERE d.store_id = x.store_id AND d.day = x.day;
