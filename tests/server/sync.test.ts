import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../src/server/admin/commands.js';
import { verifyAuditChain } from '../../src/server/audit/chain.js';
import { careAssignments, users } from '../../src/server/db/schema.js';
import { contentHash } from '../../src/shared/notes/canonical.js';
import { encodeHlc } from '../../src/shared/sync/hlc.js';
import {
  pullResponseSchema,
  pushResponseSchema,
  type Change,
  type Mutation,
  type PullResponse,
  type PushResponse,
} from '../../src/shared/sync/protocol.js';
import { BACKENDS, useBackends, type TestDatabase } from './helpers/backends.js';
import { assign, createClient, createUser, errorOf, startTestServer, type TestServer } from './helpers/fixtures.js';

const backends = useBackends();

const newReplicaId = () => `r${randomUUID().replaceAll('-', '').slice(0, 20)}`;
let counter = 0;
const hlcNow = (replicaId: string, aheadMs = 0) =>
  encodeHlc({ wallMs: Date.now() + aheadMs, counter: (counter = (counter + 1) % 1000), replicaId });

interface Session {
  token: string;
  replicaId: string;
  next: number;
}

describe.each(BACKENDS)('sync push and pull (%s)', (backend) => {
  let database: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    database = await backends.open(backend);
    server = await startTestServer(database.db, { bodyLimitBytes: 64 * 1024, pushBodyLimitBytes: 64 * 1024 });
  });
  afterAll(async () => server?.close());

  const auth = (token: string) => ({ authorization: `Bearer ${token}` });

  async function session(username: string): Promise<Session> {
    const signedIn = await server.signIn(username);
    return { token: signedIn.accessToken, replicaId: newReplicaId(), next: 1 };
  }

  /** Build mutations with the session's next ids. */
  function mutations(s: Session, ...items: Omit<Mutation, 'mutationId' | 'hlc'>[]): Mutation[] {
    return items.map((item) => ({ ...item, mutationId: s.next++, hlc: hlcNow(s.replicaId) }));
  }

  async function pushRaw(s: Session, batch: Mutation[], replicaId = s.replicaId): Promise<Response> {
    return server.post('/sync/push', { protocolVersion: 1, replicaId, mutations: batch }, auth(s.token));
  }

  async function push(s: Session, batch: Mutation[]): Promise<PushResponse> {
    const response = await pushRaw(s, batch);
    expect(response.status).toBe(200);
    return pushResponseSchema.parse(await response.json());
  }

  async function pull(s: Session, cursor: string | null, limit?: number): Promise<PullResponse> {
    const response = await server.post(
      '/sync/pull',
      { protocolVersion: 1, replicaId: s.replicaId, cursor, ...(limit ? { limit } : {}) },
      auth(s.token),
    );
    expect(response.status).toBe(200);
    return pullResponseSchema.parse(await response.json());
  }

  const okPull = (response: PullResponse) => {
    if (response.status !== 'ok') throw new Error(`expected ok, got ${response.reason}`);
    return response;
  };
  /** The note changes of a page (full pulls also carry staff and client records). */
  const notesOf = (changes: Change[]) => changes.filter((c) => c.op !== 'purgeClient' && c.entity === 'note');

  const draft = (clientId: string, noteId: string, text: string, baseVersion: number | null = null) => ({
    name: 'note.saveDraft' as const,
    clientId,
    args: { noteId, content: { text }, baseVersion },
  });
  /** Sign what the workstation shows: the hash of the draft text it holds. */
  const sign = (clientId: string, noteId: string, text: string) => ({
    name: 'note.sign' as const,
    clientId,
    args: { noteId, contentHash: contentHash({ text }), signedAt: new Date().toISOString() },
  });

  const noteRows = (noteId: string) =>
    database.raw(`select version, status, content, content_hash from notes where id = $1`, [noteId]);

  async function world() {
    const db = database.db;
    const alice = await createUser(db);
    const bob = await createUser(db);
    const aliceClient = await createClient(db);
    const bobClient = await createClient(db);
    await assign(db, alice.id, aliceClient, 'caseload');
    await assign(db, bob.id, bobClient, 'caseload');
    return { alice, bob, aliceClient, bobClient };
  }

  it('applies a replayed batch exactly once', async () => {
    const { alice, aliceClient } = await world();
    const s = await session(alice.username);
    const noteId = randomUUID();
    const batch = mutations(s, draft(aliceClient, noteId, 'first'), draft(aliceClient, noteId, 'second', 1));
    const first = await push(s, batch);
    expect(first.results.map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(first.lastMutationId).toBe(2);
    const again = await push(s, batch);
    expect(again.results).toEqual([
      { mutationId: 1, status: 'duplicate' },
      { mutationId: 2, status: 'duplicate' },
    ]);
    expect(again.lastMutationId).toBe(2);
    expect(await noteRows(noteId)).toEqual([
      { version: 2, status: 'draft', content: { text: 'second' }, content_hash: null },
    ]);
    // The feed keeps the note's latest change only (migration 0012): version 2, once.
    const feed = await database.raw(`select version from changes where entity_id = $1 order by seq`, [noteId]);
    expect(feed.map((row) => row['version'])).toEqual([2]);
  });

  it('applies the same batch sent twice at once exactly once (row lock on the replica)', async () => {
    const { alice, aliceClient } = await world();
    const s = await session(alice.username);
    const noteId = randomUUID();
    const batch = mutations(s, draft(aliceClient, noteId, 'one'), draft(aliceClient, noteId, 'two', 1));
    const answers = await Promise.all([push(s, batch), push(s, batch), push(s, batch)]);
    const statuses = answers.map((answer) => answer.results.map((r) => r.status).join(',')).sort();
    expect(statuses).toEqual(['applied,applied', 'duplicate,duplicate', 'duplicate,duplicate']);
    expect(await noteRows(noteId)).toMatchObject([{ version: 2, content: { text: 'two' } }]);
    const feed = await database.raw(`select version from changes where entity_id = $1`, [noteId]);
    expect(feed.map((row) => row['version'])).toEqual([2]);
  });

  it('refuses gapped and reordered ids and applies nothing past the gap', async () => {
    const { alice, aliceClient } = await world();
    const s = await session(alice.username);
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    const [m1, m2, m3] = mutations(
      s,
      draft(aliceClient, a, 'a'),
      draft(aliceClient, b, 'b'),
      draft(aliceClient, c, 'c'),
    );
    const reordered = await push(s, [m1!, m3!, m2!]);
    expect(reordered.results.map((r) => [r.mutationId, r.status, r.status === 'rejected' ? r.code : null])).toEqual([
      [1, 'applied', null],
      [3, 'rejected', 'INVALID'],
      [2, 'rejected', 'INVALID'],
    ]);
    expect(reordered.lastMutationId).toBe(1);
    expect(await noteRows(b)).toEqual([]);
    expect(await noteRows(c)).toEqual([]);
    // The outbox sends them again in order: now they apply.
    const resent = await push(s, [m1!, m2!, m3!]);
    expect(resent.results.map((r) => r.status)).toEqual(['duplicate', 'applied', 'applied']);
    expect(resent.lastMutationId).toBe(3);
  });

  it('rejects out-of-scope clients (audited), unsupported names, bad args and clock skew, and moves on', async () => {
    const { alice, bobClient, aliceClient } = await world();
    const s = await session(alice.username);
    const noteId = randomUUID();
    const batch: Mutation[] = [
      ...mutations(
        s,
        draft(bobClient, noteId, 'not mine'),
        { name: 'escalation.start', clientId: aliceClient, args: {} },
        { name: 'note.saveDraft', clientId: aliceClient, args: { noteId: 'nope', content: {} } },
      ),
      { ...draft(aliceClient, randomUUID(), 'future'), mutationId: s.next++, hlc: hlcNow(s.replicaId, 120_000) },
      ...mutations(s, draft(aliceClient, randomUUID(), 'fine')),
    ];
    const response = await push(s, batch);
    const summary = response.results.map((r) => (r.status === 'rejected' ? r.code : r.status));
    expect(summary).toEqual(['OUT_OF_SCOPE', 'INVALID', 'INVALID', 'CLOCK_SKEW', 'applied']);
    expect(response.lastMutationId).toBe(5);
    const [, unsupported, badArgs] = response.results;
    expect(unsupported).toMatchObject({ message: expect.stringMatching(/not supported yet/) });
    expect(badArgs).toMatchObject({ message: expect.stringMatching(/noteId/) });
    expect(badArgs).toMatchObject({ message: expect.stringMatching(/baseVersion/) });
    expect(await noteRows(noteId)).toEqual([]);
    const denied = await database.raw(
      `select record_ids, details from audit_log where action = 'sync.note.saveDraft' and outcome = 'denied' and user_id = $1`,
      [alice.id],
    );
    expect(denied.map((row) => row['record_ids'])).toContainEqual([bobClient]);
    expect(JSON.stringify(denied)).not.toMatch(/not mine/);
    expect((await verifyAuditChain(database.db)).ok).toBe(true);
  });

  it('keeps signed notes immutable, refuses a second signature and other authors', async () => {
    const { alice, bob, aliceClient } = await world();
    await assign(database.db, bob.id, aliceClient, 'care_team');
    const s = await session(alice.username);
    const noteId = randomUUID();
    const signed = await push(s, mutations(s, draft(aliceClient, noteId, 'final'), sign(aliceClient, noteId, 'final')));
    expect(signed.results.map((r) => r.status)).toEqual(['applied', 'applied']);
    const after = await push(
      s,
      mutations(s, draft(aliceClient, noteId, 'edited', 2), sign(aliceClient, noteId, 'edited')),
    );
    expect(after.results.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual([
      'SIGNED_NOTE_IMMUTABLE',
      'ALREADY_SIGNED',
    ]);
    expect(await noteRows(noteId)).toEqual([
      { version: 2, status: 'signed', content: { text: 'final' }, content_hash: contentHash({ text: 'final' }) },
    ]);

    const otherDraft = randomUUID();
    await push(s, mutations(s, draft(aliceClient, otherDraft, 'alice')));
    const b = await session(bob.username);
    const bobs = await push(
      b,
      mutations(b, draft(aliceClient, otherDraft, 'bob', 1), sign(aliceClient, otherDraft, 'bob')),
    );
    expect(bobs.results.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual([
      'NOT_AUTHOR',
      'NOT_AUTHOR',
    ]);
    expect(await noteRows(otherDraft)).toMatchObject([{ version: 1, content: { text: 'alice' } }]);
  });

  it('keeps both versions when two replicas of the author edit one draft concurrently', async () => {
    const { alice, aliceClient } = await world();
    const laptop = await session(alice.username);
    const desktop = await session(alice.username);
    const noteId = randomUUID();
    await push(laptop, mutations(laptop, draft(aliceClient, noteId, 'v1')));
    // Both devices know version 1 and edit offline.
    const first = await push(laptop, mutations(laptop, draft(aliceClient, noteId, 'laptop text', 1)));
    expect(first.results[0]?.status).toBe('applied');
    const second = await push(desktop, mutations(desktop, draft(aliceClient, noteId, 'desktop text', 1)));
    const result = second.results[0];
    if (result?.status !== 'conflict') throw new Error(`expected conflict, got ${JSON.stringify(result)}`);
    expect(second.lastMutationId).toBe(1);
    expect(await noteRows(noteId)).toMatchObject([{ version: 2, content: { text: 'laptop text' } }]);
    const kept = await database.raw(`select entity_id, content, base_version from conflicts where id = $1`, [
      result.conflictId,
    ]);
    expect(kept).toEqual([{ entity_id: noteId, content: { text: 'desktop text' }, base_version: 1 }]);
    // The conflict travels to the author's devices.
    const page = okPull(await pull(desktop, null));
    expect(page.changes).toContainEqual(
      expect.objectContaining({ op: 'put', entity: 'conflict', id: result.conflictId, clientId: aliceClient }),
    );
    expect(page.lastMutationId).toBe(1);
  });

  it('pulls the notes in scope from null, then only newer changes, with stable pages', async () => {
    const { alice, bob, aliceClient, bobClient } = await world();
    const a = await session(alice.username);
    const b = await session(bob.username);
    const [n1, n2, n3, other] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await push(a, mutations(a, draft(aliceClient, n1, 'one'), draft(aliceClient, n2, 'two')));
    await push(b, mutations(b, draft(bobClient, other, 'bob only')));

    const full = okPull(await pull(a, null));
    expect(notesOf(full.changes).map((c) => (c.op === 'purgeClient' ? c.clientId : c.id))).toEqual([n1, n2]);
    expect(notesOf(full.changes)[0]).toMatchObject({
      op: 'put',
      entity: 'note',
      clientId: aliceClient,
      version: 1,
      data: { id: n1, clientId: aliceClient, status: 'draft', content: { text: 'one' }, version: 1 },
    });
    expect(full.hasMore).toBe(false);
    expect(full.lastMutationId).toBe(2);
    expect(JSON.stringify(full)).not.toContain(other);
    expect(JSON.stringify(full)).not.toContain(bobClient);

    // Nothing new: an empty page; the same cursor gives the same answer.
    const empty = okPull(await pull(a, full.cursor));
    expect(empty.changes).toEqual([]);
    expect(await pull(a, full.cursor)).toEqual(empty);

    await push(a, mutations(a, draft(aliceClient, n3, 'three'), draft(aliceClient, n1, 'one, edited', 1)));
    await push(b, mutations(b, draft(bobClient, other, 'bob again', 1)));
    const newer = okPull(await pull(a, full.cursor));
    expect(
      newer.changes.map((c) => [c.op === 'purgeClient' ? c.clientId : c.id, 'version' in c ? c.version : 0]),
    ).toEqual([
      [n3, 1],
      [n1, 2],
    ]);
    expect(await pull(a, full.cursor)).toEqual(newer);

    // Paged: one change per page, the same page for the same cursor.
    const p1 = okPull(await pull(a, full.cursor, 1));
    expect(p1.hasMore).toBe(true);
    expect(p1.changes.map((c) => (c.op === 'purgeClient' ? '' : c.id))).toEqual([n3]);
    expect(await pull(a, full.cursor, 1)).toEqual(p1);
    const p2 = okPull(await pull(a, p1.cursor, 1));
    expect(p2.changes.map((c) => (c.op === 'purgeClient' ? '' : c.id))).toEqual([n1]);
    expect(p2.hasMore).toBe(false);

    // A superseded change is left out: the later one carries the record.
    await push(a, mutations(a, draft(aliceClient, n2, 'two b', 1), draft(aliceClient, n2, 'two c', 2)));
    const collapsed = okPull(await pull(a, p2.cursor));
    expect(collapsed.changes).toEqual([
      expect.objectContaining({ id: n2, version: 3, data: expect.objectContaining({ content: { text: 'two c' } }) }),
    ]);
  });

  it('keeps one feed row per record however often a draft is saved; every cursor still gets its latest state once', async () => {
    const { alice, aliceClient } = await world();
    const writer = await session(alice.username);
    const noteId = randomUUID();
    /** Every page from `cursor` to the end of the feed, for a device of alice's. */
    async function drain(s: Session, cursor: string | null): Promise<{ notes: Change[]; cursor: string }> {
      const notes: Change[] = [];
      for (;;) {
        const page = okPull(await pull(s, cursor, 50));
        notes.push(...notesOf(page.changes).filter((c) => c.op !== 'purgeClient' && c.id === noteId));
        cursor = page.cursor;
        if (!page.hasMore) return { notes, cursor };
      }
    }
    const before = await session(alice.username);
    const { cursor: beforeCursor } = await drain(before, null);

    // Autosaves: one push per save, as the engine sends them while the clinician types.
    const middle = await session(alice.username);
    let middleCursor: string | null = null;
    for (let version = 1; version <= 12; version += 1) {
      await push(
        writer,
        mutations(writer, draft(aliceClient, noteId, `save ${version}`, version === 1 ? null : version - 1)),
      );
      if (version === 3) middleCursor = (await drain(middle, null)).cursor;
    }
    const feed = await database.raw(`select version from changes where entity = 'note' and entity_id = $1`, [noteId]);
    expect(feed.map((row) => row['version'])).toEqual([12]);
    const [rows] = await database.raw(
      `select count(*)::int as "rows", count(distinct (entity, entity_id))::int as "records" from changes`,
    );
    expect(rows?.['rows']).toBe(rows?.['records']);

    // A device that pulled before the first save, one that pulled after the third, and a new one:
    // each receives the note once, as last saved.
    const latest = expect.objectContaining({
      op: 'put',
      version: 12,
      data: expect.objectContaining({ content: { text: 'save 12' }, version: 12 }),
    });
    expect((await drain(before, beforeCursor)).notes).toEqual([latest]);
    expect((await drain(middle, middleCursor)).notes).toEqual([latest]);
    expect((await drain(await session(alice.username), null)).notes).toEqual([latest]);
  });

  it('answers resyncRequired for a garbled or unknown cursor', async () => {
    const { alice } = await world();
    const a = await session(alice.username);
    const unknown = Buffer.from('v1:999999999:0').toString('base64url');
    for (const cursor of ['garbage!', 'djI6MTox', unknown, '']) {
      expect(await pull(a, cursor)).toEqual({ status: 'resyncRequired', reason: 'CURSOR_UNKNOWN' });
    }
  });

  it('after `admin restored`, a cursor given before is unknown (the history it names is gone); new ones work', async () => {
    const { alice, aliceClient } = await world();
    const a = await session(alice.username);
    const pullAll = async (from: string | null) => {
      let cursor = from;
      const notes: Change[] = [];
      for (;;) {
        const page = okPull(await pull(a, cursor, 50));
        notes.push(...notesOf(page.changes));
        cursor = page.cursor;
        if (!page.hasMore) return { cursor, notes };
      }
    };
    const before = (await pullAll(null)).cursor;
    expect(okPull(await pull(a, before)).changes).toEqual([]);

    const restored = commands['restored'];
    if (!restored) throw new Error('no admin command restored');
    const out: string[] = [];
    await restored.run(
      database.db,
      {},
      { stdout: (text) => out.push(text), stderr: () => undefined, readStdin: async () => '' },
    );
    expect(out.join('')).toContain('pull its records again');

    expect(await pull(a, before)).toEqual({ status: 'resyncRequired', reason: 'CURSOR_UNKNOWN' });
    const after = (await pullAll(null)).cursor;
    const noteId = randomUUID();
    await push(a, mutations(a, draft(aliceClient, noteId, 'written after the restore')));
    expect((await pullAll(after)).notes.map((change) => (change.op === 'put' ? change.id : null))).toEqual([noteId]);
    // Declared again (another restore): the cursors of the epoch before are unknown in turn.
    await restored.run(
      database.db,
      {},
      { stdout: () => undefined, stderr: () => undefined, readStdin: async () => '' },
    );
    expect(await pull(a, after)).toEqual({ status: 'resyncRequired', reason: 'CURSOR_UNKNOWN' });
  });

  it('tells the device to purge a client whose assignment was removed, and to resync when one is added', async () => {
    const { alice, aliceClient } = await world();
    const supervisor = await createUser(database.db, { role: 'supervisor' });
    await database.db.update(users).set({ supervisorId: supervisor.id }).where(eq(users.id, alice.id));
    const second = await createClient(database.db);
    await assign(database.db, alice.id, second, 'care_team');
    const a = await session(alice.username);
    const sup = await session(supervisor.username);
    await push(a, mutations(a, draft(second, randomUUID(), 'about second')));
    const before = okPull(await pull(a, null));
    expect(before.changes.some((c) => c.op === 'purgeClient')).toBe(false);
    const supBefore = okPull(await pull(sup, null));
    expect(notesOf(supBefore.changes).map((c) => c.clientId)).toEqual([second]);

    await database.db
      .update(careAssignments)
      .set({ removedAt: new Date(), updatedAt: new Date() })
      .where(and(eq(careAssignments.userId, alice.id), eq(careAssignments.clientId, second)));
    const after = okPull(await pull(a, before.cursor));
    expect(after.changes).toContainEqual({ op: 'purgeClient', clientId: second } satisfies Change);
    expect(after.changes).not.toContainEqual({ op: 'purgeClient', clientId: aliceClient });
    // The supervisor saw the client through alice: their device purges it too.
    expect(okPull(await pull(sup, supBefore.cursor)).changes).toEqual([{ op: 'purgeClient', clientId: second }]);
    // A full pull also purges it (a resync into an existing cache) and never sends its notes.
    const full = okPull(await pull(a, null));
    expect(full.changes.filter((c) => c.clientId === second)).toEqual([{ op: 'purgeClient', clientId: second }]);

    // A client joining the scope has history before the cursor: pull again in full.
    const third = await createClient(database.db);
    await assign(database.db, alice.id, third, 'caseload');
    expect(await pull(a, full.cursor)).toEqual({ status: 'resyncRequired', reason: 'SCOPE_CHANGED' });
    expect(okPull(await pull(a, null)).status).toBe('ok');
  });

  it('refuses malformed and oversized pushes with nothing written', async () => {
    const { alice, aliceClient } = await world();
    const s = await session(alice.username);
    const count = async () =>
      (
        await database.raw(
          `select (select count(*) from replicas)::int as replicas, (select count(*) from notes)::int as notes,
                  (select count(*) from changes)::int as changes, (select count(*) from audit_log)::int as audit`,
        )
      )[0];
    const before = await count();
    const good = mutations(s, draft(aliceClient, randomUUID(), 'x'))[0]!;
    const cases: [unknown, RegExp][] = [
      [{ protocolVersion: 1, replicaId: s.replicaId, mutations: [] }, /mutations/],
      [{ protocolVersion: 3, replicaId: s.replicaId, mutations: [good] }, /protocolVersion/],
      [{ protocolVersion: 0, replicaId: s.replicaId, mutations: [good] }, /protocolVersion/],
      [{ protocolVersion: 1, replicaId: 'bad id!', mutations: [good] }, /replicaId/],
      [{ protocolVersion: 1, replicaId: s.replicaId, mutations: [{ ...good, mutationId: 0 }] }, /mutationId/],
      [{ protocolVersion: 1, replicaId: s.replicaId, mutations: [{ ...good, name: 'drop.tables' }] }, /name/],
      [{ protocolVersion: 1, replicaId: s.replicaId, mutations: [good], extra: true }, /extra/],
    ];
    for (const [body, field] of cases) {
      const error = await errorOf(await server.post('/sync/push', body, auth(s.token)));
      expect(error).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
      expect(error.message).toMatch(field);
    }
    const pullError = await errorOf(
      await server.post(
        '/sync/pull',
        { protocolVersion: 1, replicaId: s.replicaId, cursor: null, limit: 0 },
        auth(s.token),
      ),
    );
    expect(pullError).toMatchObject({ status: 400, message: expect.stringMatching(/limit/) });
    const huge = draft(aliceClient, randomUUID(), 'x'.repeat(70 * 1024));
    const oversized = await pushRaw(s, [{ ...huge, mutationId: 1, hlc: hlcNow(s.replicaId) }]);
    expect(oversized.status).toBe(413);
    expect((await server.post('/sync/push', { protocolVersion: 1 }, {})).status).toBe(401);
    expect(await count()).toEqual(before);
  });

  it("refuses a replica bound to another user's device (403, audited, nothing written)", async () => {
    const { alice, bob, aliceClient } = await world();
    const a = await session(alice.username);
    await push(a, mutations(a, draft(aliceClient, randomUUID(), 'mine')));
    const b = await session(bob.username);
    const stolen = { ...b, replicaId: a.replicaId };
    const noteId = randomUUID();
    const pushed = await errorOf(await pushRaw(stolen, mutations(stolen, draft(aliceClient, noteId, 'x'))));
    expect(pushed).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    const pulled = await errorOf(
      await server.post('/sync/pull', { protocolVersion: 1, replicaId: a.replicaId, cursor: null }, auth(b.token)),
    );
    expect(pulled).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    // Another device of the same user may not take it over either.
    const aliceElsewhere = await session(alice.username);
    const other = { ...aliceElsewhere, replicaId: a.replicaId, next: 2 };
    expect((await pushRaw(other, mutations(other, draft(aliceClient, noteId, 'x')))).status).toBe(403);
    expect(await noteRows(noteId)).toEqual([]);
    const replica = await database.raw(`select user_id, last_mutation_id from replicas where replica_id = $1`, [
      a.replicaId,
    ]);
    expect(replica).toEqual([{ user_id: alice.id, last_mutation_id: backend === 'postgres' ? '1' : 1 }]);
    const denied = await database.raw(
      `select count(*)::int as n from audit_log where action = 'sync.push' and outcome = 'denied' and user_id = $1`,
      [bob.id],
    );
    expect(denied[0]?.['n']).toBe(1);
  });

  it('appends workstation audit entries to the chain', async () => {
    const { alice, aliceClient } = await world();
    const s = await session(alice.username);
    const at = new Date().toISOString();
    const response = await push(
      s,
      mutations(s, {
        name: 'audit.append',
        clientId: aliceClient,
        args: { entries: [{ action: 'chart.opened', recordType: 'client', recordId: aliceClient, at }] },
      }),
    );
    expect(response.results[0]?.status).toBe('applied');
    const rows = await database.raw(
      `select record_type, record_ids, details from audit_log where action = 'workstation.chart.opened' and user_id = $1`,
      [alice.id],
    );
    expect(rows).toEqual([
      { record_type: 'client', record_ids: [aliceClient, aliceClient], details: { at, replicaId: s.replicaId } },
    ]);
    expect((await verifyAuditChain(database.db)).ok).toBe(true);
  });
});
