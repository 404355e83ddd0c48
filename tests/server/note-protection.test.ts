import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands, type AdminIo } from '../../src/server/admin/commands.js';
import { contentHash } from '../../src/shared/notes/canonical.js';
import { richTextFromParagraphs, type NoteContent } from '../../src/shared/notes/content.js';
import { validateTemplate } from '../../src/shared/notes/index.js';
import { pullResponseSchema, type Change } from '../../src/shared/sync/protocol.js';
import { recordSchemas, type RecordData } from '../../src/shared/sync/records.js';
import { BACKENDS, useBackends, type TestDatabase } from './helpers/backends.js';
import { closeServer, openStream } from './helpers/events.js';
import { assign, createClient, createUser, startTestServer, type TestServer } from './helpers/fixtures.js';
import { changesOf, putOf, syncClient, type SyncSession } from './helpers/sync-session.js';

/**
 * Protected notes on the clinic server (issue 5, item 1; docs/sync-protocol.md, "Protected
 * notes"): an SUD counseling / psychotherapy note, its addenda and co-signatures go to its
 * author; to the care team only once the author shares it, and away again when the author takes
 * it back; to the author's supervisor while it waits for their co-signature. Anyone else's pull
 * says nothing of it (no change, no id, no count). Real server on loopback, PGlite and PostgreSQL.
 */
const backends = useBackends();
const silentIo: AdminIo = { stdout: () => undefined, stderr: () => undefined, readStdin: async () => '' };
const now = () => new Date().toISOString();
const today = () => new Date().toISOString().slice(0, 10);

const encounter = {
  date: today(),
  startTime: '09:00',
  endTime: '09:50',
  timeZone: 'America/Chicago',
  modality: 'video' as const,
  clientLocation: { address: 'Synthetic address', verified: true },
};

/** Content of a template (the built-in SUD counseling note by default) with one narrative paragraph. */
const noteContent = (text: string, templateId = 'sud_counseling', templateVersion = 1): NoteContent => ({
  templateId,
  templateVersion,
  encounter,
  sections: {
    session_content: { session_content: { type: 'richText', doc: richTextFromParagraphs([text]) } },
  },
});

/** A clinic template marked protected (it must be individual). */
const clinicProtected = {
  schemaVersion: 1,
  id: 'clinic_process_note',
  version: 1,
  nameKey: 'clinic.process.name',
  kind: 'individual',
  protected: true,
  encounter: { requiredForSigning: { date: 'always', modality: 'always' } },
  sections: [
    {
      id: 'process',
      titleKey: 'clinic.process.section',
      scope: 'shared',
      fields: [{ id: 'text', type: 'richText', labelKey: 'clinic.process.text' }],
    },
  ],
  strings: {
    en: { 'clinic.process.name': 'Process note', 'clinic.process.section': 'Process', 'clinic.process.text': 'Notes' },
  },
};

