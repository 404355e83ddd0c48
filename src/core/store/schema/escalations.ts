import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { sessionNotes } from './notes';
import { clients, staff } from './staff-clients';
import { createdAt, id, serverVersion, updatedAt } from './common';

/** Protocols are versioned data, not code paths. */
export const escalationProtocols = sqliteTable(
  'escalation_protocols',
  {
    id: id(),
    code: text('code').notNull(),
    version: integer('version').notNull(),
    title: text('title').notNull(),
    /** Steps, scoring bands (clinic-configurable), notification rules. */
    definition: text('definition', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    effectiveFrom: text('effective_from').notNull(),
    retiredAt: text('retired_at'),
    serverVersion: serverVersion(),
  },
  (t) => [uniqueIndex('escalation_protocols_code_version_uq').on(t.code, t.version)],
);

export const escalationRuns = sqliteTable(
  'escalation_runs',
  {
    id: id(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    protocolId: text('protocol_id')
      .notNull()
      .references(() => escalationProtocols.id),
    protocolCode: text('protocol_code').notNull(),
    protocolVersion: integer('protocol_version').notNull(),
    startedBy: text('started_by')
      .notNull()
      .references(() => staff.id),
    startedAt: text('started_at').notNull(),
    noteId: text('note_id').references(() => sessionNotes.id, { onDelete: 'set null' }),
    riskLevel: text('risk_level', { enum: ['none', 'low', 'moderate', 'high'] }),
    /** Who was notified, e.g. [{"role":"supervisor","staffId":"…","at":"…"}]. */
    notified: text('notified', { mode: 'json' }).$type<Array<Record<string, string>>>(),
    outcome: text('outcome'),
    status: text('status', { enum: ['open', 'closed', 'abandoned'] })
      .notNull()
      .default('open'),
    closedAt: text('closed_at'),
    serverVersion: serverVersion(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('escalation_runs_client_idx').on(t.clientId, t.startedAt),
    index('escalation_runs_status_idx').on(t.status),
  ],
);

/** Each step of a run: completed (by whom, when, a note) or "not applicable" with a reason. */
export const escalationStepEvents = sqliteTable(
  'escalation_step_events',
  {
    id: id(),
    runId: text('run_id')
      .notNull()
      .references(() => escalationRuns.id, { onDelete: 'cascade' }),
    stepId: text('step_id').notNull(),
    status: text('status', { enum: ['completed', 'not_applicable', 'reopened'] }).notNull(),
    actorId: text('actor_id')
      .notNull()
      .references(() => staff.id),
    at: text('at').notNull(),
    note: text('note'),
    reason: text('reason'),
    serverVersion: serverVersion(),
  },
  (t) => [index('escalation_step_events_run_idx').on(t.runId, t.at)],
);
