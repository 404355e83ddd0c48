import { eq } from 'drizzle-orm';
import { noteVisibleTo } from '../../shared/notes/protection.js';
import type { SetNoteSharingArgs } from '../../shared/sync/mutations.js';
import type { NoteSharing } from '../../shared/sync/records.js';
import { changes, notes } from '../db/schema.js';
import { applied, reject, type ApplyContext, type Outcome } from './outcome.js';
import { announceLinkedRecords, audienceOf, recordWithdrawals } from './note-visibility.js';

/**
 * `note.setSharing` (docs/sync-protocol.md, "Protected notes"): the author shares a note with
 * the client's care team, or takes the sharing back. Only the author: anyone else who may see
 * the note is refused `NOT_AUTHOR`; anyone who may not (a protected note not shared with them)
 * is answered as if there were no such note, so the refusal says nothing about it. The note's
 * version moves (a `put` change: the care team's workstations pull it, or, when the sharing is
 * taken back, a `delete` for those who lost sight of it). Draft or signed: the sharing is not
 * part of the signed content.
 */
export async function setNoteSharing(ctx: ApplyContext, clientId: string, args: SetNoteSharingArgs): Promise<Outcome> {
  const ids = [args.noteId];
  const ref = { type: 'note', ids };
  const [note] = await ctx.tx.select().from(notes).where(eq(notes.id, args.noteId)).for('update');
  if (!note || note.clientId !== clientId) return reject('INVALID', 'There is no such note for this client.', ref);
  const before = await audienceOf(ctx.tx, note);
  if (note.authorId !== ctx.principal.id) {
    return noteVisibleTo(before, ctx.principal.id)
      ? reject('NOT_AUTHOR', 'Only the author may share a note or take the sharing back.', ref)
      : reject('INVALID', 'There is no such note for this client.', ref);
  }
  if (note.deletedAt !== null) return reject('DELETED', 'The note was deleted.', ref);
  if ((note.sharing?.careTeam ?? false) === args.sharedWithCareTeam) return applied(false, ref);
  const sharing: NoteSharing = {
    careTeam: args.sharedWithCareTeam,
    at: args.at ?? ctx.now.toISOString(),
    by: ctx.principal.id,
  };
  const version = note.version + 1;
  await ctx.tx
    .update(notes)
    // Not `lastReplicaId`: sharing is not an edit, so the device writing the draft goes on without a conflict.
    .set({ sharing, version, updatedAt: ctx.now })
    .where(eq(notes.id, note.id));
  await ctx.tx.insert(changes).values({ entity: 'note', entityId: note.id, clientId, version, op: 'put', at: ctx.now });
  // Shared: the care team receives the note's addenda and co-signatures with it. Taken back:
  // those who lost sight of it are recorded (their next pull removes it).
  if (sharing.careTeam) await announceLinkedRecords(ctx.tx, note, ctx.now);
  else await recordWithdrawals(ctx.tx, before, { ...before, sharing }, note, ctx.now);
  return applied(true, ref);
}
