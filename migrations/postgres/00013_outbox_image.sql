-- A unit's evidence photo travels with the citizen's done message (issue
-- 20): the photo's reference (a web upload's /bukti/… address or a
-- whatsapp-media: source the ticket stored), which the relay turns into a
-- signed, expiring link at each send, so a retry hours later still has a
-- live link. '' for a message without a photo. Kept in lockstep with
-- ../sqlite/00013_outbox_image.sql.

-- +goose Up
ALTER TABLE outbox ADD COLUMN image TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE outbox DROP COLUMN image;
