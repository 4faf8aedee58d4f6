-- The Idempotency-Key of a curhat sent by form (web chat, kiosk): the
-- ticket id and tracking code are chosen and kept here before its workflow
-- starts, so a client's retry after a timeout starts nothing new and gets
-- the first ticket back. The key is stored hashed with the request, so a
-- guessed key tells nothing about another citizen's ticket.
-- Kept in lockstep with ../postgres/00008_intake_keys.sql.

-- +goose Up
CREATE TABLE intake_keys (
    key_hash      TEXT NOT NULL PRIMARY KEY,
    ticket_id     TEXT NOT NULL CHECK (ticket_id <> ''),
    tracking_code TEXT NOT NULL CHECK (tracking_code <> ''),
    created_at    TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE intake_keys;
