-- The kelurahan's time zone (HAILURAH_TZ) for the SQL that counts by
-- calendar day: the dashboard rollups' triggers of 00006 and the kpi_*
-- views of 00005 wrote '+7 hours' (WIB) into their text. They now read the
-- zone's offset from local_zone, one row that the store keeps equal to the
-- configured zone (store.DB.SetZone, at every start), rebuilding the
-- rollups in the same transaction when it changes. SQLite counts days at
-- one fixed offset, so the store refuses a zone with daylight saving here;
-- Indonesia's zones have none.
-- Kept in lockstep with ../postgres/00007_local_zone.sql: the same table,
-- and the triggers and views as before but for the zone.

-- +goose Up
CREATE TABLE local_zone (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    name               TEXT    NOT NULL, -- IANA name (Postgres counts with it)
    utc_offset_seconds INTEGER NOT NULL
);

-- Every day counted so far was a WIB day.
INSERT INTO local_zone (id, name, utc_offset_seconds) VALUES (1, 'Asia/Jakarta', 25200);

DROP TRIGGER tickets_curhat_rollup_insert;
DROP TRIGGER tickets_curhat_daily_update;
DROP TRIGGER tickets_curhat_counts_update;
DROP TRIGGER tickets_curhat_durations_update;
DROP TRIGGER tickets_curhat_rollup_delete;

-- +goose StatementBegin
CREATE TRIGGER tickets_curhat_rollup_insert AFTER INSERT ON tickets
BEGIN
    INSERT INTO curhat_daily (kelurahan_code, day, rw, rt, total, followed, mod_ended, mod_on_time, dinas_ended, dinas_on_time, resolved, rating_1, rating_2, rating_3, rating_4, rating_5)
    VALUES (COALESCE(NEW.kelurahan_code, ''), strftime('%Y-%m-%d', NEW.datetime_received, (SELECT z.utc_offset_seconds || ' seconds' FROM local_zone z)), NEW.rw, NEW.rt,
        1,
        CASE WHEN (NEW.verified OR NEW.status NOT IN ('new', 'open')) THEN 1 ELSE 0 END,
        CASE WHEN (NEW.moderator_breached OR NEW.verified OR NEW.status NOT IN ('new', 'open')) THEN 1 ELSE 0 END,
        CASE WHEN (NEW.moderator_breached OR NEW.verified OR NEW.status NOT IN ('new', 'open')) AND NOT NEW.moderator_breached THEN 1 ELSE 0 END,
        CASE WHEN (NEW.assigned_at IS NOT NULL AND (NEW.dinas_breached OR NEW.status NOT IN ('assigned', 'in_progress'))) THEN 1 ELSE 0 END,
        CASE WHEN (NEW.assigned_at IS NOT NULL AND (NEW.dinas_breached OR NEW.status NOT IN ('assigned', 'in_progress'))) AND NOT NEW.dinas_breached THEN 1 ELSE 0 END,
        CASE WHEN NEW.status = 'resolved' THEN 1 ELSE 0 END,
        CASE WHEN NEW.rating = 1 THEN 1 ELSE 0 END,
        CASE WHEN NEW.rating = 2 THEN 1 ELSE 0 END,
        CASE WHEN NEW.rating = 3 THEN 1 ELSE 0 END,
        CASE WHEN NEW.rating = 4 THEN 1 ELSE 0 END,
        CASE WHEN NEW.rating = 5 THEN 1 ELSE 0 END)
    ON CONFLICT (kelurahan_code, day, rw, rt) DO UPDATE SET
        total = curhat_daily.total + excluded.total,
        followed = curhat_daily.followed + excluded.followed,
        mod_ended = curhat_daily.mod_ended + excluded.mod_ended,
        mod_on_time = curhat_daily.mod_on_time + excluded.mod_on_time,
        dinas_ended = curhat_daily.dinas_ended + excluded.dinas_ended,
        dinas_on_time = curhat_daily.dinas_on_time + excluded.dinas_on_time,
        resolved = curhat_daily.resolved + excluded.resolved,
        rating_1 = curhat_daily.rating_1 + excluded.rating_1,
        rating_2 = curhat_daily.rating_2 + excluded.rating_2,
        rating_3 = curhat_daily.rating_3 + excluded.rating_3,
        rating_4 = curhat_daily.rating_4 + excluded.rating_4,
        rating_5 = curhat_daily.rating_5 + excluded.rating_5;
    INSERT INTO curhat_daily_counts (kelurahan_code, day, dim, val, n)
    VALUES (COALESCE(NEW.kelurahan_code, ''), strftime('%Y-%m-%d', NEW.datetime_received, (SELECT z.utc_offset_seconds || ' seconds' FROM local_zone z)), 'kategori', NEW.kategori, 1)
    ON CONFLICT (kelurahan_code, day, dim, val) DO UPDATE SET n = curhat_daily_counts.n + excluded.n;
    INSERT INTO curhat_daily_counts (kelurahan_code, day, dim, val, n)
    VALUES (COALESCE(NEW.kelurahan_code, ''), strftime('%Y-%m-%d', NEW.datetime_received, (SELECT z.utc_offset_seconds || ' seconds' FROM local_zone z)), 'urgency', CAST(NEW.urgency_score AS TEXT), 1)
    ON CONFLICT (kelurahan_code, day, dim, val) DO UPDATE SET n = curhat_daily_counts.n + excluded.n;
    INSERT INTO curhat_daily_durations (kelurahan_code, day, metric, bucket, n)
    SELECT COALESCE(NEW.kelurahan_code, ''), strftime('%Y-%m-%d', NEW.datetime_received, (SELECT z.utc_offset_seconds || ' seconds' FROM local_zone z)), 'reply',
        (SELECT b.bucket FROM curhat_duration_buckets b WHERE b.lo <= ROUND((julianday(NEW.first_reply_at) - julianday(NEW.datetime_received)) * 86400.0, 3) ORDER BY b.lo DESC LIMIT 1), 1
    WHERE NEW.first_reply_at IS NOT NULL
    ON CONFLICT (kelurahan_code, day, metric, bucket) DO UPDATE SET n = curhat_daily_durations.n + excluded.n;
    INSERT INTO curhat_daily_durations (kelurahan_code, day, metric, bucket, n)
    SELECT COALESCE(NEW.kelurahan_code, ''), strftime('%Y-%m-%d', NEW.datetime_received, (SELECT z.utc_offset_seconds || ' seconds' FROM local_zone z)), 'resolve',
        (SELECT b.bucket FROM curhat_duration_buckets b WHERE b.lo <= ROUND((julianday(NEW.resolved_at) - julianday(NEW.datetime_received)) * 86400.0, 3) ORDER BY b.lo DESC LIMIT 1), 1
    WHERE NEW.status = 'resolved' AND NEW.resolved_at IS NOT NULL
    ON CONFLICT (kelurahan_code, day, metric, bucket) DO UPDATE SET n = curhat_daily_durations.n + excluded.n;
    -- A reply stored before its ticket.
    UPDATE tickets SET first_reply_at = (
        SELECT MIN(o.created_at) FROM outbox o WHERE o.ticket_id = NEW.id AND o.kind = 'reply')
    WHERE id = NEW.id AND NEW.first_reply_at IS NULL
      AND EXISTS (SELECT 1 FROM outbox o WHERE o.ticket_id = NEW.id AND o.kind = 'reply');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER tickets_curhat_daily_update AFTER UPDATE ON tickets
