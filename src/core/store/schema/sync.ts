import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { id } from './common';

/**
 * Local mutations waiting for the clinic server. `mutation_id` is strictly increasing per
 * workstation (AUTOINCREMENT never reuses a value), so the server can apply them in order and
 * deduplicate retries.
 */
export const syncOutbox = sqliteTable(
  'sync_outbox',
  {
    mutationId: integer('mutation_id').primaryKey({ autoIncrement: true }),
    /** Idempotency key sent with the mutation. */
    id: text('id').notNull().unique(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    op: text('op', { enum: ['create', 'update', 'delete', 'sign', 'cosign', 'addendum', 'audit'] }).notNull(),
    payload: text('payload', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    baseVersion: text('base_version'),
    createdAt: text('created_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastErrorCode: text('last_error_code'),
    sentAt: text('sent_at'),
    ackedAt: text('acked_at'),
  },
  (t) => [
    index('sync_outbox_pending_idx').on(t.ackedAt, t.mutationId),
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
