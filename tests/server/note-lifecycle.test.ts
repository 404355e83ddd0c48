import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands, UsageError, type AdminIo } from '../../src/server/admin/commands.js';
import { verifyAuditChain } from '../../src/server/audit/chain.js';
import { contentHash } from '../../src/shared/notes/canonical.js';
import { richTextFromParagraphs, type NoteContent } from '../../src/shared/notes/content.js';
import type { Change } from '../../src/shared/sync/protocol.js';
import { recordSchemas, type RecordData } from '../../src/shared/sync/records.js';
import { BACKENDS, useBackends, type TestDatabase } from './helpers/backends.js';
import { closeServer, openStream } from './helpers/events.js';
import { assign, createClient, createUser, startTestServer, type TestServer } from './helpers/fixtures.js';
import { changesOf, putOf, syncClient, type MutationInput, type SyncSession } from './helpers/sync-session.js';

/**
 * The note lifecycle after signing (issue 5): addenda, co-signatures, returns for revision, and
 * signatures or edits that arrive after the note was signed elsewhere (kept as addendum
 * proposals, never lost). Real server on loopback, PGlite and PostgreSQL.
 */
const backends = useBackends();
const silentIo: AdminIo = { stdout: () => undefined, stderr: () => undefined, readStdin: async () => '' };

const isoDate = (offsetDays = 0) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
const now = () => new Date().toISOString();

/** A SOAP note's content in the shared shape, with one narrative paragraph. */
const soap = (text: string, sessionDate = isoDate()): NoteContent => ({
  templateId: 'soap',
  templateVersion: 1,
  encounter: {
    date: sessionDate,
    startTime: '09:00',
    endTime: '09:50',
    timeZone: 'America/Chicago',
    modality: 'video',
    clientLocation: { address: 'Synthetic address', verified: true },
  },
  sections: {
    subjective: { subjective: { type: 'richText', doc: richTextFromParagraphs([text]) } },
    plan: { plan: { type: 'text', value: `Plan for ${text}` } },
  },
});

