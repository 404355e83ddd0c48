import { randomUUID } from 'node:crypto';
import { contentHash } from '../../shared/notes/canonical';
import { richTextPlain, type NoteContent, type RichTextNode } from '../../shared/notes/content';
import { memberFilings } from '../../shared/notes/group';
import { missingForSigning, type SigningProblem } from '../../shared/notes/signing';
import type { TemplateDefinition } from '../../shared/notes/templates/schema';
import { RpcError } from '../../shared/rpc/errors';
import type { AddendumBody, NoteCosign } from '../../shared/sync/records';
import type { WorkstationStore } from '../store';
import type { SqliteDatabase } from '../store/open-database';
import type { Outbox } from '../sync/outbox';
import { audit } from './context';
import { insertDraft, newNoteId, queueDraft } from './drafts';
import { isLateEntry } from './late-entry';
import { parseContent, parseCosign, type NoteRow } from './notes-queries';

/**
 * Signing and what follows it: the author's signature (which locks the note), addenda (each
 * signed on its own), addendum proposals (text the server kept when the note was signed
 * elsewhere first), and the supervisor's co-signature or return for revision. The caller has
 * checked the passphrase; everything here runs inside one transaction with its outbox entries.
 */
export type Run = <T>(work: (sqlite: SqliteDatabase, outbox: Outbox) => T) => T;

/** NOTE_INCOMPLETE's message: what is missing, as codes and paths (never the note's text). */
export function incompleteMessage(problems: readonly SigningProblem[]): string {
  const listed = problems.slice(0, 20).map((problem) => `${problem.code} ${problem.path}`);
  const more = problems.length > listed.length ? `; and ${problems.length - listed.length} more` : '';
  return `This note cannot be signed yet: ${listed.join('; ')}${more}.`;
}

/** The refusal of any change to a signed note, audited. */
export function refuseLocked(store: WorkstationStore, me: string | null, row: NoteRow, attempt: string): never {
  audit(store, me, {
    action: 'note.change_refused',
    recordType: 'note',
    recordId: row.id,
    clientId: row.client_id,
    detail: { attempt, reason: 'NOTE_LOCKED' },
  });
  throw new RpcError('NOTE_LOCKED', 'This note is signed and cannot be changed: add an addendum instead.');
}

function requiresCosign(sqlite: SqliteDatabase, authorId: string): boolean {
  return sqlite.prepare('SELECT requires_cosign FROM staff WHERE id = ?').pluck().get(authorId) === 1;
}

function lateEntryOf(signedAt: Date, content: unknown, createdAt: string): boolean {
  return isLateEntry(signedAt, content, createdAt);
}

/** Lock one draft row as signed and queue its signature (with the signed content). */
function signRow(
  sqlite: SqliteDatabase,
  outbox: Outbox,
  note: { id: string; clientId: string; serverVersion: string | null; createdAt: string },
  content: NoteContent,
  me: string,
  signedAt: Date,
): { hash: string; lateEntry: boolean; cosign: NoteCosign | null } {
  const hash = contentHash(content);
  const lateEntry = lateEntryOf(signedAt, content, note.createdAt);
  const cosign: NoteCosign | null = requiresCosign(sqlite, me)
    ? { required: true, status: 'pending', by: null, at: null, comment: null }
    : null;
  const at = signedAt.toISOString();
  const changed = sqlite
    .prepare(
      `UPDATE session_notes SET status = 'signed', signed_at = @at, signed_by = @me, content_hash = @hash,
          late_entry = @late, cosign = @cosign, last_saved_device_id = NULL, updated_at = @at
        WHERE id = @id AND status = 'draft'`,
    )
    .run({
      id: note.id,
      at,
      me,
      hash,
      late: lateEntry ? 1 : 0,
      cosign: cosign ? JSON.stringify(cosign) : null,
    }).changes;
  if (changed === 0) throw new RpcError('NOTE_LOCKED', 'This note is already signed.');
  // The server signs what it holds: make sure it holds exactly this text (an unsent save is
  // updated; otherwise a save is queued unless the last one queued had this very text).
  if (!lastQueuedTextIs(sqlite, note.id, hash)) queueDraft(outbox, note, content);
  outbox.enqueue({
    name: 'note.sign',
    clientId: note.clientId,
    args: { noteId: note.id, contentHash: hash, signedAt: at, content },
    entity: { type: 'note', id: note.id },
  });
  return { hash, lateEntry, cosign };
}