WHEN OLD.datetime_received IS NOT NEW.datetime_received OR OLD.kelurahan_code IS NOT NEW.kelurahan_code OR OLD.rw IS NOT NEW.rw OR OLD.rt IS NOT NEW.rt OR OLD.status IS NOT NEW.status OR OLD.verified IS NOT NEW.verified OR OLD.moderator_breached IS NOT NEW.moderator_breached OR OLD.dinas_breached IS NOT NEW.dinas_breached OR (OLD.assigned_at IS NULL) IS NOT (NEW.assigned_at IS NULL) OR OLD.rating IS NOT NEW.rating
BEGIN
    INSERT INTO curhat_daily (kelurahan_code, day, rw, rt, total, followed, mod_ended, mod_on_time, dinas_ended, dinas_on_time, resolved, rating_1, rating_2, rating_3, rating_4, rating_5)
    VALUES (COALESCE(OLD.kelurahan_code, ''), strftime('%Y-%m-%d', OLD.datetime_received, (SELECT z.utc_offset_seconds || ' seconds' FROM local_zone z)), OLD.rw, OLD.rt,
        -1,
        -(CASE WHEN (OLD.verified OR OLD.status NOT IN ('new', 'open')) THEN 1 ELSE 0 END),
        -(CASE WHEN (OLD.moderator_breached OR OLD.verified OR OLD.status NOT IN ('new', 'open')) THEN 1 ELSE 0 END),
        -(CASE WHEN (OLD.moderator_breached OR OLD.verified OR OLD.status NOT IN ('new', 'open')) AND NOT OLD.moderator_breached THEN 1 ELSE 0 END),
        -(CASE WHEN (OLD.assigned_at IS NOT NULL AND (OLD.dinas_breached OR OLD.status NOT IN ('assigned', 'in_progress'))) THEN 1 ELSE 0 END),
        -(CASE WHEN (OLD.assigned_at IS NOT NULL AND (OLD.dinas_breached OR OLD.status NOT IN ('assigned', 'in_progress'))) AND NOT OLD.dinas_breached THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.status = 'resolved' THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.rating = 1 THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.rating = 2 THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.rating = 3 THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.rating = 4 THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.rating = 5 THEN 1 ELSE 0 END))
    ON CONFLICT (kelurahan_code, day, rw, rt) DO UPDATE SET
        total = curhat_daily.total + excluded.total,
        followed = curhat_daily.followed + excluded.followed,
        mod_ended = curhat_daily.mod_ended + excluded.mod_ended,
        mod_on_time = curhat_daily.mod_on_time + excluded.mod_on_time,
        dinas_ended = curhat_daily.dinas_ended + excluded.dinas_ended,
        dinas_on_time = curhat_daily.dinas_on_time + excluded.dinas_on_time,
        resolved = curhat_daily.resolved + excluded.resolved,
        rating_1 = curhat_daily.rating_1 + excluded.rating_1,
        rating_2 = curhat_daily.rating_2 + excluded.rating_2,
        rating_3 = curhat_daily.rating_3 + excluded.rating_3,
        rating_4 = curhat_daily.rating_4 + excluded.rating_4,
        rating_5 = curhat_daily.rating_5 + excluded.rating_5;
    INSERT INTO curhat_daily (kelurahan_code, day, rw, rt, total, followed, mod_ended, mod_on_time, dinas_ended, dinas_on_time, resolved, rating_1, rating_2, rating_3, rating_4, rating_5)
    VALUES (COALESCE(NEW.kelurahan_code, ''), strftime('%Y-%m-%d', NEW.datetime_received, (SELECT z.utc_offset_seconds || ' seconds' FROM local_zone z)), NEW.rw, NEW.rt,
        1,
        CASE WHEN (NEW.verified OR NEW.status NOT IN ('new', 'open')) THEN 1 ELSE 0 END,
        CASE WHEN (NEW.moderator_breached OR NEW.verified OR NEW.status NOT IN ('new', 'open')) THEN 1 ELSE 0 END,
        CASE WHEN (NEW.moderator_breached OR NEW.verified OR NEW.status NOT IN ('new', 'open')) AND NOT NEW.moderator_breached THEN 1 ELSE 0 END,
        CASE WHEN (NEW.assigned_at IS NOT NULL AND (NEW.dinas_breached OR NEW.status NOT IN ('assigned', 'in_progress'))) THEN 1 ELSE 0 END,
        CASE WHEN (NEW.assigned_at IS NOT NULL AND (NEW.dinas_breached OR NEW.status NOT IN ('assigned', 'in_progress'))) AND NOT NEW.dinas_breached THEN 1 ELSE 0 END,
        CASE WHEN NEW.status = 'resolved' THEN 1 ELSE 0 END,
        CASE WHEN NEW.rating = 1 THEN 1 ELSE 0 END,
        CASE WHEN NEW.rating = 2 THEN 1 ELSE 0 END,
        CASE WHEN NEW.rating = 3 THEN 1 ELSE 0 END,
        CASE WHEN NEW.rating = 4 THEN 1 ELSE 0 END,
        CASE WHEN NEW.rating = 5 THEN 1 ELSE 0 END)
    ON CONFLICT (kelurahan_code, day, rw, rt) DO UPDATE SET
        total = curhat_daily.total + excluded.total,
        followed = curhat_daily.followed + excluded.followed,
        mod_ended = curhat_daily.mod_ended + excluded.mod_ended,
        mod_on_time = curhat_daily.mod_on_time + excluded.mod_on_time,
        dinas_ended = curhat_daily.dinas_ended + excluded.dinas_ended,
        dinas_on_time = curhat_daily.dinas_on_time + excluded.dinas_on_time,
        resolved = curhat_daily.resolved + excluded.resolved,
        rating_1 = curhat_daily.rating_1 + excluded.rating_1,
        rating_2 = curhat_daily.rating_2 + excluded.rating_2,
        rating_3 = curhat_daily.rating_3 + excluded.rating_3,
        rating_4 = curhat_daily.rating_4 + excluded.rating_4,
        rating_5 = curhat_daily.rating_5 + excluded.rating_5;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER tickets_curhat_counts_update AFTER UPDATE ON tickets
