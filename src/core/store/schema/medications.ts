import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { clients } from './staff-clients';
import { createdAt, id, serverVersion, updatedAt } from './common';

export interface Pharmacy {
  name: string;
  phone?: string;
  delivers?: boolean;
}

/** Tracked medication (prescribing itself happens in a certified e-prescribing system). */
export const medications = sqliteTable(
  'medications',
  {
    id: id(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    category: text('category', { enum: ['moud', 'aud', 'psychiatric', 'other'] }).notNull(),
    dose: text('dose'),
    route: text('route'),
    frequency: text('frequency'),
    prescriber: text('prescriber'),
    /** Methadone is dispensed by an opioid treatment program, not a pharmacy. */
    otpName: text('otp_name'),
    pharmacy: text('pharmacy', { mode: 'json' }).$type<Pharmacy>(),
    startDate: text('start_date'),
    endDate: text('end_date'),
    refillDue: text('refill_due'),
    pdmpCheckedAt: text('pdmp_checked_at'),
    pdmpState: text('pdmp_state'),
    status: text('status', { enum: ['active', 'stopped', 'on_hold'] }).notNull(),
    serverVersion: serverVersion(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('medications_client_idx').on(t.clientId, t.status)],
);

/** Adherence reports, missed doses, side effects, diversion concerns. */
export const medicationEvents = sqliteTable(
  'medication_events',
  {
    id: id(),
    medicationId: text('medication_id')
      .notNull()
      .references(() => medications.id, { onDelete: 'cascade' }),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['adherence', 'missed_dose', 'side_effect', 'diversion_concern', 'refill'] }).notNull(),
    reportedAt: text('reported_at').notNull(),
    detail: text('detail', { mode: 'json' }).$type<Record<string, unknown>>(),
    serverVersion: serverVersion(),
  },
  (t) => [index('medication_events_med_idx').on(t.medicationId, t.reportedAt)],
);

export const drugScreens = sqliteTable(
  'drug_screens',
  {
    id: id(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    collectedAt: text('collected_at').notNull(),
    specimen: text('specimen', { enum: ['urine', 'oral_fluid', 'blood', 'other'] }).notNull(),
    observed: integer('observed', { mode: 'boolean' }).notNull().default(false),
    /** Per-substance results, e.g. {"buprenorphine": "positive", "fentanyl": "negative"}. */
    results: text('results', { mode: 'json' }).$type<Record<string, string>>().notNull(),
    serverVersion: serverVersion(),
    createdAt: createdAt(),
  },
  (t) => [index('drug_screens_client_idx').on(t.clientId, t.collectedAt)],
);