function lastQueuedTextIs(sqlite: SqliteDatabase, noteId: string, hash: string): boolean {
  const row = sqlite
    .prepare(
      `SELECT args, status, sent_at FROM sync_outbox WHERE entity_type = 'note' AND entity_id = ? AND name = 'note.saveDraft'
        ORDER BY mutation_id DESC LIMIT 1`,
    )
    .get(noteId) as { args: string; status: string; sent_at: string | null } | undefined;
  if (!row || (row.status !== 'pending' && row.status !== 'applied')) return false;
  try {
    const content = (JSON.parse(row.args) as { content?: unknown }).content;
    return content !== undefined && contentHash(content) === hash;
  } catch {
    return false;
  }
}

export interface SignOutcome {
  /** The note the caller shows: the signed note (for a group note, the first member's filing). */
  noteId: string;
  filed: string[];
}

/**
 * Sign a draft: template requirements (NOTE_INCOMPLETE), content hash, signer and time, late
 * entry, co-sign state; the row is locked. A group note is filed instead: one signed note per
 * attending member (the shared content and that member's section only), and the group draft,
 * which never left this workstation, is removed.
 */
export function signDraft(
  store: WorkstationStore,
  run: Run,
  row: NoteRow,
  template: TemplateDefinition,
  me: string,
  now: Date,
): SignOutcome {
  const content = parseContent(row.content);
  if (!content) throw new RpcError('CONFLICT', 'This note was written in a format this version cannot sign.');
  const problems = missingForSigning(template, content);
  if (problems.length > 0) {
    audit(store, me, {
      action: 'note.sign_refused',
      recordType: 'note',
      recordId: row.id,
      clientId: row.client_id,
      detail: { reason: 'NOTE_INCOMPLETE', problems: problems.length },
    });
    throw new RpcError('NOTE_INCOMPLETE', incompleteMessage(problems));
  }
  if (template.kind !== 'group') {
    const signed = run((sqlite, outbox) =>
      signRow(
        sqlite,
        outbox,
        { id: row.id, clientId: row.client_id, serverVersion: row.server_version, createdAt: row.created_at },
        content,
        me,
        now,
      ),
    );
    audit(store, me, {
      action: 'note.signed',
      recordType: 'note',
      recordId: row.id,
      clientId: row.client_id,
      detail: { lateEntry: signed.lateEntry, cosign: signed.cosign ? 'pending' : 'none' },
    });
    return { noteId: row.id, filed: [row.id] };
  }
  const filings = memberFilings(template, content);
  const filed = run((sqlite, outbox) => {
    const ids: Array<{ id: string; clientId: string }> = [];
    for (const filing of filings) {
      const id = newNoteId();
      const stamp = now.toISOString();
      insertDraft(
        sqlite,
        { id, clientId: filing.clientId, authorId: me, appointmentId: null, template, content: filing.content },
        stamp,
      );
      queueDraft(outbox, { id, clientId: filing.clientId, serverVersion: null }, filing.content);
      signRow(
        sqlite,
        outbox,
        { id, clientId: filing.clientId, serverVersion: null, createdAt: row.created_at },
        filing.content,
        me,
        now,
      );
      ids.push({ id, clientId: filing.clientId });
    }
    sqlite.prepare(`DELETE FROM session_notes WHERE id = ? AND status = 'draft'`).run(row.id);
    return ids;
  });
  for (const note of filed) {
    audit(store, me, {
      action: 'note.signed',
      recordType: 'note',
      recordId: note.id,
      clientId: note.clientId,
      detail: { groupNoteId: row.id, members: filed.length },
    });
  }
  const first = filed.find((note) => note.clientId === row.client_id) ?? filed[0];
  if (!first)
    throw new RpcError('NOTE_INCOMPLETE', incompleteMessage([{ code: 'no_attending_members', path: 'members' }]));
  return { noteId: first.id, filed: filed.map((note) => note.id) };
}

