-- Custom migration (drizzle-kit generate --custom): things drizzle's schema cannot express.
--
-- 1. Full-text search over note text. External-content FTS5 table over session_notes.body_text,
--    keyed on session_notes' rowid; triggers keep it in sync. The index lives inside the
--    encrypted database like everything else. session_notes has a text primary key, so its rowid
--    is not an alias: VACUUM may renumber rowids; after a VACUUM run
--    INSERT INTO note_search(note_search) VALUES('rebuild'); (see rebuildNoteSearch()).
CREATE VIRTUAL TABLE `note_search` USING fts5(
  body_text,
  content='session_notes',
  content_rowid='rowid',
  tokenize='unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `session_notes_search_ai` AFTER INSERT ON `session_notes` BEGIN
  INSERT INTO note_search(rowid, body_text) VALUES (new.rowid, new.body_text);
END;
--> statement-breakpoint
CREATE TRIGGER `session_notes_search_ad` AFTER DELETE ON `session_notes` BEGIN
  INSERT INTO note_search(note_search, rowid, body_text) VALUES ('delete', old.rowid, old.body_text);
END;
--> statement-breakpoint
CREATE TRIGGER `session_notes_search_au` AFTER UPDATE OF `body_text` ON `session_notes` BEGIN
  INSERT INTO note_search(note_search, rowid, body_text) VALUES ('delete', old.rowid, old.body_text);
  INSERT INTO note_search(rowid, body_text) VALUES (new.rowid, new.body_text);
END;
--> statement-breakpoint
-- Notes written before this migration (older schema versions) become searchable too.
INSERT INTO note_search(note_search) VALUES ('rebuild');
--> statement-breakpoint
-- 2. The audit log is append-only: the database itself refuses UPDATE and DELETE. The hash
--    chain (src/core/audit) detects tampering that bypasses these triggers. The one permitted
--    update is stamping synced_at once the server acknowledged an entry.
CREATE TRIGGER `audit_log_no_update` BEFORE UPDATE ON `audit_log`
WHEN NOT (
  old.synced_at IS NULL AND new.synced_at IS NOT NULL
  AND new.seq IS old.seq AND new.id IS old.id AND new.at IS old.at AND new.actor_id IS old.actor_id
  AND new.action IS old.action AND new.record_type IS old.record_type AND new.record_id IS old.record_id
  AND new.client_id IS old.client_id AND new.detail IS old.detail
  AND new.prev_hash IS old.prev_hash AND new.hash IS old.hash
)
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `audit_log_no_delete` BEFORE DELETE ON `audit_log` BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
--> statement-breakpoint
-- 3. A signed note is never edited in place (corrections are addenda). Only sync bookkeeping
--    (server_version) may change on a signed note; signing itself is the draft → signed update.
CREATE TRIGGER `session_notes_signed_immutable` BEFORE UPDATE ON `session_notes`
WHEN old.status = 'signed' AND NOT (
  new.status = 'signed' AND new.content IS old.content AND new.body_text IS old.body_text
  AND new.client_id IS old.client_id AND new.author_id IS old.author_id AND new.note_type IS old.note_type
  AND new.template IS old.template AND new.signed_at IS old.signed_at AND new.signed_by IS old.signed_by
  AND new.content_hash IS old.content_hash AND new.plan IS old.plan AND new.risk_screening IS old.risk_screening
  AND new.started_at IS old.started_at AND new.ended_at IS old.ended_at AND new.participants IS old.participants
  AND new.client_location IS old.client_location AND new.modality IS old.modality
  AND new.modality_switches IS old.modality_switches AND new.late_entry IS old.late_entry
)
BEGIN
  SELECT RAISE(ABORT, 'signed notes are immutable');
END;
