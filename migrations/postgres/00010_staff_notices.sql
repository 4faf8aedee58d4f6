-- Staff are reached on WhatsApp (issue 19): every user may have a phone
-- (E.164, +62…) and a switch for notices, on by default; two active
-- users never share a phone, so a message from it names one staff member.
-- A kelurahan keeps quiet hours (minutes after midnight on its clock,
-- 21:00–06:00 unless changed; start = end means none). An outbox row may
-- carry the parameters of its template, which staff notices need and a
-- citizen's message derives from its kind. Kept in lockstep with
-- ../sqlite/00010_staff_notices.sql.

-- +goose Up
ALTER TABLE users ADD COLUMN phone text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN whatsapp_notices boolean NOT NULL DEFAULT true;
CREATE UNIQUE INDEX users_phone_active_key ON users (phone) WHERE phone <> '' AND NOT disabled;

ALTER TABLE kelurahan ADD COLUMN quiet_start integer NOT NULL DEFAULT 1260
    CHECK (quiet_start >= 0 AND quiet_start < 1440);
ALTER TABLE kelurahan ADD COLUMN quiet_end integer NOT NULL DEFAULT 360
    CHECK (quiet_end >= 0 AND quiet_end < 1440);

ALTER TABLE outbox ADD COLUMN template_params text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE outbox DROP COLUMN template_params;
ALTER TABLE kelurahan DROP COLUMN quiet_end;
ALTER TABLE kelurahan DROP COLUMN quiet_start;
DROP INDEX users_phone_active_key;
ALTER TABLE users DROP COLUMN whatsapp_notices;
ALTER TABLE users DROP COLUMN phone;
