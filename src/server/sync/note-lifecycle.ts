import { and, eq, isNull, sql } from 'drizzle-orm';
import { canonicalize, contentHash } from '../../shared/notes/canonical.js';
import { fieldValueSchema, richTextPlain } from '../../shared/notes/content.js';
import type {
  AddAddendumArgs,
  CosignNoteArgs,
  ReturnForRevisionArgs,
  SignNoteArgs,
} from '../../shared/sync/mutations.js';
import { MAX_ADDENDUM_TEXT, NO_COSIGN, type NoteCosign, type RecordData } from '../../shared/sync/records.js';
import { changes, notes, records, users } from '../db/schema.js';
import { derivedUuid } from '../records/ids.js';
import { putRecord, readRecord, tombstoneRecord, type RecordRow } from '../records/store.js';
import { audienceOf, canSeeNote, recordWithdrawals } from './note-visibility.js';
import { applied, reject, rejectKeeping, type ApplyContext, type Outcome } from './outcome.js';

/**
 * The lifecycle of a note after its signature (docs/sync-protocol.md, conflict policy): addenda,
 * addendum proposals (the text of a signature or an edit that arrived after the note was signed
 * elsewhere), co-signatures and returns for revision. A signed note's content, hash, signer and
 * time never change; what changes is its co-sign state, and records linked to it.
 *
 * Note text is PHI: messages and audit entries carry codes and ids only.
 */

type NoteRow = typeof notes.$inferSelect;
type AddendumData = RecordData<'addendum'>;

/** A signature more than this long after the session is a late entry. */
export const LATE_ENTRY_MS = 24 * 60 * 60 * 1000;

/** Milliseconds to add to UTC to get the wall time in `timeZone` at `ms`. */
function zoneOffsetMs(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(ms));
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return wall - Math.floor(ms / 1000) * 1000;
}

/**
 * When the session a note documents ended: its encounter date and end time (else start time,
 * else the end of that day) in the encounter's time zone (UTC when absent or unknown); null
 * when the content has no encounter date.
 */
export function sessionEndOf(content: unknown): Date | null {
  const encounter = (content as { encounter?: unknown } | null)?.encounter;
  if (typeof encounter !== 'object' || encounter === null) return null;
  const { date, startTime, endTime, timeZone } = encounter as Record<string, unknown>;
  if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return null;
  const time = [endTime, startTime].find((t): t is string => typeof t === 'string' && /^\d{2}:\d{2}$/.test(t));
  const [hours, minutes] = (time ?? '23:59').split(':').map(Number);
  const [year, month, day] = date.split('-').map(Number);
  const wallAsUtc = Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1, hours ?? 0, minutes ?? 0);
  if (!Number.isFinite(wallAsUtc)) return null;
  let offset = 0;
  if (typeof timeZone === 'string' && timeZone !== '') {
    try {
      offset = zoneOffsetMs(wallAsUtc, timeZone);
      offset = zoneOffsetMs(wallAsUtc - offset, timeZone);
    } catch {
      offset = 0;
    }
  }
  return new Date(wallAsUtc - offset);
}

/** Whether something signed at `signedAt` about `note` is a late entry (> 24 h after the session). */
export function isLateEntry(signedAt: Date, note: Pick<NoteRow, 'content' | 'signedAt' | 'createdAt'>): boolean {
  const reference = sessionEndOf(note.content) ?? note.signedAt ?? note.createdAt;
  return signedAt.getTime() - reference.getTime() > LATE_ENTRY_MS;
}

/**
 * The plain text of note content, for an addendum proposal's body: the narrative and text
 * fields of the shared and member sections, in template order; for content of another shape,
 * every string in it. The exact content travels beside it (`proposedContent`).
 */
