import { randomUUID } from 'node:crypto';
import { and, eq, like } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, notes } from '../../../src/server/db/schema';
import { contentHash } from '../../../src/shared/notes/canonical';
import { assign, createClient, createUser } from '../../server/helpers/fixtures';
import { useClinic } from '../sync/helpers/clinic';
import { PASSPHRASE, startWorkstation, synced } from '../sync/helpers/workstation';
import { completeSoap, eventually, paragraph, withSubjective } from './helpers';

/**
 * A signed note is never changed: not through any notes.* method (NOTE_LOCKED, audited on the
 * workstation and, through the audit upload, on the server), not by writing the cache directly
 * (the database refuses), and not through a sync mutation (the server refuses, audited).
 */
const env = useClinic();

describe('a signed note is locked', () => {
  it('every attempt to change it is refused and audited; the note stays as signed everywhere', async () => {
    const user = await createUser(env.database.db);
    const clientId = await createClient(env.database.db);
    await assign(env.database.db, user.id, clientId, 'caseload');
    const ws = startWorkstation();
    await ws.setUp(env.clinic.url, user.username);
    const rpc = ws.running.client;
    const draft = await rpc.call('notes.createDraft', { clientId, templateId: 'soap' });
    const content = completeSoap(draft.content, 'The text that was signed.');
    await rpc.call('notes.saveDraft', { noteId: draft.id, content, baseRevision: 1 });
    const signed = await rpc.call('notes.sign', { noteId: draft.id, passphrase: PASSPHRASE });
    await synced(ws);
    const hash = contentHash(content);
    const changed = withSubjective(content, 'A later change.');

    // Through the RPC methods.
    await expect(
      rpc.call('notes.saveDraft', { noteId: draft.id, content: changed, baseRevision: signed.draftRevision }),
    ).rejects.toMatchObject({ code: 'NOTE_LOCKED' });
    await expect(rpc.call('notes.sign', { noteId: draft.id, passphrase: PASSPHRASE })).rejects.toMatchObject({
      code: 'NOTE_LOCKED',
    });
    await expect(rpc.call('notes.resolveConflict', { noteId: draft.id, content: changed })).rejects.toMatchObject({
      code: 'NOTE_LOCKED',
    });
    // An addendum is the way to correct it; it does not touch the note.
    await rpc.call('notes.addAddendum', {
      noteId: draft.id,
      addendumId: randomUUID(),
      doc: paragraph('Correction: the session lasted 50 minutes.'),
      passphrase: PASSPHRASE,
    });
    const refusals = ws.running.core.vault.unlockedStore.audit
      .recent(50)
      .filter((entry) => entry.action === 'note.change_refused' && entry.recordId === draft.id)
      .map((entry) => entry.detail?.['attempt']);
    expect(refusals.sort()).toEqual(['resolveConflict', 'saveDraft', 'sign']);

    // Writing the cache directly: the database refuses.
    expect(() =>
      ws.running.core.vault.unlockedStore.sqlite
        .prepare('UPDATE session_notes SET content = ? WHERE id = ?')
        .run(JSON.stringify(changed), draft.id),
    ).toThrow(/signed notes are immutable/);
    expect(() =>
      ws.running.core.vault.unlockedStore.sqlite
        .prepare("UPDATE note_addenda SET body_text = 'edited' WHERE note_id = ? AND status = 'signed'")
        .run(draft.id),
    ).toThrow(/signed addenda are immutable/);

    // Through a sync mutation (a device that did not know it was signed): the server refuses.
    ws.running.core.sync.record((_db, outbox) => {
      outbox.enqueue({
        name: 'note.saveDraft',
        clientId,
        args: { noteId: draft.id, content: changed, baseVersion: 1 },
      });
    });
    await ws.running.client.call('sync.now', {});
    const details = await eventually(
      () => rpc.call('sync.details', {}),
      (d) => d.rejected.length > 0,
    );
    expect(details.rejected.map((r) => r.code)).toEqual(['SIGNED_NOTE_IMMUTABLE']);

    const [server] = await env.database.db.select().from(notes).where(eq(notes.id, draft.id));
    expect(server?.content).toEqual(content);
    expect(server?.contentHash).toBe(hash);
    const note = await rpc.call('notes.get', { noteId: draft.id });
    expect(note.content).toEqual(content);
    expect(note.signature?.contentHash).toBe(hash);

    // Audited on the server: the refused mutation, and the workstation's refusals once uploaded.
    const denied = await env.database.db
      .select()
      .from(auditLog)
      .where(
        and(eq(auditLog.userId, user.id), eq(auditLog.action, 'sync.note.saveDraft'), eq(auditLog.outcome, 'denied')),
      );
    expect(denied.length).toBeGreaterThan(0);
    await ws.running.client.call('sync.now', {});
    await eventually(
      () =>
        env.database.db
          .select()
          .from(auditLog)
          .where(and(eq(auditLog.userId, user.id), like(auditLog.action, 'workstation.note.change_refused'))),
      (rows) => rows.length === 3,
    );
  });
});
