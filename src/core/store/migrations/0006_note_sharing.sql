ALTER TABLE `session_notes` ADD `sharing` text;--> statement-breakpoint
-- Protected notes (issue 5): a signed note may become protected (is_protected 0 → 1) when the
-- clinic template it was written with reaches this workstation after the note did; never the
-- other way. Its sharing (a new column) is not signed content and may change. Everything else
-- stays as 0005 guards it.
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
  AND (new.is_protected IS old.is_protected OR (old.is_protected = 0 AND new.is_protected = 1))
)
BEGIN
  SELECT RAISE(ABORT, 'signed notes are immutable');
END;
