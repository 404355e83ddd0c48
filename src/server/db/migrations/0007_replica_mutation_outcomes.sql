CREATE TABLE "replica_mutations" (
	"replica_id" text NOT NULL,
	"mutation_id" bigint NOT NULL,
	"status" text NOT NULL,
	"code" text,
	"message" text,
	"conflict_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "replica_mutations_replica_id_mutation_id_pk" PRIMARY KEY("replica_id","mutation_id")
);
--> statement-breakpoint
ALTER TABLE "replica_mutations" ADD CONSTRAINT "replica_mutations_replica_id_replicas_replica_id_fk" FOREIGN KEY ("replica_id") REFERENCES "public"."replicas"("replica_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "replica_mutations_created_idx" ON "replica_mutations" USING btree ("created_at");