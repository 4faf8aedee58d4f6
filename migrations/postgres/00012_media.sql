-- A citizen's attachments are downloaded, checked and kept (issue 20):
-- one row per reference of a ticket, whatever came of it. The id is
-- derived from the ticket and the reference (hailurah.MediaID), so a
-- retried download replaces its own row. Kept in lockstep with
-- ../sqlite/00012_media.sql.

-- +goose Up
CREATE TABLE media (
    id            text        PRIMARY KEY CHECK (id <> ''),
    ticket_id     text        NOT NULL CHECK (ticket_id <> ''),
    source        text        NOT NULL CHECK (source <> ''),
    type          text        NOT NULL DEFAULT ''
        CHECK (type IN ('', 'image', 'audio', 'video', 'document')),
    mime          text        NOT NULL DEFAULT '',
    size          bigint      NOT NULL DEFAULT 0,
    sha256        text        NOT NULL DEFAULT '',
    storage_key   text        NOT NULL DEFAULT '',
    thumbnail_key text        NOT NULL DEFAULT '',
    status        text        NOT NULL CHECK (status IN ('stored', 'refused', 'failed')),
    note          text        NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL
);
CREATE INDEX media_ticket_idx ON media (ticket_id, created_at);

-- +goose Down
DROP TABLE media;
