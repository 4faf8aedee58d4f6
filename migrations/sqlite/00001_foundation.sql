-- Foundation: kelurahan, dinas units, staff users, their sessions and API
-- tokens, and the append-only audit log. Kept in lockstep with
-- ../postgres/00001_foundation.sql: same tables, columns and constraints.
-- Times are TIMESTAMP so the driver reads them back as time.Time; the store
-- writes them in UTC in one fixed format, so comparing them as text orders
-- them correctly. Booleans are INTEGER 0/1.

-- +goose Up

-- Every ticket, household, grant and pilot will belong to one kelurahan, so
-- the city is in the schema from the first table.
CREATE TABLE kelurahan (
    code                     TEXT      PRIMARY KEY NOT NULL CHECK (code <> ''),
    name                     TEXT      NOT NULL CHECK (name <> ''),
    kecamatan                TEXT      NOT NULL DEFAULT '',
    kota                     TEXT      NOT NULL DEFAULT '',
    lurah_name               TEXT      NOT NULL DEFAULT '',
    whatsapp_phone_number_id TEXT      NOT NULL DEFAULT '',
    grant_budget             INTEGER   NOT NULL DEFAULT 0 CHECK (grant_budget >= 0),
    created_at               TIMESTAMP NOT NULL,
    updated_at               TIMESTAMP NOT NULL
);

-- A WhatsApp number routes inbound messages to one kelurahan; kelurahan
-- that share the city's number leave it empty, so only non-empty ids are unique.
CREATE UNIQUE INDEX kelurahan_whatsapp_phone_number_id_key
    ON kelurahan (whatsapp_phone_number_id) WHERE whatsapp_phone_number_id <> '';

CREATE TABLE units (
    code TEXT PRIMARY KEY NOT NULL CHECK (code <> ''),
    name TEXT NOT NULL CHECK (name <> '')
);

-- AUTOINCREMENT so the id of a user is never reused, even if rows are
-- removed by hand: audit entries and tokens refer to it.
CREATE TABLE users (
    id             INTEGER   PRIMARY KEY AUTOINCREMENT,
    username       TEXT      NOT NULL UNIQUE CHECK (username <> ''),
    name           TEXT      NOT NULL DEFAULT '',
    password_hash  TEXT      NOT NULL,
    role           TEXT      NOT NULL
        CHECK (role IN ('admin', 'moderator', 'dinas', 'fasilitator', 'lurah')),
    kelurahan_code TEXT      REFERENCES kelurahan (code),
    unit_code      TEXT      REFERENCES units (code),
    disabled       INTEGER   NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    -- The same rule as hailurah.User.Validate, so a row written by hand or by
    -- a future import cannot give a moderator the whole city.
    CONSTRAINT users_role_scope CHECK (
        (role IN ('moderator', 'fasilitator', 'lurah') AND kelurahan_code IS NOT NULL AND unit_code IS NULL)
        OR (role = 'dinas' AND unit_code IS NOT NULL AND kelurahan_code IS NULL)
        OR (role = 'admin' AND kelurahan_code IS NULL AND unit_code IS NULL)
    )
);

CREATE INDEX users_kelurahan_code_idx ON users (kelurahan_code);
CREATE INDEX users_unit_code_idx ON users (unit_code);

-- id is the hex SHA-256 of the cookie token: a leaked database row cannot be
-- replayed as a cookie.
CREATE TABLE sessions (
    id           TEXT      PRIMARY KEY NOT NULL CHECK (length(id) = 64),
    user_id      INTEGER   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT      NOT NULL CHECK (csrf_token <> ''),
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL
);

CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

CREATE TABLE api_tokens (
    id           INTEGER   PRIMARY KEY AUTOINCREMENT,
    name         TEXT      NOT NULL CHECK (name <> ''),
    user_id      INTEGER   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    prefix       TEXT      NOT NULL,
    token_hash   TEXT      NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);

CREATE INDEX api_tokens_user_id_idx ON api_tokens (user_id);

CREATE TABLE audit_log (
    id     INTEGER   PRIMARY KEY AUTOINCREMENT,
    at     TIMESTAMP NOT NULL,
    actor  TEXT      NOT NULL CHECK (actor <> ''),
    action TEXT      NOT NULL CHECK (action <> ''),
    target TEXT      NOT NULL DEFAULT '',
    detail TEXT      CHECK (detail IS NULL OR json_valid(detail)),
    ip     TEXT      NOT NULL DEFAULT ''
);

-- The audit log must be trustworthy after the fact, so the database itself
-- refuses to change or remove a row, whatever the application does.
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE is not allowed');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: DELETE is not allowed');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE audit_log;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE units;
DROP TABLE kelurahan;
