import { z } from 'zod';
import type { MutationName } from './protocol.js';
import { addendumBodySchema, clientProfilePatchSchema, measureRecordSchema, planRecordSchema } from './records.js';

/**
 * Argument schemas of the mutations the clinic server applies so far (the envelope is
 * `mutationSchema` in protocol.ts). The workstation builds its outbox entries with these and
 * the server validates each mutation's `args` with them: a mismatch is `rejected: INVALID`.
 */
const id = z.uuid();

/** A note's body as the workstation's template produced it (opaque to the server). */
export const noteContentSchema = z.record(z.string(), z.unknown());

export const saveDraftArgsSchema = z
  .object({
    noteId: id,
    content: noteContentSchema,
    /** The server version this edit was based on; null for a new draft. */
    baseVersion: z.number().int().positive().nullable(),
    /**
     * The author's merge of a conflicted draft: the conflicts (ids of `conflict` records) this
     * text settles. The server marks them resolved, so every device of the author sees it.
     */
    resolvesConflicts: z.array(id).max(50).optional(),
  })
  .strict();
export type SaveDraftArgs = z.infer<typeof saveDraftArgsSchema>;

const contentHashSchema = z.string().regex(/^[0-9a-f]{64}$/);

export const signNoteArgsSchema = z
  .object({
    noteId: id,
    /** SHA-256 (hex) of the signed content, as computed by the workstation. */
    contentHash: contentHashSchema,
    signedAt: z.iso.datetime(),
    /**
     * The content that was signed (its `contentHash` must be `contentHash`). Optional, and
     * recommended: when the note was signed elsewhere first, the server keeps this text as an
     * addendum proposal for the signer (`ALREADY_SIGNED`), so an offline signature is never lost.
     */
    content: noteContentSchema.optional(),
  })
  .strict();
export type SignNoteArgs = z.infer<typeof signNoteArgsSchema>;

/** An addendum's body as pushed: some text is required. */
const pushedAddendumBodySchema = addendumBodySchema.refine(
  (body) => body.text.trim() !== '',
  'An addendum needs text.',
);

/**
 * A signed addendum to a signed note (drafts of addenda stay on the workstation). `contentHash`
 * is `contentHash(body)`; the id is the workstation's, so a replay changes nothing. `proposalId`:
 * the addendum proposal this addendum settles (the proposal is then removed).
 */
export const addAddendumArgsSchema = z
  .object({
    addendumId: id,
    noteId: id,
    body: pushedAddendumBodySchema,
    signedAt: z.iso.datetime(),
    contentHash: contentHashSchema,
    proposalId: id.optional(),
  })
  .strict();
export type AddAddendumArgs = z.infer<typeof addAddendumArgsSchema>;

/**
 * A supervisor's co-signature over the note as they saw it (`contentHash` must be the signed
 * note's). `cosignatureId`: the workstation's id for the co-signature record (default: derived
 * from the note and the signer, so a replay from another device is the same record).
 */
export const cosignNoteArgsSchema = z
  .object({
    noteId: id,
    contentHash: contentHashSchema,
    signedAt: z.iso.datetime(),
    cosignatureId: id.optional(),
  })
  .strict();
export type CosignNoteArgs = z.infer<typeof cosignNoteArgsSchema>;

export const MAX_RETURN_COMMENT = 2_000;

/** The supervisor returns a signed note to its author with a comment (answered with an addendum). */
export const returnForRevisionArgsSchema = z
  .object({
    noteId: id,
    comment: z
      .string()
      .max(MAX_RETURN_COMMENT)
      .refine((comment) => comment.trim() !== '', 'A comment is required.'),
    /** When the supervisor returned it (default: when the server received it). */
    returnedAt: z.iso.datetime().optional(),
  })
  .strict();
export type ReturnForRevisionArgs = z.infer<typeof returnForRevisionArgsSchema>;

/**
 * The author shares a protected note (SUD counseling / psychotherapy) with the client's care
 * team, or takes the sharing back (`sharedWithCareTeam: false`: the care team's workstations
 * remove the note at their next pull). Author only; any note of theirs, draft or signed (the
 * sharing is not part of the signed content). `at`: when the author decided (default: when the
 * server received it).
 */
