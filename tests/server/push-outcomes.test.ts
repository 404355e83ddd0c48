import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/server/audit/chain.js';
import { careAssignments } from '../../src/server/db/schema.js';
import { applyPush, OUTCOME_RETENTION_MS } from '../../src/server/sync/push.js';
import { BACKENDS, useBackends, type TestDatabase } from './helpers/backends.js';
import { assign, createClient, createUser, startTestServer, type TestServer } from './helpers/fixtures.js';
import { hlcAt, newReplicaId, putOf, syncClient } from './helpers/sync-session.js';

const backends = useBackends();

const draft = (clientId: string, noteId: string, text: string, baseVersion: number | null = null) => ({
  name: 'note.saveDraft' as const,
  clientId,
  args: { noteId, content: { text }, baseVersion },
});

const phq9 = (id: string, source: 'clinician' | 'client_app' | 'import', administeredBy: string | null) => ({
  id,
  measure: {
    instrument: 'PHQ9' as const,
    instrumentVersion: '1',
    administeredAt: new Date().toISOString(),
    administeredBy,
    source,
    answers: { q1: 1, q2: 0 },
    totalScore: 1,
    band: 'minimal',
  },
});

describe.each(BACKENDS)('push outcomes, past accesses and measure attribution (%s)', (backend) => {
  let database: TestDatabase;
  let server: TestServer;
  let sync: ReturnType<typeof syncClient>;

  beforeAll(async () => {
    database = await backends.open(backend);
    server = await startTestServer(database.db);
    sync = syncClient(server);
  });
  afterAll(async () => server?.close());

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

  const noteRows = (noteId: string) =>
    database.raw(`select version, content from notes where id = $1 order by id`, [noteId]);
  const conflictCount = async (noteId: string) =>
    (await database.raw(`select count(*)::int as n from conflicts where entity_id = $1`, [noteId]))[0]?.['n'];

  it('answers a replayed refusal with the same code and sentence, and an applied one as a duplicate', async () => {
    const { alice, aliceClient, bobClient } = await world();
    const s = await sync.session(alice.username);
    const mine = randomUUID();
    const theirs = randomUUID();
    // The push whose answer the workstation never received.
    const batch = sync.mutations(s, draft(aliceClient, mine, 'kept'), draft(bobClient, theirs, 'not my client'));
    const first = await sync.pushRaw(s, batch);
    const refusal = first.results[1];
    expect(first.results[0]).toEqual({ mutationId: 1, status: 'applied' });
    expect(refusal).toMatchObject({ mutationId: 2, status: 'rejected', code: 'OUT_OF_SCOPE' });

    const again = await sync.pushRaw(s, batch);
    expect(again.lastMutationId).toBe(2);
    expect(again.results).toEqual([{ mutationId: 1, status: 'duplicate' }, refusal]);
    // Nothing happened twice, nothing of the refused one exists.
    expect(await noteRows(mine)).toEqual([{ version: 1, content: { text: 'kept' } }]);
    expect(await noteRows(theirs)).toEqual([]);
    // The replay itself is counted in the push's audit entry (codes and ids only).
    const pushes = await database.raw(
      `select details from audit_log where action = 'sync.push' and user_id = $1 order by seq`,
      [alice.id],
    );
    expect(pushes.map((row) => row['details'])).toMatchObject([
      { applied: 1, rejected: 1, duplicate: 0, replayed: 0 },
      { applied: 0, rejected: 1, duplicate: 1, replayed: 1 },
    ]);
    expect(JSON.stringify(pushes)).not.toMatch(/not my client/);
    expect((await verifyAuditChain(database.db)).ok).toBe(true);
  });

  it('repeats a refusal whose cause has gone by the time it is replayed (no second application)', async () => {
    const { alice, bobClient } = await world();
    const s = await sync.session(alice.username);
    const noteId = randomUUID();
    const [refused] = sync.mutations(s, draft(bobClient, noteId, 'written before the assignment'));
    const first = await sync.pushRaw(s, [refused!]);
    expect(first.results[0]).toMatchObject({ status: 'rejected', code: 'OUT_OF_SCOPE' });
    // bob's client joins alice's caseload; the replay still answers what the server decided then.
    await assign(database.db, alice.id, bobClient, 'care_team');
    const again = await sync.pushRaw(s, [refused!]);
    expect(again.results).toEqual(first.results);
    expect(await noteRows(noteId)).toEqual([]);
    // A new mutation id for the same change is a new decision.
    expect(await sync.push(s, draft(bobClient, noteId, 'sent again'))).toEqual(['applied']);
  });

  it('answers a replayed conflict with the same conflict id, and keeps one conflict record', async () => {
    const { alice, aliceClient } = await world();
    const laptop = await sync.session(alice.username);
    const desktop = await sync.session(alice.username);
    const noteId = randomUUID();
    expect(await sync.push(laptop, draft(aliceClient, noteId, 'v1'))).toEqual(['applied']);
    expect(await sync.push(laptop, draft(aliceClient, noteId, 'laptop', 1))).toEqual(['applied']);
    const batch = sync.mutations(desktop, draft(aliceClient, noteId, 'desktop', 1));
    const first = await sync.pushRaw(desktop, batch);
    const conflict = first.results[0];
    if (conflict?.status !== 'conflict') throw new Error(`expected a conflict, got ${JSON.stringify(conflict)}`);

    const again = await sync.pushRaw(desktop, batch);
    expect(again.results).toEqual([{ mutationId: 1, status: 'conflict', conflictId: conflict.conflictId }]);
    expect(await conflictCount(noteId)).toBe(1);
    expect(await noteRows(noteId)).toEqual([{ version: 2, content: { text: 'laptop' } }]);
    // The conflict record the answer names is the one the author pulls.
    const { changes } = await sync.pullAll(desktop, null);
    expect(putOf(changes, conflict.conflictId)).toMatchObject({ entity: 'conflict', clientId: aliceClient });
  });

  it('stores only outcomes that did not apply, and forgets them after the retention horizon', async () => {
    const { alice, aliceClient, bobClient } = await world();
    const signedIn = await server.signIn(alice.username);
    const s = { token: signedIn.accessToken, userId: alice.id, replicaId: newReplicaId(), next: 1 };
    const batch = sync.mutations(s, draft(aliceClient, randomUUID(), 'ok'), draft(bobClient, randomUUID(), 'no'));
    await sync.pushRaw(s, batch);
    const stored = () =>
      database.raw(`select mutation_id::int as id, status, code from replica_mutations where replica_id = $1`, [
        s.replicaId,
      ]);
    expect(await stored()).toEqual([{ id: 2, status: 'rejected', code: 'OUT_OF_SCOPE' }]);

    // A push past the horizon (the server's clock moved on) prunes it; a replay then reads as a duplicate.
    const principal = { id: alice.id, role: 'clinician' as const, deviceId: signedIn.deviceId };
    const later = new Date(Date.now() + OUTCOME_RETENTION_MS + 60_000);
    const replay = await applyPush(
      database.db,
      principal,
      { protocolVersion: 1, replicaId: s.replicaId, mutations: batch.map((m) => ({ ...m, hlc: hlcAt(s.replicaId) })) },
      later,
    );
    expect(replay.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
    expect(await stored()).toEqual([]);
  });

  it('records a past chart access for a client who has left the caseload, and refuses unknown clients', async () => {
    const { alice, aliceClient, bobClient } = await world();
    const s = await sync.session(alice.username);
    const openedAt = new Date().toISOString();
    const chartOpen = (clientId: string) => ({
      name: 'audit.append' as const,
      clientId,
      args: { entries: [{ action: 'chart.open', recordType: 'client', recordId: clientId, at: openedAt }] },
    });
    // Opened while on the caseload, uploaded after the assignment ended.
    await database.db
      .update(careAssignments)
      .set({ removedAt: new Date(), updatedAt: new Date() })
      .where(and(eq(careAssignments.userId, alice.id), eq(careAssignments.clientId, aliceClient)));
    const unknown = randomUUID();
    expect(await sync.push(s, chartOpen(aliceClient), chartOpen(bobClient), chartOpen(unknown))).toEqual([
      'applied',
      'applied',
      'INVALID',
    ]);
    const rows = await database.raw(
      `select record_ids, details from audit_log where action = 'workstation.chart.open' and user_id = $1 order by seq`,
      [alice.id],
    );
    expect(rows).toEqual([
      { record_ids: [aliceClient, aliceClient], details: { at: openedAt, replicaId: s.replicaId, inScope: false } },
      { record_ids: [bobClient, bobClient], details: { at: openedAt, replicaId: s.replicaId, inScope: false } },
    ]);
    expect(JSON.stringify(rows)).not.toContain(unknown);
    const refused = await database.raw(
      `select outcome, record_ids from audit_log where action = 'sync.audit.append' and user_id = $1 order by seq`,
      [alice.id],
    );
    expect(refused.map((row) => row['outcome'])).toEqual(['ok', 'ok', 'denied']);
    expect(refused[2]?.['record_ids']).toEqual([unknown]);
    expect((await verifyAuditChain(database.db)).ok).toBe(true);
  });

  it('records the signed-in clinician as the one who administered a measure, whatever the workstation says', async () => {
    const { alice, bob, aliceClient } = await world();
    const s = await sync.session(alice.username);
    const other = await sync.session(alice.username);
    const [claimedBob, unnamed, imported] = [randomUUID(), randomUUID(), randomUUID()];
    expect(
      await sync.push(
        s,
        { name: 'measure.record', clientId: aliceClient, args: phq9(claimedBob, 'clinician', bob.id) },
        { name: 'measure.record', clientId: aliceClient, args: phq9(unnamed, 'clinician', null) },
        { name: 'measure.record', clientId: aliceClient, args: phq9(imported, 'import', bob.id) },
      ),
    ).toEqual(['applied', 'applied', 'applied']);
    const { changes } = await sync.pullAll(other, null);
    expect(putOf(changes, claimedBob).data).toMatchObject({ source: 'clinician', administeredBy: alice.id });
    expect(putOf(changes, unnamed).data).toMatchObject({ source: 'clinician', administeredBy: alice.id });
    expect(putOf(changes, imported).data).toMatchObject({ source: 'import', administeredBy: null });
  });
});
