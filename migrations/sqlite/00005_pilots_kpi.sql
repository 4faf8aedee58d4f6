-- Pilots and KPI views: the 90-day pilot reviews of "Satu Rumah Satu
-- Penghasilan" (their rows, timelines, review packets and the lurah's
-- signed decisions), and the kpi_* views that let Metabase or Grafana read
-- the numbers the dashboards show. Kept in lockstep with
-- ../postgres/00005_pilots_kpi.sql: same tables, columns and constraints,
-- and the same views in SQLite's SQL. Types as in 00001: TIMESTAMP for
-- times, INTEGER 0/1 for booleans, TEXT checked by json_valid for JSON.

-- +goose Up

-- One counter per year for pilot ids (PL-2026-001), like ticket_seq.
CREATE TABLE pilot_seq (
    year INTEGER PRIMARY KEY NOT NULL,
    last INTEGER NOT NULL CHECK (last > 0)
);

-- One row per pilot: created by the server, then rewritten by
-- PilotReviewWorkflow at every step. version lets the store ignore a stale
-- write a retry delivered late.
CREATE TABLE pilots (
    id                TEXT      PRIMARY KEY NOT NULL CHECK (id <> ''),
    -- The kelurahan whose lurah decides, even after a scale decision
    -- replicated the pilot to other kelurahan.
    kelurahan_code    TEXT      NOT NULL REFERENCES kelurahan (code),
    name              TEXT      NOT NULL CHECK (name <> ''),
    component         TEXT      NOT NULL CHECK (component <> ''),
    -- The current cycle's areas and KPI targets, JSON arrays.
    scope             TEXT      NOT NULL CHECK (json_valid(scope)),
    targets           TEXT      NOT NULL CHECK (json_valid(targets)),
    start_date        TIMESTAMP NOT NULL,
    owner             TEXT      NOT NULL CHECK (owner <> ''),
    created_by        TEXT      NOT NULL DEFAULT '',
    status            TEXT      NOT NULL CHECK (status IN ('running', 'awaiting_decision', 'stopped')),
    cycle             INTEGER   NOT NULL CHECK (cycle >= 1),
    cycle_start       TIMESTAMP NOT NULL,
    -- The cycle's milestones (day, due, reminded or missed), a JSON array.
    milestones        TEXT      CHECK (milestones IS NULL OR json_valid(milestones)),
    review_at         TIMESTAMP NOT NULL,
    decision_due      TIMESTAMP NOT NULL,
    overdue           INTEGER   NOT NULL DEFAULT 0 CHECK (overdue IN (0, 1)),
    overdue_reminders INTEGER   NOT NULL DEFAULT 0 CHECK (overdue_reminders >= 0),
    stopped_at        TIMESTAMP,
    version           INTEGER   NOT NULL DEFAULT 0,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);

CREATE INDEX pilots_kelurahan_idx ON pilots (kelurahan_code, status);

-- A pilot's timeline.
CREATE TABLE pilot_events (
    id       INTEGER   PRIMARY KEY AUTOINCREMENT,
    key      TEXT      NOT NULL UNIQUE CHECK (key <> ''),
    pilot_id TEXT      NOT NULL REFERENCES pilots (id) ON DELETE CASCADE,
    cycle    INTEGER   NOT NULL,
    seq      INTEGER   NOT NULL DEFAULT 0,
    at       TIMESTAMP NOT NULL,
    type     TEXT      NOT NULL CHECK (type <> ''),
    actor    TEXT      NOT NULL DEFAULT '',
    note     TEXT      NOT NULL DEFAULT ''
);

CREATE INDEX pilot_events_timeline_idx ON pilot_events (pilot_id, at, seq);

-- The day-76 review packet of each cycle, as the lurah received it.
CREATE TABLE pilot_packets (
    pilot_id     TEXT      NOT NULL REFERENCES pilots (id) ON DELETE CASCADE,
    cycle        INTEGER   NOT NULL CHECK (cycle >= 1),
    packet       TEXT      NOT NULL CHECK (json_valid(packet)),
    generated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (pilot_id, cycle)
);

