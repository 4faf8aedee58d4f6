-- Curhat: the read model of ticket workflows (tickets and their timeline),
-- the id counter, the outbox of messages to citizens and staff
-- notifications. Kept in lockstep with ../postgres/00002_curhat.sql: same
-- tables, columns and constraints. Times are TIMESTAMP written as UTC text
-- in one format, booleans INTEGER 0/1 and JSON TEXT, as in 00001.

-- +goose Up

-- One row per ticket, close to the seed's curhat_messages. The workflow is
-- the source of truth and rewrites the row at every transition; version
-- lets the store ignore a stale write a retry delivered late.
CREATE TABLE tickets (
    id                         TEXT      PRIMARY KEY NOT NULL CHECK (id <> ''),
    -- NULL until known: a projection may arrive before the intake row.
    tracking_code              TEXT      UNIQUE CHECK (tracking_code <> ''),
    datetime_received          TIMESTAMP NOT NULL,
    channel                    TEXT      NOT NULL DEFAULT '',
    sender_id                  TEXT      NOT NULL DEFAULT '',
    -- NULL: the city triage queue, until a moderator routes the ticket.
    kelurahan_code             TEXT      REFERENCES kelurahan (code),
    rt                         TEXT      NOT NULL DEFAULT '',
    rw                         TEXT      NOT NULL DEFAULT '',
    message_text               TEXT      NOT NULL DEFAULT '',
    summary                    TEXT      NOT NULL DEFAULT '',
    kategori                   TEXT      NOT NULL DEFAULT '',
    subkategori                TEXT      NOT NULL DEFAULT '',
    urgency_score              INTEGER   NOT NULL DEFAULT 0 CHECK (urgency_score BETWEEN 0 AND 5),
    severity                   TEXT      NOT NULL DEFAULT '',
    estimated_people_affected  INTEGER   NOT NULL DEFAULT 0 CHECK (estimated_people_affected >= 0),
    suggested_response_type    TEXT      NOT NULL DEFAULT '',
    -- The AI's suggestion is kept as it came, even naming no known unit.
    suggested_unit             TEXT      NOT NULL DEFAULT '',
    assigned_unit              TEXT      REFERENCES units (code),
    escalation_flag            INTEGER   NOT NULL DEFAULT 0 CHECK (escalation_flag IN (0, 1)),
    tembusan_flag              INTEGER   NOT NULL DEFAULT 0 CHECK (tembusan_flag IN (0, 1)),
    privacy_flag               INTEGER   NOT NULL DEFAULT 0 CHECK (privacy_flag IN (0, 1)),
    lat                        REAL,
    lng                        REAL,
    sentiment_score            REAL      NOT NULL DEFAULT 0,
    processed_by_model_version TEXT      NOT NULL DEFAULT '',
    final_action_taken         TEXT      NOT NULL DEFAULT '',
    status                     TEXT      NOT NULL
        CHECK (status IN ('new', 'open', 'assigned', 'in_progress', 'awaiting_confirmation',
                          'resolved', 'closed', 'rejected')),
    raw_payload                TEXT      CHECK (raw_payload IS NULL OR json_valid(raw_payload)),
    moderator_due              TIMESTAMP,
    dinas_due                  TIMESTAMP,
    moderator_breached         INTEGER   NOT NULL DEFAULT 0 CHECK (moderator_breached IN (0, 1)),
    dinas_breached             INTEGER   NOT NULL DEFAULT 0 CHECK (dinas_breached IN (0, 1)),
    moderator_breach_level     INTEGER   NOT NULL DEFAULT 0 CHECK (moderator_breach_level >= 0),
    dinas_breach_level         INTEGER   NOT NULL DEFAULT 0 CHECK (dinas_breach_level >= 0),
    verified                   INTEGER   NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),
    reopened_count             INTEGER   NOT NULL DEFAULT 0 CHECK (reopened_count >= 0),
    rating                     INTEGER   NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5),
    reject_reason              TEXT      NOT NULL DEFAULT '',
    -- Not a foreign key: a moderator may name a ticket id that does not
    -- exist, and the projection must not fail for it.
    duplicate_of               TEXT      NOT NULL DEFAULT '',
    last_citizen_message_at    TIMESTAMP,
    messages_count             INTEGER   NOT NULL DEFAULT 0 CHECK (messages_count >= 0),
    assigned_at                TIMESTAMP,
    resolved_at                TIMESTAMP,
    closed_at                  TIMESTAMP,
    version                    INTEGER   NOT NULL DEFAULT 0,
    created_at                 TIMESTAMP NOT NULL,
    updated_at                 TIMESTAMP NOT NULL,
    -- The deadline the queue sorts by: the moderator's while a moderator
    -- must act, the unit's while the unit must, none otherwise. Generated,
    -- so it can never disagree with the columns it comes from.
    sla_due                    TIMESTAMP GENERATED ALWAYS AS (
        CASE
            WHEN status IN ('new', 'open') THEN moderator_due
            WHEN status IN ('assigned', 'in_progress') THEN dinas_due
        END
    ) STORED
);

