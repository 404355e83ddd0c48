import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { clients, staff } from './staff-clients';
import { createdAt, id, serverVersion, updatedAt } from './common';

export interface RelapsePreventionContent {
  warningSigns: string[];
  triggers: string[];
  copingStrategies: string[];
  supports: string[];
  afterALapse: string[];
}

/** Stanley–Brown safety plan. */
export interface SafetyPlanContent {
  warningSigns: string[];
  internalCoping: string[];
  distractions: string[];
  peopleToAsk: string[];
  professionalsAndCrisisLines: string[];
  safeEnvironment: string[];
  whereKept?: string;
  barriers?: string;
}

export const relapsePreventionPlans = sqliteTable(
  'relapse_prevention_plans',
  {
    id: id(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    status: text('status', { enum: ['draft', 'active', 'superseded'] }).notNull(),
    content: text('content', { mode: 'json' }).$type<RelapsePreventionContent>().notNull(),
    updatedBy: text('updated_by').references(() => staff.id),
    serverVersion: serverVersion(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('relapse_plans_client_idx').on(t.clientId, t.version)],
);

export const safetyPlans = sqliteTable(
  'safety_plans',
  {
    id: id(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    status: text('status', { enum: ['draft', 'active', 'superseded'] }).notNull(),
    content: text('content', { mode: 'json' }).$type<SafetyPlanContent>().notNull(),
    reviewedAt: text('reviewed_at'),
    updatedBy: text('updated_by').references(() => staff.id),
    serverVersion: serverVersion(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('safety_plans_client_idx').on(t.clientId, t.version)],
);
