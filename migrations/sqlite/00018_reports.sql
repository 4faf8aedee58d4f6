-- The reports the office sends to Kecamatan and Baperida (issue 22): the
-- monthly schedule keeps each kind, period, kelurahan ('' = the city) and
-- format once; making a period again replaces its row. The file is kept
-- in the database, not the data dir, so a worker and a server on
-- different hosts share it like every other row. Kept in lockstep with
-- ../postgres/00018_reports.sql.

-- +goose Up
CREATE TABLE reports (
    id         INTEGER   PRIMARY KEY AUTOINCREMENT,
    kind       TEXT      NOT NULL CHECK (kind IN ('siap-taman', 'hai-lurah')),
    period     TEXT      NOT NULL CHECK (period <> ''),
    kelurahan  TEXT      NOT NULL DEFAULT '',
    format     TEXT      NOT NULL CHECK (format IN ('pdf', 'csv', 'json')),
    size       INTEGER   NOT NULL,
    sha256     TEXT      NOT NULL,
    content    BLOB      NOT NULL,
    made_at    TIMESTAMP NOT NULL,
    UNIQUE (kind, period, kelurahan, format)
);
CREATE INDEX reports_kelurahan_idx ON reports (kelurahan, period);

-- +goose Down
DROP TABLE reports;
