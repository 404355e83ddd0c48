import { z } from 'zod';

/**
 * Read models of the Caseload page and the client overview (RPC `caseload.list`,
 * `client.overview`), computed by the core from the encrypted cache. PHI: only sent to the
 * renderer of an unlocked workstation, never logged.
 */
const isoTime = z.iso.datetime({ offset: true });
const isoDate = z.iso.date();

/** Things on the caseload that need a look; stable codes, translated in the renderer. */
export const CASELOAD_ALERTS = [
  /** No check-in from the client app for 3 days or more (when they usually check in). */
  'missed_checkins',
  /** The last PHQ-9 had a non-zero answer to item 9 (thoughts of self-harm). */
  'phq9_item9',
  /** The last appointment was a no-show. */
  'missed_appointment',
  /** A medication's refill is due within 3 days or overdue. */
  'refill_due',
  /** Use reported since the last check-in. */
  'use_reported',
  /** A check-in is waiting to be reviewed. */
  'checkin_unreviewed',
] as const;
export type CaseloadAlert = (typeof CASELOAD_ALERTS)[number];

const trendPoint = z.object({ value: z.number(), at: isoTime });

export const caseloadRowSchema = z.object({
  id: z.uuid(),
  displayName: z.string(),
  givenName: z.string(),
  familyName: z.string(),
  program: z.enum(['aftercare', 'iop']),
  levelOfCare: z.string(),
  status: z.enum(['active', 'discharged', 'on_hold']),
  riskFlags: z.array(z.string()),
  nextAppointmentAt: isoTime.nullable(),
  lastContactAt: isoTime.nullable(),
  /** Whole days since the last completed session; null when there was none. */
  daysSinceLastSession: z.number().int().nonnegative().nullable(),
  /** Oldest first, at most 8 points. */
  craving: z.array(trendPoint),
  phq9: z.array(trendPoint.extend({ band: z.string().nullable() })),
  alerts: z.array(z.enum(CASELOAD_ALERTS)),
  /** Local changes about this client not yet on the server. */
  pendingChanges: z.number().int().nonnegative(),
});
export type CaseloadRow = z.infer<typeof caseloadRowSchema>;

export const caseloadListSchema = z.object({
  rows: z.array(caseloadRowSchema),
  /** When the cache last received changes from the server (null: never synced). */
  asOf: isoTime.nullable(),
});
export type CaseloadList = z.infer<typeof caseloadListSchema>;

export const clientOverviewSchema = z.object({
  client: z.object({
    id: z.uuid(),
    mrn: z.string().nullable(),
    givenName: z.string(),
    familyName: z.string(),
    preferredName: z.string().nullable(),
    pronouns: z.string().nullable(),
    dateOfBirth: isoDate,
    phone: z.string().nullable(),
    address: z
      .object({
        line1: z.string(),
        line2: z.string().optional(),
        city: z.string(),
        region: z.string(),
        postalCode: z.string(),
        country: z.string().optional(),
      })
      .nullable(),
    preferredHospital: z.string().nullable(),
    program: z.enum(['aftercare', 'iop']),
    levelOfCare: z.string(),
    status: z.enum(['active', 'discharged', 'on_hold']),
    recoveryStartDate: isoDate.nullable(),
    riskFlags: z.array(z.string()),
  }),
  emergencyContacts: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      relationship: z.string().nullable(),
      phone: z.string(),
      hasRelease: z.boolean(),
    }),
  ),
  careTeam: z.array(
    z.object({ staffId: z.string(), displayName: z.string(), role: z.string(), credentials: z.string().nullable() }),
  ),
  consents: z.array(
    z.object({
      id: z.string(),
      kind: z.string(),
      recipient: z.string().nullable(),
      signedAt: isoTime,
      expiresAt: isoTime.nullable(),
      revokedAt: isoTime.nullable(),
      active: z.boolean(),
    }),
  ),
  plans: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(['relapse_prevention', 'safety']),
      version: z.number().int(),
      status: z.string(),
      updatedAt: isoTime,
      /** Plan sections: heading key → items. */
      content: z.record(z.string(), z.union([z.array(z.string()), z.string()])),
    }),
  ),
  medications: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      category: z.string(),
      dose: z.string().nullable(),
      frequency: z.string().nullable(),
      prescriber: z.string().nullable(),
      status: z.string(),
      refillDue: isoDate.nullable(),
    }),
  ),
  appointments: z.array(
    z.object({ id: z.string(), startsAt: isoTime, type: z.string(), modality: z.string(), status: z.string() }),
  ),
  notes: z.array(
    z.object({
      id: z.string(),
      status: z.enum(['draft', 'signed']),
      template: z.string(),
      noteType: z.string(),
      authorName: z.string().nullable(),
      sessionDate: z.string().nullable(),
      signedAt: isoTime.nullable(),
      isProtected: z.boolean(),
    }),
  ),
  measures: z.array(
    z.object({
      id: z.string(),
      instrument: z.string(),
      administeredAt: isoTime,
      totalScore: z.number().nullable(),
      band: z.string().nullable(),
    }),
  ),
});
export type ClientOverview = z.infer<typeof clientOverviewSchema>;
