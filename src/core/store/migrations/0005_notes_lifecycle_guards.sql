-- Custom migration: the notes lifecycle (issue 5).
--
-- 1. Notes written before 0004 get their template id and version from their content, and
--    addenda their body (plain text only; rich text came later).
UPDATE `session_notes` SET
  `template_id` = CASE WHEN json_valid(`content`) THEN json_extract(`content`, '$.templateId') END,
  `template_version` = CASE WHEN json_valid(`content`) THEN json_extract(`content`, '$.templateVersion') END
WHERE `template_id` IS NULL;
--> statement-breakpoint
UPDATE `note_addenda` SET `body` = json_object('text', `body_text`) WHERE `body` IS NULL;
--> statement-breakpoint
-- 2. A signed note is never edited in place: the guard of 0001 now also covers the template
--    id and version. What may change on a signed note: sync bookkeeping (server_version,
--    updated_at), its co-signature state (cosign) and the last-saved device (cleared on signing).
DROP TRIGGER IF EXISTS `session_notes_signed_immutable`;
--> statement-breakpoint
CREATE TRIGGER `session_notes_signed_immutable` BEFORE UPDATE ON `session_notes`
WHEN old.status = 'signed' AND NOT (
  new.status = 'signed' AND new.content IS old.content AND new.body_text IS old.body_text
  AND new.client_id IS old.client_id AND new.author_id IS old.author_id AND new.note_type IS old.note_type
  AND new.template IS old.template AND new.signed_at IS old.signed_at AND new.signed_by IS old.signed_by
  AND new.content_hash IS old.content_hash AND new.plan IS old.plan AND new.risk_screening IS old.risk_screening
  AND new.started_at IS old.started_at AND new.ended_at IS old.ended_at AND new.participants IS old.participants
  AND new.client_location IS old.client_location AND new.modality IS old.modality
  AND new.modality_switches IS old.modality_switches AND new.late_entry IS old.late_entry
  AND new.template_id IS old.template_id AND new.template_version IS old.template_version
  AND new.is_protected IS old.is_protected
)
BEGIN
  SELECT RAISE(ABORT, 'signed notes are immutable');
END;
--> statement-breakpoint
-- 3. A signed addendum is never edited either (only its server_version moves).
CREATE TRIGGER `note_addenda_signed_immutable` BEFORE UPDATE ON `note_addenda`
WHEN old.status = 'signed' AND NOT (
  new.status = 'signed' AND new.note_id IS old.note_id AND new.author_id IS old.author_id
  AND new.body_text IS old.body_text AND new.body IS old.body AND new.signed_at IS old.signed_at
  AND new.content_hash IS old.content_hash AND new.late_entry IS old.late_entry AND new.proposal IS old.proposal
)
BEGIN
  SELECT RAISE(ABORT, 'signed addenda are immutable');
END;
