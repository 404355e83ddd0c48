import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/server/audit/chain.js';
import { careAssignments } from '../../src/server/db/schema.js';
import { BACKENDS, useBackends, type TestDatabase } from './helpers/backends.js';
import { assign, createClient, createUser, startTestServer, type TestServer } from './helpers/fixtures.js';
import { putOf, syncClient } from './helpers/sync-session.js';

const backends = useBackends();

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

describe.each(BACKENDS)('push: past accesses and measure attribution (%s)', (backend) => {
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