WHEN OLD.datetime_received IS NOT NEW.datetime_received OR OLD.kelurahan_code IS NOT NEW.kelurahan_code OR OLD.kategori IS NOT NEW.kategori OR OLD.urgency_score IS NOT NEW.urgency_score
BEGIN
    INSERT INTO curhat_daily_counts (kelurahan_code, day, dim, val, n)
    VALUES (COALESCE(OLD.kelurahan_code, ''), strftime('%Y-%m-%d', OLD.datetime_received, (SELECT z.utc_offset_seconds || ' seconds' FROM local_zone z)), 'kategori', OLD.kategori, -1)
    ON CONFLICT (kelurahan_code, day, dim, val) DO UPDATE SET n = curhat_daily_counts.n + excluded.n;
    INSERT INTO curhat_daily_counts (kelurahan_code, day, dim, val, n)
    VALUES (COALESCE(OLD.kelurahan_code, ''), strftime('%Y-%m-%d', OLD.datetime_received, (SELECT z.utc_offset_seconds || ' seconds' FROM local_zone z)), 'urgency', CAST(OLD.urgency_score AS TEXT), -1)
    ON CONFLICT (kelurahan_code, day, dim, val) DO UPDATE SET n = curhat_daily_counts.n + excluded.n;
    INSERT INTO curhat_daily_counts (kelurahan_code, day, dim, val, n)
    VALUES (COALESCE(NEW.kelurahan_code, ''), strftime('%Y-%m-%d', NEW.datetime_received, (SELECT z.utc_offset_seconds || ' seconds' FROM local_zone z)), 'kategori', NEW.kategori, 1)
    ON CONFLICT (kelurahan_code, day, dim, val) DO UPDATE SET n = curhat_daily_counts.n + excluded.n;
    INSERT INTO curhat_daily_counts (kelurahan_code, day, dim, val, n)
    VALUES (COALESCE(NEW.kelurahan_code, ''), strftime('%Y-%m-%d', NEW.datetime_received, (SELECT z.utc_offset_seconds || ' seconds' FROM local_zone z)), 'urgency', CAST(NEW.urgency_score AS TEXT), 1)
    ON CONFLICT (kelurahan_code, day, dim, val) DO UPDATE SET n = curhat_daily_counts.n + excluded.n;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER tickets_curhat_durations_update AFTER UPDATE ON tickets
WHEN OLD.datetime_received IS NOT NEW.datetime_received OR OLD.kelurahan_code IS NOT NEW.kelurahan_code OR (OLD.status = 'resolved') IS NOT (NEW.status = 'resolved') OR OLD.resolved_at IS NOT NEW.resolved_at OR OLD.first_reply_at IS NOT NEW.first_reply_at
BEGIN
    INSERT INTO curhat_daily_durations (kelurahan_code, day, metric, bucket, n)
    SELECT COALESCE(OLD.kelurahan_code, ''), strftime('%Y-%m-%d', OLD.datetime_received, (SELECT z.utc_offset_seconds || ' seconds' FROM local_zone z)), 'reply',
        (SELECT b.bucket FROM curhat_duration_buckets b WHERE b.lo <= ROUND((julianday(OLD.first_reply_at) - julianday(OLD.datetime_received)) * 86400.0, 3) ORDER BY b.lo DESC LIMIT 1), -1
    WHERE OLD.first_reply_at IS NOT NULL
    ON CONFLICT (kelurahan_code, day, metric, bucket) DO UPDATE SET n = curhat_daily_durations.n + excluded.n;
    INSERT INTO curhat_daily_durations (kelurahan_code, day, metric, bucket, n)
    SELECT COALESCE(OLD.kelurahan_code, ''), strftime('%Y-%m-%d', OLD.datetime_received, (SELECT z.utc_offset_seconds || ' seconds' FROM local_zone z)), 'resolve',
        (SELECT b.bucket FROM curhat_duration_buckets b WHERE b.lo <= ROUND((julianday(OLD.resolved_at) - julianday(OLD.datetime_received)) * 86400.0, 3) ORDER BY b.lo DESC LIMIT 1), -1
    WHERE OLD.status = 'resolved' AND OLD.resolved_at IS NOT NULL
    ON CONFLICT (kelurahan_code, day, metric, bucket) DO UPDATE SET n = curhat_daily_durations.n + excluded.n;
    INSERT INTO curhat_daily_durations (kelurahan_code, day, metric, bucket, n)
    SELECT COALESCE(NEW.kelurahan_code, ''), strftime('%Y-%m-%d', NEW.datetime_received, (SELECT z.utc_offset_seconds || ' seconds' FROM local_zone z)), 'reply',
        (SELECT b.bucket FROM curhat_duration_buckets b WHERE b.lo <= ROUND((julianday(NEW.first_reply_at) - julianday(NEW.datetime_received)) * 86400.0, 3) ORDER BY b.lo DESC LIMIT 1), 1
    WHERE NEW.first_reply_at IS NOT NULL
    ON CONFLICT (kelurahan_code, day, metric, bucket) DO UPDATE SET n = curhat_daily_durations.n + excluded.n;
    INSERT INTO curhat_daily_durations (kelurahan_code, day, metric, bucket, n)
    SELECT COALESCE(NEW.kelurahan_code, ''), strftime('%Y-%m-%d', NEW.datetime_received, (SELECT z.utc_offset_seconds || ' seconds' FROM local_zone z)), 'resolve',
        (SELECT b.bucket FROM curhat_duration_buckets b WHERE b.lo <= ROUND((julianday(NEW.resolved_at) - julianday(NEW.datetime_received)) * 86400.0, 3) ORDER BY b.lo DESC LIMIT 1), 1
    WHERE NEW.status = 'resolved' AND NEW.resolved_at IS NOT NULL
    ON CONFLICT (kelurahan_code, day, metric, bucket) DO UPDATE SET n = curhat_daily_durations.n + excluded.n;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER tickets_curhat_rollup_delete AFTER DELETE ON tickets
