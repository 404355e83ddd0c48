CREATE TABLE "records" (
	"id" uuid PRIMARY KEY NOT NULL,
	"entity" text NOT NULL,
	"client_id" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"data" jsonb NOT NULL,
	"field_clocks" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "records" ADD CONSTRAINT "records_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "records_client_entity_idx" ON "records" USING btree ("client_id","entity");--> statement-breakpoint
CREATE INDEX "records_entity_idx" ON "records" USING btree ("entity");