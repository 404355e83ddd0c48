import { z } from 'zod';
import { richTextNodeSchema } from '../notes/content.js';
import { templateDefinitionSchema } from '../notes/templates/schema.js';
import type { EntityType } from './protocol.js';

/**
 * The `data` of each record type in a pull's `put` change (docs/sync-protocol.md). The clinic
 * server writes records in these shapes; the workstation validates every one before it
 * touches the encrypted cache (a record that does not fit is skipped and reported, never
 * half-applied). Field names follow the workstation's tables (src/core/store/schema) in
 * camelCase; the record's id, client and version travel in the change envelope.
 *
 * PHI lives in these objects: never log them.
 */
const uuid = z.uuid();
const isoTime = z.iso.datetime({ offset: true });
const isoDate = z.iso.date();
const text = (max = 2_000) => z.string().max(max);
const optionalText = (max = 2_000) => text(max).nullable().default(null);

export const staffRecordSchema = z.object({
  displayName: text(200),
  role: z.enum(['counselor', 'therapist', 'prescriber', 'peer_support', 'supervisor', 'admin']),
  credentials: optionalText(100),
  supervisorId: uuid.nullable().default(null),
  /**
   * The clinician's notes need a supervisor's co-signature (set by the admin command
   * `set-requires-cosign`): a note they sign enters the co-sign queue of their supervisor.
   */
  requiresCosign: z.boolean().default(false),
});

export const postalAddressSchema = z.object({
  line1: text(200),
  line2: text(200).optional(),
  city: text(100),
  region: text(100),
  postalCode: text(20),
  country: text(60).optional(),
});

export const CLIENT_PROFILE_FIELDS = [
  'preferredName',
  'pronouns',
  'phone',
  'address',
  'preferredHospital',
  'levelOfCare',
  'status',
] as const;
export type ClientProfileField = (typeof CLIENT_PROFILE_FIELDS)[number];

export const clientRecordSchema = z.object({
  mrn: optionalText(40),
  givenName: text(100),
  familyName: text(100),
  preferredName: optionalText(100),
  pronouns: optionalText(40),
  dateOfBirth: isoDate,
  phone: optionalText(40),
  address: postalAddressSchema.nullable().default(null),
  preferredHospital: optionalText(200),
  program: z.enum(['aftercare', 'iop']),
  levelOfCare: text(40),
  primaryClinicianId: uuid.nullable().default(null),
  recoveryStartDate: isoDate.nullable().default(null),
  status: z.enum(['active', 'discharged', 'on_hold']),
  /** Risk flags a clinician set (e.g. "suicide_risk", "overdose_risk"); codes, not free text. */
  riskFlags: z
    .array(z.string().regex(/^[a-z_]{1,40}$/))
    .max(20)
    .default([]),
  createdAt: isoTime,
  updatedAt: isoTime,
});

/**
 * The client-profile fields a workstation may change with `client.updateFields`. Spelled out
 * rather than picked from `clientRecordSchema`: zod 4 applies `.default()` inside `.partial()`,
 * so a picked schema would fill every absent field with null and a one-field patch would clear
 * the others.
 */
export const clientProfilePatchSchema = z
  .object({
    preferredName: text(100).nullable(),
    pronouns: text(40).nullable(),
    phone: text(40).nullable(),
    address: postalAddressSchema.nullable(),
    preferredHospital: text(200).nullable(),
    levelOfCare: text(40),
    status: clientRecordSchema.shape.status,
  })
  .partial()
  .strict();

export const emergencyContactRecordSchema = z.object({
  name: text(200),
  relationship: optionalText(100),
  phone: text(40),
  releaseConsentId: uuid.nullable().default(null),
  priority: z.number().int().min(1).max(10).default(1),
  createdAt: isoTime,
  updatedAt: isoTime,
});

export const careTeamMemberRecordSchema = z.object({
  staffId: uuid,
  role: z.enum(['primary_clinician', 'counselor', 'therapist', 'prescriber', 'peer_support', 'supervisor']),
  startDate: isoDate,
  endDate: isoDate.nullable().default(null),
});

