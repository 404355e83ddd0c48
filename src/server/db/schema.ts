import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  bigserial,
  check,
  index,
  integer,
  json,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import type { NoteCosign, NoteSharing } from '../../shared/sync/records.js';

/**
 * The clinic server's schema (PostgreSQL; the same migrations run on PGlite and on a real
 * server). Clinical record tables arrive with the sync protocol; this is the foundation:
 * accounts, devices, refresh tokens, clients, care assignments and the audit chain.
 */

export const userRole = pgEnum('user_role', ['clinician', 'supervisor', 'admin']);
export const assignmentKind = pgEnum('assignment_kind', ['caseload', 'care_team']);
export const clientProgram = pgEnum('client_program', ['aftercare', 'iop']);

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Lower-cased at write time; unique. */
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    role: userRole('role').notNull(),
    /** Professional credentials shown with the name (e.g. "LCSW, LADC"); travels in the staff record. */
    credentials: text('credentials'),
    /** argon2id PHC string. Never leaves the server. */
    passwordHash: text('password_hash').notNull(),
    supervisorId: uuid('supervisor_id').references((): AnyPgColumn => users.id, { onDelete: 'set null' }),
    /** Notes this clinician signs need their supervisor's co-signature (admin `set-requires-cosign`). */
    requiresCosign: boolean('requires_cosign').notNull().default(false),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
    passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('users_username_key').on(t.username), index('users_supervisor_idx').on(t.supervisorId)],
);

export const devices = pgTable(
  'devices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    createdAt: createdAt(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('devices_user_idx').on(t.userId)],
);

export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** All tokens descended from one sign-in share a family; reuse of a rotated token revokes it. */
    familyId: uuid('family_id').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    deviceId: uuid('device_id')
      .notNull()
      .references(() => devices.id, { onDelete: 'cascade' }),
    /** SHA-256 (hex) of the opaque token; the token itself is never stored. */
    tokenHash: text('token_hash').notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /** Set when the token was exchanged for its successor. */
    rotatedAt: timestamp('rotated_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('refresh_tokens_hash_key').on(t.tokenHash),
    index('refresh_tokens_family_idx').on(t.familyId),
    index('refresh_tokens_device_idx').on(t.deviceId),
  ],
);

export const clients = pgTable('clients', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** The name shown in lists (preferred name). PHI: never logged, never audited. */
  displayName: text('display_name').notNull(),
  program: clientProgram('program').notNull(),
  createdAt: createdAt(),
  dischargedAt: timestamp('discharged_at', { withTimezone: true }),
});

/**
 * Which clinicians see which clients. One row per (user, client); removal sets `removed_at`
 * (kept so that sync can tell a device that a client left its scope). Scope queries use the
 * partial index on active rows.
 */
export const careAssignments = pgTable(
  'care_assignments',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    clientId: uuid('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    kind: assignmentKind('kind').notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    removedAt: timestamp('removed_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.clientId] }),
    index('care_assignments_active_user_idx')
      .on(t.userId, t.clientId)
      .where(sql`${t.removedAt} is null`),
    index('care_assignments_client_idx').on(t.clientId),
    index('care_assignments_updated_idx').on(t.updatedAt),
  ],
);

/**
 * Who supervised whom, and when that ended: kept in step with `users.supervisor_id` by a trigger
 * (migration 0005), so every path that changes a supervisor leaves history. Pull compares
 * `updated_at` with the cursor: a supervisor who gains a supervisee resyncs, one who loses a
 * supervisee purges that clinician's clients (sync-protocol.md).
 */