BEGIN
    INSERT INTO curhat_daily (kelurahan_code, day, rw, rt, total, followed, mod_ended, mod_on_time, dinas_ended, dinas_on_time, resolved, rating_1, rating_2, rating_3, rating_4, rating_5)
    VALUES (COALESCE(OLD.kelurahan_code, ''), strftime('%Y-%m-%d', OLD.datetime_received, (SELECT z.utc_offset_seconds || ' seconds' FROM local_zone z)), OLD.rw, OLD.rt,
        -1,
        -(CASE WHEN (OLD.verified OR OLD.status NOT IN ('new', 'open')) THEN 1 ELSE 0 END),
        -(CASE WHEN (OLD.moderator_breached OR OLD.verified OR OLD.status NOT IN ('new', 'open')) THEN 1 ELSE 0 END),
        -(CASE WHEN (OLD.moderator_breached OR OLD.verified OR OLD.status NOT IN ('new', 'open')) AND NOT OLD.moderator_breached THEN 1 ELSE 0 END),
        -(CASE WHEN (OLD.assigned_at IS NOT NULL AND (OLD.dinas_breached OR OLD.status NOT IN ('assigned', 'in_progress'))) THEN 1 ELSE 0 END),
        -(CASE WHEN (OLD.assigned_at IS NOT NULL AND (OLD.dinas_breached OR OLD.status NOT IN ('assigned', 'in_progress'))) AND NOT OLD.dinas_breached THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.status = 'resolved' THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.rating = 1 THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.rating = 2 THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.rating = 3 THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.rating = 4 THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.rating = 5 THEN 1 ELSE 0 END))
    ON CONFLICT (kelurahan_code, day, rw, rt) DO UPDATE SET
        total = curhat_daily.total + excluded.total,
        followed = curhat_daily.followed + excluded.followed,
        mod_ended = curhat_daily.mod_ended + excluded.mod_ended,
        mod_on_time = curhat_daily.mod_on_time + excluded.mod_on_time,
        dinas_ended = curhat_daily.dinas_ended + excluded.dinas_ended,
        dinas_on_time = curhat_daily.dinas_on_time + excluded.dinas_on_time,
        resolved = curhat_daily.resolved + excluded.resolved,
        rating_1 = curhat_daily.rating_1 + excluded.rating_1,
        rating_2 = curhat_daily.rating_2 + excluded.rating_2,
        rating_3 = curhat_daily.rating_3 + excluded.rating_3,
        rating_4 = curhat_daily.rating_4 + excluded.rating_4,
        rating_5 = curhat_daily.rating_5 + excluded.rating_5;
    INSERT INTO curhat_daily_counts (kelurahan_code, day, dim, val, n)
    VALUES (COALESCE(OLD.kelurahan_code, ''), strftime('%Y-%m-%d', OLD.datetime_received, (SELECT z.utc_offset_seconds || ' seconds' FROM local_zone z)), 'kategori', OLD.kategori, -1)
    ON CONFLICT (kelurahan_code, day, dim, val) DO UPDATE SET n = curhat_daily_counts.n + excluded.n;
    INSERT INTO curhat_daily_counts (kelurahan_code, day, dim, val, n)
    VALUES (COALESCE(OLD.kelurahan_code, ''), strftime('%Y-%m-%d', OLD.datetime_received, (SELECT z.utc_offset_seconds || ' seconds' FROM local_zone z)), 'urgency', CAST(OLD.urgency_score AS TEXT), -1)
    ON CONFLICT (kelurahan_code, day, dim, val) DO UPDATE SET n = curhat_daily_counts.n + excluded.n;
    INSERT INTO curhat_daily_durations (kelurahan_code, day, metric, bucket, n)
    SELECT COALESCE(OLD.kelurahan_code, ''), strftime('%Y-%m-%d', OLD.datetime_received, (SELECT z.utc_offset_seconds || ' seconds' FROM local_zone z)), 'reply',
        (SELECT b.bucket FROM curhat_duration_buckets b WHERE b.lo <= ROUND((julianday(OLD.first_reply_at) - julianday(OLD.datetime_received)) * 86400.0, 3) ORDER BY b.lo DESC LIMIT 1), -1
    WHERE OLD.first_reply_at IS NOT NULL
    ON CONFLICT (kelurahan_code, day, metric, bucket) DO UPDATE SET n = curhat_daily_durations.n + excluded.n;
    INSERT INTO curhat_daily_durations (kelurahan_code, day, metric, bucket, n)
    SELECT COALESCE(OLD.kelurahan_code, ''), strftime('%Y-%m-%d', OLD.datetime_received, (SELECT z.utc_offset_seconds || ' seconds' FROM local_zone z)), 'resolve',
        (SELECT b.bucket FROM curhat_duration_buckets b WHERE b.lo <= ROUND((julianday(OLD.resolved_at) - julianday(OLD.datetime_received)) * 86400.0, 3) ORDER BY b.lo DESC LIMIT 1), -1
    WHERE OLD.status = 'resolved' AND OLD.resolved_at IS NOT NULL
    ON CONFLICT (kelurahan_code, day, metric, bucket) DO UPDATE SET n = curhat_daily_durations.n + excluded.n;