-- The lurah's signed decisions: one per cycle, never changed. The primary
-- key refuses a second decision for a cycle; the triggers below refuse
-- any change to a signed one, whatever the application does.
CREATE TABLE pilot_decisions (
    pilot_id   TEXT      NOT NULL REFERENCES pilots (id),
    cycle      INTEGER   NOT NULL CHECK (cycle >= 1),
    decision   TEXT      NOT NULL CHECK (decision IN ('scale', 'adjust', 'stop')),
    rationale  TEXT      NOT NULL CHECK (rationale <> ''),
    -- The next cycle's targets and areas (adjust, scale), JSON arrays.
    targets    TEXT      CHECK (targets IS NULL OR json_valid(targets)),
    scope      TEXT      CHECK (scope IS NULL OR json_valid(scope)),
    decided_by TEXT      NOT NULL CHECK (decided_by <> ''),
    decided_at TIMESTAMP NOT NULL,
    overdue    INTEGER   NOT NULL DEFAULT 0 CHECK (overdue IN (0, 1)),
    PRIMARY KEY (pilot_id, cycle)
);

CREATE INDEX pilot_decisions_decided_at_idx ON pilot_decisions (decided_at);

-- +goose StatementBegin
CREATE TRIGGER pilot_decisions_no_update BEFORE UPDATE ON pilot_decisions
BEGIN
    SELECT RAISE(ABORT, 'pilot_decisions are signed and immutable: UPDATE is not allowed');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER pilot_decisions_no_delete BEFORE DELETE ON pilot_decisions
BEGIN
    SELECT RAISE(ABORT, 'pilot_decisions are signed and immutable: DELETE is not allowed');
END;
-- +goose StatementEnd

-- The kpi_* views: the numbers the dashboards compute, for Metabase or
-- Grafana. They follow the definitions of store/kpi*.go (and
-- hailurah.KPICatalogue): days and months are WIB (date(..., '+7 hours') here, AT TIME ZONE on Postgres); a ticket is followed up
-- once verified or past new/open; the moderator's SLA clock ended when it
-- breached or the ticket was verified or moved on, the unit's when it
-- breached or the ticket left assigned/in_progress; satisfied is a rating
-- of 4 or 5. The views hold exact counts: they are for staff tools, not
-- for the public page, which suppresses cells under 5.

-- One row per kelurahan and day a ticket was received.
CREATE VIEW kpi_curhat_daily AS
SELECT t.kelurahan_code,
       date(t.datetime_received, '+7 hours') AS day,
       COUNT(*) AS received,
       SUM(CASE WHEN t.verified OR t.status NOT IN ('new', 'open') THEN 1 ELSE 0 END) AS followed_up,
       SUM(CASE WHEN t.moderator_breached OR t.verified OR t.status NOT IN ('new', 'open') THEN 1 ELSE 0 END) AS moderator_sla_ended,
       SUM(CASE WHEN (t.verified OR t.status NOT IN ('new', 'open')) AND NOT t.moderator_breached THEN 1 ELSE 0 END) AS moderator_sla_on_time,
       SUM(CASE WHEN t.assigned_at IS NOT NULL AND (t.dinas_breached OR t.status NOT IN ('assigned', 'in_progress')) THEN 1 ELSE 0 END) AS dinas_sla_ended,
       SUM(CASE WHEN t.assigned_at IS NOT NULL AND t.status NOT IN ('assigned', 'in_progress') AND NOT t.dinas_breached THEN 1 ELSE 0 END) AS dinas_sla_on_time,
       SUM(CASE WHEN t.status = 'resolved' THEN 1 ELSE 0 END) AS resolved,
       SUM(CASE WHEN t.rating > 0 THEN 1 ELSE 0 END) AS rated,
       SUM(CASE WHEN t.rating >= 4 THEN 1 ELSE 0 END) AS satisfied,
       SUM(t.urgency_score) AS urgency_sum,
       SUM(CASE WHEN t.urgency_score > 0 THEN 1 ELSE 0 END) AS urgency_rated
