-- What a named citizen gave that staff see only through the audited
-- reveal (POST /api/v1/tickets/{id}/contact): their name and the words of
-- their first message before intake masked the NIK, phones, e-mail and
-- bank accounts in them, sealed with AES-GCM under a key derived from
-- HAILURAH_SECRET. Never kept for an anonymous ticket; deleted when a
-- ticket becomes anonymous and by the retention sweep with the contact.
-- inbound_messages.private_sealed holds the same until the message is
-- handed over. Kept in lockstep with ../sqlite/00011_ticket_private.sql.

-- +goose Up
ALTER TABLE inbound_messages ADD COLUMN private_sealed text NOT NULL DEFAULT '';

CREATE TABLE ticket_private (
    ticket_id  text        NOT NULL PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    sealed     text        NOT NULL CHECK (sealed <> ''),
    created_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE ticket_private;
ALTER TABLE inbound_messages DROP COLUMN private_sealed;