END;
-- +goose StatementEnd

DROP VIEW kpi_curhat_monthly_rw;
DROP VIEW kpi_curhat_daily;

CREATE VIEW kpi_curhat_daily AS
SELECT t.kelurahan_code,
       date(t.datetime_received, z.utc_offset_seconds || ' seconds') AS day,
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
FROM tickets t CROSS JOIN local_zone z
GROUP BY t.kelurahan_code, date(t.datetime_received, z.utc_offset_seconds || ' seconds');

-- Tickets per kelurahan, month, RW and kategori: the open-data table before
-- suppression. Rejected tickets and the city queue are left out.
CREATE VIEW kpi_curhat_monthly_rw AS
SELECT t.kelurahan_code,
       strftime('%Y-%m', t.datetime_received, z.utc_offset_seconds || ' seconds') AS month,
       t.rw, t.kategori, COUNT(*) AS tickets
FROM tickets t CROSS JOIN local_zone z
WHERE t.kelurahan_code IS NOT NULL AND t.status <> 'rejected'
GROUP BY t.kelurahan_code, strftime('%Y-%m', t.datetime_received, z.utc_offset_seconds || ' seconds'), t.rw, t.kategori;

-- +goose Down
-- The triggers and views below count WIB days again: rollups kept in
-- another zone would be silently wrong, so the zone must be Asia/Jakarta
-- first (set HAILURAH_TZ=Asia/Jakarta and start once; the store rebuilds
-- the rollups). The named CHECK is how SQLite refuses with a reason.
CREATE TEMP TABLE local_zone_down (
    name TEXT CONSTRAINT "set HAILURAH_TZ=Asia/Jakarta and start once (it rebuilds the rollups) before migrating below 00007" CHECK (name = 'Asia/Jakarta')
);
INSERT INTO local_zone_down SELECT z.name FROM local_zone z;
DROP TABLE local_zone_down;

DROP TRIGGER tickets_curhat_rollup_insert;
DROP TRIGGER tickets_curhat_daily_update;
DROP TRIGGER tickets_curhat_counts_update;
DROP TRIGGER tickets_curhat_durations_update;
DROP TRIGGER tickets_curhat_rollup_delete;

-- +goose StatementBegin
CREATE TRIGGER tickets_curhat_rollup_insert AFTER INSERT ON tickets
BEGIN
    INSERT INTO curhat_daily (kelurahan_code, day, rw, rt, total, followed, mod_ended, mod_on_time, dinas_ended, dinas_on_time, resolved, rating_1, rating_2, rating_3, rating_4, rating_5)
    VALUES (COALESCE(NEW.kelurahan_code, ''), strftime('%Y-%m-%d', NEW.datetime_received, '+7 hours'), NEW.rw, NEW.rt,
        1,
        CASE WHEN (NEW.verified OR NEW.status NOT IN ('new', 'open')) THEN 1 ELSE 0 END,
        CASE WHEN (NEW.moderator_breached OR NEW.verified OR NEW.status NOT IN ('new', 'open')) THEN 1 ELSE 0 END,
        CASE WHEN (NEW.moderator_breached OR NEW.verified OR NEW.status NOT IN ('new', 'open')) AND NOT NEW.moderator_breached THEN 1 ELSE 0 END,
        CASE WHEN (NEW.assigned_at IS NOT NULL AND (NEW.dinas_breached OR NEW.status NOT IN ('assigned', 'in_progress'))) THEN 1 ELSE 0 END,
        CASE WHEN (NEW.assigned_at IS NOT NULL AND (NEW.dinas_breached OR NEW.status NOT IN ('assigned', 'in_progress'))) AND NOT NEW.dinas_breached THEN 1 ELSE 0 END,
        CASE WHEN NEW.status = 'resolved' THEN 1 ELSE 0 END,
        CASE WHEN NEW.rating = 1 THEN 1 ELSE 0 END,
        CASE WHEN NEW.rating = 2 THEN 1 ELSE 0 END,
        CASE WHEN NEW.rating = 3 THEN 1 ELSE 0 END,
        CASE WHEN NEW.rating = 4 THEN 1 ELSE 0 END,
        CASE WHEN NEW.rating = 5 THEN 1 ELSE 0 END)
    ON CONFLICT (kelurahan_code, day, rw, rt) DO UPDATE SET
        total = curhat_daily.total + excluded.total,
        followed = curhat_daily.followed + excluded.followed,
        mod_ended = curhat_daily.mod_ended + excluded.mod_ended,
        mod_on_time = curhat_daily.mod_on_time + excluded.mod_on_time,
        dinas_ended = curhat_daily.dinas_ended + excluded.dinas_ended,
        dinas_on_time = curhat_daily.dinas_on_time + excluded.dinas_on_time,
        resolved = curhat_daily.resolved + excluded.resolved,
        rating_1 = curhat_daily.rating_1 + excluded.rating_1,
        rating_2 = curhat_daily.rating_2 + excluded.rating_2,
        rating_3 = curhat_daily.rating_3 + excluded.rating_3,
        rating_4 = curhat_daily.rating_4 + excluded.rating_4,
        rating_5 = curhat_daily.rating_5 + excluded.rating_5;
    INSERT INTO curhat_daily_counts (kelurahan_code, day, dim, val, n)
    VALUES (COALESCE(NEW.kelurahan_code, ''), strftime('%Y-%m-%d', NEW.datetime_received, '+7 hours'), 'kategori', NEW.kategori, 1)
    ON CONFLICT (kelurahan_code, day, dim, val) DO UPDATE SET n = curhat_daily_counts.n + excluded.n;
    INSERT INTO curhat_daily_counts (kelurahan_code, day, dim, val, n)
    VALUES (COALESCE(NEW.kelurahan_code, ''), strftime('%Y-%m-%d', NEW.datetime_received, '+7 hours'), 'urgency', CAST(NEW.urgency_score AS TEXT), 1)
    ON CONFLICT (kelurahan_code, day, dim, val) DO UPDATE SET n = curhat_daily_counts.n + excluded.n;
    INSERT INTO curhat_daily_durations (kelurahan_code, day, metric, bucket, n)
    SELECT COALESCE(NEW.kelurahan_code, ''), strftime('%Y-%m-%d', NEW.datetime_received, '+7 hours'), 'reply',
        (SELECT b.bucket FROM curhat_duration_buckets b WHERE b.lo <= ROUND((julianday(NEW.first_reply_at) - julianday(NEW.datetime_received)) * 86400.0, 3) ORDER BY b.lo DESC LIMIT 1), 1
    WHERE NEW.first_reply_at IS NOT NULL
    ON CONFLICT (kelurahan_code, day, metric, bucket) DO UPDATE SET n = curhat_daily_durations.n + excluded.n;
    INSERT INTO curhat_daily_durations (kelurahan_code, day, metric, bucket, n)
    SELECT COALESCE(NEW.kelurahan_code, ''), strftime('%Y-%m-%d', NEW.datetime_received, '+7 hours'), 'resolve',
        (SELECT b.bucket FROM curhat_duration_buckets b WHERE b.lo <= ROUND((julianday(NEW.resolved_at) - julianday(NEW.datetime_received)) * 86400.0, 3) ORDER BY b.lo DESC LIMIT 1), 1
    WHERE NEW.status = 'resolved' AND NEW.resolved_at IS NOT NULL
    ON CONFLICT (kelurahan_code, day, metric, bucket) DO UPDATE SET n = curhat_daily_durations.n + excluded.n;
    -- A reply stored before its ticket.
    UPDATE tickets SET first_reply_at = (
        SELECT MIN(o.created_at) FROM outbox o WHERE o.ticket_id = NEW.id AND o.kind = 'reply')
    WHERE id = NEW.id AND NEW.first_reply_at IS NULL
      AND EXISTS (SELECT 1 FROM outbox o WHERE o.ticket_id = NEW.id AND o.kind = 'reply');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER tickets_curhat_daily_update AFTER UPDATE ON tickets