describe.each(BACKENDS)('protected notes (%s)', (backend) => {
  let database: TestDatabase;
  let server: TestServer;
  let sync: ReturnType<typeof syncClient>;

  beforeAll(async () => {
    database = await backends.open(backend);
    const checked = validateTemplate(clinicProtected);
    if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
    server = await startTestServer(database.db, {}, { templates: [checked.template] });
    sync = syncClient(server);
  });
  afterAll(async () => closeServer(server));

  const admin = async (name: string, options: Record<string, string | boolean>) => {
    const spec = commands[name];
    if (!spec) throw new Error(`no admin command ${name}`);
    await spec.run(database.db, options, silentIo);
  };

  /** The supervisor, the clinician they supervise (needs co-signature), two care-team colleagues. */
  async function world() {
    const db = database.db;
    const supervisor = await createUser(db, { role: 'supervisor' });
    const alice = await createUser(db, { supervisorId: supervisor.id });
    const bob = await createUser(db);
    const carol = await createUser(db);
    const client = await createClient(db);
    await assign(db, alice.id, client, 'caseload');
    await assign(db, bob.id, client, 'care_team');
    await assign(db, carol.id, client, 'care_team');
    await admin('set-requires-cosign', { username: alice.username, value: 'true' });
    return { supervisor, alice, bob, carol, client };
  }

  const draft = (clientId: string, noteId: string, content: NoteContent, baseVersion: number | null = null) => ({
    name: 'note.saveDraft' as const,
    clientId,
    args: { noteId, content, baseVersion },
  });
  const sign = (clientId: string, noteId: string, content: NoteContent) => ({
    name: 'note.sign' as const,
    clientId,
    args: { noteId, contentHash: contentHash(content), signedAt: now(), content },
  });
  const addendum = (clientId: string, noteId: string, text: string, addendumId = randomUUID()) => {
    const body = { text, doc: richTextFromParagraphs([text]) };
    return {
      name: 'note.addAddendum' as const,
      clientId,
      args: { addendumId, noteId, body, signedAt: now(), contentHash: contentHash(body) },
    };
  };
  const cosign = (clientId: string, noteId: string, hash: string) => ({
    name: 'note.cosign' as const,
    clientId,
    args: { noteId, contentHash: hash, signedAt: now() },
  });
  const share = (clientId: string, noteId: string, sharedWithCareTeam: boolean) => ({
    name: 'note.setSharing' as const,
    clientId,
    args: { noteId, sharedWithCareTeam },
  });

  /**
   * Every page from `cursor` as the server sent it: the parsed changes, and the raw answers'
   * text (to check that an id appears nowhere in it).
   */
  async function pullRaw(s: SyncSession, cursor: string | null) {
    const changes: Change[] = [];
    let text = '';
    let at = cursor;
    for (;;) {
      const response = await server.post(
        '/sync/pull',
        { protocolVersion: 1, replicaId: s.replicaId, cursor: at },
        { authorization: `Bearer ${s.token}` },
      );
      expect(response.status).toBe(200);
      const body = await response.text();
      text += body;
      const page = pullResponseSchema.parse(JSON.parse(body));
      if (page.status !== 'ok') throw new Error(`expected ok, got ${page.reason}`);
      changes.push(...page.changes);
      at = page.cursor;
      if (!page.hasMore) return { changes, cursor: at, text };
    }
  }

  /** A reader's device: its cursor, moved by each `pull`. */
  async function reader(username: string) {
    const s = await sync.session(username);
    let cursor = (await pullRaw(s, null)).cursor;
    return {
      s,
      async pull() {
        const page = await pullRaw(s, cursor);
        cursor = page.cursor;
        return page;
      },
    };
  }

  function dataOf<E extends 'note' | 'addendum' | 'cosignature'>(changes: Change[], entity: E, id: string) {
    const change = putOf(changes, id);
    expect(change.entity).toBe(entity);
    return recordSchemas[entity].parse(change.data) as RecordData<E>;
  }

  const deletes = (changes: Change[], id: string) => changesOf(changes, id).filter((c) => c.op === 'delete');

  /** The `sync.pull` audit entries of a user after `afterSeq`. */
  const pullAudits = async (userId: string, afterSeq: number) =>
    database.raw(
      `select record_ids, details from audit_log where user_id = $1 and action = 'sync.pull' and seq > $2 order by seq`,
      [userId, afterSeq],
    );
  const auditHead = async () => Number((await database.raw('select max(seq)::bigint as seq from audit_log'))[0]?.seq);

  it('goes to its author and, while it waits for them, the supervisor; never to the care team', async () => {
    const { supervisor, alice, bob, client } = await world();
    const author = await sync.session(alice.username);
    const authorDevice = await reader(alice.username);
    const sup = await reader(supervisor.username);
    const colleague = await reader(bob.username);
    const auditFrom = await auditHead();

    // A draft: the author's own devices only.
    const noteId = randomUUID();
    const content = noteContent('Process notes: shame after the lapse.');
    expect(await sync.push(author, draft(client, noteId, content))).toEqual(['applied']);
    expect(dataOf((await authorDevice.pull()).changes, 'note', noteId)).toMatchObject({ status: 'draft' });
    for (const other of [sup, colleague]) {
      const page = await other.pull();
      expect(changesOf(page.changes, noteId)).toEqual([]);
      expect(page.text).not.toContain(noteId);
    }

    // Signed by a clinician who needs a co-signature: now in the supervisor's queue.
    expect(await sync.push(author, sign(client, noteId, content))).toEqual(['applied']);
    expect(dataOf((await sup.pull()).changes, 'note', noteId)).toMatchObject({
      status: 'signed',
      cosign: { required: true, status: 'pending' },
    });
    // An addendum: the author and the supervisor receive it; the colleague nothing.
    const addendumId = randomUUID();
    expect(await sync.push(author, addendum(client, noteId, 'More process notes.', addendumId))).toEqual(['applied']);
    expect(dataOf((await sup.pull()).changes, 'addendum', addendumId)).toMatchObject({ noteId });
    const colleaguePage = await colleague.pull();
    expect(colleaguePage.text).not.toContain(noteId);
    expect(colleaguePage.text).not.toContain(addendumId);

    // The supervisor co-signs: the author receives the co-signature; the supervisor, whose part
    // is done, is told to remove the note (a delete); the colleague still nothing.
    const hash = contentHash(content);
    const sessionOfSup = await sync.session(supervisor.username);
    expect(await sync.push(sessionOfSup, cosign(client, noteId, hash))).toEqual(['applied']);
    const authorPage = await authorDevice.pull();
    expect(dataOf(authorPage.changes, 'note', noteId)).toMatchObject({ cosign: { status: 'cosigned' } });
    const cosignature = authorPage.changes.find((c) => c.op === 'put' && c.entity === 'cosignature');
    expect(cosignature).toBeDefined();
    const supPage = await sup.pull();
    expect(changesOf(supPage.changes, noteId)).toEqual([
      expect.objectContaining({ op: 'delete', entity: 'note', id: noteId }),
    ]);
    expect(supPage.changes.some((c) => c.op === 'put' && c.entity === 'cosignature')).toBe(false);
    const last = await colleague.pull();
    expect(last.text).not.toContain(noteId);
    expect(last.changes.filter((c) => c.op !== 'purgeClient' && c.clientId === client)).toEqual([]);

    // The colleague's pulls were audited without the note: no id, and only what was sent counted.
    const audits = await pullAudits(bob.id, auditFrom);
    expect(audits).toHaveLength(3);
    for (const entry of audits) {
      expect(JSON.stringify(entry)).not.toContain(noteId);
      expect((entry['details'] as { changes: number }).changes).toBe(0);
    }

    // A full pull by the colleague (a new device) has none of it either.
    const fresh = await pullRaw(await sync.session(bob.username), null);
    expect(fresh.text).not.toContain(noteId);
    expect(fresh.text).not.toContain(addendumId);
    // A full pull by the author has all of it.
    const own = await pullRaw(await sync.session(alice.username), null);
    expect(dataOf(own.changes, 'note', noteId).status).toBe('signed');
    expect(dataOf(own.changes, 'addendum', addendumId).noteId).toBe(noteId);
  });

  it('reaches the care team when the author shares it, and leaves their devices when taken back', async () => {
    const { alice, bob, carol, client } = await world();
    const author = await sync.session(alice.username);
    const colleague = await reader(bob.username);
    const carolSession = await sync.session(carol.username);

    const noteId = randomUUID();
    const content = noteContent('Process notes for the team.');
    const addendumId = randomUUID();
    expect(
      await sync.push(
        author,
        draft(client, noteId, content),
        sign(client, noteId, content),
        addendum(client, noteId, 'Addendum written before sharing.', addendumId),
      ),
    ).toEqual(['applied', 'applied', 'applied']);
    expect((await colleague.pull()).text).not.toContain(noteId);

    // Only the author may share: a colleague who cannot see the note is answered as if there were none.
    const [refused] = (await sync.pushRaw(carolSession, sync.mutations(carolSession, share(client, noteId, true))))
      .results;
    expect(refused).toMatchObject({ status: 'rejected', code: 'INVALID' });
    expect(refused?.status === 'rejected' && refused.message).toBe('There is no such note for this client.');

    // Shared: the colleague is poked and pulls the note with its earlier addendum.
    const stream = await openStream(server, colleague.s.token);
    expect(await sync.push(author, share(client, noteId, true))).toEqual(['applied']);
    expect(await stream.next(5_000)).toEqual({ type: 'poke' });
    await stream.close();
    let page = await colleague.pull();
    expect(dataOf(page.changes, 'note', noteId)).toMatchObject({
      status: 'signed',
      sharing: { careTeam: true, by: alice.id },
    });
    expect(dataOf(page.changes, 'addendum', addendumId).noteId).toBe(noteId);

    // Now visible to them, a colleague is refused as not the author; their addendum is accepted.
    expect(await sync.push(carolSession, share(client, noteId, false))).toEqual(['NOT_AUTHOR']);
    const colleagueAddendum = randomUUID();
    expect(await sync.push(carolSession, addendum(client, noteId, 'Team follow-up.', colleagueAddendum))).toEqual([
      'applied',
    ]);
    page = await colleague.pull();
    expect(dataOf(page.changes, 'addendum', colleagueAddendum).authorId).toBe(carol.id);

    // Taken back: the colleague's next pull removes the note (the workstation removes its
    // addenda and co-signatures with it); the author keeps everything.
    expect(await sync.push(author, share(client, noteId, false))).toEqual(['applied']);
    page = await colleague.pull();
    expect(changesOf(page.changes, noteId)).toEqual([
      expect.objectContaining({ op: 'delete', entity: 'note', id: noteId }),
    ]);
    expect(page.text).not.toContain('Process notes for the team');
    const own = await pullRaw(await sync.session(alice.username), null);
    expect(dataOf(own.changes, 'note', noteId).sharing).toMatchObject({ careTeam: false });
    expect(dataOf(own.changes, 'addendum', colleagueAddendum).authorId).toBe(carol.id);

    // Taken back, a colleague's addendum is refused as if the note did not exist.
    expect(await sync.push(carolSession, addendum(client, noteId, 'Too late.'))).toEqual(['INVALID']);
    // A colleague who joins the care team afterwards never hears of it.
    const dave = await createUser(database.db);
    await assign(database.db, dave.id, client, 'care_team');
    const newcomer = await pullRaw(await sync.session(dave.username), null);
    expect(newcomer.text).not.toContain(noteId);
    // A full pull of a colleague who had it removes it again (a resync into the same cache).
    const again = await pullRaw(await sync.session(bob.username), null);
    expect(deletes(again.changes, noteId)).toHaveLength(1);
    expect(again.text).not.toContain(addendumId);
  });

  it('a draft that becomes protected leaves the care team; a clinic template marked protected is protected', async () => {
    const { alice, bob, client } = await world();
    const author = await sync.session(alice.username);
    const colleague = await reader(bob.username);

    const noteId = randomUUID();
    const soap = { ...noteContent('Ordinary progress note.'), templateId: 'soap' };
    expect(await sync.push(author, draft(client, noteId, soap))).toEqual(['applied']);
    expect(dataOf((await colleague.pull()).changes, 'note', noteId).status).toBe('draft');
    // The author turns it into an SUD counseling note: gone from the colleague's device.
    expect(await sync.push(author, draft(client, noteId, noteContent('Now process notes.'), 1))).toEqual(['applied']);
    const page = await colleague.pull();
    expect(changesOf(page.changes, noteId)).toEqual([expect.objectContaining({ op: 'delete', id: noteId })]);
    expect(page.text).not.toContain('Now process notes');

    // A clinic template marked protected (published at start): the care team never receives it.
    const clinicNote = randomUUID();
    expect(
      await sync.push(author, draft(client, clinicNote, noteContent('Clinic process note.', 'clinic_process_note'))),
    ).toEqual(['applied']);
    expect((await colleague.pull()).text).not.toContain(clinicNote);
    const [row] = await database.raw('select is_protected from notes where id = $1', [clinicNote]);
    expect(row?.['is_protected']).toBe(true);
  });

  it('at start, marks notes stored before protection existed and removes them from the care team', async () => {
    const { alice, bob, client } = await world();
    const author = await sync.session(alice.username);
    const noteId = randomUUID();
    expect(await sync.push(author, draft(client, noteId, noteContent('Written before the upgrade.')))).toEqual([
      'applied',
    ]);
    // As data from before the upgrade: not marked, and the colleague's device holds it.
    await database.raw('update notes set is_protected = false where id = $1', [noteId]);
    const colleague = await reader(bob.username);
    const before = await pullRaw(colleague.s, null);
    expect(dataOf(before.changes, 'note', noteId).status).toBe('draft');

    // The server starts again: the note is protected, and the colleague's next pull removes it.
    const restarted = await startTestServer(database.db);
    try {
      const [row] = await database.raw('select is_protected from notes where id = $1', [noteId]);
      expect(row?.['is_protected']).toBe(true);
      const page = await colleague.pull();
      expect(changesOf(page.changes, noteId)).toEqual([expect.objectContaining({ op: 'delete', id: noteId })]);
      const own = await pullRaw(author, null);
      expect(dataOf(own.changes, 'note', noteId).status).toBe('draft');
    } finally {
      await restarted.close();
    }
  });
});
