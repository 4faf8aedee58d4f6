-- The fasilitator's field forms (issue 22): a training's trainer; what a
-- check-in adds for the SIAP-TAMAN indicators (usaha aktif, bansos, new
-- jobs); Pasar Rakyat bazaars with their stalls; mentoring visits. Kept in
-- lockstep with ../postgres/00016_field_activities.sql.

-- +goose Up
ALTER TABLE trainings ADD COLUMN trainer TEXT NOT NULL DEFAULT '';

-- active is the fasilitator's "usaha aktif" (NULL: not asked, the omzet
-- decides); bansos whether the household still receives bansos (NULL: not
-- asked); new_jobs the jobs (formal or informal) found or created since
-- the last visit.
ALTER TABLE household_checkins ADD COLUMN active INTEGER CHECK (active IS NULL OR active IN (0, 1));
ALTER TABLE household_checkins ADD COLUMN bansos INTEGER CHECK (bansos IS NULL OR bansos IN (0, 1));
ALTER TABLE household_checkins ADD COLUMN new_jobs INTEGER NOT NULL DEFAULT 0 CHECK (new_jobs BETWEEN 0 AND 1000);

CREATE TABLE bazaars (
    id             INTEGER   PRIMARY KEY AUTOINCREMENT,
    kelurahan_code TEXT      NOT NULL REFERENCES kelurahan (code),
    held_on        TIMESTAMP NOT NULL,
    place          TEXT      NOT NULL CHECK (place <> ''),
    created_by     TEXT      NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX bazaars_kelurahan_idx ON bazaars (kelurahan_code, held_on);

-- One stall per household at a bazaar, with what it sold.
CREATE TABLE bazaar_stalls (
    bazaar_id    INTEGER   NOT NULL REFERENCES bazaars (id) ON DELETE CASCADE,
    household_id TEXT      NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    product      TEXT      NOT NULL DEFAULT '',
    sales        INTEGER   NOT NULL DEFAULT 0 CHECK (sales >= 0),
    updated_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (bazaar_id, household_id)
);
CREATE INDEX bazaar_stalls_household_idx ON bazaar_stalls (household_id);

CREATE TABLE mentoring_visits (
    id             INTEGER   PRIMARY KEY AUTOINCREMENT,
    household_id   TEXT      NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    kelurahan_code TEXT      NOT NULL REFERENCES kelurahan (code),
    visited_on     TIMESTAMP NOT NULL,
    mentor         TEXT      NOT NULL CHECK (mentor <> ''),
    notes          TEXT      NOT NULL DEFAULT '',
    next_step      TEXT      NOT NULL DEFAULT '',
    created_by     TEXT      NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX mentoring_visits_kelurahan_idx ON mentoring_visits (kelurahan_code, visited_on);
CREATE INDEX mentoring_visits_household_idx ON mentoring_visits (household_id, visited_on);

-- +goose Down
DROP TABLE mentoring_visits;
DROP TABLE bazaar_stalls;
DROP TABLE bazaars;
ALTER TABLE household_checkins DROP COLUMN new_jobs;
ALTER TABLE household_checkins DROP COLUMN bansos;
ALTER TABLE household_checkins DROP COLUMN active;
ALTER TABLE trainings DROP COLUMN trainer;