WHEN OLD.datetime_received IS NOT NEW.datetime_received OR OLD.kelurahan_code IS NOT NEW.kelurahan_code OR OLD.rw IS NOT NEW.rw OR OLD.rt IS NOT NEW.rt OR OLD.status IS NOT NEW.status OR OLD.verified IS NOT NEW.verified OR OLD.moderator_breached IS NOT NEW.moderator_breached OR OLD.dinas_breached IS NOT NEW.dinas_breached OR (OLD.assigned_at IS NULL) IS NOT (NEW.assigned_at IS NULL) OR OLD.rating IS NOT NEW.rating
BEGIN
    INSERT INTO curhat_daily (kelurahan_code, day, rw, rt, total, followed, mod_ended, mod_on_time, dinas_ended, dinas_on_time, resolved, rating_1, rating_2, rating_3, rating_4, rating_5)
    VALUES (COALESCE(OLD.kelurahan_code, ''), strftime('%Y-%m-%d', OLD.datetime_received, '+7 hours'), OLD.rw, OLD.rt,
        -1,
        -(CASE WHEN (OLD.verified OR OLD.status NOT IN ('new', 'open')) THEN 1 ELSE 0 END),
        -(CASE WHEN (OLD.moderator_breached OR OLD.verified OR OLD.status NOT IN ('new', 'open')) THEN 1 ELSE 0 END),
        -(CASE WHEN (OLD.moderator_breached OR OLD.verified OR OLD.status NOT IN ('new', 'open')) AND NOT OLD.moderator_breached THEN 1 ELSE 0 END),
        -(CASE WHEN (OLD.assigned_at IS NOT NULL AND (OLD.dinas_breached OR OLD.status NOT IN ('assigned', 'in_progress'))) THEN 1 ELSE 0 END),
        -(CASE WHEN (OLD.assigned_at IS NOT NULL AND (OLD.dinas_breached OR OLD.status NOT IN ('assigned', 'in_progress'))) AND NOT OLD.dinas_breached THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.status = 'resolved' THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.rating = 1 THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.rating = 2 THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.rating = 3 THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.rating = 4 THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.rating = 5 THEN 1 ELSE 0 END))
    ON CONFLICT (kelurahan_code, day, rw, rt) DO UPDATE SET
        total = curhat_daily.total + excluded.total,
        followed = curhat_daily.followed + excluded.followed,
        mod_ended = curhat_daily.mod_ended + excluded.mod_ended,
        mod_on_time = curhat_daily.mod_on_time + excluded.mod_on_time,
        dinas_ended = curhat_daily.dinas_ended + excluded.dinas_ended,
        dinas_on_time = curhat_daily.dinas_on_time + excluded.dinas_on_time,
        resolved = curhat_daily.resolved + excluded.resolved,
        rating_1 = curhat_daily.rating_1 + excluded.rating_1,
        rating_2 = curhat_daily.rating_2 + excluded.rating_2,
        rating_3 = curhat_daily.rating_3 + excluded.rating_3,
        rating_4 = curhat_daily.rating_4 + excluded.rating_4,
        rating_5 = curhat_daily.rating_5 + excluded.rating_5;
    INSERT INTO curhat_daily (kelurahan_code, day, rw, rt, total, followed, mod_ended, mod_on_time, dinas_ended, dinas_on_time, resolved, rating_1, rating_2, rating_3, rating_4, rating_5)
    VALUES (COALESCE(NEW.kelurahan_code, ''), strftime('%Y-%m-%d', NEW.datetime_received, '+7 hours'), NEW.rw, NEW.rt,
        1,
        CASE WHEN (NEW.verified OR NEW.status NOT IN ('new', 'open')) THEN 1 ELSE 0 END,
        CASE WHEN (NEW.moderator_breached OR NEW.verified OR NEW.status NOT IN ('new', 'open')) THEN 1 ELSE 0 END,
        CASE WHEN (NEW.moderator_breached OR NEW.verified OR NEW.status NOT IN ('new', 'open')) AND NOT NEW.moderator_breached THEN 1 ELSE 0 END,
        CASE WHEN (NEW.assigned_at IS NOT NULL AND (NEW.dinas_breached OR NEW.status NOT IN ('assigned', 'in_progress'))) THEN 1 ELSE 0 END,
        CASE WHEN (NEW.assigned_at IS NOT NULL AND (NEW.dinas_breached OR NEW.status NOT IN ('assigned', 'in_progress'))) AND NOT NEW.dinas_breached THEN 1 ELSE 0 END,
        CASE WHEN NEW.status = 'resolved' THEN 1 ELSE 0 END,
        CASE WHEN NEW.rating = 1 THEN 1 ELSE 0 END,
        CASE WHEN NEW.rating = 2 THEN 1 ELSE 0 END,
        CASE WHEN NEW.rating = 3 THEN 1 ELSE 0 END,
        CASE WHEN NEW.rating = 4 THEN 1 ELSE 0 END,
        CASE WHEN NEW.rating = 5 THEN 1 ELSE 0 END)
    ON CONFLICT (kelurahan_code, day, rw, rt) DO UPDATE SET
        total = curhat_daily.total + excluded.total,
        followed = curhat_daily.followed + excluded.followed,
        mod_ended = curhat_daily.mod_ended + excluded.mod_ended,
        mod_on_time = curhat_daily.mod_on_time + excluded.mod_on_time,
        dinas_ended = curhat_daily.dinas_ended + excluded.dinas_ended,
        dinas_on_time = curhat_daily.dinas_on_time + excluded.dinas_on_time,
        resolved = curhat_daily.resolved + excluded.resolved,
        rating_1 = curhat_daily.rating_1 + excluded.rating_1,
        rating_2 = curhat_daily.rating_2 + excluded.rating_2,
        rating_3 = curhat_daily.rating_3 + excluded.rating_3,
        rating_4 = curhat_daily.rating_4 + excluded.rating_4,
        rating_5 = curhat_daily.rating_5 + excluded.rating_5;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER tickets_curhat_counts_update AFTER UPDATE ON tickets
