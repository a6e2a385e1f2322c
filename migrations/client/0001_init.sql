-- The till's local store. Applied once, in order, by pos-app's `store::migrate`; never edit an
-- applied migration, add a new file instead.

-- Key/value facts about this terminal: store and terminal ids and names, settings.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Everything this terminal did that others must learn, in the order it happened. `seq` is dense;
-- the server acknowledges a prefix, kept as `meta.acked_through`, so what is pending is a range.
CREATE TABLE change_log (
    seq       INTEGER PRIMARY KEY,
    kind      TEXT    NOT NULL CHECK (kind IN ('product_genesis', 'product', 'cart', 'sale', 'movement', 'shift_event', 'audit')),
    entity_id TEXT    NOT NULL,
    body      BLOB    NOT NULL,
    hlc       TEXT    NOT NULL,
    acked     INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Products: the row is the materialised view of the product's automerge document. A product
-- nobody has edited yet has no stored document: its document is the deterministic genesis built
-- from the row (see pos-app catalog::doc::genesis), so importing 100k products builds none.
CREATE TABLE products (
    rowid         INTEGER PRIMARY KEY,
    id            TEXT    NOT NULL UNIQUE,
    sku           TEXT    NOT NULL UNIQUE,
    name_fr       TEXT    NOT NULL,
    name_ar       TEXT    NOT NULL,
    plu           TEXT    UNIQUE,
    price         INTEGER NOT NULL,
    tax_rate      INTEGER NOT NULL,
    category      TEXT    NOT NULL,
    unit          TEXT    NOT NULL CHECK (unit IN ('piece', 'kg')),
    reorder_point INTEGER NOT NULL,
    active        INTEGER NOT NULL,
    conflicts     TEXT
) STRICT;
CREATE INDEX products_plu_digits ON products (ltrim(plu, '0'));
CREATE TABLE product_barcodes (
    gtin       TEXT PRIMARY KEY,
    product_id TEXT NOT NULL REFERENCES products (id)
) STRICT, WITHOUT ROWID;
CREATE INDEX product_barcodes_product ON product_barcodes (product_id);
CREATE TABLE product_docs (
    product_id TEXT PRIMARY KEY REFERENCES products (id),
    doc        BLOB NOT NULL
) STRICT;
-- Folded text (accents and Arabic letter forms normalised in Rust), rowid = products.rowid.
CREATE VIRTUAL TABLE product_fts USING fts5 (
    text,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2'
);

-- Stock is a ledger. The level is a function of the set of movements: the latest COUNT (by hlc)
-- plus the deltas after it. `stock_levels` caches it, kept in the same transaction.
-- Clustered by product and time: a sale's five movements touch five leaf pages and nothing else,
-- and a product's history is one range. `key` makes a movement unique (and re-recording it a
-- no-op): a ledger movement's id (receive, adjust, count), or `sale_id/line_no` for the lines of
-- a sale or refund, which carry no id of their own.
CREATE TABLE stock_movements (
    product_id TEXT    NOT NULL,
    hlc        TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('SALE', 'REFUND', 'RECEIVE', 'ADJUST', 'TRANSFER_OUT', 'TRANSFER_IN', 'COUNT')),
    qty        INTEGER NOT NULL,
    reason     TEXT,
    ref_id     TEXT,
    line_no    INTEGER,
    user_id    TEXT,
    PRIMARY KEY (product_id, hlc, key)
) STRICT, WITHOUT ROWID;
CREATE TABLE stock_levels (
    product_id TEXT    PRIMARY KEY,
    level      INTEGER NOT NULL,
    count_hlc  TEXT    NOT NULL DEFAULT ''
) STRICT;

-- Carts being rung up (one active per terminal) or parked. Parked carts are automerge documents.
CREATE TABLE carts (
    id             TEXT PRIMARY KEY,
    status         TEXT NOT NULL CHECK (status IN ('active', 'parked')),
    label          TEXT,
    order_discount TEXT,
    created_hlc    TEXT NOT NULL,
    user_id        TEXT,
    doc            BLOB
) STRICT;
CREATE UNIQUE INDEX carts_one_active ON carts (status) WHERE status = 'active';
-- A line keeps the product as it was when scanned (name, price, rate), as JSON.
CREATE TABLE cart_lines (
    cart_id TEXT    NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    line_no INTEGER NOT NULL,
    line    TEXT    NOT NULL,
    PRIMARY KEY (cart_id, line_no)
) STRICT;

