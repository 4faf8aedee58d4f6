-- Rollups of the HAI LURAH dashboard, so it answers in milliseconds at a
-- million tickets, and indexes for the queues and the "now" figures.
-- Kept in lockstep with ../postgres/00006_curhat_rollups.sql: same tables, columns,
-- indexes and triggers, in each dialect's SQL.
--
-- The dashboard counts tickets received in a period by their state now.
-- Three tables hold those counts per kelurahan ('' = the city queue) and
-- WIB day received, kept exact by triggers on tickets in the same
-- transaction as every ticket write: a write subtracts the row's old
-- contribution and adds its new one. store/kpi_rollup.go reads them for
-- periods of whole WIB days and falls back to the tickets themselves
-- otherwise; the definitions are those of store/kpi.go (and the kpi_*
-- views of 00005).
--
-- Medians stay exact: curhat_daily_durations is a histogram over fixed
-- buckets (1/8 octave wide), which tells the bucket holding the middle
-- value and its rank there; the store then reads that one bucket's values
-- from tickets through an index on the duration itself.

-- +goose Up

-- When the citizen got the first AI reply: the earliest outbox row of kind
-- reply, kept by a trigger on outbox. Not written by the store's ticket
-- upserts, which never name it.
ALTER TABLE tickets ADD COLUMN first_reply_at TIMESTAMP;

UPDATE tickets SET first_reply_at = (
    SELECT MIN(o.created_at) FROM outbox o WHERE o.ticket_id = tickets.id AND o.kind = 'reply')
WHERE EXISTS (SELECT 1 FROM outbox o WHERE o.ticket_id = tickets.id AND o.kind = 'reply');

-- Per kelurahan, WIB day received ('YYYY-MM-DD'), RW and RT: the
-- dashboard's tallies (see sqlCurhatTally) and its heatmap. rating_N
-- counts the tickets rated N.
CREATE TABLE curhat_daily (
    kelurahan_code TEXT    NOT NULL,
    day            TEXT    NOT NULL,
    rw             TEXT    NOT NULL,
    rt             TEXT    NOT NULL,
    total          INTEGER NOT NULL DEFAULT 0,
    followed       INTEGER NOT NULL DEFAULT 0,
    mod_ended      INTEGER NOT NULL DEFAULT 0,
    mod_on_time    INTEGER NOT NULL DEFAULT 0,
    dinas_ended    INTEGER NOT NULL DEFAULT 0,
    dinas_on_time  INTEGER NOT NULL DEFAULT 0,
    resolved       INTEGER NOT NULL DEFAULT 0,
    rating_1       INTEGER NOT NULL DEFAULT 0,
    rating_2       INTEGER NOT NULL DEFAULT 0,
    rating_3       INTEGER NOT NULL DEFAULT 0,
    rating_4       INTEGER NOT NULL DEFAULT 0,
    rating_5       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kelurahan_code, day, rw, rt)
);

CREATE INDEX curhat_daily_day_idx ON curhat_daily (day);

-- Per kelurahan and day: tickets per kategori (dim 'kategori', val the
-- kategori) and per urgency (dim 'urgency', val '0'…'5').
CREATE TABLE curhat_daily_counts (
    kelurahan_code TEXT    NOT NULL,
    day            TEXT    NOT NULL,
    dim            TEXT    NOT NULL CHECK (dim IN ('kategori', 'urgency')),
    val            TEXT    NOT NULL,
    n              INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kelurahan_code, day, dim, val)
);

CREATE INDEX curhat_daily_counts_day_idx ON curhat_daily_counts (day);

-- The duration buckets: bucket holds the seconds in [lo, hi). 1 takes
-- anything negative, 2 [0, 1); from 1 s on, each is 1/8 octave wide
-- (2^(k/8) rounded to whole seconds), the last one open-ended.
CREATE TABLE curhat_duration_buckets (
    bucket integer PRIMARY KEY NOT NULL,
    lo     REAL    NOT NULL UNIQUE,
    hi     REAL    NOT NULL CHECK (hi > lo)
);

