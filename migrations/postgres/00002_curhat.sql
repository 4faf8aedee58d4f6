-- Curhat: the read model of ticket workflows (tickets and their timeline),
-- the id counter, the outbox of messages to citizens and staff
-- notifications. Kept in lockstep with ../sqlite/00002_curhat.sql: same
-- tables, columns and constraints.

-- +goose Up

-- One row per ticket, close to the seed's curhat_messages. The workflow is
-- the source of truth and rewrites the row at every transition; version
-- lets the store ignore a stale write a retry delivered late.
CREATE TABLE tickets (
    id                         text             PRIMARY KEY CHECK (id <> ''),
    -- NULL until known: a projection may arrive before the intake row.
    tracking_code              text             UNIQUE CHECK (tracking_code <> ''),
    datetime_received          timestamptz      NOT NULL,
    channel                    text             NOT NULL DEFAULT '',
    sender_id                  text             NOT NULL DEFAULT '',
    -- NULL: the city triage queue, until a moderator routes the ticket.
    kelurahan_code             text             REFERENCES kelurahan (code),
    rt                         text             NOT NULL DEFAULT '',
    rw                         text             NOT NULL DEFAULT '',
    message_text               text             NOT NULL DEFAULT '',
    summary                    text             NOT NULL DEFAULT '',
    kategori                   text             NOT NULL DEFAULT '',
    subkategori                text             NOT NULL DEFAULT '',
    urgency_score              integer          NOT NULL DEFAULT 0 CHECK (urgency_score BETWEEN 0 AND 5),
    severity                   text             NOT NULL DEFAULT '',
    estimated_people_affected  integer          NOT NULL DEFAULT 0 CHECK (estimated_people_affected >= 0),
    suggested_response_type    text             NOT NULL DEFAULT '',
    -- The AI's suggestion is kept as it came, even naming no known unit.
    suggested_unit             text             NOT NULL DEFAULT '',
    assigned_unit              text             REFERENCES units (code),
    escalation_flag            boolean          NOT NULL DEFAULT false,
    tembusan_flag              boolean          NOT NULL DEFAULT false,
    privacy_flag               boolean          NOT NULL DEFAULT false,
    lat                        double precision,
    lng                        double precision,
    sentiment_score            double precision NOT NULL DEFAULT 0,
    processed_by_model_version text             NOT NULL DEFAULT '',
    final_action_taken         text             NOT NULL DEFAULT '',
    status                     text             NOT NULL
        CHECK (status IN ('new', 'open', 'assigned', 'in_progress', 'awaiting_confirmation',
                          'resolved', 'closed', 'rejected')),
    raw_payload                jsonb,
    moderator_due              timestamptz,
    dinas_due                  timestamptz,
    moderator_breached         boolean          NOT NULL DEFAULT false,
    dinas_breached             boolean          NOT NULL DEFAULT false,
    moderator_breach_level     integer          NOT NULL DEFAULT 0 CHECK (moderator_breach_level >= 0),
    dinas_breach_level         integer          NOT NULL DEFAULT 0 CHECK (dinas_breach_level >= 0),
    verified                   boolean          NOT NULL DEFAULT false,
    reopened_count             integer          NOT NULL DEFAULT 0 CHECK (reopened_count >= 0),
    rating                     integer          NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5),
    reject_reason              text             NOT NULL DEFAULT '',
    -- Not a foreign key: a moderator may name a ticket id that does not
    -- exist, and the projection must not fail for it.
    duplicate_of               text             NOT NULL DEFAULT '',
    last_citizen_message_at    timestamptz,
    messages_count             integer          NOT NULL DEFAULT 0 CHECK (messages_count >= 0),
    assigned_at                timestamptz,
    resolved_at                timestamptz,
    closed_at                  timestamptz,
    version                    bigint           NOT NULL DEFAULT 0,
    created_at                 timestamptz      NOT NULL,
    updated_at                 timestamptz      NOT NULL,
    -- The deadline the queue sorts by: the moderator's while a moderator
    -- must act, the unit's while the unit must, none otherwise. Generated,
    -- so it can never disagree with the columns it comes from.
    sla_due                    timestamptz GENERATED ALWAYS AS (
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
    year integer PRIMARY KEY,
    last bigint  NOT NULL CHECK (last > 0)
);

-- A ticket's timeline. ticket_id is deliberately not a foreign key: the
-- workflow writes its "created" event before the ticket row (a ticket
-- must never show a status its timeline cannot explain), and the intake
-- row may not exist yet, or ever.
CREATE TABLE ticket_events (
    id          bigint      GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    key         text        NOT NULL UNIQUE CHECK (key <> ''),
    ticket_id   text        NOT NULL CHECK (ticket_id <> ''),
    seq         integer     NOT NULL DEFAULT 0,
    at          timestamptz NOT NULL,
    type        text        NOT NULL DEFAULT '',
    actor       text        NOT NULL DEFAULT '',
    role        text        NOT NULL DEFAULT '',
    from_status text        NOT NULL DEFAULT '',
    to_status   text        NOT NULL DEFAULT '',
    note        text        NOT NULL DEFAULT '',
    attachments jsonb
);

-- The detail page's timeline, oldest first.
CREATE INDEX ticket_events_timeline_idx ON ticket_events (ticket_id, at, seq);

-- Messages to citizens, written by activities and sent by a relay.
CREATE TABLE outbox (
    id                  bigint      GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    idempotency_key     text        NOT NULL UNIQUE CHECK (idempotency_key <> ''),
    ticket_id           text,
    channel             text        NOT NULL DEFAULT '',
    recipient           text        NOT NULL CHECK (recipient <> ''),
    kind                text        NOT NULL DEFAULT '',
    text                text        NOT NULL CHECK (text <> ''),
    template            text        NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL,
    sent_at             timestamptz,
    attempts            integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error          text        NOT NULL DEFAULT '',
    provider_message_id text,
    status              text        NOT NULL DEFAULT 'pending' CHECK (status <> '')
);

-- The relay's "next pending messages, in the order they were queued".
CREATE INDEX outbox_relay_idx ON outbox (status, id);
-- The ticket page's conversation and the public tracking page.
CREATE INDEX outbox_ticket_idx ON outbox (ticket_id, id);

-- In-app notifications, one row per recipient: each user reads and marks
-- their own. The audience columns record who it was addressed to.
CREATE TABLE notifications (
    id                 bigint      GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    idempotency_key    text        NOT NULL CHECK (idempotency_key <> ''),
    username           text        NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    audience_role      text        NOT NULL,
    audience_kelurahan text        NOT NULL DEFAULT '',
    audience_unit      text        NOT NULL DEFAULT '',
    ticket_id          text,
    kind               text        NOT NULL DEFAULT '',
    title              text        NOT NULL DEFAULT '',
    body               text        NOT NULL DEFAULT '',
    link               text        NOT NULL DEFAULT '',
    created_at         timestamptz NOT NULL,
    read_at            timestamptz,
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
