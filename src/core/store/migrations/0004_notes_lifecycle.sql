ALTER TABLE `staff` ADD `requires_cosign` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `note_addenda` ADD `body` text;--> statement-breakpoint
ALTER TABLE `note_addenda` ADD `proposal` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `note_addenda` ADD `proposed_content` text;--> statement-breakpoint
ALTER TABLE `note_addenda` ADD `proposed_from_signature` text;--> statement-breakpoint
ALTER TABLE `session_notes` ADD `template_id` text;--> statement-breakpoint
ALTER TABLE `session_notes` ADD `template_version` integer;--> statement-breakpoint
ALTER TABLE `session_notes` ADD `cosign` text;--> statement-breakpoint
ALTER TABLE `session_notes` ADD `last_saved_device_id` text;--> statement-breakpoint
ALTER TABLE `session_notes` ADD `last_saved_at` text;--> statement-breakpoint
CREATE INDEX `session_notes_author_status_idx` ON `session_notes` (`author_id`,`status`,`updated_at`);