import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { publishTemplates } from '../../../src/server/records/templates';
import { contentHash } from '../../../src/shared/notes/canonical';
import { richTextFromParagraphs, type NoteContent } from '../../../src/shared/notes/content';
import { SUD_COUNSELING_TEMPLATE } from '../../../src/shared/notes/templates/builtin';
import { RpcError } from '../../../src/shared/rpc/errors';
import { applyChanges } from '../../../src/core/sync/apply-changes';
import { prepareChanges } from '../../../src/core/sync/prepare-changes';
import type { Change } from '../../../src/shared/sync/protocol';
import { assign, createClient, createUser } from '../../server/helpers/fixtures';
import { admin, useClinic } from '../sync/helpers/clinic';
import { PASSPHRASE, startWorkstation, synced, type Workstation } from '../sync/helpers/workstation';
import { eventually, paragraph, withSignableEncounter } from './helpers';

/**
 * Protected notes (SUD counseling / psychotherapy; issue 5, item 1) through real cores and
 * SQLCipher caches and the real clinic server (PGlite) on loopback: a colleague's workstation
 * never stores one until its author shares it, and removes it when the sharing is taken back; a
 * note written with a clinic template marked protected is protected on the author's other device.
 */
const env = useClinic();
const workstations: Workstation[] = [];

afterAll(async () => {
  for (const ws of workstations) await ws.stop().catch(() => undefined);
});

async function workstation(username: string): Promise<Workstation> {
  const ws = startWorkstation();
  workstations.push(ws);
  await ws.setUp(env.clinic.url, username);
  return ws;
}

/** Everything the template requires for signing, with the process notes' text. */
function completeProcessNote(content: NoteContent, text: string): NoteContent {
  return {
    ...withSignableEncounter(content),
    sections: {
      ...content.sections,
      session_content: { session_content: { type: 'richText', doc: richTextFromParagraphs([text]) } },
    },
  };
}

/** Rows about a note in a workstation's encrypted cache: the note, its addenda, its signatures. */
const stored = (ws: Workstation, noteId: string) => ({
  notes: ws.value<number>('SELECT count(*) FROM session_notes WHERE id = ?', noteId),
  addenda: ws.value<number>('SELECT count(*) FROM note_addenda WHERE note_id = ?', noteId),
  text: ws.value<number>("SELECT count(*) FROM session_note_text WHERE body_text LIKE '%process notes%'"),
});

