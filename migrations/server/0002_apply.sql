-- Applied records: sales (and refunds) with their lines and payments, and the stock ledger,
-- partitioned by month so old months can be detached and the portal reads recent ones fast.
-- `pos_ensure_month(date)` creates a month's partitions; the server calls it at start for the
-- months around now and before applying entries of any other month.

CREATE TABLE sales (
    id             uuid        NOT NULL,
    store_id       uuid        NOT NULL,
    device_id      uuid        NOT NULL,
    kind           text        NOT NULL CHECK (kind IN ('sale', 'refund')),
    refund_of      uuid,
    terminal_id    uuid        NOT NULL,
    receipt_no     bigint      NOT NULL,
    shift_id       uuid        NOT NULL,
    cashier_id     uuid        NOT NULL,
    hlc            text        NOT NULL,
    created_at     timestamptz NOT NULL,
    subtotal       bigint      NOT NULL,
    discount_total bigint      NOT NULL,
    total          bigint      NOT NULL,
    change         bigint      NOT NULL,
    PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);
CREATE INDEX sales_store_time ON sales (store_id, created_at);

CREATE TABLE sale_lines (
    sale_id    uuid        NOT NULL,
    created_at timestamptz NOT NULL,
    store_id   uuid        NOT NULL,
    line_no    integer     NOT NULL,
    product_id uuid        NOT NULL,
    sku        text        NOT NULL,
    name       text        NOT NULL,
    unit       text        NOT NULL,
    qty        bigint      NOT NULL,
    unit_price bigint      NOT NULL,
    tax_rate   integer     NOT NULL,
    gross      bigint      NOT NULL,
    net        bigint      NOT NULL,
    PRIMARY KEY (sale_id, line_no, created_at)
) PARTITION BY RANGE (created_at);

CREATE TABLE payments (
    sale_id    uuid        NOT NULL,
    created_at timestamptz NOT NULL,
    seq        integer     NOT NULL,
    tender     text        NOT NULL,
    amount     bigint      NOT NULL,
    tendered   bigint      NOT NULL,
    reference  text,
    PRIMARY KEY (sale_id, seq, created_at)
) PARTITION BY RANGE (created_at);

-- The stock ledger, as on the tills: `key` is a movement's id, or `sale_id/line_no`.
CREATE TABLE stock_movements (
    store_id   uuid        NOT NULL,
    product_id uuid        NOT NULL,
    hlc        text        NOT NULL,
    key        text        NOT NULL,
    kind       text        NOT NULL,
    qty        bigint      NOT NULL,
    ref_id     uuid,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (store_id, product_id, hlc, key, created_at)
) PARTITION BY RANGE (created_at);

-- Level = latest COUNT (by hlc) + later deltas; kept in the apply transaction.
CREATE TABLE stock_levels (
    store_id   uuid   NOT NULL,
    product_id uuid   NOT NULL,
    level      bigint NOT NULL,
    count_hlc  text   NOT NULL DEFAULT '',
    PRIMARY KEY (store_id, product_id)
);

CREATE FUNCTION pos_ensure_month(day date) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    first date := date_trunc('month', day)::date;
    next  date := (date_trunc('month', day) + interval '1 month')::date;
    suffix text := to_char(first, 'YYYY_MM');
    t text;
BEGIN
    -- One creator at a time: two pushes of a new month must not race to create its tables.
    PERFORM pg_advisory_xact_lock(7301);
    FOREACH t IN ARRAY ARRAY['sales', 'sale_lines', 'payments', 'stock_movements'] LOOP
        EXECUTE format(
            'CREATE TABLE IF NOT EXISTS %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
            t || '_' || suffix, t, first, next);
    END LOOP;
END
$$;