describe.each(BACKENDS)('note lifecycle: addenda, co-signatures, proposals (%s)', (backend) => {
  let database: TestDatabase;
  let server: TestServer;
  let sync: ReturnType<typeof syncClient>;

  beforeAll(async () => {
    database = await backends.open(backend);
    server = await startTestServer(database.db);
    sync = syncClient(server);
  });
  afterAll(async () => closeServer(server));

  const admin = async (name: string, options: Record<string, string | boolean>) => {
    const spec = commands[name];
    if (!spec) throw new Error(`no admin command ${name}`);
    const out: string[] = [];
    await spec.run(database.db, options, { ...silentIo, stdout: (text) => out.push(text) });
    return out.join('');
  };

  /** A supervisor, the clinician they supervise (needs co-signature), a care-team colleague, another supervisor. */
  async function world() {
    const db = database.db;
    const supervisor = await createUser(db, { role: 'supervisor' });
    const otherSupervisor = await createUser(db, { role: 'supervisor' });
    const alice = await createUser(db, { supervisorId: supervisor.id });
    const bob = await createUser(db);
    const client = await createClient(db);
    await assign(db, alice.id, client, 'caseload');
    await assign(db, bob.id, client, 'care_team');
    await assign(db, otherSupervisor.id, client, 'care_team');
    expect(await admin('set-requires-cosign', { username: alice.username, value: 'true' })).toMatch(
      /now need a co-signature/,
    );
    return { supervisor, otherSupervisor, alice, bob, client };
  }

  const draft = (clientId: string, noteId: string, content: NoteContent, baseVersion: number | null = null) => ({
    name: 'note.saveDraft' as const,
    clientId,
    args: { noteId, content, baseVersion },
  });
  const sign = (clientId: string, noteId: string, content: NoteContent, options: { withContent?: boolean } = {}) => ({
    name: 'note.sign' as const,
    clientId,
    args: {
      noteId,
      contentHash: contentHash(content),
      signedAt: now(),
      ...(options.withContent ? { content } : {}),
    },
  });
  const addendum = (clientId: string, noteId: string, text: string, addendumId = randomUUID(), extra = {}) => {
    const body = { text, doc: richTextFromParagraphs([text]) };
    return {
      name: 'note.addAddendum' as const,
      clientId,
      args: { addendumId, noteId, body, signedAt: now(), contentHash: contentHash(body), ...extra },
    };
  };
  const cosign = (clientId: string, noteId: string, hash: string, extra = {}) => ({
    name: 'note.cosign' as const,
    clientId,
    args: { noteId, contentHash: hash, signedAt: now(), ...extra },
  });
  const returnNote = (clientId: string, noteId: string, comment: string) => ({
    name: 'note.returnForRevision' as const,
    clientId,
    args: { noteId, comment },
  });

  /** Draft and sign a note as `s`; returns its id and content. */
  async function signedNote(s: SyncSession, clientId: string, text: string, sessionDate?: string) {
    const noteId = randomUUID();
    const content = soap(text, sessionDate);
    expect(await sync.push(s, draft(clientId, noteId, content), sign(clientId, noteId, content))).toEqual([
      'applied',
      'applied',
    ]);
    return { noteId, content, hash: contentHash(content) };
  }

  const counts = async () =>
    (
      await database.raw(
        `select (select count(*) from records)::int as records, (select count(*) from changes)::int as changes,
                (select count(*) from notes)::int as notes,
                (select coalesce(sum(version), 0)::int from records) as record_versions,
                (select coalesce(sum(version), 0)::int from notes) as note_versions`,
      )
    )[0];

  const noteRow = async (noteId: string) =>
    (
      await database.raw(`select version, status, content, content_hash, signed_by, cosign from notes where id = $1`, [
        noteId,
      ])
    )[0];

  /** The data of the single put of `id`, checked against its entity's schema. */
  function dataOf<E extends 'note' | 'addendum' | 'cosignature' | 'staff'>(
    changes: Change[],
    entity: E,
    id: string,
  ): RecordData<E> {
    const change = putOf(changes, id);
    expect(change.entity).toBe(entity);
    const parsed = recordSchemas[entity].safeParse(change.data);
    expect(parsed.success, `${entity} ${id} fits its schema`).toBe(true);
    return parsed.data as RecordData<E>;
  }

  const auditRows = (userId: string, action: string) =>
    database.raw(
      `select outcome, record_type, record_ids, details from audit_log where user_id = $1 and action = $2 order by seq`,
      [userId, action],
    );

  it('signs, adds an addendum and co-signs across the clinician and the supervisor, with pokes', async () => {
    const { supervisor, alice, bob, client } = await world();
    const laptop = await sync.session(alice.username);
    const desktop = await sync.session(alice.username);
    const sup = await sync.session(supervisor.username);
    const colleague = await sync.session(bob.username);

    // The staff record says she needs a co-signature (every workstation holds it).
    const start = await sync.pullAll(colleague, null);
    expect(dataOf(start.changes, 'staff', alice.id)).toMatchObject({
      requiresCosign: true,
      supervisorId: supervisor.id,
    });
    let desktopCursor = (await sync.pullAll(desktop, null)).cursor;
    let supCursor = (await sync.pullAll(sup, null)).cursor;

    const { noteId, hash } = await signedNote(laptop, client, 'Session about sleep');
    // The supervisor's queue: the note arrives signed, co-signature pending.
    let supPage = await sync.pullAll(sup, supCursor);
    supCursor = supPage.cursor;
    expect(dataOf(supPage.changes, 'note', noteId)).toMatchObject({
      status: 'signed',
      contentHash: hash,
      signedBy: alice.id,
      cosign: { required: true, status: 'pending', by: null, at: null, comment: null },
    });

    const addendumId = randomUUID();
    expect(
      await sync.push(laptop, addendum(client, noteId, 'Client called back: sleep improved.', addendumId)),
    ).toEqual(['applied']);
    supPage = await sync.pullAll(sup, supCursor);
    supCursor = supPage.cursor;
    const added = dataOf(supPage.changes, 'addendum', addendumId);
    expect(added).toMatchObject({
      noteId,
      authorId: alice.id,
      status: 'signed',
      proposal: false,
      lateEntry: false,
      body: { text: 'Client called back: sleep improved.' },
    });
    expect(added.contentHash).toBe(contentHash(added.body));
    expect(putOf(supPage.changes, addendumId).clientId).toBe(client);

    // The supervisor co-signs the note as they saw it; every stream concerned is poked.
    const streams = await Promise.all([laptop, sup, colleague].map((s) => openStream(server, s.token)));
    try {
      const cosignatureId = randomUUID();
      expect(await sync.push(sup, cosign(client, noteId, hash, { cosignatureId }))).toEqual(['applied']);
      for (const stream of streams) expect(await stream.next(2000)).toEqual({ type: 'poke' });

      // Alice's other device learns all of it.
      const desktopPage = await sync.pullAll(desktop, desktopCursor);
      desktopCursor = desktopPage.cursor;
      const note = dataOf(desktopPage.changes, 'note', noteId);
      expect(note.cosign).toMatchObject({ required: true, status: 'cosigned', by: supervisor.id });
      expect(note.contentHash).toBe(hash);
      expect(dataOf(desktopPage.changes, 'addendum', addendumId).body.text).toBe('Client called back: sleep improved.');
      expect(dataOf(desktopPage.changes, 'cosignature', cosignatureId)).toMatchObject({
        noteId,
        signerId: supervisor.id,
        contentHash: hash,
        kind: 'cosign',
      });
      // The supervisor's own queue shows it co-signed.
      expect(dataOf((await sync.pullAll(sup, supCursor)).changes, 'note', noteId).cosign.status).toBe('cosigned');
      // The care team sees the addendum and the co-signature too.
      const colleaguePage = await sync.pullAll(colleague, start.cursor);
      expect(changesOf(colleaguePage.changes, addendumId)).toHaveLength(1);
      expect(changesOf(colleaguePage.changes, cosignatureId)).toHaveLength(1);

      // The signed content never changed on the server.
      expect(await noteRow(noteId)).toMatchObject({ status: 'signed', content_hash: hash, signed_by: alice.id });
      expect(contentHash((await noteRow(noteId))?.['content'])).toBe(hash);

      expect(await auditRows(alice.id, 'sync.note.addAddendum')).toEqual([
        expect.objectContaining({ outcome: 'ok', record_type: 'addendum', record_ids: [addendumId, noteId] }),
      ]);
      expect(await auditRows(supervisor.id, 'sync.note.cosign')).toEqual([
        expect.objectContaining({ outcome: 'ok', record_type: 'note', record_ids: [noteId, cosignatureId] }),
      ]);
      const audit = JSON.stringify(await database.raw(`select * from audit_log`));
      expect(audit).not.toMatch(/sleep/);
      expect((await verifyAuditChain(database.db)).ok).toBe(true);
    } finally {
      for (const stream of streams) await stream.close();
    }
  });

  it("refuses an addendum to a draft, a wrong hash, another client's note; nothing written", async () => {
    const { alice, client } = await world();
    const other = await createClient(database.db);
    await assign(database.db, alice.id, other, 'caseload');
    const s = await sync.session(alice.username);
    const draftId = randomUUID();
    expect(await sync.push(s, draft(client, draftId, soap('still a draft')))).toEqual(['applied']);
    const { noteId } = await signedNote(s, client, 'signed');
    const before = await counts();
    const wrongHash = addendum(client, noteId, 'text');
    wrongHash.args.contentHash = contentHash({ text: 'other text' });
    const response = await sync.pushRaw(
      s,
      sync.mutations(
        s,
        addendum(client, draftId, 'on a draft'),
        wrongHash,
        addendum(other, noteId, 'through the wrong client'),
        addendum(client, randomUUID(), 'no such note'),
        // The id of an existing record.
        addendum(client, noteId, 'reusing an id', draftId),
      ),
    );
    const results = response.results.map((r) => (r.status === 'rejected' ? [r.code, r.message] : [r.status, '']));
    expect(results.map(([code]) => code)).toEqual(['INVALID', 'INVALID', 'INVALID', 'INVALID', 'INVALID']);
    expect(results[0]?.[1]).toMatch(/draft/);
    expect(results[1]?.[1]).toMatch(/content hash/);
    expect(results[4]?.[1]).toMatch(/already in use/);
    expect(await counts()).toEqual(before);
    const denied = await auditRows(alice.id, 'sync.note.addAddendum');
    expect(denied.map((row) => [row['outcome'], (row['details'] as { code: string }).code])).toEqual(
      Array(5).fill(['denied', 'INVALID']),
    );
  });

  it('refuses every change to a signed note (edit, second signature, delete), audited, with nothing written', async () => {
    const { alice, bob, client } = await world();
    const s = await sync.session(alice.username);
    const b = await sync.session(bob.username);
    const { noteId, content, hash } = await signedNote(s, client, 'final text');
    const addendumId = randomUUID();
    expect(await sync.push(s, addendum(client, noteId, 'an addendum', addendumId))).toEqual(['applied']);
    const before = await counts();
    const row = await noteRow(noteId);

    const mine = await sync.pushRaw(
      s,
      sync.mutations(
        s,
        // The same text again: nothing to keep.
        draft(client, noteId, content, 2),
        sign(client, noteId, content),
        sign(client, noteId, content, { withContent: true }),
        { name: 'record.delete', clientId: client, args: { entity: 'note', id: noteId } },
        { name: 'record.delete', clientId: client, args: { entity: 'addendum', id: addendumId } },
      ),
    );
    expect(mine.results.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual([
      'SIGNED_NOTE_IMMUTABLE',
      'ALREADY_SIGNED',
      'ALREADY_SIGNED',
      'SIGNED_NOTE_IMMUTABLE',
      'SIGNED_NOTE_IMMUTABLE',
    ]);
    const [, again] = mine.results;
    expect(again).toMatchObject({ message: expect.stringMatching(/same text: nothing was lost/) });
    const theirs = await sync.push(b, draft(client, noteId, soap('colleague edit'), 2), sign(client, noteId, content), {
      name: 'record.delete',
      clientId: client,
      args: { entity: 'note', id: noteId },
    });
    expect(theirs).toEqual(['NOT_AUTHOR', 'ALREADY_SIGNED', 'SIGNED_NOTE_IMMUTABLE']);

    expect(await counts()).toEqual(before);
    expect(await noteRow(noteId)).toEqual(row);
    expect(row).toMatchObject({ status: 'signed', content_hash: hash });
    const denied = await database.raw(
      `select action, details->>'code' as code from audit_log
        where outcome = 'denied' and action like 'sync.%' and user_id in ($1, $2) and record_ids ? $3 order by seq`,
      [alice.id, bob.id, noteId],
    );
    expect(denied.map((r) => [r['action'], r['code']])).toEqual([
      ['sync.note.saveDraft', 'SIGNED_NOTE_IMMUTABLE'],
      ['sync.note.sign', 'ALREADY_SIGNED'],
      ['sync.note.sign', 'ALREADY_SIGNED'],
      ['sync.record.delete', 'SIGNED_NOTE_IMMUTABLE'],
      ['sync.note.saveDraft', 'NOT_AUTHOR'],
      ['sync.note.sign', 'ALREADY_SIGNED'],
      ['sync.record.delete', 'SIGNED_NOTE_IMMUTABLE'],
    ]);
    expect(await auditRows(alice.id, 'sync.record.delete')).toContainEqual(
      expect.objectContaining({ outcome: 'denied', record_ids: [addendumId] }),
    );
  });

  it('keeps an offline signature made after another device signed as an addendum proposal for its author', async () => {
    const { supervisor, alice, bob, client } = await world();
    const laptop = await sync.session(alice.username);
    const tablet = await sync.session(alice.username);
    const noteId = randomUUID();
    expect(await sync.push(laptop, draft(client, noteId, soap('first words')))).toEqual(['applied']);
    let tabletCursor = (await sync.pullAll(tablet, null)).cursor;
    const supCursor = (await sync.pullAll(await sync.session(supervisor.username), null)).cursor;
    const colleague = await sync.session(bob.username);
    const colleagueCursor = (await sync.pullAll(colleague, null)).cursor;

    // The laptop finishes and signs; the tablet, offline, edits version 1 and signs its own text.
    const laptopText = soap('laptop version of the session');
    expect(await sync.push(laptop, draft(client, noteId, laptopText, 1), sign(client, noteId, laptopText))).toEqual([
      'applied',
      'applied',
    ]);
    const tabletText = soap('tablet version: client reported two cravings, used coping card');
    const tabletSign = sign(client, noteId, tabletText, { withContent: true });
    const response = await sync.pushRaw(
      tablet,
      sync.mutations(tablet, draft(client, noteId, tabletText, 1), tabletSign),
    );
    expect(response.results.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual([
      'SIGNED_NOTE_IMMUTABLE',
      'ALREADY_SIGNED',
    ]);
    expect(response.results[0]).toMatchObject({ message: expect.stringMatching(/kept as an addendum proposal/) });
    expect(response.results[1]).toMatchObject({ message: expect.stringMatching(/kept as an addendum proposal/) });

    // The note is what the laptop signed.
    expect(await noteRow(noteId)).toMatchObject({ status: 'signed', content_hash: contentHash(laptopText) });

    // The tablet pulls one proposal with its text intact, and the signature it came from.
    const tabletPage = await sync.pullAll(tablet, tabletCursor);
    tabletCursor = tabletPage.cursor;
    const proposals = tabletPage.changes.filter((c) => c.op === 'put' && c.entity === 'addendum');
    expect(proposals).toHaveLength(1);
    const proposalId = proposals[0]!.op === 'put' ? proposals[0]!.id : '';
    const proposal = dataOf(tabletPage.changes, 'addendum', proposalId);
    expect(proposal).toMatchObject({
      noteId,
      authorId: alice.id,
      status: 'draft',
      proposal: true,
      signedAt: null,
      contentHash: null,
      proposedFromSignature: { signedAt: tabletSign.args.signedAt, contentHash: contentHash(tabletText) },
    });
    expect(proposal.proposedContent).toEqual(tabletText);
    expect(contentHash(proposal.proposedContent)).toBe(tabletSign.args.contentHash);
    expect(proposal.body.text).toContain('tablet version: client reported two cravings, used coping card');
    expect(dataOf(tabletPage.changes, 'note', noteId).contentHash).toBe(contentHash(laptopText));
    // Only its author receives it: not the supervisor, not the care team.
    const supPage = await sync.pullAll(await sync.session(supervisor.username), supCursor);
    expect(changesOf(supPage.changes, proposalId)).toEqual([]);
    const colleaguePage = await sync.pullAll(colleague, colleagueCursor);
    expect(changesOf(colleaguePage.changes, proposalId)).toEqual([]);
    expect(changesOf((await sync.pullAll(colleague, null)).changes, proposalId)).toEqual([]);
    // The refusal is audited with the proposal's id, and no text.
    const signAudit = await auditRows(alice.id, 'sync.note.sign');
    expect(signAudit.at(-1)).toMatchObject({
      outcome: 'denied',
      record_ids: [noteId, proposalId],
      details: expect.objectContaining({ code: 'ALREADY_SIGNED', kept: true }),
    });
    expect(JSON.stringify(await database.raw(`select * from audit_log`))).not.toMatch(/cravings/);

    // Alice turns it into an addendum: the proposal goes away (for her devices), the addendum stays.
    const addendumId = randomUUID();
    expect(
      await sync.push(
        tablet,
        addendum(client, noteId, 'Tablet notes: two cravings, coping card used.', addendumId, { proposalId }),
      ),
    ).toEqual(['applied']);
    const after = await sync.pullAll(tablet, tabletCursor);
    // Version 1: the refused edit; 2: the signature attached; 3: settled.
    expect(changesOf(after.changes, proposalId)).toEqual([
      { op: 'delete', entity: 'addendum', id: proposalId, clientId: client, version: 3 },
    ]);
    expect(dataOf(after.changes, 'addendum', addendumId)).toMatchObject({ status: 'signed', proposal: false });
    const colleagueAfter = await sync.pullAll(colleague, colleaguePage.cursor);
    expect(changesOf(colleagueAfter.changes, proposalId)).toEqual([]);
    expect(changesOf(colleagueAfter.changes, addendumId)).toHaveLength(1);
  });

  it('finds the text of a signature sent without its content in the refused edit before it', async () => {
    const { alice, bob, client } = await world();
    const laptop = await sync.session(alice.username);
    const tablet = await sync.session(alice.username);
    const noteId = randomUUID();
    expect(await sync.push(laptop, draft(client, noteId, soap('v1')))).toEqual(['applied']);
    const { cursor } = await sync.pullAll(tablet, null);
    expect(await sync.push(laptop, sign(client, noteId, soap('v1')))).toEqual(['applied']);

    // The tablet's autosave sends two versions, then signs the last one (hash only).
    const final = soap('tablet final text');
    expect(
      await sync.push(
        tablet,
        draft(client, noteId, soap('tablet first text'), 1),
        draft(client, noteId, final, 1),
        sign(client, noteId, final),
      ),
    ).toEqual(['SIGNED_NOTE_IMMUTABLE', 'SIGNED_NOTE_IMMUTABLE', 'ALREADY_SIGNED']);
    const page = await sync.pullAll(tablet, cursor);
    const proposals = page.changes.filter((c) => c.op === 'put' && c.entity === 'addendum');
    // One proposal per device: its later text replaced its earlier text, then the signature found it.
    expect(proposals).toHaveLength(1);
    const proposal = proposals[0]!.op === 'put' ? (proposals[0]!.data as RecordData<'addendum'>) : null;
    expect(proposal?.proposedContent).toEqual(final);
    expect(proposal?.proposedFromSignature?.contentHash).toBe(contentHash(final));

    // A signature whose text the server never saw is refused and says so; nothing is invented.
    const before = await counts();
    const lost = await sync.pushRaw(tablet, sync.mutations(tablet, sign(client, noteId, soap('never pushed'))));
    expect(lost.results[0]).toMatchObject({
      status: 'rejected',
      code: 'ALREADY_SIGNED',
      message: expect.stringMatching(/did not reach the server/),
    });
    expect(await counts()).toEqual(before);

    // A content that does not match its hash is refused as INVALID.
    const mismatch = sign(client, noteId, soap('claimed'));
    const bad = await sync.pushRaw(
      tablet,
      sync.mutations(tablet, { ...mismatch, args: { ...mismatch.args, content: soap('actual') } }),
    );
    expect(bad.results[0]).toMatchObject({ status: 'rejected', code: 'INVALID' });
    expect(await counts()).toEqual(before);

    // The author discards the proposal; a colleague cannot.
    const proposalId = proposals[0]!.op === 'put' ? proposals[0]!.id : '';
    const colleague = await sync.session(bob.username);
    expect(
      await sync.push(colleague, {
        name: 'record.delete',
        clientId: client,
        args: { entity: 'addendum', id: proposalId },
      }),
    ).toEqual(['NOT_AUTHOR']);
    expect(
      await sync.push(tablet, {
        name: 'record.delete',
        clientId: client,
        args: { entity: 'addendum', id: proposalId },
      }),
    ).toEqual(['applied']);
    expect(changesOf((await sync.pullAll(tablet, page.cursor)).changes, proposalId)).toEqual([
      { op: 'delete', entity: 'addendum', id: proposalId, clientId: client, version: 4 },
    ]);
  });

  it("lets only the author's supervisor co-sign or return, and only over the signed content", async () => {
    const { supervisor, otherSupervisor, alice, bob, client } = await world();
    const a = await sync.session(alice.username);
    const { noteId, hash } = await signedNote(a, client, 'needs review');
    const draftId = randomUUID();
    expect(await sync.push(a, draft(client, draftId, soap('a draft')))).toEqual(['applied']);
    const before = await counts();
    const row = await noteRow(noteId);

    for (const user of [bob, otherSupervisor, alice]) {
      const s = await sync.session(user.username);
      const results = await sync.pushRaw(
        s,
        sync.mutations(s, cosign(client, noteId, hash), returnNote(client, noteId, 'Please add the plan.')),
      );
      expect(results.results).toEqual([
        expect.objectContaining({
          status: 'rejected',
          code: 'NOT_SUPERVISOR',
          message: expect.stringMatching(/supervisor/),
        }),
        expect.objectContaining({ status: 'rejected', code: 'NOT_SUPERVISOR' }),
      ]);
      expect(await auditRows(user.id, 'sync.note.cosign')).toEqual([
        expect.objectContaining({ outcome: 'denied', details: expect.objectContaining({ code: 'NOT_SUPERVISOR' }) }),
      ]);
    }
    const sup = await sync.session(supervisor.username);
    const wrong = await sync.pushRaw(
      sup,
      sync.mutations(
        sup,
        cosign(client, noteId, contentHash(soap('something else'))),
        cosign(client, draftId, hash),
        returnNote(client, draftId, 'A draft cannot be returned.'),
      ),
    );
    expect(wrong.results.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual([
      'INVALID',
      'INVALID',
      'INVALID',
    ]);
    expect(wrong.results[0]).toMatchObject({ message: expect.stringMatching(/content hash/) });
    expect(await counts()).toEqual(before);
    expect(await noteRow(noteId)).toEqual(row);

    // A clinician who needs no co-signature: the note has none to give.
    await admin('set-requires-cosign', { username: alice.username, value: 'false' });
    const { noteId: plain, hash: plainHash } = await signedNote(a, client, 'no co-sign needed');
    expect(await noteRow(plain)).toMatchObject({ cosign: null });
    expect(await sync.push(sup, cosign(client, plain, plainHash))).toEqual(['INVALID']);
    // The earlier note still waits for its co-signature.
    expect(await noteRow(noteId)).toMatchObject({ cosign: { required: true, status: 'pending' } });
  });

  it('returns a note with a comment that reaches the author; her addendum puts it back in the queue', async () => {
    const { supervisor, alice, client } = await world();
    const a = await sync.session(alice.username);
    const { noteId, hash } = await signedNote(a, client, 'brief note');
    let { cursor } = await sync.pullAll(a, null);
    const sup = await sync.session(supervisor.username);
    const stream = await openStream(server, a.token);
    try {
      const comment = 'Please document the safety plan review and the next appointment.';
      expect(await sync.push(sup, returnNote(client, noteId, comment))).toEqual(['applied']);
      expect(await stream.next(2000)).toEqual({ type: 'poke' });
    } finally {
      await stream.close();
    }
    let page = await sync.pullAll(a, cursor);
    cursor = page.cursor;
    const returned = dataOf(page.changes, 'note', noteId);
    expect(returned).toMatchObject({
      status: 'signed',
      contentHash: hash,
      cosign: {
        required: true,
        status: 'returned',
        by: supervisor.id,
        comment: 'Please document the safety plan review and the next appointment.',
      },
    });
    expect(returned.cosign.at).not.toBeNull();
    // The comment is not in the audit log (codes and ids only).
    expect(JSON.stringify(await database.raw(`select * from audit_log`))).not.toMatch(/safety plan review/);

    // The author answers with an addendum: back to pending, the comment kept for the record.
    expect(await sync.push(a, addendum(client, noteId, 'Safety plan reviewed; next appointment set.'))).toEqual([
      'applied',
    ]);
    page = await sync.pullAll(a, cursor);
    cursor = page.cursor;
    expect(dataOf(page.changes, 'note', noteId).cosign).toMatchObject({
      status: 'pending',
      comment: 'Please document the safety plan review and the next appointment.',
    });
    expect(await sync.push(sup, cosign(client, noteId, hash))).toEqual(['applied']);
    page = await sync.pullAll(a, cursor);
    expect(dataOf(page.changes, 'note', noteId).cosign).toMatchObject({ status: 'cosigned', by: supervisor.id });
    // A co-signed note is not returned.
    const late = await sync.pushRaw(sup, sync.mutations(sup, returnNote(client, noteId, 'Too late.')));
    expect(late.results[0]).toMatchObject({ status: 'rejected', code: 'INVALID' });
  });

  it('applies replays once: the same batch, the same operations under new ids, another device', async () => {
    const { supervisor, alice, client } = await world();
    const a = await sync.session(alice.username);
    const { noteId, hash } = await signedNote(a, client, 'replayed');
    const sup = await sync.session(supervisor.username);
    const supOther = await sync.session(supervisor.username);
    const addendumId = randomUUID();
    const add = addendum(client, noteId, 'once only', addendumId);
    const first = await sync.pushRaw(a, sync.mutations(a, add));
    expect(first.results[0]?.status).toBe('applied');
    const ret = returnNote(client, noteId, 'Add the location.');
    const supBatch = sync.mutations(sup, ret);
    expect((await sync.pushRaw(sup, supBatch)).results[0]?.status).toBe('applied');
    const afterFirst = await counts();

    // The same batches again: duplicates by mutation id.
    expect((await sync.pushRaw(sup, supBatch)).results[0]?.status).toBe('duplicate');
    // The same operations under new mutation ids (an outbox rebuilt after a crash).
    expect(await sync.push(a, add)).toEqual(['applied']);
    expect(await sync.push(sup, ret)).toEqual(['applied']);
    expect(await counts()).toEqual(afterFirst);

    // Co-signed from one device, then again from another (its own record id): one co-signature.
    expect(await sync.push(sup, cosign(client, noteId, hash))).toEqual(['applied']);
    const afterCosign = await counts();
    expect(await sync.push(sup, cosign(client, noteId, hash))).toEqual(['applied']);
    expect(await sync.push(supOther, cosign(client, noteId, hash, { cosignatureId: randomUUID() }))).toEqual([
      'applied',
    ]);
    expect(await counts()).toEqual(afterCosign);
    expect(
      await database.raw(
        `select count(*)::int as n from records where entity = 'cosignature' and data->>'noteId' = $1`,
        [noteId],
      ),
    ).toEqual([{ n: 1 }]);
    // The same addendum id with other text is not a replay.
    expect(await sync.push(a, addendum(client, noteId, 'different text', addendumId))).toEqual(['INVALID']);
  });

  it('flags an addendum signed more than 24 h after the session as a late entry', async () => {
    const { alice, client } = await world();
    const a = await sync.session(alice.username);
    const recent = await signedNote(a, client, 'this morning');
    const older = await signedNote(a, client, 'last week', isoDate(-5));
    const recentAddendum = randomUUID();
    const olderAddendum = randomUUID();
    expect(
      await sync.push(
        a,
        addendum(client, recent.noteId, 'same day', recentAddendum),
        addendum(client, older.noteId, 'days later', olderAddendum),
      ),
    ).toEqual(['applied', 'applied']);
    const { changes } = await sync.pullAll(a, null);
    expect(dataOf(changes, 'addendum', recentAddendum).lateEntry).toBe(false);
    expect(dataOf(changes, 'addendum', olderAddendum).lateEntry).toBe(true);
  });

  it('refuses malformed arguments of the lifecycle mutations with INVALID, naming the field, nothing written', async () => {
    const { supervisor, alice, client } = await world();
    const a = await sync.session(alice.username);
    const { noteId, hash } = await signedNote(a, client, 'malformed');
    const sup = await sync.session(supervisor.username);
    const before = await counts();
    const body = { text: 'fine' };
    const good = { addendumId: randomUUID(), noteId, body, signedAt: now(), contentHash: contentHash(body) };
    const cases: [MutationInput, RegExp][] = [
      [{ name: 'note.addAddendum', clientId: client, args: { ...good, body: { text: '   ' } } }, /needs text/],
      [{ name: 'note.addAddendum', clientId: client, args: { ...good, body: undefined } }, /body/],
      [{ name: 'note.addAddendum', clientId: client, args: { ...good, addendumId: 'x1' } }, /addendumId/],
      [{ name: 'note.addAddendum', clientId: client, args: { ...good, contentHash: 'abc' } }, /contentHash/],
      [{ name: 'note.addAddendum', clientId: client, args: { ...good, body: { text: 'x', html: '<b>' } } }, /body/],
      [{ name: 'note.addAddendum', clientId: client, args: { ...good, signedAt: 'today' } }, /signedAt/],
      [{ name: 'note.addAddendum', clientId: null, args: good }, /needs a clientId/],
      [{ name: 'note.cosign', clientId: client, args: { noteId, contentHash: hash } }, /signedAt/],
      [
        { name: 'note.cosign', clientId: client, args: { noteId, contentHash: hash, signedAt: now(), extra: 1 } },
        /extra|Unrecognized/,
      ],
      [{ name: 'note.returnForRevision', clientId: client, args: { noteId, comment: '' } }, /comment/],
      [{ name: 'note.returnForRevision', clientId: client, args: { noteId, comment: 'x'.repeat(2001) } }, /comment/],
      [
        { name: 'note.sign', clientId: client, args: { noteId, contentHash: hash, signedAt: now(), content: 'text' } },
        /content/,
      ],
    ];
    for (const [mutation, message] of cases) {
      const session = mutation.name === 'note.addAddendum' || mutation.name === 'note.sign' ? a : sup;
      const response = await sync.pushRaw(session, sync.mutations(session, mutation));
      expect(response.results[0], `${mutation.name} ${String(message)}`).toMatchObject({
        status: 'rejected',
        code: 'INVALID',
        message: expect.stringMatching(message),
      });
      expect(response.results[0]).not.toMatchObject({ message: expect.stringMatching(/xxxx|<b>|today/) });
    }
    expect(await counts()).toEqual(before);
  });

  it('admin set-requires-cosign changes the staff record and pokes; bad values are usage errors', async () => {
    const { alice, bob } = await world();
    const s = await sync.session(bob.username);
    const { cursor } = await sync.pullAll(s, null);
    const stream = await openStream(server, s.token);
    try {
      expect(await admin('set-requires-cosign', { username: alice.username, value: 'false' })).toMatch(
        /no longer need/,
      );
      expect(await stream.next(2000)).toEqual({ type: 'poke' });
    } finally {
      await stream.close();
    }
    const page = await sync.pullAll(s, cursor);
    expect(dataOf(page.changes, 'staff', alice.id).requiresCosign).toBe(false);
    expect(
      await database.raw(
        `select count(*)::int as n from audit_log where action = 'admin.set_requires_cosign' and record_ids ? $1`,
        [alice.id],
      ),
    ).toEqual([{ n: 2 }]);
    await expect(admin('set-requires-cosign', { username: alice.username, value: 'maybe' })).rejects.toBeInstanceOf(
      UsageError,
    );
    await expect(admin('set-requires-cosign', { username: 'nobody-here', value: 'true' })).rejects.toThrow(
      /no user named/,
    );
  });
});