/** An addendum's body from the editor's document: its plain text and the document itself. */
export function addendumBody(doc: RichTextNode): AddendumBody {
  return { text: richTextPlain(doc), doc };
}

export interface AddendumInput {
  addendumId: string;
  doc: RichTextNode;
  proposalId?: string | undefined;
}

/**
 * A signed addendum to a signed note (any clinician who has the note here may add one). Settles
 * the author's proposal it names. The author's addendum to a note returned for revision puts it
 * back in the co-sign queue (as the server does).
 */
export function addAddendum(
  store: WorkstationStore,
  run: Run,
  row: NoteRow,
  input: AddendumInput,
  me: string,
  now: Date,
): void {
  if (row.status !== 'signed') {
    throw new RpcError('CONFLICT', 'An addendum amends a signed note; this note is a draft: edit the draft instead.');
  }
  const body = addendumBody(input.doc);
  if (body.text.trim() === '') throw new RpcError('BAD_REQUEST', 'An addendum needs text.');
  const hash = contentHash(body);
  const at = now.toISOString();
  const lateEntry = lateEntryOf(now, parseContent(row.content), row.created_at);
  const replay = run((sqlite, outbox) => {
    const existing = sqlite
      .prepare('SELECT note_id, author_id, status, content_hash, proposal FROM note_addenda WHERE id = ?')
      .get(input.addendumId) as
      { note_id: string; author_id: string; status: string; content_hash: string | null; proposal: number } | undefined;
    const ownDraft =
      existing?.status === 'draft' &&
      existing.proposal === 0 &&
      existing.note_id === row.id &&
      existing.author_id === me;
    if (existing && !ownDraft) {
      if (
        existing.note_id === row.id &&
        existing.author_id === me &&
        existing.content_hash === hash &&
        existing.proposal === 0
      )
        return true;
      throw new RpcError('CONFLICT', 'This addendum id is already in use.');
    }
    if (input.proposalId !== undefined) {
      const removed = sqlite
        .prepare('DELETE FROM note_addenda WHERE id = ? AND note_id = ? AND author_id = ? AND proposal = 1')
        .run(input.proposalId, row.id, me).changes;
      if (removed === 0) throw new RpcError('NOT_FOUND', 'There is no such addendum proposal of yours for this note.');
    }
    // The addendum being written (autosaved as a draft) becomes the signed one: same id.
    if (ownDraft) sqlite.prepare("DELETE FROM note_addenda WHERE id = ? AND status = 'draft'").run(input.addendumId);
    sqlite
      .prepare(
        `INSERT INTO note_addenda (id, note_id, author_id, body_text, body, status, proposal, late_entry, signed_at,
            content_hash, created_at, updated_at)
         VALUES (@id, @note, @me, @text, @body, 'signed', 0, @late, @at, @hash, @at, @at)`,
      )
      .run({
        id: input.addendumId,
        note: row.id,
        me,
        text: body.text,
        body: JSON.stringify(body),
        late: lateEntry ? 1 : 0,
        at,
        hash,
      });
    const cosign = parseCosign(row.cosign);
    if (cosign?.status === 'returned' && row.author_id === me) {
      sqlite
        .prepare('UPDATE session_notes SET cosign = ? WHERE id = ?')
        .run(JSON.stringify({ ...cosign, status: 'pending' }), row.id);
    }
    outbox.enqueue({
      name: 'note.addAddendum',
      clientId: row.client_id,
      args: {
        addendumId: input.addendumId,
        noteId: row.id,
        body,
        signedAt: at,
        contentHash: hash,
        ...(input.proposalId !== undefined ? { proposalId: input.proposalId } : {}),
      },
      entity: { type: 'addendum', id: input.addendumId },
    });
    return false;
  });
  if (replay) return;
  audit(store, me, {
    action: 'note.addendum_signed',
    recordType: 'addendum',
    recordId: input.addendumId,
    clientId: row.client_id,
    detail: { noteId: row.id, lateEntry, fromProposal: input.proposalId ?? null },
  });
}