export const consentRecordSchema = z.object({
  kind: z.enum(['treatment', 'telehealth', 'part2_disclosure', 'emergency_contact_release', 'tpo']),
  recipient: optionalText(200),
  purpose: optionalText(500),
  scope: z.array(text(40)).max(20).nullable().default(null),
  signedAt: isoTime,
  expiresAt: isoTime.nullable().default(null),
  revokedAt: isoTime.nullable().default(null),
  documentRef: optionalText(200),
  createdAt: isoTime,
});

export const appointmentRecordSchema = z.object({
  clinicianId: uuid,
  startsAt: isoTime,
  endsAt: isoTime,
  type: z.enum(['individual', 'group', 'medication_management', 'intake']),
  modality: z.enum(['video', 'phone', 'in_person']),
  status: z.enum(['scheduled', 'checked_in', 'completed', 'no_show', 'cancelled']),
  videoLink: optionalText(500),
  createdAt: isoTime,
  updatedAt: isoTime,
});

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

export const COSIGN_STATUSES = ['pending', 'cosigned', 'returned'] as const;
export type CosignStatus = (typeof COSIGN_STATUSES)[number];

/**
 * A note's co-signature state. `required` is set when the note is signed by a clinician who
 * needs supervision (staff `requiresCosign`); `status` is then `pending` (in the supervisor's
 * queue), `cosigned` (a `cosignature` record holds the signature) or `returned` (the supervisor
 * returned it with `comment`; a signed note is never edited, so the author answers with an
 * addendum, which puts it back to `pending`). `by`/`at` are who decided last and when; the last
 * return's comment stays after a resubmission. Not required: `status` null.
 */
export const noteCosignSchema = z.object({
  required: z.boolean(),
  status: z.enum(COSIGN_STATUSES).nullable().default(null),
  by: uuid.nullable().default(null),
  at: isoTime.nullable().default(null),
  comment: optionalText(2_000),
});
export type NoteCosign = z.output<typeof noteCosignSchema>;
export const NO_COSIGN: NoteCosign = { required: false, status: null, by: null, at: null, comment: null };

/**
 * The author's sharing of a protected note (SUD counseling / psychotherapy) with the client's
 * care team: `careTeam` true lets everyone with the client in scope see it (and its addenda and
 * co-signatures); false takes it back (their workstations remove it at their next pull). `at` /
 * `by`: the last change and who made it (the author). See src/shared/notes/protection.ts.
 */
export const noteSharingSchema = z.object({ careTeam: z.boolean(), at: isoTime, by: uuid });
export type NoteSharing = z.output<typeof noteSharingSchema>;

/** A note as the server holds it: `content` is the template-shaped body (src/shared/notes). */
export const noteRecordSchema = z.object({
  authorId: uuid,
  status: z.enum(['draft', 'signed']),
  content: z.record(z.string(), z.unknown()),
  contentHash: sha256Hex.nullable().default(null),
  signedAt: isoTime.nullable().default(null),
  signedBy: uuid.nullable().default(null),
  /** Absent in data from before co-signatures: not required. */
  cosign: noteCosignSchema.default(NO_COSIGN),
  /**
   * The device that last saved this draft on the server, and when: a workstation opening the
   * draft says so when that was another device (changes made there may still be on their way).
   * Null for signed notes and in data from before it was recorded.
   */
  lastSaved: z.object({ deviceId: uuid, at: isoTime }).nullable().default(null),
  /** The author's sharing with the care team; null (and absent in older data): never shared. */
  sharing: noteSharingSchema.nullable().default(null),
  createdAt: isoTime,
  updatedAt: isoTime,
});

export const MAX_ADDENDUM_TEXT = 100_000;

/**
 * The body of an addendum: plain text, and optionally the rich-text document (tiptap JSON) it
 * was written in. Its content hash is `contentHash(body)` (src/shared/notes/canonical.ts).
 */
export const addendumBodySchema = z
  .object({
    text: z.string().max(MAX_ADDENDUM_TEXT),
    doc: richTextNodeSchema.optional(),
  })
  .strict();
export type AddendumBody = z.infer<typeof addendumBodySchema>;

/**
 * An addendum: its own entry linked to a signed note (`noteId`), signed on its own. Drafts of
 * addenda stay on the workstation; the server holds signed ones, and **proposals**: text the
 * server kept when a note was signed elsewhere first (a signature made offline after another
 * device signed, or a draft edit of a note that was signed meanwhile). A proposal is a draft
 * (`status: 'draft'`, `proposal: true`), pulled only by its author, who turns it into an
 * addendum (`note.addAddendum` with `proposalId`) or discards it (`record.delete`).
 * `proposedContent` is the note content exactly as written on that device; `body.text` its plain
 * text; `proposedFromSignature` the refused signature, when there was one.
 * `lateEntry`: signed more than 24 h after the session it amends.
 */
