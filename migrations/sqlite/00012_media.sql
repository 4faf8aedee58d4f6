-- A citizen's attachments are downloaded, checked and kept (issue 20):
-- one row per reference of a ticket, whatever came of it. The id is
-- derived from the ticket and the reference (hailurah.MediaID), so a
-- retried download replaces its own row. Kept in lockstep with
-- ../postgres/00012_media.sql.

-- +goose Up
CREATE TABLE media (
    id            TEXT      PRIMARY KEY NOT NULL CHECK (id <> ''),
    ticket_id     TEXT      NOT NULL CHECK (ticket_id <> ''),
    source        TEXT      NOT NULL CHECK (source <> ''),
    type          TEXT      NOT NULL DEFAULT ''
        CHECK (type IN ('', 'image', 'audio', 'video', 'document')),
    mime          TEXT      NOT NULL DEFAULT '',
    size          INTEGER   NOT NULL DEFAULT 0,
    sha256        TEXT      NOT NULL DEFAULT '',
    storage_key   TEXT      NOT NULL DEFAULT '',
    thumbnail_key TEXT      NOT NULL DEFAULT '',
    status        TEXT      NOT NULL CHECK (status IN ('stored', 'refused', 'failed')),
    note          TEXT      NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX media_ticket_idx ON media (ticket_id, created_at);

-- +goose Down
DROP TABLE media;
