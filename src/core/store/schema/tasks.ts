import { index, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { escalationRuns } from './escalations';
import { clients, staff } from './staff-clients';
import { createdAt, id, serverVersion, updatedAt } from './common';

export const tasks = sqliteTable(
  'tasks',
  {
    id: id(),
    clientId: text('client_id').references(() => clients.id, { onDelete: 'cascade' }),
    assigneeId: text('assignee_id')
      .notNull()
      .references(() => staff.id),
    kind: text('kind', {
      enum: ['follow_up', 'outreach', 'cosign', 'notify_prescriber', 'plan_review', 'other'],
    }).notNull(),
    title: text('title').notNull(),
    dueAt: text('due_at'),
    status: text('status', { enum: ['open', 'done', 'cancelled'] })
      .notNull()
      .default('open'),
    escalationRunId: text('escalation_run_id').references(() => escalationRuns.id, { onDelete: 'set null' }),
    completedAt: text('completed_at'),
    serverVersion: serverVersion(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('tasks_assignee_status_idx').on(t.assigneeId, t.status, t.dueAt),
    index('tasks_client_idx').on(t.clientId),
  ],
);