export function plainTextOf(content: unknown): string {
  const out: string[] = [];
  const sectionsText = (sections: unknown) => {
    if (typeof sections !== 'object' || sections === null) return;
    for (const fields of Object.values(sections)) {
      if (typeof fields !== 'object' || fields === null) continue;
      for (const raw of Object.values(fields)) {
        const value = fieldValueSchema.safeParse(raw);
        if (!value.success) continue;
        if (value.data.type === 'richText') out.push(richTextPlain(value.data.doc));
        else if (value.data.type === 'text') out.push(value.data.value);
      }
    }
  };
  const record = content as { sections?: unknown; members?: unknown } | null;
  if (typeof record === 'object' && record !== null && 'sections' in record) {
    sectionsText(record.sections);
    if (typeof record.members === 'object' && record.members !== null)
      for (const member of Object.values(record.members)) sectionsText((member as { sections?: unknown }).sections);
  } else {
    const strings = (value: unknown) => {
      if (typeof value === 'string') out.push(value);
      else if (Array.isArray(value)) value.forEach(strings);
      else if (typeof value === 'object' && value !== null) Object.values(value).forEach(strings);
    };
    strings(content);
  }
  return out
    .filter((text) => text.trim() !== '')
    .join('\n\n')
    .slice(0, MAX_ADDENDUM_TEXT);
}

/** The note, locked; or the refusal when it is not this client's or was deleted. */
async function lockedNote(
  ctx: ApplyContext,
  noteId: string,
  clientId: string,
  ids: string[],
): Promise<{ note: NoteRow } | { outcome: Outcome }> {
  const [note] = await ctx.tx.select().from(notes).where(eq(notes.id, noteId)).for('update');
  const ref = { type: 'note', ids };
  if (!note || note.clientId !== clientId) {
    return { outcome: reject('INVALID', 'There is no such note for this client.', ref) };
  }
  if (note.deletedAt !== null) return { outcome: reject('DELETED', 'The note was deleted.', ref) };
  return { note };
}

/** Write a note's co-sign state: version + 1 and a `put` change, in the push transaction. */
async function writeCosign(ctx: ApplyContext, note: NoteRow, cosign: NoteCosign): Promise<void> {
  const version = note.version + 1;
  await ctx.tx
    .update(notes)
    .set({ cosign, version, lastReplicaId: ctx.replicaId, updatedAt: ctx.now })
    .where(eq(notes.id, note.id));
  await ctx.tx
    .insert(changes)
    .values({ entity: 'note', entityId: note.id, clientId: note.clientId, version, op: 'put', at: ctx.now });
}

/** The co-sign state a newly signed note enters: pending when its author needs supervision. */
export async function cosignOnSigning(ctx: ApplyContext, authorId: string): Promise<NoteCosign | null> {
  const [author] = await ctx.tx
    .select({ requiresCosign: users.requiresCosign })
    .from(users)
    .where(eq(users.id, authorId));
  return author?.requiresCosign ? { required: true, status: 'pending', by: null, at: null, comment: null } : null;
}

/** Whether an id is taken by any note or record. */
async function idInUse(ctx: ApplyContext, id: string): Promise<boolean> {
  if (await readRecord(ctx.tx, id)) return true;
  const [note] = await ctx.tx.select({ id: notes.id }).from(notes).where(eq(notes.id, id));
  return note !== undefined;
}

/** The live addendum proposals of `authorId` for `noteId`, locked. */
async function proposalsOf(ctx: ApplyContext, note: NoteRow, authorId: string): Promise<RecordRow[]> {
  return ctx.tx
    .select()
    .from(records)
    .where(
      and(
        eq(records.clientId, note.clientId),
        eq(records.entity, 'addendum'),
        isNull(records.deletedAt),
        sql`${records.data}->>'noteId' = ${note.id}`,
        sql`${records.data}->>'authorId' = ${authorId}`,
        sql`(${records.data}->>'proposal')::boolean`,
      ),
    )
    .orderBy(records.id)
    .for('update');
}

const proposalContentOf = (row: RecordRow) => (row.data as AddendumData).proposedContent;

/**
 * Keep `content` (what the caller wrote or signed for a note that was signed elsewhere first) as
 * an addendum proposal of theirs; returns its id. The same text again finds the same proposal
 * (a signature is attached to it); a newer draft text from the same replica replaces that
 * replica's earlier draft text (drafts evolve); a signed text is never replaced.
 */