INSERT INTO curhat_duration_buckets (bucket, lo, hi) VALUES
    (1, -1000000000000000, 0), (2, 0, 1), (3, 1, 2), (4, 2, 3), (5, 3, 4), (6, 4, 5),
    (7, 5, 6), (8, 6, 7), (9, 7, 8), (10, 8, 9), (11, 9, 10), (12, 10, 11),
    (13, 11, 12), (14, 12, 13), (15, 13, 15), (16, 15, 16), (17, 16, 17), (18, 17, 19),
    (19, 19, 21), (20, 21, 23), (21, 23, 25), (22, 25, 27), (23, 27, 29), (24, 29, 32),
    (25, 32, 35), (26, 35, 38), (27, 38, 41), (28, 41, 45), (29, 45, 49), (30, 49, 54),
    (31, 54, 59), (32, 59, 64), (33, 64, 70), (34, 70, 76), (35, 76, 83), (36, 83, 91),
    (37, 91, 99), (38, 99, 108), (39, 108, 117), (40, 117, 128), (41, 128, 140), (42, 140, 152),
    (43, 152, 166), (44, 166, 181), (45, 181, 197), (46, 197, 215), (47, 215, 235), (48, 235, 256),
    (49, 256, 279), (50, 279, 304), (51, 304, 332), (52, 332, 362), (53, 362, 395), (54, 395, 431),
    (55, 431, 470), (56, 470, 512), (57, 512, 558), (58, 558, 609), (59, 609, 664), (60, 664, 724),
    (61, 724, 790), (62, 790, 861), (63, 861, 939), (64, 939, 1024), (65, 1024, 1117), (66, 1117, 1218),
    (67, 1218, 1328), (68, 1328, 1448), (69, 1448, 1579), (70, 1579, 1722), (71, 1722, 1878), (72, 1878, 2048),
    (73, 2048, 2233), (74, 2233, 2435), (75, 2435, 2656), (76, 2656, 2896), (77, 2896, 3158), (78, 3158, 3444),
    (79, 3444, 3756), (80, 3756, 4096), (81, 4096, 4467), (82, 4467, 4871), (83, 4871, 5312), (84, 5312, 5793),
    (85, 5793, 6317), (86, 6317, 6889), (87, 6889, 7512), (88, 7512, 8192), (89, 8192, 8933), (90, 8933, 9742),
    (91, 9742, 10624), (92, 10624, 11585), (93, 11585, 12634), (94, 12634, 13777), (95, 13777, 15024), (96, 15024, 16384),
    (97, 16384, 17867), (98, 17867, 19484), (99, 19484, 21247), (100, 21247, 23170), (101, 23170, 25268), (102, 25268, 27554),
    (103, 27554, 30048), (104, 30048, 32768), (105, 32768, 35734), (106, 35734, 38968), (107, 38968, 42495), (108, 42495, 46341),
    (109, 46341, 50535), (110, 50535, 55109), (111, 55109, 60097), (112, 60097, 65536), (113, 65536, 71468), (114, 71468, 77936),
    (115, 77936, 84990), (116, 84990, 92682), (117, 92682, 101070), (118, 101070, 110218), (119, 110218, 120194), (120, 120194, 131072),
    (121, 131072, 142935), (122, 142935, 155872), (123, 155872, 169979), (124, 169979, 185364), (125, 185364, 202141), (126, 202141, 220436),
    (127, 220436, 240387), (128, 240387, 262144), (129, 262144, 285870), (130, 285870, 311744), (131, 311744, 339959), (132, 339959, 370728),
    (133, 370728, 404281), (134, 404281, 440872), (135, 440872, 480774), (136, 480774, 524288), (137, 524288, 571740), (138, 571740, 623487),
    (139, 623487, 679917), (140, 679917, 741455), (141, 741455, 808563), (142, 808563, 881744), (143, 881744, 961548), (144, 961548, 1048576),
    (145, 1048576, 1143480), (146, 1143480, 1246974), (147, 1246974, 1359835), (148, 1359835, 1482910), (149, 1482910, 1617125), (150, 1617125, 1763488),
    (151, 1763488, 1923097), (152, 1923097, 2097152), (153, 2097152, 2286960), (154, 2286960, 2493948), (155, 2493948, 2719670), (156, 2719670, 2965821),
    (157, 2965821, 3234251), (158, 3234251, 3526975), (159, 3526975, 3846194), (160, 3846194, 4194304), (161, 4194304, 4573921), (162, 4573921, 4987896),
    (163, 4987896, 5439339), (164, 5439339, 5931642), (165, 5931642, 6468501), (166, 6468501, 7053950), (167, 7053950, 7692387), (168, 7692387, 8388608),
    (169, 8388608, 9147842), (170, 9147842, 9975792), (171, 9975792, 10878679), (172, 10878679, 11863283), (173, 11863283, 12937002), (174, 12937002, 14107901),
    (175, 14107901, 15384775), (176, 15384775, 16777216), (177, 16777216, 18295684), (178, 18295684, 19951585), (179, 19951585, 21757357), (180, 21757357, 23726566),
    (181, 23726566, 25874004), (182, 25874004, 28215802), (183, 28215802, 30769550), (184, 30769550, 33554432), (185, 33554432, 36591368), (186, 36591368, 39903169),
    (187, 39903169, 43514715), (188, 43514715, 47453133), (189, 47453133, 51748008), (190, 51748008, 56431603), (191, 56431603, 61539100), (192, 61539100, 67108864),
    (193, 67108864, 73182735), (194, 73182735, 79806339), (195, 79806339, 87029429), (196, 87029429, 94906266), (197, 94906266, 103496017), (198, 103496017, 112863206),
    (199, 112863206, 123078199), (200, 123078199, 134217728), (201, 134217728, 1000000000000000);