export const addendumRecordSchema = z.object({
  noteId: uuid,
  authorId: uuid,
  body: addendumBodySchema,
  status: z.enum(['draft', 'signed']),
  signedAt: isoTime.nullable().default(null),
  contentHash: sha256Hex.nullable().default(null),
  lateEntry: z.boolean().default(false),
  proposal: z.boolean().default(false),
  proposedFromSignature: z.object({ signedAt: isoTime, contentHash: sha256Hex }).nullable().default(null),
  proposedContent: z.record(z.string(), z.unknown()).nullable().default(null),
  createdAt: isoTime,
  updatedAt: isoTime,
});

/** A supervisor's co-signature of a signed note: over the note's content hash as they saw it. */
export const cosignatureRecordSchema = z.object({
  noteId: uuid,
  signerId: uuid,
  signedAt: isoTime,
  contentHash: sha256Hex,
  kind: z.literal('cosign'),
  createdAt: isoTime,
});

/**
 * A clinic's own note template (clinic-wide: client null), loaded by the server from its
 * templates file and delivered to every workstation. One record per template id and version;
 * versions are immutable (notes record the version they were written with). `active`: offered
 * for new notes (the version is in the server's current file); inactive versions stay so that
 * older notes still render. Validate `definition` with `validateTemplate` before use.
 */
export const templateRecordSchema = z.object({
  templateId: z.string().max(48),
  version: z.number().int().positive(),
  definition: templateDefinitionSchema,
  active: z.boolean(),
  publishedAt: isoTime,
});

export const MEASURE_INSTRUMENTS = ['PHQ9', 'GAD7', 'BAM', 'CRAVING'] as const;

/** One administration of a measure (append-only). `totalScore` is null where there is none (BAM). */
export const measureRecordSchema = z.object({
  instrument: z.enum(MEASURE_INSTRUMENTS),
  instrumentVersion: text(20),
  administeredAt: isoTime,
  administeredBy: uuid.nullable().default(null),
  source: z.enum(['clinician', 'client_app', 'import']),
  noteId: uuid.nullable().default(null),
  answers: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
  totalScore: z.number().int().nullable().default(null),
  subscores: z.record(z.string(), z.number()).nullable().default(null),
  band: optionalText(40),
  createdAt: isoTime,
});

export const checkinRecordSchema = z.object({
  submittedAt: isoTime,
  receivedAt: isoTime,
  mood: z.number().int().min(0).max(10).nullable().default(null),
  craving: z.number().int().min(0).max(10).nullable().default(null),
  sleepHours: z.number().min(0).max(24).nullable().default(null),
  medicationTaken: z.boolean().nullable().default(null),
  useSinceLast: z.boolean().nullable().default(null),
  comment: optionalText(2_000),
  reviewedAt: isoTime.nullable().default(null),
  reviewedBy: uuid.nullable().default(null),
});

export const medicationRecordSchema = z.object({
  name: text(200),
  category: z.enum(['moud', 'aud', 'psychiatric', 'other']),
  dose: optionalText(100),
  route: optionalText(60),
  frequency: optionalText(100),
  prescriber: optionalText(200),
  otpName: optionalText(200),
  pharmacy: z
    .object({ name: text(200), phone: text(40).optional(), delivers: z.boolean().optional() })
    .nullable()
    .default(null),
  startDate: isoDate.nullable().default(null),
  endDate: isoDate.nullable().default(null),
  refillDue: isoDate.nullable().default(null),
  pdmpCheckedAt: isoTime.nullable().default(null),
  pdmpState: optionalText(10),
  status: z.enum(['active', 'stopped', 'on_hold']),
  createdAt: isoTime,
  updatedAt: isoTime,
});

export const drugScreenRecordSchema = z.object({
  collectedAt: isoTime,
  specimen: z.enum(['urine', 'oral_fluid', 'blood', 'other']),
  observed: z.boolean().default(false),
  results: z.record(z.string().max(60), z.enum(['positive', 'negative', 'inconclusive', 'expected_positive'])),
  createdAt: isoTime,
});

