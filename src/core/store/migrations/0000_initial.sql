CREATE TABLE `care_team_members` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`staff_id` text NOT NULL,
	`role` text NOT NULL,
	`start_date` text NOT NULL,
	`end_date` text,
	`server_version` text,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`staff_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `care_team_client_idx` ON `care_team_members` (`client_id`);--> statement-breakpoint
CREATE INDEX `care_team_staff_idx` ON `care_team_members` (`staff_id`);--> statement-breakpoint
CREATE TABLE `clients` (
	`id` text PRIMARY KEY NOT NULL,
	`mrn` text,
	`given_name` text NOT NULL,
	`family_name` text NOT NULL,
	`preferred_name` text,
	`pronouns` text,
	`date_of_birth` text NOT NULL,
	`phone` text,
	`address` text,
	`preferred_hospital` text,
	`program` text NOT NULL,
	`level_of_care` text NOT NULL,
	`primary_clinician_id` text,
	`recovery_start_date` text,
	`status` text DEFAULT 'active' NOT NULL,
	`server_version` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`primary_clinician_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `clients_family_name_idx` ON `clients` (`family_name`,`given_name`);--> statement-breakpoint
CREATE UNIQUE INDEX `clients_mrn_uq` ON `clients` (`mrn`);--> statement-breakpoint
CREATE TABLE `consents` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`kind` text NOT NULL,
	`recipient` text,
	`purpose` text,
	`scope` text,
	`signed_at` text NOT NULL,
	`expires_at` text,
	`revoked_at` text,
	`document_ref` text,
	`server_version` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `consents_client_kind_idx` ON `consents` (`client_id`,`kind`);--> statement-breakpoint
CREATE TABLE `emergency_contacts` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`name` text NOT NULL,
	`relationship` text,
	`phone` text NOT NULL,
	`release_consent_id` text,
	`priority` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`release_consent_id`) REFERENCES `consents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `emergency_contacts_client_idx` ON `emergency_contacts` (`client_id`);--> statement-breakpoint
CREATE TABLE `staff` (
	`id` text PRIMARY KEY NOT NULL,
	`display_name` text NOT NULL,
	`role` text NOT NULL,
	`credentials` text,
	`supervisor_id` text,
	`server_version` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `appointment_participants` (
	`appointment_id` text NOT NULL,
	`client_id` text NOT NULL,
	`attendance` text DEFAULT 'expected' NOT NULL,
	PRIMARY KEY(`appointment_id`, `client_id`),
	FOREIGN KEY (`appointment_id`) REFERENCES `appointments`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `appointments` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text,
	`group_id` text,
	`clinician_id` text NOT NULL,
	`starts_at` text NOT NULL,
	`ends_at` text NOT NULL,
	`type` text NOT NULL,
	`modality` text NOT NULL,
	`status` text DEFAULT 'scheduled' NOT NULL,
	`video_link` text,
	`server_version` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`group_id`) REFERENCES `care_groups`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`clinician_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `appointments_clinician_start_idx` ON `appointments` (`clinician_id`,`starts_at`);--> statement-breakpoint