-- Per kelurahan and day: the histogram of AI reply times (metric
-- 'reply', tickets with first_reply_at) and of times to resolve (metric
-- 'resolve', resolved tickets), seconds as in store/kpi.go.
CREATE TABLE curhat_daily_durations (
    kelurahan_code TEXT    NOT NULL,
    day            TEXT    NOT NULL,
    metric         TEXT    NOT NULL CHECK (metric IN ('reply', 'resolve')),
    bucket         INTEGER NOT NULL,
    n              INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kelurahan_code, day, metric, bucket)
);

CREATE INDEX curhat_daily_durations_day_idx ON curhat_daily_durations (day);

-- The rollups of the tickets already stored.
INSERT INTO curhat_daily (kelurahan_code, day, rw, rt, total, followed, mod_ended, mod_on_time, dinas_ended, dinas_on_time, resolved, rating_1, rating_2, rating_3, rating_4, rating_5)
SELECT COALESCE(t.kelurahan_code, ''), strftime('%Y-%m-%d', t.datetime_received, '+7 hours'), t.rw, t.rt,
    COUNT(*),
    SUM(CASE WHEN (t.verified OR t.status NOT IN ('new', 'open')) THEN 1 ELSE 0 END),
    SUM(CASE WHEN (t.moderator_breached OR t.verified OR t.status NOT IN ('new', 'open')) THEN 1 ELSE 0 END),
    SUM(CASE WHEN (t.moderator_breached OR t.verified OR t.status NOT IN ('new', 'open')) AND NOT t.moderator_breached THEN 1 ELSE 0 END),
    SUM(CASE WHEN (t.assigned_at IS NOT NULL AND (t.dinas_breached OR t.status NOT IN ('assigned', 'in_progress'))) THEN 1 ELSE 0 END),
    SUM(CASE WHEN (t.assigned_at IS NOT NULL AND (t.dinas_breached OR t.status NOT IN ('assigned', 'in_progress'))) AND NOT t.dinas_breached THEN 1 ELSE 0 END),
    SUM(CASE WHEN t.status = 'resolved' THEN 1 ELSE 0 END),
    SUM(CASE WHEN t.rating = 1 THEN 1 ELSE 0 END),
    SUM(CASE WHEN t.rating = 2 THEN 1 ELSE 0 END),
    SUM(CASE WHEN t.rating = 3 THEN 1 ELSE 0 END),
    SUM(CASE WHEN t.rating = 4 THEN 1 ELSE 0 END),
    SUM(CASE WHEN t.rating = 5 THEN 1 ELSE 0 END)
FROM tickets t
GROUP BY COALESCE(t.kelurahan_code, ''), strftime('%Y-%m-%d', t.datetime_received, '+7 hours'), t.rw, t.rt;

INSERT INTO curhat_daily_counts (kelurahan_code, day, dim, val, n)
SELECT x.kelurahan_code, x.day, x.dim, x.val, COUNT(*) FROM (
    SELECT COALESCE(t.kelurahan_code, '') AS kelurahan_code, strftime('%Y-%m-%d', t.datetime_received, '+7 hours') AS day, 'kategori' AS dim, t.kategori AS val FROM tickets t
    UNION ALL
    SELECT COALESCE(t.kelurahan_code, ''), strftime('%Y-%m-%d', t.datetime_received, '+7 hours'), 'urgency', CAST(t.urgency_score AS TEXT) FROM tickets t
) x
GROUP BY x.kelurahan_code, x.day, x.dim, x.val;

