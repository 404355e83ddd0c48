import { z } from 'zod';
import { MAX_NOTE_CONTENT_BYTES } from '../notes/content.js';

/**
 * The wire format of workstation ⇄ clinic-server sync (docs/sync-protocol.md explains the
 * semantics). Shared by the server, which validates every request with these schemas, and the
 * workstation's sync engine, which validates every answer.
 *
 * "Replica" is one workstation profile on one device (Replicache calls it a client; here
 * "client" always means a person in care).
 */
/**
 * The protocol version this workstation speaks. 2 (2026-11-23): a note's `content` in a pull
 * answer is the JSON text of the content object, not the object (`pulledNoteContent`), so the
 * workstation stores the text it received instead of serialising every note again. Everything
 * else is as in 1, which the server still answers (a note's content as an object).
 */
export const SYNC_PROTOCOL_VERSION = 2;
/** The versions a clinic server accepts: the current one and the one before it. */
export const SUPPORTED_SYNC_PROTOCOL_VERSIONS = [1, 2] as const;
export type SyncProtocolVersion = (typeof SUPPORTED_SYNC_PROTOCOL_VERSIONS)[number];
const protocolVersion = z.literal(SUPPORTED_SYNC_PROTOCOL_VERSIONS);

/** A JSON object (not an array, not null): what a record's data and a note's content are. */
const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * In protocol 2 a pulled note's `data.content` is the JSON text of its content object; in 1 the
 * object itself. Either way this gives the object and its JSON text, or null when the text is
 * not JSON of an object (the note is then an invalid record). The text is the one received, so
 * a workstation stores what the server holds without writing it out again.
 */
export function pulledNoteContent(content: unknown): { value: Record<string, unknown>; json: string } | null {
  if (typeof content !== 'string')
    return isJsonObject(content) ? { value: content, json: JSON.stringify(content) } : null;
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch {
    return null;
  }
  return isJsonObject(value) ? { value, json: content } : null;
}

const id = z.uuid();
const replicaId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);
const hlc = z.string().regex(/^[0-9a-z]{11}-[0-9a-z]{4}-[A-Za-z0-9_-]{1,64}$/);

/** What a workstation may ask the server to do. Each name has its own argument schema server-side. */
export const MUTATION_NAMES = [
  'note.saveDraft',
  'note.sign',
  'note.addAddendum',
  'note.cosign',
  'note.returnForRevision',
  'note.setSharing',
  'client.updateFields',
  'measure.record',
  'checkin.acknowledge',
  'escalation.start',
  'escalation.recordStep',
  'plan.save',
  'task.complete',
  'record.delete',
  'audit.append',
] as const;
export type MutationName = (typeof MUTATION_NAMES)[number];

export const mutationSchema = z
  .object({
    /** Strictly increasing per replica, starting at 1, never reused: the idempotency key. */
    mutationId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    name: z.enum(MUTATION_NAMES),
    /** The person in care the change is about (scope check); null for replica-level changes. */
    clientId: id.nullable(),
    args: z.record(z.string(), z.unknown()),
    /** When the clinician made the change, on the replica's hybrid logical clock. */
    hlc,
  })
  .strict();
export type Mutation = z.infer<typeof mutationSchema>;

export const MAX_MUTATIONS_PER_PUSH = 500;

/**
 * The largest push body the clinic server takes (other requests: 1 MiB, `bodyLimitBytes`): room
 * for one change carrying the largest note a workstation saves (`MAX_NOTE_CONTENT_BYTES`), which
 * the workstation then sends alone; it batches smaller changes into pushes of under 1 MB.
 */
export const MAX_PUSH_BODY_BYTES = 2 * MAX_NOTE_CONTENT_BYTES;

/**
 * The largest arguments one mutation may carry (their JSON, in UTF-8 bytes): what fits a push
 * body alone with room for the envelope. The workstation's outbox refuses a longer change when it
 * is made (CHANGE_TOO_LARGE), so no change can hold back the ones queued after it.
 */
export const MAX_MUTATION_ARGS_BYTES = MAX_PUSH_BODY_BYTES - 64 * 1024;

export const pushRequestSchema = z
  .object({
    protocolVersion,
    replicaId,
    mutations: z.array(mutationSchema).min(1).max(MAX_MUTATIONS_PER_PUSH),
  })
  .strict();
export type PushRequest = z.infer<typeof pushRequestSchema>;