CREATE INDEX `appointments_client_start_idx` ON `appointments` (`client_id`,`starts_at`);--> statement-breakpoint
CREATE TABLE `care_group_members` (
	`group_id` text NOT NULL,
	`client_id` text NOT NULL,
	`joined_at` text NOT NULL,
	`left_at` text,
	PRIMARY KEY(`group_id`, `client_id`),
	FOREIGN KEY (`group_id`) REFERENCES `care_groups`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `care_group_members_client_idx` ON `care_group_members` (`client_id`);--> statement-breakpoint
CREATE TABLE `care_groups` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`program` text NOT NULL,
	`facilitator_id` text,
	`server_version` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`facilitator_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `group_note_sections` (
	`id` text PRIMARY KEY NOT NULL,
	`note_id` text NOT NULL,
	`client_id` text NOT NULL,
	`content` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`note_id`) REFERENCES `session_notes`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `group_note_sections_note_idx` ON `group_note_sections` (`note_id`);--> statement-breakpoint
CREATE INDEX `group_note_sections_client_idx` ON `group_note_sections` (`client_id`);--> statement-breakpoint
CREATE TABLE `note_addenda` (
	`id` text PRIMARY KEY NOT NULL,
	`note_id` text NOT NULL,
	`author_id` text NOT NULL,
	`body_text` text NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`late_entry` integer DEFAULT false NOT NULL,
	`signed_at` text,
	`content_hash` text,
	`server_version` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`note_id`) REFERENCES `session_notes`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`author_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `note_addenda_note_idx` ON `note_addenda` (`note_id`);--> statement-breakpoint
CREATE TABLE `note_signatures` (
	`id` text PRIMARY KEY NOT NULL,
	`note_id` text NOT NULL,
	`addendum_id` text,
	`kind` text NOT NULL,
	`signer_id` text NOT NULL,
	`signed_at` text NOT NULL,
	`content_hash` text NOT NULL,
	`server_version` text,
	FOREIGN KEY (`note_id`) REFERENCES `session_notes`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`addendum_id`) REFERENCES `note_addenda`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`signer_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `note_signatures_note_idx` ON `note_signatures` (`note_id`);--> statement-breakpoint
CREATE TABLE `session_notes` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`appointment_id` text,
	`author_id` text NOT NULL,
	`note_type` text NOT NULL,
	`template` text NOT NULL,
	`is_protected` integer DEFAULT false NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`started_at` text,
	`ended_at` text,
	`modality` text,
	`modality_switches` text,
	`client_location` text,
	`participants` text,
	`content` text NOT NULL,
	`body_text` text DEFAULT '' NOT NULL,
	`risk_screening` text,
	`plan` text,
	`next_appointment_at` text,
	`late_entry` integer DEFAULT false NOT NULL,
	`draft_revision` integer DEFAULT 0 NOT NULL,
	`signed_at` text,
	`signed_by` text,
	`content_hash` text,
	`server_version` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`appointment_id`) REFERENCES `appointments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`author_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`signed_by`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `session_notes_client_time_idx` ON `session_notes` (`client_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `session_notes_status_idx` ON `session_notes` (`status`,`updated_at`);--> statement-breakpoint
CREATE INDEX `session_notes_appointment_idx` ON `session_notes` (`appointment_id`);--> statement-breakpoint
CREATE TABLE `measures` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`response_id` text,
	`code` text NOT NULL,
	`value` real NOT NULL,
	`unit` text,
	`observed_at` text NOT NULL,
	`server_version` text,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`response_id`) REFERENCES `questionnaire_responses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `measures_client_code_time_idx` ON `measures` (`client_id`,`code`,`observed_at`);--> statement-breakpoint
CREATE TABLE `questionnaire_responses` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`instrument` text NOT NULL,
	`instrument_version` text NOT NULL,
	`administered_at` text NOT NULL,
	`administered_by` text,
	`source` text NOT NULL,
	`note_id` text,
	`answers` text NOT NULL,
	`total_score` integer,
	`subscores` text,
	`band` text,
	`estimated` integer DEFAULT false NOT NULL,
	`server_version` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`administered_by`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`note_id`) REFERENCES `session_notes`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `questionnaire_responses_client_instr_idx` ON `questionnaire_responses` (`client_id`,`instrument`,`administered_at`);--> statement-breakpoint
CREATE TABLE `relapse_prevention_plans` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`version` integer NOT NULL,
	`status` text NOT NULL,
	`content` text NOT NULL,
	`updated_by` text,
	`server_version` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`updated_by`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `relapse_plans_client_idx` ON `relapse_prevention_plans` (`client_id`,`version`);--> statement-breakpoint
CREATE TABLE `safety_plans` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`version` integer NOT NULL,
	`status` text NOT NULL,
	`content` text NOT NULL,
	`reviewed_at` text,
	`updated_by` text,
	`server_version` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`updated_by`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `safety_plans_client_idx` ON `safety_plans` (`client_id`,`version`);--> statement-breakpoint
CREATE TABLE `drug_screens` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`collected_at` text NOT NULL,
	`specimen` text NOT NULL,
	`observed` integer DEFAULT false NOT NULL,
	`results` text NOT NULL,
	`server_version` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `drug_screens_client_idx` ON `drug_screens` (`client_id`,`collected_at`);--> statement-breakpoint
CREATE TABLE `medication_events` (
	`id` text PRIMARY KEY NOT NULL,
	`medication_id` text NOT NULL,
	`client_id` text NOT NULL,
	`kind` text NOT NULL,
	`reported_at` text NOT NULL,
	`detail` text,
	`server_version` text,
	FOREIGN KEY (`medication_id`) REFERENCES `medications`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `medication_events_med_idx` ON `medication_events` (`medication_id`,`reported_at`);--> statement-breakpoint
CREATE TABLE `medications` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`name` text NOT NULL,
	`category` text NOT NULL,
	`dose` text,
	`route` text,
	`frequency` text,
	`prescriber` text,
	`otp_name` text,
	`pharmacy` text,
	`start_date` text,
	`end_date` text,
	`refill_due` text,
	`pdmp_checked_at` text,
	`pdmp_state` text,
	`status` text NOT NULL,
	`server_version` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `medications_client_idx` ON `medications` (`client_id`,`status`);--> statement-breakpoint
CREATE TABLE `check_ins` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`submitted_at` text NOT NULL,
	`received_at` text NOT NULL,
	`mood` integer,
	`craving` integer,
	`sleep_hours` real,
	`medication_taken` integer,
	`use_since_last` integer,
	`comment` text,
	`reviewed_at` text,
	`reviewed_by` text,
	`server_version` text,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`reviewed_by`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `check_ins_client_time_idx` ON `check_ins` (`client_id`,`submitted_at`);--> statement-breakpoint
CREATE TABLE `escalation_protocols` (
	`id` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`version` integer NOT NULL,
	`title` text NOT NULL,
	`definition` text NOT NULL,
	`effective_from` text NOT NULL,
	`retired_at` text,
	`server_version` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `escalation_protocols_code_version_uq` ON `escalation_protocols` (`code`,`version`);--> statement-breakpoint
CREATE TABLE `escalation_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`protocol_id` text NOT NULL,
	`protocol_code` text NOT NULL,
	`protocol_version` integer NOT NULL,
	`started_by` text NOT NULL,
	`started_at` text NOT NULL,
	`note_id` text,
	`risk_level` text,
	`notified` text,
	`outcome` text,
	`status` text DEFAULT 'open' NOT NULL,
	`closed_at` text,
	`server_version` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`protocol_id`) REFERENCES `escalation_protocols`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`started_by`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`note_id`) REFERENCES `session_notes`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `escalation_runs_client_idx` ON `escalation_runs` (`client_id`,`started_at`);--> statement-breakpoint