export const supervisions = pgTable(
  'supervisions',
  {
    supervisorId: uuid('supervisor_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    clinicianId: uuid('clinician_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    removedAt: timestamp('removed_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.supervisorId, t.clinicianId] }),
    index('supervisions_clinician_idx').on(t.clinicianId),
  ],
);

/**
 * Append-only, hash-chained audit log. `hash = sha256(prev_hash || "\n" || canonical(row))`
 * (src/server/audit/chain.ts). A trigger refuses UPDATE, DELETE and TRUNCATE (custom migration).
 * Codes and ids only: never PHI.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true, precision: 3 }).notNull(),
    userId: uuid('user_id'),
    deviceId: uuid('device_id'),
    action: text('action').notNull(),
    outcome: text('outcome').notNull(),
    recordType: text('record_type'),
    recordIds: jsonb('record_ids').$type<string[]>().notNull(),
    details: jsonb('details').$type<Record<string, string | number | boolean | null>>().notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [index('audit_log_user_idx').on(t.userId), index('audit_log_at_idx').on(t.at)],
);

/**
 * Server-wide values shared by every instance on one database: the token signing key, and the
 * sync feed's epoch once a restore from a backup has been declared (src/server/sync/cursor.ts).
 */
export const serverKeys = pgTable('server_keys', {
  name: text('name').primaryKey(),
  secret: text('secret').notNull(),
  createdAt: createdAt(),
});

export const noteStatus = pgEnum('note_status', ['draft', 'signed']);
export const changeOp = pgEnum('change_op', ['put', 'delete']);

/**
 * One workstation profile on one device (sync-protocol.md). Bound to the user and device of
 * its first push; `last_mutation_id` is the idempotency high-water mark of its outbox.
 */
export const replicas = pgTable(
  'replicas',
  {
    replicaId: text('replica_id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    deviceId: uuid('device_id')
      .notNull()
      .references(() => devices.id, { onDelete: 'cascade' }),
    lastMutationId: bigint('last_mutation_id', { mode: 'number' }).notNull().default(0),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('replicas_user_idx').on(t.userId)],
);

/**
 * What the server answered for each of a replica's mutations that did not apply (`rejected`, with
 * its code and sentence, or `conflict`, with the conflict record's id), written in the push
 * transaction. A replayed mutation (its id at or below `replicas.last_mutation_id`, e.g. a push
 * whose answer was lost) answers the stored outcome again; an id with no row here was applied and
 * answers `duplicate`. Applied mutations are not stored (absence means applied), so the table
 * holds only the rare refusals. Rows older than the retention horizon
 * (`OUTCOME_RETENTION_MS` in src/server/sync/push.ts) are deleted by later pushes (index on
 * `created_at`). The message is the server's own sentence (codes and ids, never PHI).
 */
export const replicaMutations = pgTable(
  'replica_mutations',
  {
    replicaId: text('replica_id')
      .notNull()
      .references(() => replicas.replicaId, { onDelete: 'cascade' }),
    mutationId: bigint('mutation_id', { mode: 'number' }).notNull(),
    status: text('status', { enum: ['rejected', 'conflict'] }).notNull(),
    /** The rejection code (`REJECTION_CODES`); null for a conflict. */
    code: text('code'),
    message: text('message'),
    conflictId: uuid('conflict_id'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.replicaId, t.mutationId] }), index('replica_mutations_created_idx').on(t.createdAt)],
);

/**
 * Clinical notes. A draft has one author; a signed note is immutable. `content` is the
 * template-shaped body (PHI: never logged, never audited), kept as `json` (its text as written),
 * not `jsonb`: pulls send it as text, and turning 20,000 jsonb values back into text was a third
 * of an initial sync's server time on PGlite (BENCHMARKS.md, "Sync"; migration 0010). The server
 * only reads `content ->> 'templateId'` in SQL, which json answers too. `last_replica_id` is the replica
 * that wrote the current version (concurrent-edit detection). `last_saved_device_id` /
 * `last_saved_at`: the device that last saved the draft and when (a workstation opening the
 * draft on another device says so).
 */
export const notes = pgTable(
  'notes',
  {
    id: uuid('id').primaryKey(),
    clientId: uuid('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    authorId: uuid('author_id')
      .notNull()
      .references(() => users.id),
    status: noteStatus('status').notNull().default('draft'),
    content: json('content').$type<Record<string, unknown>>().notNull(),
    contentHash: text('content_hash'),
    signedAt: timestamp('signed_at', { withTimezone: true, precision: 3 }),
    signedBy: uuid('signed_by').references(() => users.id),
    /**
     * Co-signature state (`noteCosignSchema` in src/shared/sync/records.ts); null: not required.
     * Set when a clinician who needs supervision signs; changed by `note.cosign`,
     * `note.returnForRevision`, and the author's addendum to a returned note.
     */
    cosign: jsonb('cosign').$type<NoteCosign>(),
    /**
     * A protected note (SUD counseling / psychotherapy): its template (content `templateId` and
     * `templateVersion`) is protected among the built-in and the clinic's templates
     * (src/shared/notes/protection.ts). Set when a draft is saved and reconciled at server start
     * (src/server/sync/note-visibility.ts); pull sends a protected note only to who may see it.
     */
    isProtected: boolean('is_protected').notNull().default(false),
    /** The author's sharing with the care team (`noteSharingSchema`); null: never shared. */
    sharing: jsonb('sharing').$type<NoteSharing>(),
    version: integer('version').notNull(),
    lastReplicaId: text('last_replica_id'),
    lastSavedDeviceId: uuid('last_saved_device_id'),
    lastSavedAt: timestamp('last_saved_at', { withTimezone: true, precision: 3 }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    /**
     * The note's change as a pull sends it from protocol 2 on (`{"op":"put","entity":"note",…}`,
     * content as its JSON text), written by the database: a trigger (migration 0011) rebuilds it
     * whenever the row is inserted or updated. The server's code never writes it; pulls copy it
     * instead of building 20,000 notes' JSON at every initial sync (src/server/sync/pull.ts).
     * The default '' only stands in until the trigger runs: without the trigger, the check
     * refuses the write (a pull must never lose a change to a missing text).
     */
    pullJson: text('pull_json').notNull().default(''),
  },
  (t) => [index('notes_client_idx').on(t.clientId), check('notes_pull_json_built', sql`${t.pullJson} <> ''`)],
);

/**
 * Who lost sight of a protected note they could see (its author took back the sharing, it was
 * co-signed by the supervisor who had it for that, or it became protected), written in the same
 * transaction as the note's change. Pull answers that note's later changes to these users with a
 * `delete` (their workstations remove the note, its addenda and co-signatures) and to nobody
 * else: a user who never could see the note learns nothing of it, not even its id.
 */
export const noteWithdrawals = pgTable(
  'note_withdrawals',
  {
    noteId: uuid('note_id')
      .notNull()
      .references(() => notes.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.noteId, t.userId] })],
);

/**
 * Concurrent edits of one draft: the incoming version that did not win, kept for the author to
 * merge. Travels to workstations as the `conflict` entity.
 */
export const conflicts = pgTable(
  'conflicts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    entity: text('entity').notNull(),
    entityId: uuid('entity_id').notNull(),
    clientId: uuid('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    replicaId: text('replica_id').notNull(),
    baseVersion: integer('base_version'),
    /** The version of the record the incoming edit collided with. */
    serverVersion: integer('server_version').notNull(),
    content: jsonb('content').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  },
  (t) => [index('conflicts_entity_idx').on(t.entityId)],
);

/**
 * The change feed that pulls read: one row per applied write, in the same transaction, in
 * commit order (pushes are serialised, so `seq` order is commit order). The pull cursor is a seq.
 * Only each record's latest change is kept: a trigger deletes the rows a new one supersedes
 * (same entity and id, lower seq, version not higher; migration 0012), so a draft saved a
 * hundred times is one row, not a hundred that every initial sync would read and skip.
 */
export const changes = pgTable(
  'changes',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    entity: text('entity').notNull(),
    entityId: uuid('entity_id').notNull(),
    clientId: uuid('client_id'),
    version: integer('version').notNull(),
    op: changeOp('op').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('changes_client_seq_idx').on(t.clientId, t.seq), index('changes_entity_seq_idx').on(t.entityId, t.seq)],
);

