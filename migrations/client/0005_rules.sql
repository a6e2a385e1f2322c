-- How far over the cashier's limit a manager approved the order discount of a cart (basis
-- points of each line's gross), so that changing the cart later is checked against it.
ALTER TABLE carts ADD COLUMN order_approved_bp INTEGER NOT NULL DEFAULT 0;

-- Wrong manager PINs typed to approve something, for the lock-out (apart from logins: a
-- cashier logging in with her own PIN must not clear the count of guesses at a manager's).
CREATE TABLE approval_guard (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    failures        INTEGER NOT NULL,
    locked_until_ms INTEGER NOT NULL
) STRICT;
INSERT INTO approval_guard (id, failures, locked_until_ms) VALUES (1, 0, 0);