INSERT INTO curhat_daily_durations (kelurahan_code, day, metric, bucket, n)
SELECT x.kelurahan_code, x.day, x.metric, x.bucket, COUNT(*) FROM (
    SELECT COALESCE(t.kelurahan_code, '') AS kelurahan_code, strftime('%Y-%m-%d', t.datetime_received, '+7 hours') AS day, 'reply' AS metric,
        (SELECT b.bucket FROM curhat_duration_buckets b WHERE b.lo <= ROUND((julianday(t.first_reply_at) - julianday(t.datetime_received)) * 86400.0, 3) ORDER BY b.lo DESC LIMIT 1) AS bucket
    FROM tickets t WHERE t.first_reply_at IS NOT NULL
    UNION ALL
    SELECT COALESCE(t.kelurahan_code, ''), strftime('%Y-%m-%d', t.datetime_received, '+7 hours'), 'resolve',
        (SELECT b.bucket FROM curhat_duration_buckets b WHERE b.lo <= ROUND((julianday(t.resolved_at) - julianday(t.datetime_received)) * 86400.0, 3) ORDER BY b.lo DESC LIMIT 1)
    FROM tickets t WHERE t.status = 'resolved' AND t.resolved_at IS NOT NULL
) x
GROUP BY x.kelurahan_code, x.day, x.metric, x.bucket;

-- The queues in their order (store.ticketOrder) without a sort: a
-- kelurahan's (and the city queue's), and a dinas unit's.
CREATE INDEX tickets_kelurahan_order_idx ON tickets (kelurahan_code, sla_due, datetime_received DESC, id);
CREATE INDEX tickets_unit_order_idx ON tickets (assigned_unit, sla_due, datetime_received DESC, id);

-- The dashboard's state now, over the tickets still waiting only: the board
-- (counts and most urgent per status, of a kelurahan or the city), and
-- the moderators' and units' open and overdue work.
CREATE INDEX tickets_waiting_idx ON tickets (kelurahan_code, status, urgency_score DESC, sla_due, datetime_received)
    WHERE status IN ('new', 'open', 'assigned', 'in_progress', 'awaiting_confirmation');
CREATE INDEX tickets_waiting_city_idx ON tickets (status, urgency_score DESC, sla_due, datetime_received)
    WHERE status IN ('new', 'open', 'assigned', 'in_progress', 'awaiting_confirmation');
CREATE INDEX tickets_dinas_open_idx ON tickets (kelurahan_code, assigned_unit, dinas_due)
    WHERE status IN ('assigned', 'in_progress');
CREATE INDEX tickets_moderator_open_idx ON tickets (kelurahan_code, moderator_due)
    WHERE status IN ('new', 'open') AND NOT verified;

-- The values of one duration bucket, for an exact median.
CREATE INDEX tickets_reply_seconds_idx ON tickets ((ROUND((julianday(first_reply_at) - julianday(datetime_received)) * 86400.0, 3)), kelurahan_code, datetime_received)
    WHERE first_reply_at IS NOT NULL;
CREATE INDEX tickets_resolve_seconds_idx ON tickets ((ROUND((julianday(resolved_at) - julianday(datetime_received)) * 86400.0, 3)), kelurahan_code, datetime_received)
    WHERE status = 'resolved' AND resolved_at IS NOT NULL;

-- Every ticket write moves the ticket's contribution: minus the old row,
-- plus the new one, one upsert each (SQLite has one writer at a time, so
-- the order of the rows locked does not matter). An update fires only
-- the triggers of the rollups whose columns it changed.
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

-- +goose StatementBegin
CREATE TRIGGER outbox_curhat_first_reply AFTER INSERT ON outbox
WHEN NEW.kind = 'reply' AND NEW.ticket_id IS NOT NULL
BEGIN
    UPDATE tickets SET first_reply_at = NEW.created_at
    WHERE id = NEW.ticket_id AND (first_reply_at IS NULL OR first_reply_at > NEW.created_at);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER outbox_curhat_first_reply;
DROP TRIGGER tickets_curhat_rollup_delete;
DROP TRIGGER tickets_curhat_durations_update;
DROP TRIGGER tickets_curhat_counts_update;
DROP TRIGGER tickets_curhat_daily_update;
DROP TRIGGER tickets_curhat_rollup_insert;
DROP INDEX tickets_resolve_seconds_idx;
DROP INDEX tickets_reply_seconds_idx;
DROP INDEX tickets_moderator_open_idx;
DROP INDEX tickets_dinas_open_idx;
DROP INDEX tickets_waiting_city_idx;
DROP INDEX tickets_waiting_idx;
DROP INDEX tickets_unit_order_idx;
DROP INDEX tickets_kelurahan_order_idx;
DROP TABLE curhat_daily_durations;
DROP TABLE curhat_duration_buckets;
DROP TABLE curhat_daily_counts;
DROP TABLE curhat_daily;
ALTER TABLE tickets DROP COLUMN first_reply_at;