-- A kelurahan's moderator queue (and the city queue, kelurahan_code IS
-- NULL): filtered by status, sorted by deadline.
CREATE INDEX tickets_kelurahan_queue_idx ON tickets (kelurahan_code, status, sla_due);
-- A dinas unit's task list from every kelurahan, the same way.
CREATE INDEX tickets_unit_queue_idx ON tickets (assigned_unit, status, sla_due);
-- Date-range filters, the weekly digest and the city-wide (admin) list.
CREATE INDEX tickets_datetime_received_idx ON tickets (datetime_received);

-- One counter per year for the human-readable ids: an atomic upsert hands
-- out each number once, even to concurrent intakes.
CREATE TABLE ticket_seq (
    year INTEGER PRIMARY KEY NOT NULL,
    last INTEGER NOT NULL CHECK (last > 0)
);

-- A ticket's timeline. ticket_id is deliberately not a foreign key: the
-- workflow writes its "created" event before the ticket row (a ticket
-- must never show a status its timeline cannot explain), and the intake
-- row may not exist yet, or ever.
CREATE TABLE ticket_events (
    id          INTEGER   PRIMARY KEY AUTOINCREMENT,
    key         TEXT      NOT NULL UNIQUE CHECK (key <> ''),
    ticket_id   TEXT      NOT NULL CHECK (ticket_id <> ''),
    seq         INTEGER   NOT NULL DEFAULT 0,
    at          TIMESTAMP NOT NULL,
    type        TEXT      NOT NULL DEFAULT '',
    actor       TEXT      NOT NULL DEFAULT '',
    role        TEXT      NOT NULL DEFAULT '',
    from_status TEXT      NOT NULL DEFAULT '',
    to_status   TEXT      NOT NULL DEFAULT '',
    note        TEXT      NOT NULL DEFAULT '',
    attachments TEXT      CHECK (attachments IS NULL OR json_valid(attachments))
);

-- The detail page's timeline, oldest first.
CREATE INDEX ticket_events_timeline_idx ON ticket_events (ticket_id, at, seq);

-- Messages to citizens, written by activities and sent by a relay.
-- AUTOINCREMENT so ids only grow: the relay sends in id order.
CREATE TABLE outbox (
    id                  INTEGER   PRIMARY KEY AUTOINCREMENT,
    idempotency_key     TEXT      NOT NULL UNIQUE CHECK (idempotency_key <> ''),
    ticket_id           TEXT,
    channel             TEXT      NOT NULL DEFAULT '',
    recipient           TEXT      NOT NULL CHECK (recipient <> ''),
    kind                TEXT      NOT NULL DEFAULT '',
    text                TEXT      NOT NULL CHECK (text <> ''),
    template            TEXT      NOT NULL DEFAULT '',
    created_at          TIMESTAMP NOT NULL,
    sent_at             TIMESTAMP,
    attempts            INTEGER   NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error          TEXT      NOT NULL DEFAULT '',
    provider_message_id TEXT,
    status              TEXT      NOT NULL DEFAULT 'pending' CHECK (status <> '')
);

-- The relay's "next pending messages, in the order they were queued".
CREATE INDEX outbox_relay_idx ON outbox (status, id);
-- The ticket page's conversation and the public tracking page.
CREATE INDEX outbox_ticket_idx ON outbox (ticket_id, id);

-- In-app notifications, one row per recipient: each user reads and marks
-- their own. The audience columns record who it was addressed to.
CREATE TABLE notifications (
    id                 INTEGER   PRIMARY KEY AUTOINCREMENT,
    idempotency_key    TEXT      NOT NULL CHECK (idempotency_key <> ''),
    username           TEXT      NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    audience_role      TEXT      NOT NULL,
    audience_kelurahan TEXT      NOT NULL DEFAULT '',
    audience_unit      TEXT      NOT NULL DEFAULT '',
    ticket_id          TEXT,
    kind               TEXT      NOT NULL DEFAULT '',
    title              TEXT      NOT NULL DEFAULT '',
    body               TEXT      NOT NULL DEFAULT '',
    link               TEXT      NOT NULL DEFAULT '',
    created_at         TIMESTAMP NOT NULL,
    read_at            TIMESTAMP,
    -- A retried activity stores nothing new for a user it already reached.
    CONSTRAINT notifications_key_user UNIQUE (idempotency_key, username)
);

-- A user's list, newest first.
CREATE INDEX notifications_user_idx ON notifications (username, created_at DESC);
-- The unread badge, counted on every page load.
CREATE INDEX notifications_unread_idx ON notifications (username) WHERE read_at IS NULL;

-- +goose Down
DROP TABLE notifications;
DROP TABLE outbox;
DROP TABLE ticket_events;
DROP TABLE ticket_seq;
DROP TABLE tickets;