async function keepProposal(
  ctx: ApplyContext,
  note: NoteRow,
  content: Record<string, unknown>,
  fromSignature: { signedAt: string; contentHash: string } | null,
): Promise<string> {
  const write = async (id: string, existing: AddendumData | null) => {
    const data: AddendumData = {
      noteId: note.id,
      authorId: ctx.principal.id,
      body: { text: plainTextOf(content) },
      status: 'draft',
      signedAt: null,
      contentHash: null,
      lateEntry: false,
      proposal: true,
      proposedFromSignature: fromSignature ?? existing?.proposedFromSignature ?? null,
      proposedContent: content,
      createdAt: existing?.createdAt ?? ctx.now.toISOString(),
      updatedAt: ctx.now.toISOString(),
    };
    const unchanged =
      existing !== null &&
      canonicalize(existing.proposedContent) === canonicalize(content) &&
      canonicalize(existing.proposedFromSignature) === canonicalize(data.proposedFromSignature);
    if (!unchanged) await putRecord(ctx.tx, { entity: 'addendum', id, clientId: note.clientId, data, now: ctx.now });
    return id;
  };
  const text = canonicalize(content);
  const live = await proposalsOf(ctx, note, ctx.principal.id);
  const same = live.find((row) => canonicalize(proposalContentOf(row)) === text);
  if (same) return write(same.id, same.data as AddendumData);
  for (let n = 0; n < 1_000; n += 1) {
    const id = derivedUuid(`addendum-proposal:${note.id}:${ctx.replicaId}:${n}`);
    const row = await readRecord(ctx.tx, id, { forUpdate: true });
    if (!row) {
      if (await idInUse(ctx, id)) continue;
      return write(id, null);
    }
    if (row.deletedAt !== null || row.entity !== 'addendum') continue;
    const data = row.data as AddendumData;
    // This replica's draft text, superseded by its newer text; a signed text stays as it is.
    if (data.proposal && data.noteId === note.id && data.proposedFromSignature === null) return write(id, data);
  }
  throw new Error('keepProposal: no free proposal id');
}

/**
 * `note.saveDraft` on a signed note: refused (`SIGNED_NOTE_IMMUTABLE`), but the author's text
 * is kept as an addendum proposal when it differs from what was signed, so an edit made on a
 * device that had not heard of the signature is never lost.
 */
export async function refuseDraftOfSignedNote(
  ctx: ApplyContext,
  note: NoteRow,
  content: Record<string, unknown>,
): Promise<Outcome> {
  if (canonicalize(content) === canonicalize(note.content)) {
    return reject('SIGNED_NOTE_IMMUTABLE', 'The note is signed; add an addendum instead.', {
      type: 'note',
      ids: [note.id],
    });
  }
  const proposalId = await keepProposal(ctx, note, content, null);
  return rejectKeeping(
    'SIGNED_NOTE_IMMUTABLE',
    'The note is signed; this edit was kept as an addendum proposal for you to review.',
    { type: 'note', ids: [note.id, proposalId] },
  );
}

/**
 * `note.sign` on a note that is already signed (on another device, or by someone else, first):
 * refused with `ALREADY_SIGNED`, and the text of this signature is kept as an addendum proposal
 * of the signer's (from the mutation's `content`, else from a proposal of theirs with that hash,
 * e.g. the refused edit pushed just before). The same text as the signed note: nothing to keep.
 */
export async function refuseSecondSignature(ctx: ApplyContext, note: NoteRow, args: SignNoteArgs): Promise<Outcome> {
  const ref = { type: 'note', ids: [note.id] };
  if (args.content !== undefined && contentHash(args.content) !== args.contentHash) {
    return reject('INVALID', 'The content hash does not match the content sent with the signature.', ref);
  }
  if (args.contentHash === note.contentHash) {
    return reject('ALREADY_SIGNED', 'The note was already signed, with the same text: nothing was lost.', ref);
  }
  let content = args.content ?? null;
  if (content === null) {
    const mine = await proposalsOf(ctx, note, ctx.principal.id);
    content =
      mine.map(proposalContentOf).find((proposed) => proposed !== null && contentHash(proposed) === args.contentHash) ??
      null;
  }
  if (content === null) {
    return reject(
      'ALREADY_SIGNED',
      'The note was signed on another device first. The signed text did not reach the server: add it as an addendum from this device.',
      ref,
    );
  }
  const proposalId = await keepProposal(ctx, note, content, {
    signedAt: args.signedAt,
    contentHash: args.contentHash,
  });
  return rejectKeeping(
    'ALREADY_SIGNED',
    'The note was signed on another device first; your signed text was kept as an addendum proposal for you to review.',
    { type: 'note', ids: [note.id, proposalId] },
  );
}