/**
 * Every synced clinical record other than notes (which have their own lifecycle above):
 * staff, client profiles, contacts, care teams, consents, appointments, measures, check-ins,
 * medications, drug screens, plans, tasks, note addenda (and addendum proposals), co-signatures,
 * and the clinic's own note templates. `data` is the record in its wire shape
 * (src/shared/sync/records.ts, validated before it is written); `version` increases with every
 * write and matches the `changes` row that announced it. `field_clocks` holds, for records merged
 * per field (client profiles), the hybrid logical clock of each field's current value. A delete
 * keeps the row as a tombstone (`deleted_at`), so replicas that were offline learn about it.
 * `client_id` is null for clinic-wide records (staff, templates).
 */
export const records = pgTable(
  'records',
  {
    id: uuid('id').primaryKey(),
    entity: text('entity').notNull(),
    clientId: uuid('client_id').references(() => clients.id, { onDelete: 'cascade' }),
    version: integer('version').notNull().default(1),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    fieldClocks: jsonb('field_clocks').$type<Record<string, string>>(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    /** The record's change as a pull sends it, kept by a trigger like `notes.pull_json`. */
    pullJson: text('pull_json').notNull().default(''),
  },
  (t) => [
    index('records_client_entity_idx').on(t.clientId, t.entity),
    index('records_entity_idx').on(t.entity),
    check('records_pull_json_built', sql`${t.pullJson} <> ''`),
  ],
);
