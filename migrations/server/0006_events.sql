-- Fan-out: the outbox becomes a sequence of CloudEvents per store, published to NATS JetStream
-- by the relay (`sync-server/src/events/`). Also the shifts the tills close, materialised with
-- their Z totals, which the `shift.closed` event carries.

-- A store's event sequence: taken under the store's head row lock, like feed cursors, so the
-- numbers are handed out in commit order and the relay can publish a store's events in order.
ALTER TABLE store_heads ADD COLUMN events bigint NOT NULL DEFAULT 0;

-- `name` is the event (`sale.completed`), `subject` the NATS subject it is published on,
-- `entity` the CloudEvents `subject` (what it is about), `device_id` the terminal that caused
-- it (the nil id when the back office did), `occurred_at` the CloudEvents `time`.
-- `dead_at`: the relay could not publish it (see `dead_letters`); it no longer blocks its store.
ALTER TABLE outbox
    ADD COLUMN store_seq   bigint,
    ADD COLUMN name        text,
    ADD COLUMN entity      text,
    ADD COLUMN device_id   uuid,
    ADD COLUMN occurred_at timestamptz,
    ADD COLUMN attempts    integer NOT NULL DEFAULT 0,
    ADD COLUMN dead_at     timestamptz;

-- Rows written before this migration: their name from the old subject `pos.<store>.<name>`,
-- their subject in the platform's domains, numbered per store in the order they were written.
UPDATE outbox SET name = regexp_replace(subject, '^pos\.[^.]+\.', '') WHERE name IS NULL;
UPDATE outbox SET subject = CASE
        WHEN name LIKE 'sale.%' THEN 'transaction.' || store_id || '.' || name
        WHEN name LIKE 'stock.%' THEN 'inventory.' || store_id || '.' || name
        WHEN name LIKE 'product.%' THEN 'catalog.' || store_id || '.' || name
        WHEN name LIKE 'staff.%' THEN 'user.' || store_id || '.' || name
        WHEN name LIKE 'device.%' THEN 'device.' || store_id || '.' || substr(name, 8)
        ELSE 'pos.' || store_id || '.' || name
    END,
    entity = coalesce(payload ->> 'sale_id', payload ->> 'product_id', payload ->> 'staff_id',
                      payload ->> 'device_id', payload #>> '{product,id}', id::text),
    device_id = coalesce((payload ->> 'device_id')::uuid, '00000000-0000-0000-0000-000000000000'),
    occurred_at = created_at;
WITH numbered AS (
    SELECT id, row_number() OVER (PARTITION BY store_id ORDER BY created_at, id) AS n FROM outbox
)
UPDATE outbox o SET store_seq = numbered.n FROM numbered WHERE numbered.id = o.id;
UPDATE store_heads h SET events = coalesce((SELECT max(store_seq) FROM outbox WHERE store_id = h.store_id), 0);

ALTER TABLE outbox
    ALTER COLUMN store_seq SET NOT NULL,
    ALTER COLUMN name SET NOT NULL,
    ALTER COLUMN entity SET NOT NULL,
    ALTER COLUMN device_id SET NOT NULL,
    ALTER COLUMN occurred_at SET NOT NULL,
    ALTER COLUMN occurred_at SET DEFAULT now();
CREATE UNIQUE INDEX outbox_store_seq ON outbox (store_id, store_seq);
-- What the relay reads: a store's pending events in order, and which stores have any.
DROP INDEX outbox_unpublished;
CREATE INDEX outbox_pending ON outbox (store_id, store_seq)
    WHERE published_at IS NULL AND dead_at IS NULL;
-- Pruning published rows after the retention period.
CREATE INDEX outbox_published ON outbox (published_at) WHERE published_at IS NOT NULL;

-- What could not be delivered: an outbox row the stream refused (`origin` = 'relay'), or a
-- message a consumer gave up on after its maximum deliveries (`origin` = 'consumer', from the
-- JetStream advisory). A copy of each goes to the stream `POS_DLQ`.
CREATE TABLE dead_letters (
    id          bigserial   PRIMARY KEY,
    origin      text        NOT NULL CHECK (origin IN ('relay', 'consumer')),
    event_id    uuid        NOT NULL,
    store_id    uuid,
    subject     text        NOT NULL,
    consumer    text        NOT NULL DEFAULT '',
    reason      text        NOT NULL,
    event       text        NOT NULL,
    dead_at     timestamptz NOT NULL DEFAULT now(),
    retried_at  timestamptz,
    UNIQUE (origin, event_id, consumer)
);

-- The reference consumer's inbox (`sync-server events tail`): an event is handled once per
-- consumer, whatever the stream redelivers. A real consumer keeps this in its own database.
CREATE TABLE event_inbox (
    consumer    text        NOT NULL,
    event_id    uuid        NOT NULL,
    store_id    uuid,
    store_seq   bigint,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);

-- The tills' drawer events (`pos_shared::ShiftEvent`), once each by id.
CREATE TABLE shift_events (
    id          uuid        PRIMARY KEY,
    store_id    uuid        NOT NULL,
    shift_id    uuid        NOT NULL,
    terminal_id uuid        NOT NULL,
    device_id   uuid        NOT NULL,
    user_id     uuid        NOT NULL,
    hlc         text        NOT NULL,
    kind        text        NOT NULL
        CHECK (kind IN ('open', 'cash_in', 'cash_out', 'drawer_opened', 'close')),
    amount      bigint,
    reason      text,
    at          timestamptz NOT NULL
);
CREATE INDEX shift_events_shift ON shift_events (shift_id);

-- A shift per till session, with its Z summary once closed, computed by the server from the
-- sales and drawer events it holds by the same rule as the till's Z report
-- (`sync-server/src/shifts.rs`). `till_expected_cash` is what the till computed, kept to
-- compare. Amounts in centimes; `over_short` = counted − expected (negative: cash missing).
CREATE TABLE shifts (
    id                 uuid        PRIMARY KEY,
    store_id           uuid        NOT NULL,
    terminal_id        uuid        NOT NULL,
    opened_by          uuid,
    opened_at          timestamptz,
    float              bigint      NOT NULL DEFAULT 0,
    closed_by          uuid,
    closed_at          timestamptz,
    sales_count        bigint,
    refunds_count      bigint,
    sales_total        bigint,
    refunds_total      bigint,
    discounts          bigint,
    cash_sales         bigint,
    cash_refunds       bigint,
    card_sales         bigint,
    card_refunds       bigint,
    cash_in            bigint,
    cash_out           bigint,
    expected_cash      bigint,
    counted_cash       bigint,
    over_short         bigint,
    till_expected_cash bigint,
    taxes              jsonb
);
CREATE INDEX shifts_store ON shifts (store_id, closed_at);
