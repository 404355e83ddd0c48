ALTER TABLE "notes" ADD COLUMN "last_saved_device_id" uuid;--> statement-breakpoint
ALTER TABLE "notes" ADD COLUMN "last_saved_at" timestamp (3) with time zone;