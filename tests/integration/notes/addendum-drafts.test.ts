import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it, onTestFinished } from 'vitest';
import { records } from '../../../src/server/db/schema';
import { assign, createClient, createUser } from '../../server/helpers/fixtures';
import { useClinic } from '../sync/helpers/clinic';
import { PASSPHRASE, startWorkstation, synced } from '../sync/helpers/workstation';
import { completeSoap, eventually, paragraph } from './helpers';

/**
 * An addendum being written is autosaved in the encrypted cache like a draft note: it survives
 * the core closing, never leaves the workstation until it is signed, and signing turns that same
 * draft into the signed addendum the clinic server and the care team receive.
 */
const env = useClinic();

/** A clinician with a signed note on their workstation (synced). */
async function signedNote() {
  const user = await createUser(env.database.db);
  const clientId = await createClient(env.database.db);
  await assign(env.database.db, user.id, clientId, 'caseload');
  const ws = startWorkstation();
  onTestFinished(() => ws.stop().catch(() => undefined));
  await ws.setUp(env.clinic.url, user.username);
  const draft = await ws.running.client.call('notes.createDraft', { clientId, templateId: 'soap' });
  await ws.running.client.call('notes.saveDraft', {
    noteId: draft.id,
    content: completeSoap(draft.content, 'Synthetic session text.'),
    baseRevision: draft.draftRevision,
  });
  await ws.running.client.call('notes.sign', { noteId: draft.id, passphrase: PASSPHRASE });
  await synced(ws);
  return { ws, user, clientId, noteId: draft.id };
}

describe('addenda being written', () => {
  it('survive the core closing, stay on the workstation until signed, and sign as the same addendum', async () => {
    const { ws, user, clientId, noteId } = await signedNote();
    const addendumId = randomUUID();
    const first = await ws.running.client.call('notes.saveAddendumDraft', {
      noteId,
      addendumId,
      doc: paragraph('Correction: the session'),
    });
    expect(first.savedAt).not.toBeNull();
    const second = await ws.running.client.call('notes.saveAddendumDraft', {
      noteId,
      addendumId,
      doc: paragraph('Correction: the session lasted 50 minutes, not 45.'),
    });
    expect(second.addendumId).toBe(addendumId);
    await ws.running.client.call('sync.now', {});
    await synced(ws);
    // Nothing of it reached the clinic server, and the note shows no addendum yet.
    expect(await env.database.db.select().from(records).where(eq(records.id, addendumId))).toEqual([]);
    const meanwhile = await ws.running.client.call('notes.get', { noteId });
    expect(meanwhile.addendumCount).toBe(0);

    // The core closes (the window, a crash, the end of the day); the text is there when it opens again.
    await ws.stop();
    const again = startWorkstation({ profile: ws.profile });
    onTestFinished(() => again.stop().catch(() => undefined));
    await again.running.client.call('vault.unlock', { passphrase: PASSPHRASE });
    const reopened = await again.running.client.call('notes.get', { noteId });
    const kept = reopened.addenda.filter((addendum) => addendum.state === 'draft');
    expect(kept.map((addendum) => [addendum.id, addendum.body.text])).toEqual([
      [addendumId, 'Correction: the session lasted 50 minutes, not 45.'],
    ]);

    // Signed under the same id: one signed addendum, on the server and on a colleague's workstation.
    const signed = await again.running.client.call('notes.addAddendum', {
      noteId,
      addendumId,
      doc: paragraph('Correction: the session lasted 50 minutes, not 45.'),
      passphrase: PASSPHRASE,
    });
    expect(signed.addenda.map((addendum) => [addendum.id, addendum.state])).toEqual([[addendumId, 'signed']]);
    expect(signed.addendumCount).toBe(1);
    await synced(again);
    await eventually(
      () => env.database.db.select().from(records).where(eq(records.id, addendumId)),
      (rows) => rows.length === 1,
    );
    await expect(
      again.running.client.call('notes.saveAddendumDraft', { noteId, addendumId, doc: paragraph('Changed after.') }),
    ).rejects.toMatchObject({ code: 'NOTE_LOCKED' });

    const colleague = await createUser(env.database.db);
    await assign(env.database.db, colleague.id, clientId, 'care_team');
    const other = startWorkstation();
    onTestFinished(() => other.stop().catch(() => undefined));
    await other.setUp(env.clinic.url, colleague.username);
    const seen = await eventually(
      () => other.running.client.call('notes.get', { noteId }),
      (note) => note.addendumCount === 1,
    );
    expect(seen.addenda[0]?.body.text).toBe('Correction: the session lasted 50 minutes, not 45.');
    expect(seen.addenda[0]?.authorId).toBe(user.id);
  });

  it('an emptied addendum draft is gone; one discarded is deleted; a draft note takes none', async () => {
    const { ws, clientId, noteId } = await signedNote();
    const emptied = randomUUID();
    await ws.running.client.call('notes.saveAddendumDraft', { noteId, addendumId: emptied, doc: paragraph('Oops') });
    const cleared = await ws.running.client.call('notes.saveAddendumDraft', {
      noteId,
      addendumId: emptied,
      doc: paragraph('   '),
    });
    expect(cleared.savedAt).toBeNull();
    expect((await ws.running.client.call('notes.get', { noteId })).addenda).toEqual([]);

    const discarded = randomUUID();
    await ws.running.client.call('notes.saveAddendumDraft', {
      noteId,
      addendumId: discarded,
      doc: paragraph('Second thoughts.'),
    });
    const after = await ws.running.client.call('notes.discardAddendumDraft', { noteId, addendumId: discarded });
    expect(after.addenda).toEqual([]);
    await expect(
      ws.running.client.call('notes.discardAddendumDraft', { noteId, addendumId: discarded }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const draft = await ws.running.client.call('notes.createDraft', { clientId, templateId: 'soap' });
    await expect(
      ws.running.client.call('notes.saveAddendumDraft', {
        noteId: draft.id,
        addendumId: randomUUID(),
        doc: paragraph('Not on a draft.'),
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    // The audit trail says what happened, never the text.
    const actions = ws.rows<{ action: string; detail: string | null }>(
      "SELECT action, detail FROM audit_log WHERE action LIKE 'note.addendum_draft%' ORDER BY seq",
    );
    expect(actions.map((entry) => entry.action)).toEqual([
      'note.addendum_draft_started',
      'note.addendum_draft_started',
      'note.addendum_draft_discarded',
    ]);
    expect(JSON.stringify(actions)).not.toContain('Second thoughts');
  });
});
