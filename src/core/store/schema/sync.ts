import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { id } from './common';

/**
 * Local mutations waiting for the clinic server, in the shape of the sync protocol
 * (src/shared/sync/protocol.ts). `mutation_id` is strictly increasing per replica
 * (AUTOINCREMENT never reuses a value): the server applies them in order and answers a replay
 * with `duplicate`. A row stays until the server acknowledges it; a rejected one stays too, with
 * its reason, until the clinician has seen it (never dropped silently).
 */
export const syncOutbox = sqliteTable(
  'sync_outbox',
  {
    mutationId: integer('mutation_id').primaryKey({ autoIncrement: true }),
    /** The protocol's mutation name, e.g. `note.saveDraft`. */
    name: text('name').notNull(),
    /** The person in care the change is about (scope); null for replica-level changes. */
    clientId: text('client_id'),
    args: text('args', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    /** Hybrid logical clock of the change (src/shared/sync/hlc.ts). */
    hlc: text('hlc').notNull(),
    /** The local record it changes, to show "pending" beside it. */
    entityType: text('entity_type'),
    entityId: text('entity_id'),
    createdAt: text('created_at').notNull(),
    status: text('status', { enum: ['pending', 'applied', 'rejected', 'conflict'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastErrorCode: text('last_error_code'),
    rejectionCode: text('rejection_code'),
    rejectionMessage: text('rejection_message'),
    conflictId: text('conflict_id'),
    sentAt: text('sent_at'),
    ackedAt: text('acked_at'),
  },
  (t) => [
    index('sync_outbox_pending_idx').on(t.status, t.mutationId),
    index('sync_outbox_entity_idx').on(t.entityType, t.entityId),
  ],
);

/** Pull position per stream (e.g. "caseload", "checkins", "protocols"). */
export const syncCursors = sqliteTable('sync_cursors', {
  stream: text('stream').primaryKey(),
  cursor: text('cursor').notNull(),
  updatedAt: text('updated_at').notNull(),
});

export const syncConflicts = sqliteTable(
  'sync_conflicts',
  {
    id: id(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    mutationId: integer('mutation_id'),
    localPayload: text('local_payload', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    serverPayload: text('server_payload', { mode: 'json' }).$type<Record<string, unknown>>(),
    detectedAt: text('detected_at').notNull(),
    resolvedAt: text('resolved_at'),
    resolution: text('resolution', { enum: ['kept_local', 'kept_server', 'merged', 'addendum'] }),
  },
  (t) => [index('sync_conflicts_open_idx').on(t.resolvedAt)],
);

/** Small key/value facts about this store (device id, schema notes). No PHI. */
export const storeMeta = sqliteTable('store_meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});
