-- The kelurahan's time zone (HAILURAH_TZ) for the SQL that counts by
-- calendar day: the dashboard rollups' trigger of 00006 and the kpi_*
-- views of 00005 wrote Asia/Jakarta into their text. They now read the
-- zone from local_zone, one row that the store keeps equal to the
-- configured zone (store.DB.SetZone, at every start), rebuilding the
-- rollups in the same transaction when it changes. The Go side of
-- store/kpi*.go counts in the same zone.
-- Kept in lockstep with ../sqlite/00007_local_zone.sql: the same table,
-- and the triggers and views as before but for the zone.

-- +goose Up
CREATE TABLE local_zone (
    id                 integer PRIMARY KEY CHECK (id = 1),
    name               text    NOT NULL, -- IANA name, for AT TIME ZONE
    utc_offset_seconds integer NOT NULL  -- what SQLite counts with
);

-- Every day counted so far was a WIB day.
INSERT INTO local_zone (id, name, utc_offset_seconds) VALUES (1, 'Asia/Jakarta', 25200);

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION curhat_rollup() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    local_tz text := (SELECT z.name FROM local_zone z);
BEGIN
    IF current_setting('hailurah.skip_rollups', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'UPDATE' OR (OLD.datetime_received, OLD.kelurahan_code, OLD.rw, OLD.rt, OLD.status, OLD.verified, OLD.moderator_breached, OLD.dinas_breached, (OLD.assigned_at IS NULL), OLD.rating) IS DISTINCT FROM (NEW.datetime_received, NEW.kelurahan_code, NEW.rw, NEW.rt, NEW.status, NEW.verified, NEW.moderator_breached, NEW.dinas_breached, (NEW.assigned_at IS NULL), NEW.rating) THEN
        INSERT INTO curhat_daily (kelurahan_code, day, rw, rt, total, followed, mod_ended, mod_on_time, dinas_ended, dinas_on_time, resolved, rating_1, rating_2, rating_3, rating_4, rating_5)
        SELECT d.kelurahan_code, d.day, d.rw, d.rt, SUM(d.total), SUM(d.followed), SUM(d.mod_ended), SUM(d.mod_on_time), SUM(d.dinas_ended), SUM(d.dinas_on_time), SUM(d.resolved), SUM(d.rating_1), SUM(d.rating_2), SUM(d.rating_3), SUM(d.rating_4), SUM(d.rating_5)
        FROM (
            SELECT COALESCE(OLD.kelurahan_code, '') AS kelurahan_code,
                to_char(OLD.datetime_received AT TIME ZONE local_tz, 'YYYY-MM-DD') AS day,
                OLD.rw AS rw,
                OLD.rt AS rt,
                -1 AS total,
                -(CASE WHEN (OLD.verified OR OLD.status NOT IN ('new', 'open')) THEN 1 ELSE 0 END) AS followed,
                -(CASE WHEN (OLD.moderator_breached OR OLD.verified OR OLD.status NOT IN ('new', 'open')) THEN 1 ELSE 0 END) AS mod_ended,
                -(CASE WHEN (OLD.moderator_breached OR OLD.verified OR OLD.status NOT IN ('new', 'open')) AND NOT OLD.moderator_breached THEN 1 ELSE 0 END) AS mod_on_time,
                -(CASE WHEN (OLD.assigned_at IS NOT NULL AND (OLD.dinas_breached OR OLD.status NOT IN ('assigned', 'in_progress'))) THEN 1 ELSE 0 END) AS dinas_ended,
                -(CASE WHEN (OLD.assigned_at IS NOT NULL AND (OLD.dinas_breached OR OLD.status NOT IN ('assigned', 'in_progress'))) AND NOT OLD.dinas_breached THEN 1 ELSE 0 END) AS dinas_on_time,
                -(CASE WHEN OLD.status = 'resolved' THEN 1 ELSE 0 END) AS resolved,
                -(CASE WHEN OLD.rating = 1 THEN 1 ELSE 0 END) AS rating_1,
                -(CASE WHEN OLD.rating = 2 THEN 1 ELSE 0 END) AS rating_2,
                -(CASE WHEN OLD.rating = 3 THEN 1 ELSE 0 END) AS rating_3,
                -(CASE WHEN OLD.rating = 4 THEN 1 ELSE 0 END) AS rating_4,
                -(CASE WHEN OLD.rating = 5 THEN 1 ELSE 0 END) AS rating_5 WHERE TG_OP <> 'INSERT'
            UNION ALL
            SELECT COALESCE(NEW.kelurahan_code, '') AS kelurahan_code,
                to_char(NEW.datetime_received AT TIME ZONE local_tz, 'YYYY-MM-DD') AS day,
                NEW.rw AS rw,
                NEW.rt AS rt,
                1 AS total,
                CASE WHEN (NEW.verified OR NEW.status NOT IN ('new', 'open')) THEN 1 ELSE 0 END AS followed,
                CASE WHEN (NEW.moderator_breached OR NEW.verified OR NEW.status NOT IN ('new', 'open')) THEN 1 ELSE 0 END AS mod_ended,
                CASE WHEN (NEW.moderator_breached OR NEW.verified OR NEW.status NOT IN ('new', 'open')) AND NOT NEW.moderator_breached THEN 1 ELSE 0 END AS mod_on_time,
                CASE WHEN (NEW.assigned_at IS NOT NULL AND (NEW.dinas_breached OR NEW.status NOT IN ('assigned', 'in_progress'))) THEN 1 ELSE 0 END AS dinas_ended,
                CASE WHEN (NEW.assigned_at IS NOT NULL AND (NEW.dinas_breached OR NEW.status NOT IN ('assigned', 'in_progress'))) AND NOT NEW.dinas_breached THEN 1 ELSE 0 END AS dinas_on_time,
                CASE WHEN NEW.status = 'resolved' THEN 1 ELSE 0 END AS resolved,
                CASE WHEN NEW.rating = 1 THEN 1 ELSE 0 END AS rating_1,
                CASE WHEN NEW.rating = 2 THEN 1 ELSE 0 END AS rating_2,
                CASE WHEN NEW.rating = 3 THEN 1 ELSE 0 END AS rating_3,
                CASE WHEN NEW.rating = 4 THEN 1 ELSE 0 END AS rating_4,
                CASE WHEN NEW.rating = 5 THEN 1 ELSE 0 END AS rating_5 WHERE TG_OP <> 'DELETE'
        ) d
        WHERE true
        GROUP BY d.kelurahan_code, d.day, d.rw, d.rt
        HAVING SUM(d.total) <> 0 OR SUM(d.followed) <> 0 OR SUM(d.mod_ended) <> 0 OR SUM(d.mod_on_time) <> 0 OR SUM(d.dinas_ended) <> 0 OR SUM(d.dinas_on_time) <> 0 OR SUM(d.resolved) <> 0 OR SUM(d.rating_1) <> 0 OR SUM(d.rating_2) <> 0 OR SUM(d.rating_3) <> 0 OR SUM(d.rating_4) <> 0 OR SUM(d.rating_5) <> 0
        ORDER BY d.kelurahan_code, d.day, d.rw, d.rt
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
    END IF;
    IF TG_OP <> 'UPDATE' OR (OLD.datetime_received, OLD.kelurahan_code, OLD.kategori, OLD.urgency_score) IS DISTINCT FROM (NEW.datetime_received, NEW.kelurahan_code, NEW.kategori, NEW.urgency_score) THEN
        INSERT INTO curhat_daily_counts (kelurahan_code, day, dim, val, n)
        SELECT d.kelurahan_code, d.day, d.dim, d.val, SUM(d.n)
        FROM (
            SELECT COALESCE(OLD.kelurahan_code, '') AS kelurahan_code, to_char(OLD.datetime_received AT TIME ZONE local_tz, 'YYYY-MM-DD') AS day, 'kategori' AS dim, OLD.kategori AS val, -1 AS n WHERE TG_OP <> 'INSERT'
            UNION ALL
            SELECT COALESCE(OLD.kelurahan_code, ''), to_char(OLD.datetime_received AT TIME ZONE local_tz, 'YYYY-MM-DD'), 'urgency', CAST(OLD.urgency_score AS TEXT), -1 WHERE TG_OP <> 'INSERT'
            UNION ALL
            SELECT COALESCE(NEW.kelurahan_code, '') AS kelurahan_code, to_char(NEW.datetime_received AT TIME ZONE local_tz, 'YYYY-MM-DD') AS day, 'kategori' AS dim, NEW.kategori AS val, 1 AS n WHERE TG_OP <> 'DELETE'
            UNION ALL
            SELECT COALESCE(NEW.kelurahan_code, ''), to_char(NEW.datetime_received AT TIME ZONE local_tz, 'YYYY-MM-DD'), 'urgency', CAST(NEW.urgency_score AS TEXT), 1 WHERE TG_OP <> 'DELETE'
        ) d
        WHERE true
        GROUP BY d.kelurahan_code, d.day, d.dim, d.val
        HAVING SUM(d.n) <> 0
        ORDER BY d.kelurahan_code, d.day, d.dim, d.val
        ON CONFLICT (kelurahan_code, day, dim, val) DO UPDATE SET n = curhat_daily_counts.n + excluded.n;
    END IF;
    IF (TG_OP = 'UPDATE' AND (OLD.datetime_received, OLD.kelurahan_code, (OLD.status = 'resolved'), OLD.resolved_at, OLD.first_reply_at) IS DISTINCT FROM (NEW.datetime_received, NEW.kelurahan_code, (NEW.status = 'resolved'), NEW.resolved_at, NEW.first_reply_at) AND ((OLD.first_reply_at IS NOT NULL OR (OLD.status = 'resolved' AND OLD.resolved_at IS NOT NULL)) OR (NEW.first_reply_at IS NOT NULL OR (NEW.status = 'resolved' AND NEW.resolved_at IS NOT NULL))))
       OR (TG_OP = 'INSERT' AND (NEW.first_reply_at IS NOT NULL OR (NEW.status = 'resolved' AND NEW.resolved_at IS NOT NULL))) OR (TG_OP = 'DELETE' AND (OLD.first_reply_at IS NOT NULL OR (OLD.status = 'resolved' AND OLD.resolved_at IS NOT NULL))) THEN
        INSERT INTO curhat_daily_durations (kelurahan_code, day, metric, bucket, n)
        SELECT d.kelurahan_code, d.day, d.metric, d.bucket, SUM(d.n)
        FROM (
            SELECT COALESCE(OLD.kelurahan_code, '') AS kelurahan_code, to_char(OLD.datetime_received AT TIME ZONE local_tz, 'YYYY-MM-DD') AS day, 'reply' AS metric,
                (SELECT b.bucket FROM curhat_duration_buckets b WHERE b.lo <= ROUND(EXTRACT(EPOCH FROM (OLD.first_reply_at - OLD.datetime_received)), 3) ORDER BY b.lo DESC LIMIT 1) AS bucket, -1 AS n WHERE TG_OP <> 'INSERT' AND OLD.first_reply_at IS NOT NULL
            UNION ALL
            SELECT COALESCE(OLD.kelurahan_code, ''), to_char(OLD.datetime_received AT TIME ZONE local_tz, 'YYYY-MM-DD'), 'resolve',
                (SELECT b.bucket FROM curhat_duration_buckets b WHERE b.lo <= ROUND(EXTRACT(EPOCH FROM (OLD.resolved_at - OLD.datetime_received)), 3) ORDER BY b.lo DESC LIMIT 1), -1 WHERE TG_OP <> 'INSERT' AND OLD.status = 'resolved' AND OLD.resolved_at IS NOT NULL
            UNION ALL
            SELECT COALESCE(NEW.kelurahan_code, '') AS kelurahan_code, to_char(NEW.datetime_received AT TIME ZONE local_tz, 'YYYY-MM-DD') AS day, 'reply' AS metric,
                (SELECT b.bucket FROM curhat_duration_buckets b WHERE b.lo <= ROUND(EXTRACT(EPOCH FROM (NEW.first_reply_at - NEW.datetime_received)), 3) ORDER BY b.lo DESC LIMIT 1) AS bucket, 1 AS n WHERE TG_OP <> 'DELETE' AND NEW.first_reply_at IS NOT NULL
            UNION ALL
            SELECT COALESCE(NEW.kelurahan_code, ''), to_char(NEW.datetime_received AT TIME ZONE local_tz, 'YYYY-MM-DD'), 'resolve',
                (SELECT b.bucket FROM curhat_duration_buckets b WHERE b.lo <= ROUND(EXTRACT(EPOCH FROM (NEW.resolved_at - NEW.datetime_received)), 3) ORDER BY b.lo DESC LIMIT 1), 1 WHERE TG_OP <> 'DELETE' AND NEW.status = 'resolved' AND NEW.resolved_at IS NOT NULL
        ) d
        WHERE true
        GROUP BY d.kelurahan_code, d.day, d.metric, d.bucket
        HAVING SUM(d.n) <> 0
        ORDER BY d.kelurahan_code, d.day, d.metric, d.bucket
        ON CONFLICT (kelurahan_code, day, metric, bucket) DO UPDATE SET n = curhat_daily_durations.n + excluded.n;
    END IF;
    -- A reply stored before its ticket (the workflow may run ahead of
    -- the intake row).
    IF TG_OP = 'INSERT' AND NEW.first_reply_at IS NULL
       AND EXISTS (SELECT 1 FROM outbox o WHERE o.ticket_id = NEW.id AND o.kind = 'reply') THEN
        UPDATE tickets SET first_reply_at = (
            SELECT MIN(o.created_at) FROM outbox o WHERE o.ticket_id = NEW.id AND o.kind = 'reply')
        WHERE id = NEW.id;
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE OR REPLACE VIEW kpi_curhat_daily AS
SELECT t.kelurahan_code,
       (t.datetime_received AT TIME ZONE z.name)::date AS day,
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
GROUP BY t.kelurahan_code, (t.datetime_received AT TIME ZONE z.name)::date;

-- Tickets per kelurahan, month, RW and kategori: the open-data table before
-- suppression. Rejected tickets and the city queue are left out.
CREATE OR REPLACE VIEW kpi_curhat_monthly_rw AS
SELECT t.kelurahan_code,
       to_char(t.datetime_received AT TIME ZONE z.name, 'YYYY-MM') AS month,
       t.rw, t.kategori, COUNT(*) AS tickets
FROM tickets t CROSS JOIN local_zone z
WHERE t.kelurahan_code IS NOT NULL AND t.status <> 'rejected'
GROUP BY t.kelurahan_code, to_char(t.datetime_received AT TIME ZONE z.name, 'YYYY-MM'), t.rw, t.kategori;

-- +goose Down
-- The trigger and views below count WIB days again: rollups kept in
-- another zone would be silently wrong, so the zone must be Asia/Jakarta
-- first (set HAILURAH_TZ=Asia/Jakarta and start once; the store rebuilds
-- the rollups).
-- +goose StatementBegin
DO $$
BEGIN
    IF (SELECT z.name FROM local_zone z) <> 'Asia/Jakarta' THEN
        RAISE EXCEPTION 'local_zone is %: set HAILURAH_TZ=Asia/Jakarta and start once (it rebuilds the rollups) before migrating below 00007', (SELECT z.name FROM local_zone z);
    END IF;
END;
$$;
-- +goose StatementEnd

CREATE OR REPLACE VIEW kpi_curhat_daily AS
SELECT t.kelurahan_code,
       (t.datetime_received AT TIME ZONE 'Asia/Jakarta')::date AS day,
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
GROUP BY t.kelurahan_code, (t.datetime_received AT TIME ZONE 'Asia/Jakarta')::date;

-- Tickets per kelurahan, month, RW and kategori: the open-data table before
-- suppression. Rejected tickets and the city queue are left out.
CREATE OR REPLACE VIEW kpi_curhat_monthly_rw AS
SELECT t.kelurahan_code,
       to_char(t.datetime_received AT TIME ZONE 'Asia/Jakarta', 'YYYY-MM') AS month,
       t.rw, t.kategori, COUNT(*) AS tickets
FROM tickets t
WHERE t.kelurahan_code IS NOT NULL AND t.status <> 'rejected'
GROUP BY t.kelurahan_code, to_char(t.datetime_received AT TIME ZONE 'Asia/Jakarta', 'YYYY-MM'), t.rw, t.kategori;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION curhat_rollup() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('hailurah.skip_rollups', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'UPDATE' OR (OLD.datetime_received, OLD.kelurahan_code, OLD.rw, OLD.rt, OLD.status, OLD.verified, OLD.moderator_breached, OLD.dinas_breached, (OLD.assigned_at IS NULL), OLD.rating) IS DISTINCT FROM (NEW.datetime_received, NEW.kelurahan_code, NEW.rw, NEW.rt, NEW.status, NEW.verified, NEW.moderator_breached, NEW.dinas_breached, (NEW.assigned_at IS NULL), NEW.rating) THEN
        INSERT INTO curhat_daily (kelurahan_code, day, rw, rt, total, followed, mod_ended, mod_on_time, dinas_ended, dinas_on_time, resolved, rating_1, rating_2, rating_3, rating_4, rating_5)
        SELECT d.kelurahan_code, d.day, d.rw, d.rt, SUM(d.total), SUM(d.followed), SUM(d.mod_ended), SUM(d.mod_on_time), SUM(d.dinas_ended), SUM(d.dinas_on_time), SUM(d.resolved), SUM(d.rating_1), SUM(d.rating_2), SUM(d.rating_3), SUM(d.rating_4), SUM(d.rating_5)
        FROM (
            SELECT COALESCE(OLD.kelurahan_code, '') AS kelurahan_code,
                to_char(OLD.datetime_received AT TIME ZONE 'Asia/Jakarta', 'YYYY-MM-DD') AS day,
                OLD.rw AS rw,
                OLD.rt AS rt,
                -1 AS total,
                -(CASE WHEN (OLD.verified OR OLD.status NOT IN ('new', 'open')) THEN 1 ELSE 0 END) AS followed,
                -(CASE WHEN (OLD.moderator_breached OR OLD.verified OR OLD.status NOT IN ('new', 'open')) THEN 1 ELSE 0 END) AS mod_ended,
                -(CASE WHEN (OLD.moderator_breached OR OLD.verified OR OLD.status NOT IN ('new', 'open')) AND NOT OLD.moderator_breached THEN 1 ELSE 0 END) AS mod_on_time,
                -(CASE WHEN (OLD.assigned_at IS NOT NULL AND (OLD.dinas_breached OR OLD.status NOT IN ('assigned', 'in_progress'))) THEN 1 ELSE 0 END) AS dinas_ended,
                -(CASE WHEN (OLD.assigned_at IS NOT NULL AND (OLD.dinas_breached OR OLD.status NOT IN ('assigned', 'in_progress'))) AND NOT OLD.dinas_breached THEN 1 ELSE 0 END) AS dinas_on_time,
                -(CASE WHEN OLD.status = 'resolved' THEN 1 ELSE 0 END) AS resolved,
                -(CASE WHEN OLD.rating = 1 THEN 1 ELSE 0 END) AS rating_1,
                -(CASE WHEN OLD.rating = 2 THEN 1 ELSE 0 END) AS rating_2,
                -(CASE WHEN OLD.rating = 3 THEN 1 ELSE 0 END) AS rating_3,
                -(CASE WHEN OLD.rating = 4 THEN 1 ELSE 0 END) AS rating_4,
                -(CASE WHEN OLD.rating = 5 THEN 1 ELSE 0 END) AS rating_5 WHERE TG_OP <> 'INSERT'
            UNION ALL
            SELECT COALESCE(NEW.kelurahan_code, '') AS kelurahan_code,
                to_char(NEW.datetime_received AT TIME ZONE 'Asia/Jakarta', 'YYYY-MM-DD') AS day,
                NEW.rw AS rw,
                NEW.rt AS rt,
                1 AS total,
                CASE WHEN (NEW.verified OR NEW.status NOT IN ('new', 'open')) THEN 1 ELSE 0 END AS followed,
                CASE WHEN (NEW.moderator_breached OR NEW.verified OR NEW.status NOT IN ('new', 'open')) THEN 1 ELSE 0 END AS mod_ended,
                CASE WHEN (NEW.moderator_breached OR NEW.verified OR NEW.status NOT IN ('new', 'open')) AND NOT NEW.moderator_breached THEN 1 ELSE 0 END AS mod_on_time,
                CASE WHEN (NEW.assigned_at IS NOT NULL AND (NEW.dinas_breached OR NEW.status NOT IN ('assigned', 'in_progress'))) THEN 1 ELSE 0 END AS dinas_ended,
                CASE WHEN (NEW.assigned_at IS NOT NULL AND (NEW.dinas_breached OR NEW.status NOT IN ('assigned', 'in_progress'))) AND NOT NEW.dinas_breached THEN 1 ELSE 0 END AS dinas_on_time,
                CASE WHEN NEW.status = 'resolved' THEN 1 ELSE 0 END AS resolved,
                CASE WHEN NEW.rating = 1 THEN 1 ELSE 0 END AS rating_1,
                CASE WHEN NEW.rating = 2 THEN 1 ELSE 0 END AS rating_2,
                CASE WHEN NEW.rating = 3 THEN 1 ELSE 0 END AS rating_3,
                CASE WHEN NEW.rating = 4 THEN 1 ELSE 0 END AS rating_4,
                CASE WHEN NEW.rating = 5 THEN 1 ELSE 0 END AS rating_5 WHERE TG_OP <> 'DELETE'
        ) d
        WHERE true
        GROUP BY d.kelurahan_code, d.day, d.rw, d.rt
        HAVING SUM(d.total) <> 0 OR SUM(d.followed) <> 0 OR SUM(d.mod_ended) <> 0 OR SUM(d.mod_on_time) <> 0 OR SUM(d.dinas_ended) <> 0 OR SUM(d.dinas_on_time) <> 0 OR SUM(d.resolved) <> 0 OR SUM(d.rating_1) <> 0 OR SUM(d.rating_2) <> 0 OR SUM(d.rating_3) <> 0 OR SUM(d.rating_4) <> 0 OR SUM(d.rating_5) <> 0
        ORDER BY d.kelurahan_code, d.day, d.rw, d.rt
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
    END IF;
    IF TG_OP <> 'UPDATE' OR (OLD.datetime_received, OLD.kelurahan_code, OLD.kategori, OLD.urgency_score) IS DISTINCT FROM (NEW.datetime_received, NEW.kelurahan_code, NEW.kategori, NEW.urgency_score) THEN
        INSERT INTO curhat_daily_counts (kelurahan_code, day, dim, val, n)
        SELECT d.kelurahan_code, d.day, d.dim, d.val, SUM(d.n)
        FROM (
            SELECT COALESCE(OLD.kelurahan_code, '') AS kelurahan_code, to_char(OLD.datetime_received AT TIME ZONE 'Asia/Jakarta', 'YYYY-MM-DD') AS day, 'kategori' AS dim, OLD.kategori AS val, -1 AS n WHERE TG_OP <> 'INSERT'
            UNION ALL
            SELECT COALESCE(OLD.kelurahan_code, ''), to_char(OLD.datetime_received AT TIME ZONE 'Asia/Jakarta', 'YYYY-MM-DD'), 'urgency', CAST(OLD.urgency_score AS TEXT), -1 WHERE TG_OP <> 'INSERT'
            UNION ALL
            SELECT COALESCE(NEW.kelurahan_code, '') AS kelurahan_code, to_char(NEW.datetime_received AT TIME ZONE 'Asia/Jakarta', 'YYYY-MM-DD') AS day, 'kategori' AS dim, NEW.kategori AS val, 1 AS n WHERE TG_OP <> 'DELETE'
            UNION ALL
            SELECT COALESCE(NEW.kelurahan_code, ''), to_char(NEW.datetime_received AT TIME ZONE 'Asia/Jakarta', 'YYYY-MM-DD'), 'urgency', CAST(NEW.urgency_score AS TEXT), 1 WHERE TG_OP <> 'DELETE'
        ) d
        WHERE true
        GROUP BY d.kelurahan_code, d.day, d.dim, d.val
        HAVING SUM(d.n) <> 0
        ORDER BY d.kelurahan_code, d.day, d.dim, d.val
        ON CONFLICT (kelurahan_code, day, dim, val) DO UPDATE SET n = curhat_daily_counts.n + excluded.n;
    END IF;
    IF (TG_OP = 'UPDATE' AND (OLD.datetime_received, OLD.kelurahan_code, (OLD.status = 'resolved'), OLD.resolved_at, OLD.first_reply_at) IS DISTINCT FROM (NEW.datetime_received, NEW.kelurahan_code, (NEW.status = 'resolved'), NEW.resolved_at, NEW.first_reply_at) AND ((OLD.first_reply_at IS NOT NULL OR (OLD.status = 'resolved' AND OLD.resolved_at IS NOT NULL)) OR (NEW.first_reply_at IS NOT NULL OR (NEW.status = 'resolved' AND NEW.resolved_at IS NOT NULL))))
       OR (TG_OP = 'INSERT' AND (NEW.first_reply_at IS NOT NULL OR (NEW.status = 'resolved' AND NEW.resolved_at IS NOT NULL))) OR (TG_OP = 'DELETE' AND (OLD.first_reply_at IS NOT NULL OR (OLD.status = 'resolved' AND OLD.resolved_at IS NOT NULL))) THEN
        INSERT INTO curhat_daily_durations (kelurahan_code, day, metric, bucket, n)
        SELECT d.kelurahan_code, d.day, d.metric, d.bucket, SUM(d.n)
        FROM (
            SELECT COALESCE(OLD.kelurahan_code, '') AS kelurahan_code, to_char(OLD.datetime_received AT TIME ZONE 'Asia/Jakarta', 'YYYY-MM-DD') AS day, 'reply' AS metric,
                (SELECT b.bucket FROM curhat_duration_buckets b WHERE b.lo <= ROUND(EXTRACT(EPOCH FROM (OLD.first_reply_at - OLD.datetime_received)), 3) ORDER BY b.lo DESC LIMIT 1) AS bucket, -1 AS n WHERE TG_OP <> 'INSERT' AND OLD.first_reply_at IS NOT NULL
            UNION ALL
            SELECT COALESCE(OLD.kelurahan_code, ''), to_char(OLD.datetime_received AT TIME ZONE 'Asia/Jakarta', 'YYYY-MM-DD'), 'resolve',
                (SELECT b.bucket FROM curhat_duration_buckets b WHERE b.lo <= ROUND(EXTRACT(EPOCH FROM (OLD.resolved_at - OLD.datetime_received)), 3) ORDER BY b.lo DESC LIMIT 1), -1 WHERE TG_OP <> 'INSERT' AND OLD.status = 'resolved' AND OLD.resolved_at IS NOT NULL
            UNION ALL
            SELECT COALESCE(NEW.kelurahan_code, '') AS kelurahan_code, to_char(NEW.datetime_received AT TIME ZONE 'Asia/Jakarta', 'YYYY-MM-DD') AS day, 'reply' AS metric,
                (SELECT b.bucket FROM curhat_duration_buckets b WHERE b.lo <= ROUND(EXTRACT(EPOCH FROM (NEW.first_reply_at - NEW.datetime_received)), 3) ORDER BY b.lo DESC LIMIT 1) AS bucket, 1 AS n WHERE TG_OP <> 'DELETE' AND NEW.first_reply_at IS NOT NULL
            UNION ALL
            SELECT COALESCE(NEW.kelurahan_code, ''), to_char(NEW.datetime_received AT TIME ZONE 'Asia/Jakarta', 'YYYY-MM-DD'), 'resolve',
                (SELECT b.bucket FROM curhat_duration_buckets b WHERE b.lo <= ROUND(EXTRACT(EPOCH FROM (NEW.resolved_at - NEW.datetime_received)), 3) ORDER BY b.lo DESC LIMIT 1), 1 WHERE TG_OP <> 'DELETE' AND NEW.status = 'resolved' AND NEW.resolved_at IS NOT NULL
        ) d
        WHERE true
        GROUP BY d.kelurahan_code, d.day, d.metric, d.bucket
        HAVING SUM(d.n) <> 0
        ORDER BY d.kelurahan_code, d.day, d.metric, d.bucket
        ON CONFLICT (kelurahan_code, day, metric, bucket) DO UPDATE SET n = curhat_daily_durations.n + excluded.n;
    END IF;
    -- A reply stored before its ticket (the workflow may run ahead of
    -- the intake row).
    IF TG_OP = 'INSERT' AND NEW.first_reply_at IS NULL
       AND EXISTS (SELECT 1 FROM outbox o WHERE o.ticket_id = NEW.id AND o.kind = 'reply') THEN
        UPDATE tickets SET first_reply_at = (
            SELECT MIN(o.created_at) FROM outbox o WHERE o.ticket_id = NEW.id AND o.kind = 'reply')
        WHERE id = NEW.id;
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

DROP TABLE local_zone;
