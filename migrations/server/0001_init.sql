-- The sync server's schema, first part: stores, devices and their enrolment, the ingest of
-- change-log entries, the per-store feed that terminals pull, and the outbox. Sales, stock and
-- product tables come with the apply pipeline (next migration). Never edit an applied
-- migration; add the next file.

CREATE TABLE stores (
    id         uuid        PRIMARY KEY,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The feed's head per store. Appends take this row's lock, so cursors are handed out in commit
-- order: a reader can never see cursor 42 committed while 41 is still in flight.
CREATE TABLE store_heads (
    store_id uuid   PRIMARY KEY REFERENCES stores (id),
    head     bigint NOT NULL DEFAULT 0
);

CREATE TABLE enrollment_codes (
    code_hash  bytea       PRIMARY KEY,
    store_id   uuid        NOT NULL REFERENCES stores (id),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    device_id  uuid
);

CREATE TABLE devices (
    id            uuid        PRIMARY KEY,
    store_id      uuid        NOT NULL REFERENCES stores (id),
    name          text        NOT NULL,
    token_hash    bytea       NOT NULL UNIQUE,
    acked_through bigint      NOT NULL DEFAULT 0,
    enrolled_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz
);

CREATE TABLE users (
    id            uuid        PRIMARY KEY,
    email         text        NOT NULL UNIQUE,
    role          text        NOT NULL CHECK (role IN ('cashier', 'manager', 'admin')),
    password_hash text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Every entry a device pushed, exactly once per (device, seq), with what became of it.
CREATE TABLE device_changes (
    device_id     uuid        NOT NULL REFERENCES devices (id),
    seq           bigint      NOT NULL,
    kind          text        NOT NULL,
    entity_id     text        NOT NULL,
    hlc           text        NOT NULL,
    body          bytea       NOT NULL,
    status        text        NOT NULL CHECK (status IN ('applied', 'rejected')),
    error_code    text,
    error_message text,
    received_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (device_id, seq)
);

-- What terminals of a store pull, in cursor order.
CREATE TABLE feed (
    store_id  uuid   NOT NULL REFERENCES stores (id),
    cursor    bigint NOT NULL,
    kind      text   NOT NULL,
    entity_id text   NOT NULL,
    body      bytea  NOT NULL,
    origin    uuid   NOT NULL,
    PRIMARY KEY (store_id, cursor)
);

-- Events for the rest of the platform, written in the same transaction as what caused them.
CREATE TABLE outbox (
    id           uuid        PRIMARY KEY,
    store_id     uuid        NOT NULL,
    subject      text        NOT NULL,
    payload      jsonb       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (created_at) WHERE published_at IS NULL;

CREATE TABLE audit_log (
    id         bigserial   PRIMARY KEY,
    actor      text        NOT NULL,
    action     text        NOT NULL,
    detail     jsonb       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