WHEN OLD.datetime_received IS NOT NEW.datetime_received OR OLD.kelurahan_code IS NOT NEW.kelurahan_code OR OLD.kategori IS NOT NEW.kategori OR OLD.urgency_score IS NOT NEW.urgency_score
BEGIN
    INSERT INTO curhat_daily_counts (kelurahan_code, day, dim, val, n)
    VALUES (COALESCE(OLD.kelurahan_code, ''), strftime('%Y-%m-%d', OLD.datetime_received, '+7 hours'), 'kategori', OLD.kategori, -1)
    ON CONFLICT (kelurahan_code, day, dim, val) DO UPDATE SET n = curhat_daily_counts.n + excluded.n;
    INSERT INTO curhat_daily_counts (kelurahan_code, day, dim, val, n)
    VALUES (COALESCE(OLD.kelurahan_code, ''), strftime('%Y-%m-%d', OLD.datetime_received, '+7 hours'), 'urgency', CAST(OLD.urgency_score AS TEXT), -1)
    ON CONFLICT (kelurahan_code, day, dim, val) DO UPDATE SET n = curhat_daily_counts.n + excluded.n;
    INSERT INTO curhat_daily_counts (kelurahan_code, day, dim, val, n)
    VALUES (COALESCE(NEW.kelurahan_code, ''), strftime('%Y-%m-%d', NEW.datetime_received, '+7 hours'), 'kategori', NEW.kategori, 1)
    ON CONFLICT (kelurahan_code, day, dim, val) DO UPDATE SET n = curhat_daily_counts.n + excluded.n;
    INSERT INTO curhat_daily_counts (kelurahan_code, day, dim, val, n)
    VALUES (COALESCE(NEW.kelurahan_code, ''), strftime('%Y-%m-%d', NEW.datetime_received, '+7 hours'), 'urgency', CAST(NEW.urgency_score AS TEXT), 1)
    ON CONFLICT (kelurahan_code, day, dim, val) DO UPDATE SET n = curhat_daily_counts.n + excluded.n;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER tickets_curhat_durations_update AFTER UPDATE ON tickets
WHEN OLD.datetime_received IS NOT NEW.datetime_received OR OLD.kelurahan_code IS NOT NEW.kelurahan_code OR (OLD.status = 'resolved') IS NOT (NEW.status = 'resolved') OR OLD.resolved_at IS NOT NEW.resolved_at OR OLD.first_reply_at IS NOT NEW.first_reply_at
BEGIN
    INSERT INTO curhat_daily_durations (kelurahan_code, day, metric, bucket, n)
    SELECT COALESCE(OLD.kelurahan_code, ''), strftime('%Y-%m-%d', OLD.datetime_received, '+7 hours'), 'reply',
        (SELECT b.bucket FROM curhat_duration_buckets b WHERE b.lo <= ROUND((julianday(OLD.first_reply_at) - julianday(OLD.datetime_received)) * 86400.0, 3) ORDER BY b.lo DESC LIMIT 1), -1
    WHERE OLD.first_reply_at IS NOT NULL
    ON CONFLICT (kelurahan_code, day, metric, bucket) DO UPDATE SET n = curhat_daily_durations.n + excluded.n;
    INSERT INTO curhat_daily_durations (kelurahan_code, day, metric, bucket, n)
    SELECT COALESCE(OLD.kelurahan_code, ''), strftime('%Y-%m-%d', OLD.datetime_received, '+7 hours'), 'resolve',
        (SELECT b.bucket FROM curhat_duration_buckets b WHERE b.lo <= ROUND((julianday(OLD.resolved_at) - julianday(OLD.datetime_received)) * 86400.0, 3) ORDER BY b.lo DESC LIMIT 1), -1
    WHERE OLD.status = 'resolved' AND OLD.resolved_at IS NOT NULL
    ON CONFLICT (kelurahan_code, day, metric, bucket) DO UPDATE SET n = curhat_daily_durations.n + excluded.n;
    INSERT INTO curhat_daily_durations (kelurahan_code, day, metric, bucket, n)
    SELECT COALESCE(NEW.kelurahan_code, ''), strftime('%Y-%m-%d', NEW.datetime_received, '+7 hours'), 'reply',
        (SELECT b.bucket FROM curhat_duration_buckets b WHERE b.lo <= ROUND((julianday(NEW.first_reply_at) - julianday(NEW.datetime_received)) * 86400.0, 3) ORDER BY b.lo DESC LIMIT 1), 1
    WHERE NEW.first_reply_at IS NOT NULL
    ON CONFLICT (kelurahan_code, day, metric, bucket) DO UPDATE SET n = curhat_daily_durations.n + excluded.n;
    INSERT INTO curhat_daily_durations (kelurahan_code, day, metric, bucket, n)
    SELECT COALESCE(NEW.kelurahan_code, ''), strftime('%Y-%m-%d', NEW.datetime_received, '+7 hours'), 'resolve',
        (SELECT b.bucket FROM curhat_duration_buckets b WHERE b.lo <= ROUND((julianday(NEW.resolved_at) - julianday(NEW.datetime_received)) * 86400.0, 3) ORDER BY b.lo DESC LIMIT 1), 1
    WHERE NEW.status = 'resolved' AND NEW.resolved_at IS NOT NULL
    ON CONFLICT (kelurahan_code, day, metric, bucket) DO UPDATE SET n = curhat_daily_durations.n + excluded.n;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER tickets_curhat_rollup_delete AFTER DELETE ON tickets
