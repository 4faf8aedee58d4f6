-- Programme "Satu Rumah Satu Penghasilan": the household registry (the
-- seed's Lampiran C), the members who take part, what they take part in
-- (trainings, padat karya, marketplace onboarding, omzet check-ins), and
-- the micro-grants with their budget and timeline. Kept in lockstep with
-- ../postgres/00004_programme.sql: same tables, columns and constraints.
-- Types as in 00001: TIMESTAMP for times and for calendar dates (00:00
-- UTC), INTEGER 0/1 for booleans, TEXT checked by json_valid for JSON.

-- +goose Up

-- What the kelurahan's pending and running grants hold of its budget. The
-- application reserves with one conditional UPDATE (reserved + amount <=
-- budget), so concurrent applications can never over-commit; a rejection
-- gives the amount back.
ALTER TABLE kelurahan ADD COLUMN grant_reserved INTEGER NOT NULL DEFAULT 0 CHECK (grant_reserved >= 0);

-- One row per household, keyed by the sheet's household_id, which is
-- unique across the city so a grant or a check-in needs no kelurahan.
CREATE TABLE households (
    id                      TEXT      PRIMARY KEY NOT NULL CHECK (id <> ''),
    kelurahan_code          TEXT      NOT NULL REFERENCES kelurahan (code),
    nama_kepala_keluarga    TEXT      NOT NULL CHECK (nama_kepala_keluarga <> ''),
    alamat_rt_rw            TEXT      NOT NULL DEFAULT '',
    rt                      TEXT      NOT NULL DEFAULT '',
    rw                      TEXT      NOT NULL DEFAULT '',
    dtks_status             INTEGER   NOT NULL DEFAULT 0 CHECK (dtks_status IN (0, 1)),
    potensi_usaha           TEXT      NOT NULL DEFAULT '',
    -- A JSON array of training names, as the sheet lists them.
    pelatihan_participation TEXT      CHECK (pelatihan_participation IS NULL OR json_valid(pelatihan_participation)),
    modal_received          INTEGER   NOT NULL DEFAULT 0 CHECK (modal_received >= 0),
    omzet_monthly           INTEGER   NOT NULL DEFAULT 0 CHECK (omzet_monthly >= 0),
    umkm_onboarded          INTEGER   NOT NULL DEFAULT 0 CHECK (umkm_onboarded IN (0, 1)),
    date_updated            TIMESTAMP,
    baseline_income         INTEGER   NOT NULL DEFAULT 0 CHECK (baseline_income >= 0),
    -- A JSON array of vulnerable groups.
    kelompok_rentan         TEXT      CHECK (kelompok_rentan IS NULL OR json_valid(kelompok_rentan)),
    created_at              TIMESTAMP NOT NULL,
    updated_at              TIMESTAMP NOT NULL
);

-- The registry list of one kelurahan, by RT/RW, and its DTKS filter.
CREATE INDEX households_kelurahan_rtrw_idx ON households (kelurahan_code, rt, rw);
CREATE INDEX households_kelurahan_dtks_idx ON households (kelurahan_code, dtks_status);

-- The members who take part; trainings and padat karya record members, so
-- the KPIs can count women and the 15–35 youth target.
CREATE TABLE household_members (
    id           INTEGER   PRIMARY KEY AUTOINCREMENT,
    household_id TEXT      NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    name         TEXT      NOT NULL CHECK (name <> ''),
    gender       TEXT      NOT NULL CHECK (gender IN ('P', 'L')),
    age          INTEGER   NOT NULL CHECK (age BETWEEN 0 AND 120),
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    -- Recording a member again by name updates them instead of counting
    -- the same person twice.
    CONSTRAINT household_members_name_key UNIQUE (household_id, name)
);

-- Omzet (and, when asked, income) over time: field visits and the grants'
-- 30/60/90-day check-ins. key makes a retried write land once.
CREATE TABLE household_checkins (
    id           INTEGER   PRIMARY KEY AUTOINCREMENT,
    key          TEXT      NOT NULL UNIQUE CHECK (key <> ''),
    household_id TEXT      NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    at           TIMESTAMP NOT NULL,
    omzet        INTEGER   NOT NULL CHECK (omzet >= 0),
    income       INTEGER   CHECK (income >= 0),
    source       TEXT      NOT NULL CHECK (source IN ('fasilitator', 'hibah')),
    -- Not a foreign key: written by the grant's projection, which the
    -- grant row's own write may follow in the same transaction.
    grant_id     TEXT,
    note         TEXT      NOT NULL DEFAULT '',
    created_by   TEXT      NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL
);

CREATE INDEX household_checkins_household_idx ON household_checkins (household_id, at);

CREATE TABLE trainings (
    id             INTEGER   PRIMARY KEY AUTOINCREMENT,
    kelurahan_code TEXT      NOT NULL REFERENCES kelurahan (code),
    title          TEXT      NOT NULL CHECK (title <> ''),
    topic          TEXT      NOT NULL DEFAULT '',
    held_on        TIMESTAMP NOT NULL,
    certifying     INTEGER   NOT NULL DEFAULT 0 CHECK (certifying IN (0, 1)),
    created_by     TEXT      NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL
);

CREATE INDEX trainings_kelurahan_idx ON trainings (kelurahan_code, held_on);

CREATE TABLE training_attendance (
    training_id  INTEGER   NOT NULL REFERENCES trainings (id) ON DELETE CASCADE,
    member_id    INTEGER   NOT NULL REFERENCES household_members (id) ON DELETE CASCADE,
    -- The member's household, kept here so the KPIs count households
    -- without a join.
    household_id TEXT      NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    attended     INTEGER   NOT NULL DEFAULT 1 CHECK (attended IN (0, 1)),
    certified    INTEGER   NOT NULL DEFAULT 0 CHECK (certified IN (0, 1)),
    updated_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (training_id, member_id),
    CONSTRAINT training_attendance_certified CHECK (attended OR NOT certified)
);

CREATE INDEX training_attendance_household_idx ON training_attendance (household_id);

CREATE TABLE padat_karya_projects (
    id             INTEGER   PRIMARY KEY AUTOINCREMENT,
    kelurahan_code TEXT      NOT NULL REFERENCES kelurahan (code),
    name           TEXT      NOT NULL CHECK (name <> ''),
    location       TEXT      NOT NULL DEFAULT '',
    start_date     TIMESTAMP NOT NULL,
    end_date       TIMESTAMP CHECK (end_date >= start_date),
    wage_per_day   INTEGER   NOT NULL CHECK (wage_per_day > 0),
    created_by     TEXT      NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL
);

CREATE INDEX padat_karya_projects_kelurahan_idx ON padat_karya_projects (kelurahan_code, start_date);

CREATE TABLE padat_karya_workers (
    project_id   INTEGER   NOT NULL REFERENCES padat_karya_projects (id) ON DELETE CASCADE,
    member_id    INTEGER   NOT NULL REFERENCES household_members (id) ON DELETE CASCADE,
    household_id TEXT      NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    days         INTEGER   NOT NULL CHECK (days BETWEEN 1 AND 366),
    wage_per_day INTEGER   NOT NULL CHECK (wage_per_day > 0),
    updated_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (project_id, member_id)
);

CREATE INDEX padat_karya_workers_household_idx ON padat_karya_workers (household_id);

CREATE TABLE marketplace_onboardings (
    id           INTEGER   PRIMARY KEY AUTOINCREMENT,
    household_id TEXT      NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    platform     TEXT      NOT NULL CHECK (platform <> ''),
    shop_url     TEXT      NOT NULL DEFAULT '',
    onboarded_on TIMESTAMP NOT NULL,
    created_by   TEXT      NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    CONSTRAINT marketplace_onboardings_platform_key UNIQUE (household_id, platform)
);

-- One counter per year for grant ids (HB-2026-000001), like ticket_seq.
CREATE TABLE grant_seq (
    year INTEGER   PRIMARY KEY,
    last INTEGER   NOT NULL CHECK (last > 0)
);

-- One row per grant: created by the server at application (with the
-- budget reservation), then rewritten by GrantWorkflow at every step.
CREATE TABLE grants (
    id                TEXT      PRIMARY KEY NOT NULL CHECK (id <> ''),
    household_id      TEXT      NOT NULL REFERENCES households (id),
    kelurahan_code    TEXT      NOT NULL REFERENCES kelurahan (code),
    household_name    TEXT      NOT NULL DEFAULT '',
    -- The household's DTKS status at application: the lurah's queue puts
    -- DTKS households first.
    dtks              INTEGER   NOT NULL DEFAULT 0 CHECK (dtks IN (0, 1)),
    amount            INTEGER   NOT NULL CHECK (amount BETWEEN 1000000 AND 3000000),
    purpose           TEXT      NOT NULL CHECK (purpose IN ('modal', 'alat')),
    plan              TEXT      NOT NULL CHECK (plan <> ''),
    status            TEXT      NOT NULL
        CHECK (status IN ('applied', 'verified', 'approved', 'disbursed', 'in_use', 'completed', 'rejected')),
    applied_by        TEXT      NOT NULL DEFAULT '',
    applied_at        TIMESTAMP NOT NULL,
    verified_by       TEXT      NOT NULL DEFAULT '',
    verified_at       TIMESTAMP,
    verify_notes      TEXT      NOT NULL DEFAULT '',
    verify_photos     TEXT      CHECK (verify_photos IS NULL OR json_valid(verify_photos)),
    decided_by        TEXT      NOT NULL DEFAULT '',
    approved_at       TIMESTAMP,
    approve_notes     TEXT      NOT NULL DEFAULT '',
    rejected_at       TIMESTAMP,
    reject_reason     TEXT      NOT NULL DEFAULT '',
    disbursed_by      TEXT      NOT NULL DEFAULT '',
    disbursed_at      TIMESTAMP,
    disbursement_ref  TEXT      NOT NULL DEFAULT '',
    proof_at          TIMESTAMP,
    proof_by          TEXT      NOT NULL DEFAULT '',
    proof_notes       TEXT      NOT NULL DEFAULT '',
    proof_photos      TEXT      CHECK (proof_photos IS NULL OR json_valid(proof_photos)),
    audit_flag        INTEGER   NOT NULL DEFAULT 0 CHECK (audit_flag IN (0, 1)),
    audit_flagged_at  TIMESTAMP,
    verify_due        TIMESTAMP,
    approve_due       TIMESTAMP,
    disburse_due      TIMESTAMP,
    proof_due         TIMESTAMP,
    audit_at          TIMESTAMP,
    reminder_level    INTEGER   NOT NULL DEFAULT 0 CHECK (reminder_level >= 0),
    escalated         INTEGER   NOT NULL DEFAULT 0 CHECK (escalated IN (0, 1)),
    -- The 30/60/90-day check-ins with their due dates, a JSON array.
    checkins          TEXT      CHECK (checkins IS NULL OR json_valid(checkins)),
    baseline_omzet    INTEGER   NOT NULL DEFAULT 0,
    baseline_income   INTEGER   NOT NULL DEFAULT 0,
    latest_omzet      INTEGER,
    latest_income     INTEGER,
    omzet_change_pct  REAL,
    income_change_pct REAL,
    completed_at      TIMESTAMP,
    -- Set once when a rejection gave the reservation back, and when a
    -- disbursement was added to the household's modal_received, so a
    -- retried projection does neither twice.
    budget_released   INTEGER   NOT NULL DEFAULT 0 CHECK (budget_released IN (0, 1)),
    modal_credited    INTEGER   NOT NULL DEFAULT 0 CHECK (modal_credited IN (0, 1)),
    version           INTEGER   NOT NULL DEFAULT 0,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);

-- One active grant per household: a second application while one runs
-- fails on this index, even when both arrive at the same moment.
CREATE UNIQUE INDEX grants_one_active_per_household_idx
    ON grants (household_id) WHERE status NOT IN ('rejected', 'completed');
-- The role queues: a kelurahan's grants in one status, DTKS first.
CREATE INDEX grants_queue_idx ON grants (kelurahan_code, status, dtks DESC, applied_at);
-- A household's page lists its grants.
CREATE INDEX grants_household_idx ON grants (household_id);

-- A grant's timeline, as ticket_events is a ticket's.
CREATE TABLE grant_events (
    id          INTEGER   PRIMARY KEY AUTOINCREMENT,
    key         TEXT      NOT NULL UNIQUE CHECK (key <> ''),
    grant_id    TEXT      NOT NULL REFERENCES grants (id) ON DELETE CASCADE,
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

CREATE INDEX grant_events_timeline_idx ON grant_events (grant_id, at, seq);

-- +goose Down
DROP TABLE grant_events;
DROP TABLE grants;
DROP TABLE grant_seq;
DROP TABLE marketplace_onboardings;
DROP TABLE padat_karya_workers;
DROP TABLE padat_karya_projects;
DROP TABLE training_attendance;
DROP TABLE trainings;
DROP TABLE household_checkins;
DROP TABLE household_members;
DROP TABLE households;
ALTER TABLE kelurahan DROP COLUMN grant_reserved;
