-- Each note's and record's change as a pull sends it (protocol 2), kept as text beside the row
-- and rebuilt by a trigger whenever the row is written: an initial sync copies 30,000 of them
-- instead of having the database build them (PGlite, demo caseload on disk: 1.2 s -> 0.65 s of
-- page queries). Stored uncompressed (EXTERNAL): reading them is the whole point.
-- The shape must stay what src/server/sync/pull.ts builds for protocol 1 (noteJsonV1, change), the
-- content apart; tests/server/pull-json.test.ts compares the two. The check makes a write fail
-- if the trigger is ever missing, rather than a pull silently leave the change out.
ALTER TABLE "notes" ADD COLUMN "pull_json" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "records" ADD COLUMN "pull_json" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "notes" ALTER COLUMN "pull_json" SET STORAGE EXTERNAL;--> statement-breakpoint
ALTER TABLE "records" ALTER COLUMN "pull_json" SET STORAGE EXTERNAL;--> statement-breakpoint
CREATE FUNCTION notes_pull_json() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.pull_json := json_build_object(
    'op', 'put', 'entity', 'note', 'id', NEW.id, 'clientId', NEW.client_id, 'version', NEW.version,
    'data', json_build_object(
      'id', NEW.id, 'clientId', NEW.client_id, 'authorId', NEW.author_id, 'status', NEW.status,
      'content', NEW.content::text, 'contentHash', NEW.content_hash,
      'signedAt', to_char(NEW.signed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'signedBy', NEW.signed_by,
      'cosign', coalesce(NEW.cosign, '{"required":false,"status":null,"by":null,"at":null,"comment":null}'::jsonb),
      'lastSaved', CASE WHEN NEW.status = 'draft' AND NEW.last_saved_device_id IS NOT NULL AND NEW.last_saved_at IS NOT NULL
        THEN json_build_object('deviceId', NEW.last_saved_device_id,
          'at', to_char(NEW.last_saved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) END,
      'sharing', NEW.sharing, 'version', NEW.version,
      'createdAt', to_char(NEW.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'updatedAt', to_char(NEW.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))::text;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION records_pull_json() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.pull_json := json_build_object(
    'op', 'put', 'entity', NEW.entity, 'id', NEW.id, 'clientId', NEW.client_id, 'version', NEW.version,
    'data', NEW.data)::text;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER notes_pull_json BEFORE INSERT OR UPDATE ON notes
  FOR EACH ROW EXECUTE FUNCTION notes_pull_json();
--> statement-breakpoint
CREATE TRIGGER records_pull_json BEFORE INSERT OR UPDATE ON records
  FOR EACH ROW EXECUTE FUNCTION records_pull_json();
--> statement-breakpoint
-- Rows written before this migration: the triggers fill them in.
UPDATE notes SET pull_json = '';--> statement-breakpoint
UPDATE records SET pull_json = '';--> statement-breakpoint
ALTER TABLE "notes" ADD CONSTRAINT "notes_pull_json_built" CHECK ("notes"."pull_json" <> '');--> statement-breakpoint
ALTER TABLE "records" ADD CONSTRAINT "records_pull_json_built" CHECK ("records"."pull_json" <> '');
