import type { RichTextNode } from '../../shared/notes/content';
import type { SavedAddendumDraft } from '../../shared/notes/rpc';
import { RpcError } from '../../shared/rpc/errors';
import type { WorkstationStore } from '../store';
import { audit } from './context';
import type { NoteRow } from './notes-queries';
import { addendumBody, type Run } from './signing';

/**
 * Addenda being written: kept in the encrypted cache as `note_addenda` rows with status
 * `draft`, on this workstation only (nothing goes to the outbox until the addendum is signed,
 * and the clinic server never sends a workstation its own unsigned addenda). Saved on every
 * pause like a draft note, so a lock, a crash or a closed window loses nothing; signing turns
 * the same row into the signed addendum (`addAddendum`).
 */

/** The addendum row with this id, if any (only the author's own unsigned one may change). */
function addendumRow(
  sqlite: WorkstationStore['sqlite'],
  addendumId: string,
): { note_id: string; author_id: string; status: string; proposal: number } | undefined {
  return sqlite
    .prepare('SELECT note_id, author_id, status, proposal FROM note_addenda WHERE id = ?')
    .get(addendumId) as { note_id: string; author_id: string; status: string; proposal: number } | undefined;
}

export function saveAddendumDraft(
  store: WorkstationStore,
  run: Run,
  row: NoteRow,
  input: { addendumId: string; doc: RichTextNode },
  me: string,
  now: Date,
): SavedAddendumDraft {
  if (row.status !== 'signed') {
    throw new RpcError('CONFLICT', 'An addendum amends a signed note; this note is a draft: edit the draft instead.');
  }
  const body = addendumBody(input.doc);
  const at = now.toISOString();
  const existing = addendumRow(store.sqlite, input.addendumId);
  if (existing && (existing.note_id !== row.id || existing.author_id !== me || existing.proposal === 1)) {
    throw new RpcError('CONFLICT', 'This addendum id is already in use.');
  }
  if (existing?.status === 'signed') {
    throw new RpcError('NOTE_LOCKED', 'This addendum is signed; add another addendum instead.');
  }
  if (body.text.trim() === '') {
    // Nothing written (or everything deleted): no draft to keep.
    if (existing) {
      run((sqlite) => {
        sqlite.prepare("DELETE FROM note_addenda WHERE id = ? AND status = 'draft'").run(input.addendumId);
      });
    }
    return { addendumId: input.addendumId, savedAt: null };
  }
  run((sqlite) => {
    sqlite
      .prepare(
        `INSERT INTO note_addenda (id, note_id, author_id, body_text, body, status, proposal, late_entry, created_at, updated_at)
         VALUES (@id, @note, @me, @text, @body, 'draft', 0, 0, @at, @at)
         ON CONFLICT(id) DO UPDATE SET body_text = excluded.body_text, body = excluded.body, updated_at = excluded.updated_at
          WHERE note_addenda.status = 'draft'`,
      )
      .run({ id: input.addendumId, note: row.id, me, text: body.text, body: JSON.stringify(body), at });
    if (!existing) {
      audit(store, me, {
        action: 'note.addendum_draft_started',
        recordType: 'addendum',
        recordId: input.addendumId,
        clientId: row.client_id,
        detail: { noteId: row.id },
      });
    }
  });
  return { addendumId: input.addendumId, savedAt: at };
}

/** The author throws away the addendum they were writing. */
export function discardAddendumDraft(
  store: WorkstationStore,
  run: Run,
  row: NoteRow,
  addendumId: string,
  me: string,
): void {
  run((sqlite) => {
    const removed = sqlite
      .prepare(
        "DELETE FROM note_addenda WHERE id = ? AND note_id = ? AND author_id = ? AND status = 'draft' AND proposal = 0",
      )
      .run(addendumId, row.id, me).changes;
    if (removed === 0) throw new RpcError('NOT_FOUND', 'There is no such addendum draft of yours for this note.');
    audit(store, me, {
      action: 'note.addendum_draft_discarded',
      recordType: 'addendum',
      recordId: addendumId,
      clientId: row.client_id,
      detail: { noteId: row.id },
    });
  });
}