describe('protected notes between workstations', () => {
  it('a colleague’s workstation never stores one until it is shared, and removes it when taken back', async () => {
    const alice = await createUser(env.database.db);
    const bob = await createUser(env.database.db);
    const clientId = await createClient(env.database.db);
    await assign(env.database.db, alice.id, clientId, 'caseload');
    await assign(env.database.db, bob.id, clientId, 'care_team');
    const mine = await workstation(alice.username);
    const theirs = await workstation(bob.username);
    const a = mine.running.client;
    const b = theirs.running.client;

    // Written, signed and amended by the author.
    const draft = await a.call('notes.createDraft', { clientId, templateId: 'sud_counseling' });
    expect(draft.isProtected).toBe(true);
    expect(draft.sharedWithCareTeam).toBe(false);
    const content = completeProcessNote(draft.content, 'Synthetic process notes about shame after a lapse.');
    await a.call('notes.saveDraft', { noteId: draft.id, content, baseRevision: draft.draftRevision });
    await synced(mine);
    // While a draft, already nothing reaches the colleague.
    await b.call('sync.now', {});
    expect(stored(theirs, draft.id)).toEqual({ notes: 0, addenda: 0, text: 0 });
    await a.call('notes.sign', { noteId: draft.id, passphrase: PASSPHRASE });
    const addendumId = randomUUID();
    await a.call('notes.addAddendum', {
      noteId: draft.id,
      addendumId,
      doc: paragraph('Synthetic addendum to the process notes.'),
      passphrase: PASSPHRASE,
    });
    await synced(mine);
    await b.call('sync.now', {});
    expect(stored(theirs, draft.id)).toEqual({ notes: 0, addenda: 0, text: 0 });
    expect((await b.call('notes.list', { clientId })).notes.map((n) => n.id)).not.toContain(draft.id);
    await expect(b.call('notes.get', { noteId: draft.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // Only the author shares it.
    const shared = await a.call('notes.setSharing', { noteId: draft.id, sharedWithCareTeam: true });
    expect(shared.sharedWithCareTeam).toBe(true);
    await synced(mine);
    // The colleague's workstation receives it (poked), with its addendum, marked protected and shared.
    const seen = await eventually(
      () => b.call('notes.list', { clientId }),
      (list) => list.notes.some((n) => n.id === draft.id),
    );
    expect(seen.notes.find((n) => n.id === draft.id)).toMatchObject({
      isProtected: true,
      sharedWithCareTeam: true,
      isOwn: false,
      status: 'signed',
    });
    const detail = await b.call('notes.get', { noteId: draft.id });
    expect(detail.signature?.contentHash).toBe(contentHash(content));
    expect(detail.addenda.map((x) => x.id)).toEqual([addendumId]);
    const refused = await b
      .call('notes.setSharing', { noteId: draft.id, sharedWithCareTeam: false })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RpcError);
    expect((refused as RpcError).code).toBe('FORBIDDEN');

    // Taken back: gone from the colleague's cache, addenda included; the author's stays.
    const unshared = await a.call('notes.setSharing', { noteId: draft.id, sharedWithCareTeam: false });
    expect(unshared.sharedWithCareTeam).toBe(false);
    await synced(mine);
    await eventually(
      async () => stored(theirs, draft.id),
      (rows) => rows.notes === 0,
    );
    expect(stored(theirs, draft.id)).toEqual({ notes: 0, addenda: 0, text: 0 });
    await expect(b.call('notes.get', { noteId: draft.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(stored(mine, draft.id)).toMatchObject({ notes: 1, addenda: 1 });
    expect((await a.call('notes.get', { noteId: draft.id })).sharedWithCareTeam).toBe(false);

    // Audited on the author's workstation, codes and ids only.
    const sharing = mine.running.core.vault.unlockedStore.audit
      .recent(200)
      .filter((entry) => entry.recordId === draft.id && entry.action === 'note.sharing_changed');
    expect(sharing).toHaveLength(2);
  });

  it('reaches the supervisor while it waits for their co-signature, and leaves their cache once co-signed', async () => {
    const supervisor = await createUser(env.database.db, { role: 'supervisor' });
    const alice = await createUser(env.database.db, { supervisorId: supervisor.id });
    const bob = await createUser(env.database.db);
    const clientId = await createClient(env.database.db);
    await assign(env.database.db, alice.id, clientId, 'caseload');
    await assign(env.database.db, bob.id, clientId, 'care_team');
    await admin(env.database.db, 'set-requires-cosign', { username: alice.username, value: 'true' });
    const mine = await workstation(alice.username);
    const sup = await workstation(supervisor.username);
    const colleague = await workstation(bob.username);
    const a = mine.running.client;
    const s = sup.running.client;

    const draft = await a.call('notes.createDraft', { clientId, templateId: 'sud_counseling' });
    const content = completeProcessNote(draft.content, 'Synthetic process notes for supervision.');
    await a.call('notes.saveDraft', { noteId: draft.id, content, baseRevision: draft.draftRevision });
    await synced(mine);
    // A draft does not wait for the supervisor: not on their workstation.
    await s.call('sync.now', {});
    expect(stored(sup, draft.id).notes).toBe(0);

    const signed = await a.call('notes.sign', { noteId: draft.id, passphrase: PASSPHRASE });
    expect(signed.cosign).toBe('pending');
    await synced(mine);
    const queue = await eventually(
      () => s.call('notes.cosignQueue', {}),
      (q) => q.notes.some((n) => n.id === draft.id),
    );
    expect(queue.notes.find((n) => n.id === draft.id)).toMatchObject({ isProtected: true, isOwn: false });
    const seen = await s.call('notes.get', { noteId: draft.id });
    expect(seen.cosignDetail?.canDecide).toBe(true);

    // Co-signed: the answer shows it; once the co-signature reached the server, it leaves the cache.
    const cosigned = await s.call('notes.cosign', { noteId: draft.id, passphrase: PASSPHRASE });
    expect(cosigned.cosign).toBe('cosigned');
    await synced(sup);
    await eventually(
      async () => stored(sup, draft.id),
      (rows) => rows.notes === 0,
    );
    expect(sup.value('SELECT count(*) FROM note_signatures WHERE note_id = ?', draft.id)).toBe(0);
    // The author has the co-signature; the colleague never had anything.
    const back = await eventually(
      () => a.call('notes.get', { noteId: draft.id }),
      (note) => note.cosign === 'cosigned',
    );
    expect(back.cosignDetail?.byName).not.toBeNull();
    await colleague.running.client.call('sync.now', {});
    expect(stored(colleague, draft.id)).toEqual({ notes: 0, addenda: 0, text: 0 });
  });

  it('a note written with a clinic template marked protected is protected on the author’s other device', async () => {
    const alice = await createUser(env.database.db);
    const bob = await createUser(env.database.db);
    const clientId = await createClient(env.database.db);
    await assign(env.database.db, alice.id, clientId, 'caseload');
    await assign(env.database.db, bob.id, clientId, 'care_team');
    await publishTemplates(env.database.db, [
      { ...SUD_COUNSELING_TEMPLATE, id: 'clinic_process_note', nameKey: 'notes.templates.sud_counseling.name' },
    ]);
    const laptop = await workstation(alice.username);
    const colleague = await workstation(bob.username);
    const a = laptop.running.client;

    const draft = await a.call('notes.createDraft', { clientId, templateId: 'clinic_process_note' });
    expect(draft.isProtected).toBe(true);
    const content = completeProcessNote(draft.content, 'Synthetic process notes written with the clinic template.');
    await a.call('notes.saveDraft', { noteId: draft.id, content, baseRevision: draft.draftRevision });
    await a.call('notes.sign', { noteId: draft.id, passphrase: PASSPHRASE });
    await synced(laptop);

    // The author's second device: the pulled note is protected there too.
    const desktop = await workstation(alice.username);
    const other = await desktop.running.client.call('notes.get', { noteId: draft.id });
    expect(other).toMatchObject({ templateId: 'clinic_process_note', isProtected: true, status: 'signed' });
    expect(desktop.value('SELECT is_protected FROM session_notes WHERE id = ?', draft.id)).toBe(1);
    // Out of default search there, as protected notes are.
    const search = await desktop.running.client.call('notes.search', { query: 'clinic template' });
    expect(search.hits.map((hit) => hit.note.id)).not.toContain(draft.id);
    const asked = await desktop.running.client.call('notes.search', {
      query: 'clinic template',
      includeProtected: true,
    });
    expect(asked.hits.map((hit) => hit.note.id)).toContain(draft.id);

    // The colleague never receives it.
    await colleague.running.client.call('sync.now', {});
    expect(colleague.value('SELECT count(*) FROM session_notes WHERE id = ?', draft.id)).toBe(0);
  });

  it('a signed note becomes protected when its clinic template arrives after it', async () => {
    const alice = await createUser(env.database.db);
    const clientId = await createClient(env.database.db);
    await assign(env.database.db, alice.id, clientId, 'caseload');
    const ws = await workstation(alice.username);
    const sqlite = ws.running.core.vault.unlockedStore.sqlite;
    const noteId = randomUUID();
    const at = new Date().toISOString();
    const content = { templateId: 'clinic_late', templateVersion: 1, encounter: {}, sections: {} };
    const page = (changes: Change[]) =>
      sqlite.transaction(() =>
        applyChanges(sqlite, prepareChanges(changes), { pendingKeys: new Set(), defer: () => {}, now: at }),
      )();

    // A page with the signed note, its template not known here yet: not protected.
    page([
      {
        op: 'put',
        entity: 'note',
        id: noteId,
        clientId,
        version: 2,
        data: {
          authorId: alice.id,
          status: 'signed',
          content,
          contentHash: contentHash(content),
          signedAt: at,
          signedBy: alice.id,
          createdAt: at,
          updatedAt: at,
        },
      },
    ]);
    expect(ws.value('SELECT is_protected FROM session_notes WHERE id = ?', noteId)).toBe(0);
    // A later page brings the clinic's template, marked protected: the signed note is protected now.
    page([
      {
        op: 'put',
        entity: 'template',
        id: randomUUID(),
        clientId: null,
        version: 1,
        data: {
          templateId: 'clinic_late',
          version: 1,
          definition: { ...SUD_COUNSELING_TEMPLATE, id: 'clinic_late' },
          active: true,
          publishedAt: at,
        },
      },
    ]);
    expect(ws.value('SELECT is_protected FROM session_notes WHERE id = ?', noteId)).toBe(1);
    expect(ws.value('SELECT status FROM session_notes WHERE id = ?', noteId)).toBe('signed');
  });
});
