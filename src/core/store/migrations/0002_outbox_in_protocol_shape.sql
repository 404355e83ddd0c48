CREATE TABLE `__new_sync_outbox` (
	`mutation_id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`client_id` text,
	`args` text NOT NULL,
	`hlc` text NOT NULL,
	`entity_type` text,
	`entity_id` text,
	`created_at` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error_code` text,
	`rejection_code` text,
	`rejection_message` text,
	`conflict_id` text,
	`sent_at` text,
	`acked_at` text
);
--> statement-breakpoint
-- Rows of the earlier outbox shape (none were ever written by a released version) are kept,
-- visible as rejected, rather than dropped: nothing a clinician typed is lost silently.
INSERT INTO `__new_sync_outbox`("mutation_id", "name", "client_id", "args", "hlc", "entity_type", "entity_id", "created_at", "status", "attempts", "last_error_code", "rejection_code", "rejection_message", "sent_at", "acked_at") SELECT "mutation_id", 'legacy.' || "op", NULL, "payload", '', "entity_type", "entity_id", "created_at", CASE WHEN "acked_at" IS NULL THEN 'rejected' ELSE 'applied' END, "attempts", "last_error_code", CASE WHEN "acked_at" IS NULL THEN 'LEGACY_FORMAT' END, CASE WHEN "acked_at" IS NULL THEN 'Saved by an earlier version in a format the server no longer accepts.' END, "sent_at", "acked_at" FROM `sync_outbox`;--> statement-breakpoint
DROP TABLE `sync_outbox`;--> statement-breakpoint
ALTER TABLE `__new_sync_outbox` RENAME TO `sync_outbox`;--> statement-breakpoint
CREATE INDEX `sync_outbox_pending_idx` ON `sync_outbox` (`status`,`mutation_id`);--> statement-breakpoint
CREATE INDEX `sync_outbox_entity_idx` ON `sync_outbox` (`entity_type`,`entity_id`);