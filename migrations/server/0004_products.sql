-- The catalog as the server knows it: each product materialised from its automerge document
-- (genesis + every change the terminals pushed), with any field edited concurrently listed in
-- `conflicts` so the back office can see and settle it. `product_docs` holds the document once
-- somebody has edited the product; a product nobody edited is exactly its genesis row.
-- Fresh terminals read both through the paged snapshot instead of the whole feed.

CREATE TABLE products (
    store_id      uuid        NOT NULL REFERENCES stores (id),
    id            uuid        NOT NULL,
    sku           text        NOT NULL,
    name_fr       text        NOT NULL,
    name_ar       text        NOT NULL,
    barcodes      text[]      NOT NULL,
    plu           text,
    price         bigint      NOT NULL,
    tax_rate      integer     NOT NULL,
    category      text        NOT NULL,
    unit          text        NOT NULL,
    reorder_point bigint      NOT NULL,
    active        boolean     NOT NULL,
    conflicts     jsonb       NOT NULL DEFAULT '[]',
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, id)
);
CREATE INDEX products_store_sku ON products (store_id, sku);

CREATE TABLE product_docs (
    store_id   uuid  NOT NULL,
    product_id uuid  NOT NULL,
    doc        bytea NOT NULL,
    PRIMARY KEY (store_id, product_id),
    FOREIGN KEY (store_id, product_id) REFERENCES products (store_id, id)
);

-- Refuses the entry being applied with a message for the person at the till: raised inside the
-- push's savepoint, so the batch is replayed an entry at a time and only this one is rejected.
CREATE FUNCTION pos_refuse(code text, message text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = code, MESSAGE = message;
END
$$;