export const setNoteSharingArgsSchema = z
  .object({
    noteId: id,
    sharedWithCareTeam: z.boolean(),
    at: z.iso.datetime().optional(),
  })
  .strict();
export type SetNoteSharingArgs = z.infer<typeof setNoteSharingArgsSchema>;

export const MAX_AUDIT_ENTRIES_PER_MUTATION = 200;

export const auditAppendArgsSchema = z
  .object({
    entries: z
      .array(
        z
          .object({
            /** `area.action` code, e.g. `chart.opened`: never free text. */
            action: z
              .string()
              .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){1,3}$/)
              .max(100),
            recordType: z
              .string()
              .regex(/^[a-zA-Z]{1,40}$/)
              .optional(),
            recordId: id.optional(),
            at: z.iso.datetime(),
          })
          .strict(),
      )
      .min(1)
      .max(MAX_AUDIT_ENTRIES_PER_MUTATION),
  })
  .strict();
export type AuditAppendArgs = z.infer<typeof auditAppendArgsSchema>;

/**
 * Profile-like fields of a client, merged per field on the server: each field keeps the value
 * with the newest hybrid logical clock (the mutation's `hlc`), so two devices changing
 * different fields offline both win, and the same field resolves the same way everywhere.
 */
export const updateClientFieldsArgsSchema = z
  .object({
    fields: clientProfilePatchSchema.refine((fields) => Object.keys(fields).length > 0, 'No field to change.'),
  })
  .strict();
export type UpdateClientFieldsArgs = z.infer<typeof updateClientFieldsArgsSchema>;

/** Append-only: a new administration of a measure, with the id the workstation gave it. */
export const recordMeasureArgsSchema = z
  .object({ id, measure: measureRecordSchema.omit({ createdAt: true }) })
  .strict();
export type RecordMeasureArgs = z.infer<typeof recordMeasureArgsSchema>;

export const acknowledgeCheckinArgsSchema = z.object({ checkinId: id, reviewedAt: z.iso.datetime() }).strict();
export type AcknowledgeCheckinArgs = z.infer<typeof acknowledgeCheckinArgsSchema>;

export const completeTaskArgsSchema = z.object({ taskId: id, completedAt: z.iso.datetime() }).strict();
export type CompleteTaskArgs = z.infer<typeof completeTaskArgsSchema>;

/** A new version of a plan (plans are versioned: a save never overwrites an earlier version). */
export const savePlanArgsSchema = z.object({ id, plan: planRecordSchema }).strict();
export type SavePlanArgs = z.infer<typeof savePlanArgsSchema>;

/**
 * Deletes become tombstones that every replica pulls. Only records a clinician may delete:
 * a draft note (a signed one is `SIGNED_NOTE_IMMUTABLE`), an emergency contact, a task, and
 * one's own addendum proposal (a signed addendum is `SIGNED_NOTE_IMMUTABLE`).
 */
export const DELETABLE_ENTITIES = ['note', 'emergencyContact', 'task', 'addendum'] as const;
export const deleteRecordArgsSchema = z.object({ entity: z.enum(DELETABLE_ENTITIES), id }).strict();
export type DeleteRecordArgs = z.infer<typeof deleteRecordArgsSchema>;

export const mutationArgsSchemas = {
  'note.saveDraft': saveDraftArgsSchema,
  'note.sign': signNoteArgsSchema,
  'note.addAddendum': addAddendumArgsSchema,
  'note.cosign': cosignNoteArgsSchema,
  'note.returnForRevision': returnForRevisionArgsSchema,
  'note.setSharing': setNoteSharingArgsSchema,
  'audit.append': auditAppendArgsSchema,
  'client.updateFields': updateClientFieldsArgsSchema,
  'measure.record': recordMeasureArgsSchema,
  'checkin.acknowledge': acknowledgeCheckinArgsSchema,
  'task.complete': completeTaskArgsSchema,
  'plan.save': savePlanArgsSchema,
  'record.delete': deleteRecordArgsSchema,
} as const satisfies Partial<Record<MutationName, z.ZodType>>;

export type SupportedMutationName = keyof typeof mutationArgsSchemas;

export const isSupportedMutation = (name: MutationName): name is SupportedMutationName =>
  Object.hasOwn(mutationArgsSchemas, name);
