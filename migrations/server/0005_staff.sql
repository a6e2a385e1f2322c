-- A store's staff, as the server knows them: added at a till (a `staff` entry) or changed in
-- the back office (`sync-server admin set-role`), and sent to every till of the store through
-- the feed and the snapshot. The server is the authority on roles: a change to stock or to a
-- product is checked against the role its author held when they made it, so an edit made on an
-- offline till after the back office demoted its author is refused, and one made before is not.

CREATE TABLE staff (
    store_id   uuid        NOT NULL REFERENCES stores (id),
    id         uuid        NOT NULL,
    name       text        NOT NULL,
    role       text        NOT NULL CHECK (role IN ('cashier', 'manager', 'admin')),
    pin_hash   text        NOT NULL,
    active     boolean     NOT NULL DEFAULT true,
    added_by   uuid,
    device_id  uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, id)
);

-- Every role a member held and from when (milliseconds since 1970, by the clock of whoever
-- made the change): the role at a given time is the latest row from at or before it.
CREATE TABLE staff_roles (
    id        bigserial PRIMARY KEY,
    store_id  uuid    NOT NULL,
    staff_id  uuid    NOT NULL,
    role      text    NOT NULL,
    active    boolean NOT NULL,
    from_ms   bigint  NOT NULL,
    set_by    text    NOT NULL,
    FOREIGN KEY (store_id, staff_id) REFERENCES staff (store_id, id)
);
CREATE INDEX staff_roles_at ON staff_roles (store_id, staff_id, from_ms);
