import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt, id, serverVersion, updatedAt } from './common';

/** People who use the clinic system: counselors, therapists, prescribers, peers, supervisors. */
export const staff = sqliteTable('staff', {
  id: id(),
  displayName: text('display_name').notNull(),
  role: text('role', {
    enum: ['counselor', 'therapist', 'prescriber', 'peer_support', 'supervisor', 'admin'],
  }).notNull(),
  credentials: text('credentials'),
  supervisorId: text('supervisor_id'),
  /** Notes this clinician signs need their supervisor's co-signature. */
  requiresCosign: integer('requires_cosign', { mode: 'boolean' }).notNull().default(false),
  serverVersion: serverVersion(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export interface PostalAddress {
  line1: string;
  line2?: string;
  city: string;
  region: string;
  postalCode: string;
  country?: string;
}

export const clients = sqliteTable(
  'clients',
  {
    id: id(),
    mrn: text('mrn'),
    givenName: text('given_name').notNull(),
    familyName: text('family_name').notNull(),
    preferredName: text('preferred_name'),
    pronouns: text('pronouns'),
    dateOfBirth: text('date_of_birth').notNull(),
    phone: text('phone'),
    address: text('address', { mode: 'json' }).$type<PostalAddress>(),
    preferredHospital: text('preferred_hospital'),
    program: text('program', { enum: ['aftercare', 'iop'] }).notNull(),
    levelOfCare: text('level_of_care').notNull(),
    primaryClinicianId: text('primary_clinician_id').references(() => staff.id),
    /** Shown as "days in recovery" with care: a lapse is not a reset of progress. */
    recoveryStartDate: text('recovery_start_date'),
    status: text('status', { enum: ['active', 'discharged', 'on_hold'] })
      .notNull()
      .default('active'),
    /** Risk flag codes set by clinicians (e.g. `overdose_risk`), shown on the caseload. */
    riskFlags: text('risk_flags', { mode: 'json' }).$type<string[]>().notNull().default([]),
    serverVersion: serverVersion(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('clients_family_name_idx').on(t.familyName, t.givenName), uniqueIndex('clients_mrn_uq').on(t.mrn)],
);

export const emergencyContacts = sqliteTable(
  'emergency_contacts',
  {
    id: id(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    relationship: text('relationship'),
    phone: text('phone').notNull(),
    /** The consent (release of information) that allows contacting this person. */
    releaseConsentId: text('release_consent_id').references(() => consents.id),
    priority: integer('priority').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('emergency_contacts_client_idx').on(t.clientId)],
);

export const careTeamMembers = sqliteTable(
  'care_team_members',
  {
    id: id(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    staffId: text('staff_id')
      .notNull()
      .references(() => staff.id),
    role: text('role', {
      enum: ['primary_clinician', 'counselor', 'therapist', 'prescriber', 'peer_support', 'supervisor'],
    }).notNull(),
    startDate: text('start_date').notNull(),
    endDate: text('end_date'),
    serverVersion: serverVersion(),
  },
  (t) => [index('care_team_client_idx').on(t.clientId), index('care_team_staff_idx').on(t.staffId)],
);

/** Consents, including 42 CFR Part 2 disclosure consents naming a recipient. */
export const consents = sqliteTable(
  'consents',
  {
    id: id(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    kind: text('kind', {
      enum: ['treatment', 'telehealth', 'part2_disclosure', 'emergency_contact_release', 'tpo'],
    }).notNull(),
    /** Named recipient for a disclosure consent (person or organisation). */
    recipient: text('recipient'),
    purpose: text('purpose'),
    /** Which record categories the consent covers, e.g. ["notes","medications"]. */
    scope: text('scope', { mode: 'json' }).$type<string[]>(),
    signedAt: text('signed_at').notNull(),
    expiresAt: text('expires_at'),
    revokedAt: text('revoked_at'),
    documentRef: text('document_ref'),
    serverVersion: serverVersion(),
    createdAt: createdAt(),
  },
  (t) => [index('consents_client_kind_idx').on(t.clientId, t.kind)],
);
