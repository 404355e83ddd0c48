import { z } from 'zod';
import { caseloadListSchema, clientOverviewSchema } from '../caseload/caseload';
import {
  addAddendumInputSchema,
  cosignInputSchema,
  createDraftInputSchema,
  discardAddendumDraftInputSchema,
  discardProposalInputSchema,
  exportPdfResultSchema,
  listNotesInputSchema,
  noteDetailSchema,
  noteIdInputSchema,
  noteSearchResultSchema,
  noteSummarySchema,
  noteTemplatesSchema,
  resolveConflictInputSchema,
  returnNoteInputSchema,
  setNoteSharingInputSchema,
  savedAddendumDraftSchema,
  savedDraftSchema,
  saveAddendumDraftInputSchema,
  saveDraftInputSchema,
  searchNotesInputSchema,
  signNoteInputSchema,
} from '../notes/rpc';
import { sessionStatusSchema, signInInputSchema } from '../session/session';
import { preferencesPatchSchema, preferencesSchema } from '../settings/preferences';
import { syncDetailsSchema } from '../sync/details';
import { syncStatusSchema } from '../sync/status';
import { systemInfoSchema } from '../system/info';
import { passphraseInput, vaultStatusSchema } from '../vault/status';

/**
 * The RPC contract between the renderer and the core: every method with its input and output
 * schema, every event with its payload schema. Both ends validate against it: the core checks
 * inputs (and, in development, its own outputs); the renderer checks what comes back.
 *
 * Naming: `area.action` for methods, `area.somethingHappened` for events.
 */
export interface MethodDefinition<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  /** How long the renderer waits before giving up with TIMEOUT. */
  timeoutMs?: number;
  /**
   * `always`: usable on the lock screen (no client data). `unlocked` (the default for anything
   * that touches the caseload): refused with LOCKED while the vault is locked.
   */
  access: 'always' | 'unlocked';
}

const method = <I extends z.ZodType, O extends z.ZodType>(
  def: Omit<MethodDefinition<I, O>, 'access'> & { access?: MethodDefinition['access'] },
): MethodDefinition<I, O> => ({ ...def, access: def.access ?? 'unlocked' });

const empty = z.object({}).strict();

