-- Custom migration (drizzle-kit generate --custom): a note's words are computed from its content
-- instead of being stored beside it.
--
-- session_notes.body_text (what full-text search indexed and quoted) held the words of
-- `content` a second time: ~670 bytes of a ~2.7 KB row, so that a 4 KiB page held one note and
-- an initial sync wrote a page per note. The column goes. Search reads the words through the
-- view `session_note_text`, `note_text(content)`: a function every connection registers
-- (src/core/store/schema-functions.ts; src/shared/notes/note-text.ts, the same code that
-- computed the stored text). A view, not a generated column: SQLite computes a table's
-- generated columns at every insert and update, which would parse every note written.
--
-- Everything that named the column is dropped first and made again: the index (an FTS5 table
-- cannot change its content table), its three triggers (which now compute the words; the
-- update trigger follows `content`), and the signed-note guard (which compared words derived
-- from the content it already compares).
DROP TRIGGER IF EXISTS `session_notes_search_ai`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `session_notes_search_ad`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `session_notes_search_au`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `session_notes_signed_immutable`;
--> statement-breakpoint
DROP TABLE IF EXISTS `note_search`;
--> statement-breakpoint
ALTER TABLE `session_notes` DROP COLUMN `body_text`;
--> statement-breakpoint
CREATE VIEW `session_note_text` AS SELECT rowid AS note_rowid, note_text(content) AS body_text FROM session_notes;
--> statement-breakpoint
-- As in 0001: keyed on session_notes' rowid, which is not an alias of its text primary key
-- (after a VACUUM, rebuild: rebuildNoteSearch()).
CREATE VIRTUAL TABLE `note_search` USING fts5(
  body_text,
  content='session_note_text',
  content_rowid='note_rowid',
  tokenize='unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `session_notes_search_ai` AFTER INSERT ON `session_notes` BEGIN
  INSERT INTO note_search(rowid, body_text) VALUES (new.rowid, note_text(new.content));
END;
--> statement-breakpoint
CREATE TRIGGER `session_notes_search_ad` AFTER DELETE ON `session_notes` BEGIN
  INSERT INTO note_search(note_search, rowid, body_text) VALUES ('delete', old.rowid, note_text(old.content));
END;
--> statement-breakpoint
CREATE TRIGGER `session_notes_search_au` AFTER UPDATE OF `content` ON `session_notes` BEGIN
  INSERT INTO note_search(note_search, rowid, body_text) VALUES ('delete', old.rowid, note_text(old.content));
  INSERT INTO note_search(rowid, body_text) VALUES (new.rowid, note_text(new.content));
END;
--> statement-breakpoint
CREATE TRIGGER `session_notes_signed_immutable` BEFORE UPDATE ON `session_notes`
WHEN old.status = 'signed' AND NOT (
  new.status = 'signed' AND new.content IS old.content
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
--> statement-breakpoint
-- The notes already in the cache, indexed again from their content.
INSERT INTO note_search(note_search) VALUES ('rebuild');