CREATE INDEX `escalation_runs_status_idx` ON `escalation_runs` (`status`);--> statement-breakpoint
CREATE TABLE `escalation_step_events` (
	`id` text PRIMARY KEY NOT NULL,
	`run_id` text NOT NULL,
	`step_id` text NOT NULL,
	`status` text NOT NULL,
	`actor_id` text NOT NULL,
	`at` text NOT NULL,
	`note` text,
	`reason` text,
	`server_version` text,
	FOREIGN KEY (`run_id`) REFERENCES `escalation_runs`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`actor_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `escalation_step_events_run_idx` ON `escalation_step_events` (`run_id`,`at`);--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text,
	`assignee_id` text NOT NULL,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`due_at` text,
	`status` text DEFAULT 'open' NOT NULL,
	`escalation_run_id` text,
	`completed_at` text,
	`server_version` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`assignee_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`escalation_run_id`) REFERENCES `escalation_runs`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `tasks_assignee_status_idx` ON `tasks` (`assignee_id`,`status`,`due_at`);--> statement-breakpoint
CREATE INDEX `tasks_client_idx` ON `tasks` (`client_id`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`at` text NOT NULL,
	`actor_id` text,
	`action` text NOT NULL,
	`record_type` text,
	`record_id` text,
	`client_id` text,
	`detail` text,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL,
	`synced_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `audit_log_id_unique` ON `audit_log` (`id`);--> statement-breakpoint
CREATE INDEX `audit_log_client_idx` ON `audit_log` (`client_id`);--> statement-breakpoint
CREATE TABLE `store_meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `sync_conflicts` (
	`id` text PRIMARY KEY NOT NULL,
	`entity_type` text NOT NULL,
	`entity_id` text NOT NULL,
	`mutation_id` integer,
	`local_payload` text NOT NULL,
	`server_payload` text,
	`detected_at` text NOT NULL,
	`resolved_at` text,
	`resolution` text
);
--> statement-breakpoint
CREATE INDEX `sync_conflicts_open_idx` ON `sync_conflicts` (`resolved_at`);--> statement-breakpoint
CREATE TABLE `sync_cursors` (
	`stream` text PRIMARY KEY NOT NULL,
	`cursor` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `sync_outbox` (
	`mutation_id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`entity_type` text NOT NULL,
	`entity_id` text NOT NULL,
	`op` text NOT NULL,
	`payload` text NOT NULL,
	`base_version` text,
	`created_at` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error_code` text,
	`sent_at` text,
	`acked_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sync_outbox_id_unique` ON `sync_outbox` (`id`);--> statement-breakpoint
CREATE INDEX `sync_outbox_pending_idx` ON `sync_outbox` (`acked_at`,`mutation_id`);--> statement-breakpoint
CREATE INDEX `sync_outbox_entity_idx` ON `sync_outbox` (`entity_type`,`entity_id`);