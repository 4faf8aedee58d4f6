-- Channels: every message citizens send (stored before anything acts on
-- it, deduplicated by the provider's id), the sealed contacts the system
-- replies to, and what the outbox relay records about each send. Kept in
-- lockstep with ../postgres/00003_channels.sql: same tables, columns and
-- constraints. Times are TIMESTAMP written as UTC text in one format and
-- JSON TEXT, as in 00001.

-- +goose Up

-- One row per inbound message. The webhook inserts it first, then starts
-- or signals the ticket, then marks it: a redelivery of a handed-over id
-- does nothing, a redelivery of a merely stored one retries the hand-over.
CREATE TABLE inbound_messages (
    id              INTEGER   PRIMARY KEY AUTOINCREMENT,
    provider_id     TEXT      NOT NULL UNIQUE CHECK (provider_id <> ''),
    channel         TEXT      NOT NULL CHECK (channel <> ''),
    phone_number_id TEXT      NOT NULL DEFAULT '',
    -- The HMAC of the phone number, never the number itself.
    sender_id       TEXT      NOT NULL CHECK (sender_id <> ''),
    kind            TEXT      NOT NULL CHECK (kind <> ''),
    text            TEXT      NOT NULL DEFAULT '',
    button_id       TEXT      NOT NULL DEFAULT '',
    lat             REAL      CHECK (lat BETWEEN -90 AND 90),
    lng             REAL      CHECK (lng BETWEEN -180 AND 180),
    media           TEXT,
    -- The message as received, with the phone number taken out.
    raw             TEXT,
    sent_at         TIMESTAMP NOT NULL,
    received_at     TIMESTAMP NOT NULL,
    -- Not a foreign key: the ticket row is the workflow's projection and
    -- may be written after the message that started it.
    ticket_id       TEXT,
    status          TEXT      NOT NULL DEFAULT 'stored'
        CHECK (status IN ('stored', 'delivered', 'answered', 'ignored', 'throttled', 'failed')),
    note            TEXT      NOT NULL DEFAULT '',
    attempts        INTEGER   NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- Set while one server hands the message over, so a redelivery to
    -- another server waits instead of starting a second ticket; a claim
    -- older than the hand-over timeout is taken over (its server died).
    claimed_at      TIMESTAMP,
    updated_at      TIMESTAMP NOT NULL
);

-- A sender's conversation (the simulated phone, support questions).
CREATE INDEX inbound_messages_sender_idx ON inbound_messages (sender_id, id);
-- Messages still waiting for a hand-over, or refused, for the operator.
CREATE INDEX inbound_messages_status_idx ON inbound_messages (status, id);

-- How to reach a sender: the phone sealed with AES-GCM under a key derived
-- from HAILURAH_SECRET, deleted (phone_sealed = '') after the retention
-- period. The WhatsApp profile name is not kept.
CREATE TABLE contacts (
    sender_id       TEXT      PRIMARY KEY NOT NULL CHECK (sender_id <> ''),
    channel         TEXT      NOT NULL CHECK (channel <> ''),
    phone_sealed    TEXT      NOT NULL DEFAULT '',
    phone_number_id TEXT      NOT NULL DEFAULT '',
    kelurahan_code  TEXT      REFERENCES kelurahan (code),
    last_inbound_at TIMESTAMP NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    deleted_at      TIMESTAMP
);

-- The retention sweep: contacts still holding a phone, oldest first.
CREATE INDEX contacts_retention_idx ON contacts (last_inbound_at) WHERE deleted_at IS NULL;

-- What the relay records: when to try again, when it claimed a row (a
-- claim that never ends means a relay died mid-send), how it sent it, and
-- Meta's delivery reports.
ALTER TABLE outbox ADD COLUMN next_attempt_at TIMESTAMP;
ALTER TABLE outbox ADD COLUMN claimed_at TIMESTAMP;
ALTER TABLE outbox ADD COLUMN delivered_at TIMESTAMP;
ALTER TABLE outbox ADD COLUMN read_at TIMESTAMP;
ALTER TABLE outbox ADD COLUMN sent_as TEXT NOT NULL DEFAULT '';

-- Status callbacks find the row by Meta's message id.
CREATE UNIQUE INDEX outbox_provider_message_idx ON outbox (provider_message_id) WHERE provider_message_id IS NOT NULL;
-- A recipient's messages in order: the relay keeps it, the simulated
-- phone lists it.
CREATE INDEX outbox_recipient_idx ON outbox (recipient, id);

-- Routing a message to the sender's newest ticket.
CREATE INDEX tickets_sender_idx ON tickets (sender_id, datetime_received);

-- +goose Down
DROP INDEX tickets_sender_idx;
DROP INDEX outbox_recipient_idx;
DROP INDEX outbox_provider_message_idx;
ALTER TABLE outbox DROP COLUMN sent_as;
ALTER TABLE outbox DROP COLUMN read_at;
ALTER TABLE outbox DROP COLUMN delivered_at;
ALTER TABLE outbox DROP COLUMN claimed_at;
ALTER TABLE outbox DROP COLUMN next_attempt_at;
DROP TABLE contacts;
DROP TABLE inbound_messages;