/** Discard one of my addendum proposals (its text was kept when the note was signed elsewhere). */
export function discardProposal(store: WorkstationStore, run: Run, row: NoteRow, proposalId: string, me: string): void {
  run((sqlite, outbox) => {
    const removed = sqlite
      .prepare('DELETE FROM note_addenda WHERE id = ? AND note_id = ? AND author_id = ? AND proposal = 1')
      .run(proposalId, row.id, me).changes;
    if (removed === 0) throw new RpcError('NOT_FOUND', 'There is no such addendum proposal of yours for this note.');
    outbox.enqueue({
      name: 'record.delete',
      clientId: row.client_id,
      args: { entity: 'addendum', id: proposalId },
      entity: { type: 'addendum', id: proposalId },
    });
  });
  audit(store, me, {
    action: 'note.proposal_discarded',
    recordType: 'addendum',
    recordId: proposalId,
    clientId: row.client_id,
    detail: { noteId: row.id },
  });
}

/** The supervisor's decision may be taken only on a signed note of a supervisee that needs it. */
function supervisedCosign(row: NoteRow, me: string): NoteCosign {
  if (row.author_supervisor_id !== me) {
    throw new RpcError('FORBIDDEN', "Only the author's supervisor may co-sign or return this note.");
  }
  if (row.status !== 'signed') throw new RpcError('CONFLICT', 'A draft is not co-signed; it must be signed first.');
  const cosign = parseCosign(row.cosign);
  if (!cosign) throw new RpcError('CONFLICT', 'This note does not need a co-signature.');
  return cosign;
}

export function cosignNote(store: WorkstationStore, run: Run, row: NoteRow, me: string, now: Date): void {
  const cosign = supervisedCosign(row, me);
  if (cosign.status === 'cosigned') {
    if (cosign.by === me) return;
    throw new RpcError('CONFLICT', 'This note was already co-signed.');
  }
  const at = now.toISOString();
  const cosignatureId = randomUUID();
  run((sqlite, outbox) => {
    sqlite
      .prepare(
        `INSERT INTO note_signatures (id, note_id, addendum_id, kind, signer_id, signed_at, content_hash)
         VALUES (?, ?, NULL, 'cosign', ?, ?, ?)`,
      )
      .run(cosignatureId, row.id, me, at, row.content_hash);
    sqlite
      .prepare('UPDATE session_notes SET cosign = ? WHERE id = ?')
      .run(JSON.stringify({ ...cosign, status: 'cosigned', by: me, at } satisfies NoteCosign), row.id);
    outbox.enqueue({
      name: 'note.cosign',
      clientId: row.client_id,
      args: { noteId: row.id, contentHash: row.content_hash, signedAt: at, cosignatureId },
      entity: { type: 'note', id: row.id },
    });
  });
  audit(store, me, { action: 'note.cosigned', recordType: 'note', recordId: row.id, clientId: row.client_id });
}

export function returnNote(
  store: WorkstationStore,
  run: Run,
  row: NoteRow,
  comment: string,
  me: string,
  now: Date,
): void {
  const cosign = supervisedCosign(row, me);
  if (cosign.status === 'cosigned') throw new RpcError('CONFLICT', 'This note was already co-signed.');
  const at = now.toISOString();
  run((sqlite, outbox) => {
    sqlite
      .prepare('UPDATE session_notes SET cosign = ? WHERE id = ?')
      .run(JSON.stringify({ required: true, status: 'returned', by: me, at, comment } satisfies NoteCosign), row.id);
    outbox.enqueue({
      name: 'note.returnForRevision',
      clientId: row.client_id,
      args: { noteId: row.id, comment, returnedAt: at },
      entity: { type: 'note', id: row.id },
    });
  });
  audit(store, me, { action: 'note.returned', recordType: 'note', recordId: row.id, clientId: row.client_id });
}
