-- A phone typed into the web or kiosk form waits here for its owner to
-- confirm it with the code sent to it on WhatsApp (issue 15, finding 2).
-- The code is kept only as an HMAC; the number sealed (as in contacts),
-- and blanked at confirmation: it restores the contact the code went to
-- should the retention sweep purge it meanwhile. Kept in lockstep with
-- ../postgres/00008_phone_claims.sql.

-- +goose Up
CREATE TABLE phone_claims (
    id           INTEGER   PRIMARY KEY AUTOINCREMENT,
    ticket_id    TEXT      NOT NULL CHECK (ticket_id <> ''),
    phone_sender TEXT      NOT NULL CHECK (phone_sender <> ''),
    phone_sealed TEXT      NOT NULL DEFAULT '',
    code_hash    TEXT      NOT NULL CHECK (code_hash <> ''),
    attempts     INTEGER   NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    expires_at   TIMESTAMP NOT NULL,
    confirmed_at TIMESTAMP,
    created_at   TIMESTAMP NOT NULL
);

CREATE INDEX phone_claims_ticket_idx ON phone_claims (ticket_id, id);
CREATE INDEX phone_claims_phone_idx ON phone_claims (phone_sender, created_at);

-- +goose Down
DROP TABLE phone_claims;
