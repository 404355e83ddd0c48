import { integer, sqliteTable, text, index } from 'drizzle-orm/sqlite-core';

/**
 * Local append-only audit log. Each entry is hash-chained to the previous one
 * (see src/core/audit/audit-log.ts). Entries carry action codes and record ids, never PHI.
 * UPDATE and DELETE are refused by triggers (custom migration).
 */
export const auditLog = sqliteTable(
  'audit_log',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    id: text('id').notNull().unique(),
    at: text('at').notNull(),
    actorId: text('actor_id'),
    action: text('action').notNull(),
    recordType: text('record_type'),
    recordId: text('record_id'),
    clientId: text('client_id'),
    /** Codes and counts only, e.g. {"failedAttempts": 2}. */
    detail: text('detail', { mode: 'json' }).$type<Record<string, string | number | boolean | null>>(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
    /** Set once the clinic server acknowledged the entry. */
    syncedAt: text('synced_at'),
  },
  (t) => [index('audit_log_client_idx').on(t.clientId)],
);