/**
 * A signed addendum to a signed note, by any clinician with the client in scope. Its hash is
 * checked against its body; the workstation's id makes a replay a no-op. Settles the author's
 * proposal it names; an addendum by the author to a note returned for revision puts the note
 * back in the co-sign queue.
 */
export async function addAddendum(ctx: ApplyContext, clientId: string, args: AddAddendumArgs): Promise<Outcome> {
  const ids = [args.addendumId, args.noteId];
  const ref = { type: 'addendum', ids };
  const found = await lockedNote(ctx, args.noteId, clientId, ids);
  if ('outcome' in found) return found.outcome;
  const { note } = found;
  // A protected note the caller may not see does not exist for them (the same answer as no note).
  if (!(await canSeeNote(ctx.tx, note, ctx.principal.id))) {
    return reject('INVALID', 'There is no such note for this client.', ref);
  }
  if (note.status !== 'signed') {
    return reject('INVALID', 'An addendum amends a signed note; this note is a draft: edit the draft instead.', ref);
  }
  if (contentHash(args.body) !== args.contentHash) {
    return reject('INVALID', 'The content hash does not match the addendum body.', ref);
  }
  const existing = await readRecord(ctx.tx, args.addendumId, { forUpdate: true });
  if (existing) {
    const data = existing.data as AddendumData;
    const replay =
      existing.entity === 'addendum' &&
      existing.clientId === clientId &&
      data.noteId === note.id &&
      data.authorId === ctx.principal.id &&
      data.status === 'signed' &&
      data.contentHash === args.contentHash;
    return replay ? applied(false, ref) : reject('INVALID', `The id ${args.addendumId} is already in use.`, ref);
  }
  if (await idInUse(ctx, args.addendumId)) {
    return reject('INVALID', `The id ${args.addendumId} is already in use.`, ref);
  }
  if (args.proposalId !== undefined) {
    const proposal = await readRecord(ctx.tx, args.proposalId, { forUpdate: true });
    const data = proposal?.data as AddendumData | undefined;
    if (
      !proposal ||
      !data ||
      proposal.entity !== 'addendum' ||
      proposal.clientId !== clientId ||
      !data.proposal ||
      data.noteId !== note.id ||
      data.authorId !== ctx.principal.id
    ) {
      return reject('INVALID', 'There is no such addendum proposal of yours for this note.', {
        type: 'addendum',
        ids: [...ids, args.proposalId],
      });
    }
    if (proposal.deletedAt === null) {
      await tombstoneRecord(ctx.tx, { entity: 'addendum', id: proposal.id, clientId, now: ctx.now });
    }
    ids.push(args.proposalId);
  }
  const signedAt = new Date(args.signedAt);
  await putRecord(ctx.tx, {
    entity: 'addendum',
    id: args.addendumId,
    clientId,
    data: {
      noteId: note.id,
      authorId: ctx.principal.id,
      body: args.body,
      status: 'signed',
      signedAt: args.signedAt,
      contentHash: args.contentHash,
      lateEntry: isLateEntry(signedAt, note),
      proposal: false,
      proposedFromSignature: null,
      proposedContent: null,
      createdAt: ctx.now.toISOString(),
      updatedAt: ctx.now.toISOString(),
    } satisfies AddendumData,
    now: ctx.now,
  });
  const cosign = note.cosign ?? NO_COSIGN;
  if (cosign.status === 'returned' && note.authorId === ctx.principal.id) {
    await writeCosign(ctx, note, { ...cosign, status: 'pending' });
  }
  return applied(true, ref);
}

