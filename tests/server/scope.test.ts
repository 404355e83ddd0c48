import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { careAssignments, users } from '../../src/server/db/schema.js';
import { clientsInScope, isClientInScope } from '../../src/server/scope.js';
import { BACKENDS, useBackends, type TestDatabase } from './helpers/backends.js';
import { assign, createClient, createUser, errorOf, startTestServer, type TestServer } from './helpers/fixtures.js';

const backends = useBackends();

describe.each(BACKENDS)('client scope (%s)', (backend) => {
  let database: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    database = await backends.open(backend);
    server = await startTestServer(database.db);
  });
  afterAll(async () => server?.close());

  const listIds = async (token: string) => {
    const response = await server.get('/clients', token);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { clients: { id: string; relation: string; displayName: string }[] };
    return Object.fromEntries(body.clients.map((client) => [client.id, client.relation]));
  };

  it('gives clinicians their caseload and care team, supervisors their supervisees, admins nothing', async () => {
    const db = database.db;
    const supervisor = await createUser(db, { role: 'supervisor' });
    const alice = await createUser(db, { supervisorId: supervisor.id });
    const bob = await createUser(db);
    const admin = await createUser(db, { role: 'admin' });
    const [a1, a2, b1, s1, nobody] = [
      await createClient(db),
      await createClient(db),
      await createClient(db),
      await createClient(db),
      await createClient(db),
    ];
    await assign(db, alice.id, a1, 'caseload');
    await assign(db, alice.id, a2, 'care_team');
    await assign(db, bob.id, b1, 'caseload');
    await assign(db, bob.id, a1, 'care_team');
    await assign(db, supervisor.id, s1, 'caseload');

    const aliceSession = await server.signIn(alice.username);
    const bobSession = await server.signIn(bob.username);
    const supervisorSession = await server.signIn(supervisor.username);
    const adminSession = await server.signIn(admin.username);

    expect(await listIds(aliceSession.accessToken)).toEqual({ [a1]: 'caseload', [a2]: 'care_team' });
    expect(await listIds(bobSession.accessToken)).toEqual({ [b1]: 'caseload', [a1]: 'care_team' });
    expect(await listIds(supervisorSession.accessToken)).toEqual({
      [s1]: 'caseload',
      [a1]: 'supervisee',
      [a2]: 'supervisee',
    });
    expect(await listIds(adminSession.accessToken)).toEqual({});
    expect(nobody).toBeDefined();

    // Single-record reads: in scope 200, out of scope 403 (for clients that exist or not).
    expect((await server.get(`/clients/${a1}`, aliceSession.accessToken)).status).toBe(200);
    expect(await errorOf(await server.get(`/clients/${b1}`, aliceSession.accessToken))).toMatchObject({
      status: 403,
      code: 'FORBIDDEN',
    });
    expect((await server.get(`/clients/${nobody}`, aliceSession.accessToken)).status).toBe(403);
    expect((await server.get(`/clients/${a1}`, adminSession.accessToken)).status).toBe(403);
    expect((await server.get(`/clients/${a2}`, supervisorSession.accessToken)).status).toBe(200);

    // The out-of-scope attempt is in the audit log (ids only).
    const denied = await database.raw(
      `select user_id, device_id, record_ids, outcome from audit_log where action = 'clients.read' and outcome = 'denied' and user_id = $1`,
      [alice.id],
    );
    expect(denied).toHaveLength(2);
    expect(denied[0]).toMatchObject({ device_id: aliceSession.deviceId, record_ids: [b1] });

    // /me summarises the scope.
    const me = (await (await server.get('/me', supervisorSession.accessToken)).json()) as { scope: unknown };
    expect(me.scope).toMatchObject({ clients: 3, caseload: 1, viaSupervisees: 2, supervisees: 1 });

    // Removing an assignment takes the client out of scope at once.
    await db.update(careAssignments).set({ removedAt: new Date() }).where(eq(careAssignments.clientId, a2));
    expect(await listIds(aliceSession.accessToken)).toEqual({ [a1]: 'caseload' });
    expect((await server.get(`/clients/${a2}`, aliceSession.accessToken)).status).toBe(403);
    expect(await listIds(supervisorSession.accessToken)).toEqual({ [s1]: 'caseload', [a1]: 'supervisee' });

    // A clinician who is no longer supervised leaves the supervisor's scope.
    await db.update(users).set({ supervisorId: null }).where(eq(users.id, alice.id));
    expect(await listIds(supervisorSession.accessToken)).toEqual({ [s1]: 'caseload' });
  });

  it('answers scope queries directly for each role', async () => {
    const db = database.db;
    const clinician = await createUser(db);
    const client = await createClient(db);
    await assign(db, clinician.id, client, 'care_team');
    expect(await isClientInScope(db, { id: clinician.id, role: 'clinician' }, client)).toBe(true);
    expect(await isClientInScope(db, { id: clinician.id, role: 'admin' }, client)).toBe(false);
    expect(await clientsInScope(db, { id: clinician.id, role: 'clinician' })).toEqual([
      { id: client, displayName: 'Synthetic Client', program: 'iop', relation: 'care_team' },
    ]);
  });

  it('uses the active-assignment index for the scope query (PostgreSQL plan)', async () => {
    if (backend !== 'postgres') return;
    await database.raw('analyze');
    const plan = await database.raw(
      `explain select client_id from care_assignments where user_id = '00000000-0000-0000-0000-000000000000' and removed_at is null`,
    );
    // Tiny tables may be scanned sequentially; force the planner's hand to prove the index fits.
    await database.raw('set enable_seqscan = off');
    const forced = await database.raw(
      `explain select client_id from care_assignments where user_id = '00000000-0000-0000-0000-000000000000' and removed_at is null`,
    );
    await database.raw('set enable_seqscan = on');
    expect(plan.length).toBeGreaterThan(0);
    expect(JSON.stringify(forced)).toMatch(/care_assignments_active_user_idx|care_assignments_user_id_client_id_pk/);
  });
});