FROM tickets t
GROUP BY t.kelurahan_code, date(t.datetime_received, '+7 hours');

-- Tickets per kelurahan, month, RW and kategori: the open-data table before
-- suppression. Rejected tickets and the city queue are left out.
CREATE VIEW kpi_curhat_monthly_rw AS
SELECT t.kelurahan_code,
       strftime('%Y-%m', t.datetime_received, '+7 hours') AS month,
       t.rw, t.kategori, COUNT(*) AS tickets
FROM tickets t
WHERE t.kelurahan_code IS NOT NULL AND t.status <> 'rejected'
GROUP BY t.kelurahan_code, strftime('%Y-%m', t.datetime_received, '+7 hours'), t.rw, t.kategori;

-- One row per ticket with its AI reply time (to the first outbox row of
-- kind reply) and its time to resolve, in seconds, for medians.
CREATE VIEW kpi_curhat_times AS
SELECT t.id AS ticket_id, t.kelurahan_code, t.datetime_received, t.status,
       ROUND((julianday(r.first_reply) - julianday(t.datetime_received)) * 86400.0, 3) AS ai_reply_seconds,
       CASE WHEN t.status = 'resolved' THEN ROUND((julianday(t.resolved_at) - julianday(t.datetime_received)) * 86400.0, 3) END AS resolve_seconds
FROM tickets t
LEFT JOIN (SELECT o.ticket_id, MIN(o.created_at) AS first_reply FROM outbox o
           WHERE o.kind = 'reply' AND o.ticket_id IS NOT NULL GROUP BY o.ticket_id) r ON r.ticket_id = t.id;

-- What waits now: per kelurahan, the moderators' unverified tickets and
-- each unit's open tasks, with how many are past their deadline.
CREATE VIEW kpi_overdue_units AS
SELECT t.kelurahan_code, '' AS unit, COUNT(*) AS open,
       SUM(CASE WHEN julianday(t.moderator_due) < julianday('now') THEN 1 ELSE 0 END) AS overdue
FROM tickets t WHERE t.status IN ('new', 'open') AND NOT t.verified
GROUP BY t.kelurahan_code
UNION ALL
SELECT t.kelurahan_code, t.assigned_unit AS unit, COUNT(*) AS open,
       SUM(CASE WHEN julianday(t.dinas_due) < julianday('now') THEN 1 ELSE 0 END) AS overdue
FROM tickets t WHERE t.status IN ('assigned', 'in_progress') AND t.assigned_unit IS NOT NULL
GROUP BY t.kelurahan_code, t.assigned_unit;