/** The note to co-sign or return, with the checks both share: signed, the caller supervises its author, required. */
async function supervisedNote(
  ctx: ApplyContext,
  clientId: string,
  noteId: string,
  ids: string[],
): Promise<{ note: NoteRow; cosign: NoteCosign } | { outcome: Outcome }> {
  const found = await lockedNote(ctx, noteId, clientId, ids);
  if ('outcome' in found) return found;
  const { note } = found;
  const ref = { type: 'note', ids };
  const [author] = await ctx.tx
    .select({ supervisorId: users.supervisorId })
    .from(users)
    .where(eq(users.id, note.authorId));
  const supervises = author?.supervisorId === ctx.principal.id;
  // A protected note someone else may not see does not exist for them (the same answer as no note).
  if (!supervises && !(await canSeeNote(ctx.tx, note, ctx.principal.id))) {
    return { outcome: reject('INVALID', 'There is no such note for this client.', ref) };
  }
  if (note.status !== 'signed') {
    return { outcome: reject('INVALID', 'The note is a draft; only a signed note is co-signed or returned.', ref) };
  }
  if (!supervises) {
    return { outcome: reject('NOT_SUPERVISOR', "Only the author's supervisor may co-sign or return this note.", ref) };
  }
  const cosign = note.cosign ?? NO_COSIGN;
  if (!cosign.required) return { outcome: reject('INVALID', 'This note does not need a co-signature.', ref) };
  return { note, cosign };
}

/**
 * The supervisor's co-signature, over the signed note's content hash as they saw it (another
 * hash: `INVALID`). A `cosignature` record, and the note's co-sign state becomes `cosigned`.
 * Co-signing again (a replay, another device) changes nothing.
 */
export async function cosignNote(ctx: ApplyContext, clientId: string, args: CosignNoteArgs): Promise<Outcome> {
  const cosignatureId = args.cosignatureId ?? derivedUuid(`cosignature:${args.noteId}:${ctx.principal.id}`);
  const ids = [args.noteId, cosignatureId];
  const ref = { type: 'note', ids };
  const found = await supervisedNote(ctx, clientId, args.noteId, ids);
  if ('outcome' in found) return found.outcome;
  const { note, cosign } = found;
  if (args.contentHash !== note.contentHash) {
    return reject(
      'INVALID',
      'The content hash does not match the signed note; pull the note again and review what was signed.',
      ref,
    );
  }
  if (cosign.status === 'cosigned') {
    return cosign.by === ctx.principal.id
      ? applied(false, ref)
      : reject('INVALID', 'The note was already co-signed.', ref);
  }
  if (await idInUse(ctx, cosignatureId)) return reject('INVALID', `The id ${cosignatureId} is already in use.`, ref);
  await putRecord(ctx.tx, {
    entity: 'cosignature',
    id: cosignatureId,
    clientId,
    data: {
      noteId: note.id,
      signerId: ctx.principal.id,
      signedAt: args.signedAt,
      contentHash: args.contentHash,
      kind: 'cosign',
      createdAt: ctx.now.toISOString(),
    } satisfies RecordData<'cosignature'>,
    now: ctx.now,
  });
  const before = await audienceOf(ctx.tx, note);
  const done: NoteCosign = { ...cosign, status: 'cosigned', by: ctx.principal.id, at: args.signedAt };
  await writeCosign(ctx, note, done);
  // A protected note reached the supervisor for this co-signature only: done, they lose sight of
  // it (unless the author shared it with the care team).
  await recordWithdrawals(ctx.tx, before, { ...before, cosign: done }, note, ctx.now);
  return applied(true, ref);
}

/**
 * The supervisor returns a signed note with a comment. The note stays signed and unchanged (a
 * signed note is immutable): its co-sign state becomes `returned` with the comment, which the
 * author pulls, and the author answers with an addendum. Returning again replaces the comment;
 * a co-signed note is not returned.
 */
export async function returnForRevision(
  ctx: ApplyContext,
  clientId: string,
  args: ReturnForRevisionArgs,
): Promise<Outcome> {
  const ids = [args.noteId];
  const found = await supervisedNote(ctx, clientId, args.noteId, ids);
  if ('outcome' in found) return found.outcome;
  const { note, cosign } = found;
  const ref = { type: 'note', ids };
  if (cosign.status === 'cosigned') return reject('INVALID', 'The note was already co-signed.', ref);
  if (cosign.status === 'returned' && cosign.by === ctx.principal.id && cosign.comment === args.comment) {
    return applied(false, ref);
  }
  await writeCosign(ctx, note, {
    required: true,
    status: 'returned',
    by: ctx.principal.id,
    at: args.returnedAt ?? ctx.now.toISOString(),
    comment: args.comment,
  });
  return applied(true, ref);
}