const planList = z.array(text(500)).max(50);
export const relapsePreventionContentSchema = z.object({
  warningSigns: planList,
  triggers: planList,
  copingStrategies: planList,
  supports: planList,
  afterALapse: planList,
});
export const safetyPlanContentSchema = z.object({
  warningSigns: planList,
  internalCoping: planList,
  distractions: planList,
  peopleToAsk: planList,
  professionalsAndCrisisLines: planList,
  safeEnvironment: planList,
  whereKept: text(500).optional(),
  barriers: text(1_000).optional(),
});

/** A relapse-prevention plan or a Stanley–Brown safety plan (one version per record). */
export const planRecordSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('relapse_prevention'),
    version: z.number().int().positive(),
    status: z.enum(['draft', 'active', 'superseded']),
    content: relapsePreventionContentSchema,
    updatedBy: uuid.nullable().default(null),
    createdAt: isoTime,
    updatedAt: isoTime,
  }),
  z.object({
    kind: z.literal('safety'),
    version: z.number().int().positive(),
    status: z.enum(['draft', 'active', 'superseded']),
    content: safetyPlanContentSchema,
    reviewedAt: isoTime.nullable().default(null),
    updatedBy: uuid.nullable().default(null),
    createdAt: isoTime,
    updatedAt: isoTime,
  }),
]);

export const taskRecordSchema = z.object({
  assigneeId: uuid,
  kind: z.enum(['follow_up', 'outreach', 'cosign', 'notify_prescriber', 'plan_review', 'other']),
  title: text(300),
  dueAt: isoTime.nullable().default(null),
  status: z.enum(['open', 'done', 'cancelled']),
  completedAt: isoTime.nullable().default(null),
  createdAt: isoTime,
  updatedAt: isoTime,
});

/** The losing version of a concurrent draft edit, for its author to merge (pulled by the author only). */
export const conflictRecordSchema = z.object({
  entity: text(40),
  entityId: uuid,
  replicaId: text(64),
  baseVersion: z.number().int().nullable(),
  serverVersion: z.number().int(),
  content: z.record(z.string(), z.unknown()),
  createdAt: isoTime,
  resolvedAt: isoTime.nullable().default(null),
});

/**
 * Record types whose data shape is defined; the server emits only these. A `put` for any other
 * type is outside this protocol version and the workstation reports it without applying it.
 */
export const recordSchemas = {
  staff: staffRecordSchema,
  client: clientRecordSchema,
  emergencyContact: emergencyContactRecordSchema,
  careTeamMember: careTeamMemberRecordSchema,
  consent: consentRecordSchema,
  appointment: appointmentRecordSchema,
  note: noteRecordSchema,
  measure: measureRecordSchema,
  checkin: checkinRecordSchema,
  medication: medicationRecordSchema,
  drugScreen: drugScreenRecordSchema,
  plan: planRecordSchema,
  task: taskRecordSchema,
  conflict: conflictRecordSchema,
  addendum: addendumRecordSchema,
  cosignature: cosignatureRecordSchema,
  template: templateRecordSchema,
} as const satisfies Partial<Record<EntityType, z.ZodType>>;

export type RecordEntity = keyof typeof recordSchemas;
export type RecordData<E extends RecordEntity> = z.output<(typeof recordSchemas)[E]>;

export const isRecordEntity = (entity: string): entity is RecordEntity => Object.hasOwn(recordSchemas, entity);

/**
 * Record types that are not about one client (their change's `clientId` is null) and travel to
 * every workstation of the clinic: staff names and roles, so a care team can be shown.
 */
export const CLINIC_WIDE_ENTITIES: readonly EntityType[] = ['staff', 'template'];

/**
 * The order a workstation applies a page of changes in, so that references resolve: staff
 * before clients, clients before anything about them.
 */
export const APPLY_ORDER: readonly EntityType[] = [
  'staff',
  'template',
  'client',
  'emergencyContact',
  'careTeamMember',
  'consent',
  'appointment',
  'note',
  'addendum',
  'cosignature',
  'measure',
  'checkin',
  'medication',
  'drugScreen',
  'plan',
  'escalation',
  'escalationStep',
  'task',
  'conflict',
];
