-- Only each record's latest change stays in the feed. A pull sends a record's current state for
-- a change whose version is not older than the record's, and skips the rest; so a row that a later
-- row of the same record supersedes (lower seq, version not higher) is never sent again, yet every
-- initial sync and full resync read it and skipped it. An autosaved draft left one row per save:
-- hundreds per note. Deleting those rows changes no pull's answer (the later row is after any
-- cursor the earlier one was after), so no cursor expires. The trigger runs for each row inserted,
-- inside the writer's transaction (which holds the feed lock): one probe of the index below. (A
-- statement trigger joining its transition table cost 25 ms more a push on the demo clinic,
-- bench/tools/feed-history.ts; this one costs nothing measurable.)
CREATE INDEX "changes_entity_seq_idx" ON "changes" USING btree ("entity_id","seq");--> statement-breakpoint
CREATE FUNCTION changes_keep_latest() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM changes
   WHERE entity_id = NEW.entity_id AND entity = NEW.entity AND seq < NEW.seq AND version <= NEW.version;
  RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE TRIGGER changes_keep_latest AFTER INSERT ON changes
  FOR EACH ROW EXECUTE FUNCTION changes_keep_latest();--> statement-breakpoint
DELETE FROM changes c
 USING changes later
 WHERE later.entity_id = c.entity_id AND later.entity = c.entity AND later.seq > c.seq AND later.version >= c.version;