export const methods = {
  /** Round trip through every layer; echoes the message back with the time the core saw it. */
  'system.ping': method({
    input: z.object({ message: z.string().max(1000) }).strict(),
    output: z.object({ message: z.string(), receivedAt: z.iso.datetime() }),
    access: 'always',
  }),
  'system.info': method({ input: empty, output: systemInfoSchema, access: 'always' }),

  'settings.get': method({ input: empty, output: preferencesSchema, access: 'always' }),
  'settings.update': method({ input: preferencesPatchSchema, output: preferencesSchema, access: 'always' }),

  'sync.status': method({ input: empty, output: syncStatusSchema, access: 'always' }),
  /** Sync now (after the clinician asks, or coming back online); answers when the round ends. */
  'sync.now': method({ input: empty, output: syncStatusSchema, timeoutMs: 120_000 }),
  'sync.details': method({ input: empty, output: syncDetailsSchema }),
  /** The clinician has read a rejected change: remove it from the panel (it stays in the audit). */
  'sync.dismissRejected': method({
    input: z.object({ mutationId: z.number().int().positive() }).strict(),
    output: syncDetailsSchema,
  }),

  /** The clinician has read that the clinic server was restored: remove the notice (audited). */
  'sync.dismissServerRestored': method({ input: empty, output: syncDetailsSchema }),

  /** Who is signed in to the clinic server on this workstation (no client data). */
  'session.status': method({ input: empty, output: sessionStatusSchema, access: 'always' }),
  /**
   * Sign in to the clinic server. On first run this comes before the passphrase exists: the
   * session is held in memory and saved into the encrypted cache by `vault.create`.
   */
  'session.signIn': method({
    input: signInInputSchema,
    output: sessionStatusSchema,
    access: 'always',
    timeoutMs: 30_000,
  }),
  'session.signOut': method({ input: empty, output: sessionStatusSchema }),

  /** The clinician's clients with what the caseload shows (risk, next appointment, trends, alerts). */
  'caseload.list': method({ input: empty, output: caseloadListSchema }),
  /** One client's overview; opening it is an audited access to the chart. */
  'client.overview': method({ input: z.object({ clientId: z.uuid() }).strict(), output: clientOverviewSchema }),

  /** Notes (src/core/notes): templates, drafts with autosave, sign, addenda, co-signature, search, PDF. */
  'notes.templates': method({ input: empty, output: noteTemplatesSchema }),
  'notes.list': method({ input: listNotesInputSchema, output: z.object({ notes: z.array(noteSummarySchema) }) }),
  'notes.get': method({ input: noteIdInputSchema, output: noteDetailSchema }),
  'notes.createDraft': method({ input: createDraftInputSchema, output: noteDetailSchema }),
  /** Autosave: returns once the text is on disk (encrypted). NOTE_LOCKED for a signed note. */
  'notes.saveDraft': method({ input: saveDraftInputSchema, output: savedDraftSchema }),
  /** NOTE_INCOMPLETE when something the template requires is missing; WRONG_PASSPHRASE. */
  'notes.sign': method({ input: signNoteInputSchema, output: noteDetailSchema }),
  'notes.addAddendum': method({ input: addAddendumInputSchema, output: noteDetailSchema }),
  /** Autosave of an addendum being written (this workstation only, until signed). */
  'notes.saveAddendumDraft': method({ input: saveAddendumDraftInputSchema, output: savedAddendumDraftSchema }),
  'notes.discardAddendumDraft': method({ input: discardAddendumDraftInputSchema, output: noteDetailSchema }),
  'notes.discardProposal': method({ input: discardProposalInputSchema, output: noteDetailSchema }),
  /** Supervisor: the notes waiting for their co-signature. */
  'notes.cosignQueue': method({ input: empty, output: z.object({ notes: z.array(noteSummarySchema) }) }),
  'notes.cosign': method({ input: cosignInputSchema, output: noteDetailSchema }),
  'notes.returnForRevision': method({ input: returnNoteInputSchema, output: noteDetailSchema }),
  /** The author shares a protected note with the care team, or takes it back (audited). */
  'notes.setSharing': method({ input: setNoteSharingInputSchema, output: noteDetailSchema }),
  /** The clinician's merge of a conflicted draft becomes the draft (both texts were kept until now). */
  'notes.resolveConflict': method({ input: resolveConflictInputSchema, output: noteDetailSchema }),
  'notes.search': method({ input: searchNotesInputSchema, output: noteSearchResultSchema }),
  /** Print / PDF of one note with its signature block and content hash (audited). */
  'notes.exportPdf': method({ input: noteIdInputSchema, output: exportPdfResultSchema, timeoutMs: 60_000 }),

  'vault.status': method({ input: empty, output: vaultStatusSchema, access: 'always' }),
  /** First run: create the workstation passphrase (and the encrypted cache). */
  'vault.create': method({
    input: z.object({ passphrase: passphraseInput }).strict(),
    output: vaultStatusSchema,
    access: 'always',
    timeoutMs: 60_000,
  }),
  'vault.unlock': method({
    input: z.object({ passphrase: passphraseInput }).strict(),
    output: vaultStatusSchema,
    access: 'always',
    timeoutMs: 60_000,
  }),
  'vault.lock': method({ input: empty, output: vaultStatusSchema, access: 'always' }),
  'vault.changePassphrase': method({
    input: z.object({ current: passphraseInput, next: passphraseInput }).strict(),
    output: vaultStatusSchema,
    timeoutMs: 60_000,
  }),
  /**
   * "Forgot passphrase": erase the local cache so it can be re-synced. The caller repeats the
   * number of unsynced changes it showed the clinician; if that number changed, nothing happens.
   */
  'vault.erase': method({
    input: z.object({ acknowledgedUnsyncedChanges: z.number().int().nonnegative() }).strict(),
    output: vaultStatusSchema,
    access: 'always',
  }),
  /** The clinician is active in this window (keyboard or pointer); defers auto-lock. */
  'session.activity': method({ input: empty, output: z.object({ ok: z.literal(true) }), access: 'always' }),
} as const;

export const events = {
  'settings.changed': preferencesSchema,
  'sync.statusChanged': syncStatusSchema,
  /** Records arrived from the server (pull applied): refresh what shows them. */
  'sync.dataChanged': z.object({ clientIds: z.array(z.string()), all: z.boolean() }),
  'session.changed': sessionStatusSchema,
  'vault.stateChanged': vaultStatusSchema,
  /** The workstation is about to lock: flush anything typed but not yet saved, now. */
  'vault.locking': z.object({ reason: z.enum(['manual', 'idle', 'shutdown']), graceMs: z.number().int() }),
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type MethodInput<M extends MethodName> = z.input<Methods[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Methods[M]['output']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export function isMethodName(value: string): value is MethodName {
  return Object.prototype.hasOwnProperty.call(methods, value);
}

export function isEventName(value: string): value is EventName {
  return Object.prototype.hasOwnProperty.call(events, value);
}

export const DEFAULT_TIMEOUT_MS = 30_000;
