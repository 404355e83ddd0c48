-- Keep `supervisions` in step with `users.supervisor_id`, whatever path changes it (admin
-- commands, seeding, a DBA): a new supervisor gets an active row (re-opened if it existed), the
-- former one's row is closed. Pull compares `updated_at` with the cursor (sync-protocol.md).
-- clock_timestamp(), not now(): the time of the change, not of the transaction's start.
CREATE FUNCTION users_supervision_history() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.supervisor_id IS NOT DISTINCT FROM NEW.supervisor_id THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.supervisor_id IS NOT NULL THEN
    UPDATE supervisions SET removed_at = clock_timestamp(), updated_at = clock_timestamp()
      WHERE supervisor_id = OLD.supervisor_id AND clinician_id = NEW.id AND removed_at IS NULL;
  END IF;
  IF NEW.supervisor_id IS NOT NULL THEN
    INSERT INTO supervisions (supervisor_id, clinician_id, created_at, updated_at)
      VALUES (NEW.supervisor_id, NEW.id, clock_timestamp(), clock_timestamp())
      ON CONFLICT (supervisor_id, clinician_id)
      DO UPDATE SET removed_at = NULL, updated_at = clock_timestamp();
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER users_supervision_history
  AFTER INSERT OR UPDATE OF supervisor_id ON users
  FOR EACH ROW EXECUTE FUNCTION users_supervision_history();
--> statement-breakpoint
INSERT INTO supervisions (supervisor_id, clinician_id, created_at, updated_at)
  SELECT supervisor_id, id, created_at, created_at FROM users WHERE supervisor_id IS NOT NULL
  ON CONFLICT DO NOTHING;