-- Sales and refunds: immutable once written.
CREATE TABLE sales (
    id             TEXT    PRIMARY KEY,
    kind           TEXT    NOT NULL CHECK (kind IN ('sale', 'refund')),
    refund_of      TEXT,
    terminal_id    TEXT    NOT NULL,
    receipt_no     INTEGER NOT NULL,
    shift_id       TEXT    NOT NULL,
    cashier_id     TEXT    NOT NULL,
    hlc            TEXT    NOT NULL,
    created_at_ms  INTEGER NOT NULL,
    order_discount TEXT,
    subtotal       INTEGER NOT NULL,
    discount_total INTEGER NOT NULL,
    total          INTEGER NOT NULL,
    change         INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX sales_receipt ON sales (terminal_id, receipt_no);
CREATE INDEX sales_shift ON sales (shift_id);
CREATE INDEX sales_refund_of ON sales (refund_of) WHERE refund_of IS NOT NULL;
CREATE TABLE sale_lines (
    sale_id        TEXT    NOT NULL REFERENCES sales (id),
    line_no        INTEGER NOT NULL,
    product_id     TEXT    NOT NULL,
    sku            TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    barcode        TEXT,
    unit           TEXT    NOT NULL,
    qty            INTEGER NOT NULL,
    unit_price     INTEGER NOT NULL,
    tax_rate       INTEGER NOT NULL,
    discount       TEXT,
    gross          INTEGER NOT NULL,
    line_discount  INTEGER NOT NULL,
    order_discount INTEGER NOT NULL,
    net            INTEGER NOT NULL,
    PRIMARY KEY (sale_id, line_no)
) STRICT, WITHOUT ROWID;
CREATE TABLE payments (
    sale_id   TEXT    NOT NULL REFERENCES sales (id),
    seq       INTEGER NOT NULL,
    tender    TEXT    NOT NULL CHECK (tender IN ('cash', 'card')),
    amount    INTEGER NOT NULL,
    tendered  INTEGER NOT NULL,
    reference TEXT,
    PRIMARY KEY (sale_id, seq)
) STRICT, WITHOUT ROWID;
CREATE TABLE sale_taxes (
    sale_id TEXT    NOT NULL REFERENCES sales (id),
    rate    INTEGER NOT NULL,
    base    INTEGER NOT NULL,
    tax     INTEGER NOT NULL,
    total   INTEGER NOT NULL,
    PRIMARY KEY (sale_id, rate)
) STRICT, WITHOUT ROWID;

-- Shifts and what happened in them (grow-only events).
CREATE TABLE shifts (
    id            TEXT    PRIMARY KEY,
    terminal_id   TEXT    NOT NULL,
    opened_by     TEXT    NOT NULL,
    opened_at_ms  INTEGER NOT NULL,
    float         INTEGER NOT NULL,
    closed_by     TEXT,
    closed_at_ms  INTEGER,
    counted_cash  INTEGER,
    expected_cash INTEGER
) STRICT;
CREATE UNIQUE INDEX shifts_one_open ON shifts (terminal_id) WHERE closed_at_ms IS NULL;
CREATE TABLE shift_events (
    id       TEXT PRIMARY KEY,
    shift_id TEXT NOT NULL REFERENCES shifts (id),
    kind     TEXT NOT NULL,
    body     TEXT NOT NULL,
    hlc      TEXT NOT NULL,
    user_id  TEXT NOT NULL
) STRICT;
CREATE INDEX shift_events_shift ON shift_events (shift_id);

-- People who work the till. Server-authoritative once sync lands; created locally until then.
CREATE TABLE users (
    id       TEXT    PRIMARY KEY,
    name     TEXT    NOT NULL,
    role     TEXT    NOT NULL CHECK (role IN ('cashier', 'manager', 'admin')),
    pin_hash TEXT    NOT NULL,
    active   INTEGER NOT NULL DEFAULT 1
) STRICT;
-- Failed PIN attempts on this terminal, for the lock-out.
CREATE TABLE login_guard (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    failures        INTEGER NOT NULL,
    locked_until_ms INTEGER NOT NULL
) STRICT;
INSERT INTO login_guard (id, failures, locked_until_ms) VALUES (1, 0, 0);

-- Things a manager wants to see afterwards: voids, removed lines, drawer opened, overrides.
CREATE TABLE audit (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    approver_id TEXT,
    hlc         TEXT NOT NULL,
    body        TEXT NOT NULL
) STRICT;
