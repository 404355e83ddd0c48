import { index, integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { sessionNotes } from './notes';
import { clients, staff } from './staff-clients';
import { createdAt, id, serverVersion } from './common';

export const INSTRUMENTS = ['PHQ9', 'GAD7', 'BAM', 'CRAVING', 'CSSRS', 'COWS', 'CIWA_AR'] as const;
export type Instrument = (typeof INSTRUMENTS)[number];

/**
 * One administration of a questionnaire (FHIR QuestionnaireResponse). Answers are
 * instrument-defined JSON; `total_score` is null where the instrument has no valid total (BAM).
 */
export const questionnaireResponses = sqliteTable(
  'questionnaire_responses',
  {
    id: id(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    instrument: text('instrument', { enum: INSTRUMENTS }).notNull(),
    instrumentVersion: text('instrument_version').notNull(),
    administeredAt: text('administered_at').notNull(),
    administeredBy: text('administered_by').references(() => staff.id),
    source: text('source', { enum: ['clinician', 'client_app', 'import'] }).notNull(),
    noteId: text('note_id').references(() => sessionNotes.id, { onDelete: 'set null' }),
    answers: text('answers', { mode: 'json' }).$type<Record<string, number | string | boolean | null>>().notNull(),
    totalScore: integer('total_score'),
    /** e.g. BAM {"use": ..., "risk": ..., "protective": ...}. */
    subscores: text('subscores', { mode: 'json' }).$type<Record<string, number>>(),
    band: text('band'),
    /** True when scored over video although items need in-person observation (COWS). */
    estimated: integer('estimated', { mode: 'boolean' }).notNull().default(false),
    serverVersion: serverVersion(),
    createdAt: createdAt(),
  },
  (t) => [index('questionnaire_responses_client_instr_idx').on(t.clientId, t.instrument, t.administeredAt)],
);

/** A single value in a measure series (FHIR Observation), for trends. */
export const measures = sqliteTable(
  'measures',
  {
    id: id(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    responseId: text('response_id').references(() => questionnaireResponses.id, { onDelete: 'cascade' }),
    code: text('code').notNull(),
    value: real('value').notNull(),
    unit: text('unit'),
    observedAt: text('observed_at').notNull(),
    serverVersion: serverVersion(),
  },
  (t) => [index('measures_client_code_time_idx').on(t.clientId, t.code, t.observedAt)],
);