/** Why a mutation was not applied. Stable codes: the workstation shows each one in words. */
export const REJECTION_CODES = [
  /** The arguments do not fit the mutation's schema. */
  'INVALID',
  /** The client is not in this clinician's scope (audited on the server). */
  'OUT_OF_SCOPE',
  /** The note is signed: it is never edited; corrections are addenda. */
  'SIGNED_NOTE_IMMUTABLE',
  /** The note was signed on another device first; this signature becomes an addendum proposal. */
  'ALREADY_SIGNED',
  /** A draft has one author; another clinician may not change it. */
  'NOT_AUTHOR',
  /** The replica's clock is ahead of the server's by more than the bound. */
  'CLOCK_SKEW',
  /** The record was deleted (tombstone) before this change arrived. */
  'DELETED',
  /** Only the author's supervisor may co-sign a note or return it for revision. */
  'NOT_SUPERVISOR',
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

export const mutationResultSchema = z.discriminatedUnion('status', [
  z.object({ mutationId: z.number().int().positive(), status: z.literal('applied') }),
  /**
   * Already applied by an earlier push (a replayed batch): nothing happened twice. A replayed
   * mutation that was refused or became a conflict is answered with that same `rejected` (code
   * and message) or `conflict` (conflict id) again, not `duplicate` (the server keeps those
   * outcomes for 90 days).
   */
  z.object({ mutationId: z.number().int().positive(), status: z.literal('duplicate') }),
  /** Concurrent edits of one draft: both versions are kept; the clinician resolves it. */
  z.object({ mutationId: z.number().int().positive(), status: z.literal('conflict'), conflictId: id }),
  z.object({
    mutationId: z.number().int().positive(),
    status: z.literal('rejected'),
    code: z.enum(REJECTION_CODES),
    message: z.string().max(500),
  }),
]);
export type MutationResult = z.infer<typeof mutationResultSchema>;

export const pushResponseSchema = z.object({
  /** The highest mutation id of this replica the server has processed (applied or rejected). */
  lastMutationId: z.number().int().nonnegative(),
  results: z.array(mutationResultSchema),
  /** The server's wall clock, so that the replica can measure and report its own drift. */
  serverTime: z.iso.datetime(),
});
export type PushResponse = z.infer<typeof pushResponseSchema>;

/** Record types that travel in pulls. */
export const ENTITY_TYPES = [
  'staff',
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
  'template',
  'conflict',
] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

/**
 * A record's data in a change: a JSON object. Only its shape is checked here; the workstation
 * validates it against the entity's record schema (src/shared/sync/records.ts) before writing
 * it. (A `z.record` would copy every key of tens of thousands of records in an initial sync: a
 * third of the answer's validation time.)
 */
const recordData = z.custom<Record<string, unknown>>(isJsonObject, { message: 'Expected an object' });

export const changeSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('put'),
    entity: z.enum(ENTITY_TYPES),
    id,
    clientId: id.nullable(),
    version: z.number().int().positive(),
    data: recordData,
  }),
  /** A tombstone: the record was deleted on the server. */
  z.object({
    op: z.literal('delete'),
    entity: z.enum(ENTITY_TYPES),
    id,
    clientId: id.nullable(),
    version: z.number().int().positive(),
  }),
  /** The client left this clinician's scope: remove everything about them from the device. */
  z.object({ op: z.literal('purgeClient'), clientId: id }),
]);
export type Change = z.infer<typeof changeSchema>;

export const MAX_PULL_PAGE = 1_000;

export const pullRequestSchema = z
  .object({
    /** 2 and later: notes' content arrives as JSON text (`pulledNoteContent`). */
    protocolVersion,
    replicaId,
    /** Opaque; null for a full pull. */
    cursor: z.string().max(200).nullable(),
    limit: z.number().int().min(1).max(MAX_PULL_PAGE).default(MAX_PULL_PAGE),
  })
  .strict();
export type PullRequest = z.input<typeof pullRequestSchema>;

export const pullResponseSchema = z.union([
  z.object({
    status: z.literal('ok'),
    changes: z.array(changeSchema),
    /** Pass back to continue; stable across retries of the same page. */
    cursor: z.string().max(200),
    hasMore: z.boolean(),
    /** Acknowledges this replica's mutations up to here: the outbox can drop them. */
    lastMutationId: z.number().int().nonnegative(),
  }),
  /**
   * The cursor is unknown or expired (or scope rules changed): pull again from null. The
   * outbox is kept and pushed again; mutation ids make that safe.
   */
  z.object({
    status: z.literal('resyncRequired'),
    reason: z.enum(['CURSOR_UNKNOWN', 'CURSOR_EXPIRED', 'SCOPE_CHANGED']),
  }),
]);
export type PullResponse = z.infer<typeof pullResponseSchema>;

/**
 * An `ok` pull answer repeats its `cursor` and `hasMore` in these headers, so the workstation can
 * ask for the next page when the headers arrive, before reading this one's body. Optional: a
 * workstation waits for the body when they are missing, and checks they agree with it.
 */
export const PULL_CURSOR_HEADER = 'continuum-pull-cursor';
export const PULL_HAS_MORE_HEADER = 'continuum-pull-has-more';

/** Server-sent events on GET /sync/events. */
export const pokeSchema = z.discriminatedUnion('type', [
  /** Something in this user's scope changed: pull now. */
  z.object({ type: z.literal('poke') }),
  /** This device was revoked: erase the local cache. */
  z.object({ type: z.literal('deviceRevoked') }),
]);
export type Poke = z.infer<typeof pokeSchema>;