-- The SIAP-TAMAN KPIs of each kelurahan over all time (the dashboards
-- measure a period; over a period that holds every row they agree).
CREATE VIEW kpi_programme_kelurahan AS
SELECT k.code AS kelurahan_code, k.name AS kelurahan_name, k.grant_budget,
       (SELECT COUNT(*) FROM households h WHERE h.kelurahan_code = k.code) AS households,
       (SELECT COUNT(*) FROM households h WHERE h.kelurahan_code = k.code
          AND (h.dtks_status OR EXISTS (SELECT 1 FROM grants g WHERE g.household_id = h.id AND g.dtks))) AS dtks_baseline,
       (SELECT COUNT(*) FROM households h WHERE h.kelurahan_code = k.code AND NOT h.dtks_status
          AND EXISTS (SELECT 1 FROM grants g WHERE g.household_id = h.id AND g.dtks)) AS dtks_left,
       (SELECT COUNT(DISTINCT a.member_id) FROM training_attendance a JOIN households h ON h.id = a.household_id
          WHERE a.attended AND h.kelurahan_code = k.code) AS trained,
       (SELECT COUNT(DISTINCT w.member_id) FROM padat_karya_workers w JOIN households h ON h.id = w.household_id
          WHERE h.kelurahan_code = k.code) AS padat_karya_workers,
       (SELECT COUNT(*) FROM household_members m JOIN households h ON h.id = m.household_id WHERE h.kelurahan_code = k.code
          AND m.id IN (SELECT a.member_id FROM training_attendance a WHERE a.attended
                       UNION SELECT w.member_id FROM padat_karya_workers w)) AS participants,
       (SELECT COUNT(*) FROM household_members m JOIN households h ON h.id = m.household_id WHERE h.kelurahan_code = k.code
          AND m.gender = 'P' AND m.id IN (SELECT a.member_id FROM training_attendance a WHERE a.attended
                                          UNION SELECT w.member_id FROM padat_karya_workers w)) AS women_participants,
       (SELECT COUNT(DISTINCT o.household_id) FROM marketplace_onboardings o JOIN households h ON h.id = o.household_id
          WHERE h.kelurahan_code = k.code) AS umkm_marketplace,
       (SELECT COALESCE(SUM(g.amount), 0) FROM grants g JOIN households h ON h.id = g.household_id
          WHERE h.kelurahan_code = k.code AND g.disbursed_at IS NOT NULL AND g.status <> 'rejected') AS grant_disbursed,
       (SELECT COALESCE(SUM(x.base), 0) FROM (SELECT h.baseline_income AS base,
           (SELECT c.income FROM household_checkins c WHERE c.household_id = h.id AND c.income IS NOT NULL
             ORDER BY c.at DESC, c.id DESC LIMIT 1) AS latest
         FROM households h WHERE h.kelurahan_code = k.code AND h.baseline_income > 0) x WHERE x.latest IS NOT NULL) AS income_baseline_sum,
       (SELECT COALESCE(SUM(x.latest), 0) FROM (SELECT
           (SELECT c.income FROM household_checkins c WHERE c.household_id = h.id AND c.income IS NOT NULL
             ORDER BY c.at DESC, c.id DESC LIMIT 1) AS latest
         FROM households h WHERE h.kelurahan_code = k.code AND h.baseline_income > 0) x WHERE x.latest IS NOT NULL) AS income_latest_sum,
       (SELECT COUNT(*) FROM (SELECT
           (SELECT c.omzet FROM household_checkins c WHERE c.household_id = h.id ORDER BY c.at DESC, c.id DESC LIMIT 1) AS latest,
           COALESCE((SELECT g.baseline_omzet FROM grants g WHERE g.household_id = h.id ORDER BY g.applied_at, g.id LIMIT 1),
                    (SELECT c.omzet FROM household_checkins c WHERE c.household_id = h.id ORDER BY c.at, c.id LIMIT 1)) AS base
         FROM households h WHERE h.kelurahan_code = k.code) x
         WHERE x.latest > 0 AND (x.base = 0 OR x.latest * 100 >= x.base * 125)) AS micro_businesses
FROM kelurahan k;

-- Pilots and their signed decisions, as the public page shows them (with
-- who signed, for staff).
CREATE VIEW kpi_pilots AS
SELECT p.id, p.name, p.component, p.kelurahan_code, p.status, p.cycle, p.cycle_start, p.review_at, p.decision_due,
       p.overdue, p.owner, p.start_date
FROM pilots p;

CREATE VIEW kpi_pilot_decisions AS
SELECT d.pilot_id, p.name AS pilot_name, p.component, p.kelurahan_code, d.cycle, d.decision, d.rationale,
       d.decided_by, d.decided_at, d.overdue
FROM pilot_decisions d JOIN pilots p ON p.id = d.pilot_id;

-- +goose Down
DROP VIEW kpi_pilot_decisions;
DROP VIEW kpi_pilots;
DROP VIEW kpi_programme_kelurahan;
DROP VIEW kpi_overdue_units;
DROP VIEW kpi_curhat_times;
DROP VIEW kpi_curhat_monthly_rw;
DROP VIEW kpi_curhat_daily;
DROP TABLE pilot_decisions;
DROP TABLE pilot_packets;
DROP TABLE pilot_events;
DROP TABLE pilots;
DROP TABLE pilot_seq;