BEGIN
    INSERT INTO curhat_daily (kelurahan_code, day, rw, rt, total, followed, mod_ended, mod_on_time, dinas_ended, dinas_on_time, resolved, rating_1, rating_2, rating_3, rating_4, rating_5)
    VALUES (COALESCE(OLD.kelurahan_code, ''), strftime('%Y-%m-%d', OLD.datetime_received, '+7 hours'), OLD.rw, OLD.rt,
        -1,
        -(CASE WHEN (OLD.verified OR OLD.status NOT IN ('new', 'open')) THEN 1 ELSE 0 END),
        -(CASE WHEN (OLD.moderator_breached OR OLD.verified OR OLD.status NOT IN ('new', 'open')) THEN 1 ELSE 0 END),
        -(CASE WHEN (OLD.moderator_breached OR OLD.verified OR OLD.status NOT IN ('new', 'open')) AND NOT OLD.moderator_breached THEN 1 ELSE 0 END),
        -(CASE WHEN (OLD.assigned_at IS NOT NULL AND (OLD.dinas_breached OR OLD.status NOT IN ('assigned', 'in_progress'))) THEN 1 ELSE 0 END),
        -(CASE WHEN (OLD.assigned_at IS NOT NULL AND (OLD.dinas_breached OR OLD.status NOT IN ('assigned', 'in_progress'))) AND NOT OLD.dinas_breached THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.status = 'resolved' THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.rating = 1 THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.rating = 2 THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.rating = 3 THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.rating = 4 THEN 1 ELSE 0 END),
        -(CASE WHEN OLD.rating = 5 THEN 1 ELSE 0 END))
    ON CONFLICT (kelurahan_code, day, rw, rt) DO UPDATE SET
        total = curhat_daily.total + excluded.total,
        followed = curhat_daily.followed + excluded.followed,
        mod_ended = curhat_daily.mod_ended + excluded.mod_ended,
        mod_on_time = curhat_daily.mod_on_time + excluded.mod_on_time,
        dinas_ended = curhat_daily.dinas_ended + excluded.dinas_ended,
        dinas_on_time = curhat_daily.dinas_on_time + excluded.dinas_on_time,
        resolved = curhat_daily.resolved + excluded.resolved,
        rating_1 = curhat_daily.rating_1 + excluded.rating_1,
        rating_2 = curhat_daily.rating_2 + excluded.rating_2,
        rating_3 = curhat_daily.rating_3 + excluded.rating_3,
        rating_4 = curhat_daily.rating_4 + excluded.rating_4,
        rating_5 = curhat_daily.rating_5 + excluded.rating_5;
    INSERT INTO curhat_daily_counts (kelurahan_code, day, dim, val, n)
    VALUES (COALESCE(OLD.kelurahan_code, ''), strftime('%Y-%m-%d', OLD.datetime_received, '+7 hours'), 'kategori', OLD.kategori, -1)
    ON CONFLICT (kelurahan_code, day, dim, val) DO UPDATE SET n = curhat_daily_counts.n + excluded.n;
    INSERT INTO curhat_daily_counts (kelurahan_code, day, dim, val, n)
    VALUES (COALESCE(OLD.kelurahan_code, ''), strftime('%Y-%m-%d', OLD.datetime_received, '+7 hours'), 'urgency', CAST(OLD.urgency_score AS TEXT), -1)
    ON CONFLICT (kelurahan_code, day, dim, val) DO UPDATE SET n = curhat_daily_counts.n + excluded.n;
    INSERT INTO curhat_daily_durations (kelurahan_code, day, metric, bucket, n)
    SELECT COALESCE(OLD.kelurahan_code, ''), strftime('%Y-%m-%d', OLD.datetime_received, '+7 hours'), 'reply',
        (SELECT b.bucket FROM curhat_duration_buckets b WHERE b.lo <= ROUND((julianday(OLD.first_reply_at) - julianday(OLD.datetime_received)) * 86400.0, 3) ORDER BY b.lo DESC LIMIT 1), -1
    WHERE OLD.first_reply_at IS NOT NULL
    ON CONFLICT (kelurahan_code, day, metric, bucket) DO UPDATE SET n = curhat_daily_durations.n + excluded.n;
    INSERT INTO curhat_daily_durations (kelurahan_code, day, metric, bucket, n)
    SELECT COALESCE(OLD.kelurahan_code, ''), strftime('%Y-%m-%d', OLD.datetime_received, '+7 hours'), 'resolve',
        (SELECT b.bucket FROM curhat_duration_buckets b WHERE b.lo <= ROUND((julianday(OLD.resolved_at) - julianday(OLD.datetime_received)) * 86400.0, 3) ORDER BY b.lo DESC LIMIT 1), -1
    WHERE OLD.status = 'resolved' AND OLD.resolved_at IS NOT NULL
    ON CONFLICT (kelurahan_code, day, metric, bucket) DO UPDATE SET n = curhat_daily_durations.n + excluded.n;
END;
-- +goose StatementEnd

DROP VIEW kpi_curhat_monthly_rw;
DROP VIEW kpi_curhat_daily;

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

DROP TABLE local_zone;
