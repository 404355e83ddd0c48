import { index, integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { clients, staff } from './staff-clients';
import { id, serverVersion } from './common';

/** Between-session check-in from the client app, relayed by the clinic server. */
export const checkIns = sqliteTable(
  'check_ins',
  {
    id: id(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    submittedAt: text('submitted_at').notNull(),
    receivedAt: text('received_at').notNull(),
    mood: integer('mood'),
    craving: integer('craving'),
    sleepHours: real('sleep_hours'),
    medicationTaken: integer('medication_taken', { mode: 'boolean' }),
    useSinceLast: integer('use_since_last', { mode: 'boolean' }),
    comment: text('comment'),
    reviewedAt: text('reviewed_at'),
    reviewedBy: text('reviewed_by').references(() => staff.id),
    serverVersion: serverVersion(),
  },
  (t) => [index('check_ins_client_time_idx').on(t.clientId, t.submittedAt)],
);
