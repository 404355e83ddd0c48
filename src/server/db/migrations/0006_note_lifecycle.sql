ALTER TABLE "notes" ADD COLUMN "cosign" jsonb;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "requires_cosign" boolean DEFAULT false NOT NULL;