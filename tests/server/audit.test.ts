import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { appendAudit, auditRowHash, GENESIS_HASH, verifyAuditChain } from '../../src/server/audit/chain.js';
import { auditLog } from '../../src/server/db/schema.js';
import { BACKENDS, useBackends, type TestDatabase } from './helpers/backends.js';
import { assign, createClient, createUser, startTestServer, type TestServer } from './helpers/fixtures.js';

const backends = useBackends();

describe.each(BACKENDS)('audit chain (%s)', (backend) => {
  let database: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    database = await backends.open(backend);
    server = await startTestServer(database.db);
  });
  afterAll(async () => server?.close());

  const lastSeq = async () =>
    Number((await database.raw('select coalesce(max(seq), 0) as n from audit_log'))[0]?.['n']);

  it('appends an entry for every read and write through the API, with ids and no PHI', async () => {
    const clinician = await createUser(database.db);
    const client = await createClient(database.db, { givenName: 'Dana', familyName: 'Phi-Marker' });
    await assign(database.db, clinician.id, client, 'caseload');

    const start = await lastSeq();
    const session = await server.signIn(clinician.username);
    await server.get('/clients', session.accessToken);
    await server.get(`/clients/${client}`, session.accessToken);
    await server.get('/me', session.accessToken);
    await server.post('/auth/refresh', { refreshToken: session.refreshToken });
    await server.post('/auth/sign-in', { username: clinician.username, password: 'wrong-password', deviceName: 'x' });

    const rows = await database.raw('select * from audit_log where seq > $1 order by seq', [start]);
    expect(rows.map((row) => [row['action'], row['outcome']])).toEqual([
      ['auth.sign_in', 'ok'],
      ['clients.list', 'ok'],
      ['clients.read', 'ok'],
      ['me.read', 'ok'],
      ['auth.refresh', 'ok'],
      ['auth.sign_in', 'failed'],
    ]);
    expect(rows[1]).toMatchObject({ user_id: clinician.id, device_id: session.deviceId, record_ids: [client] });
    const text = JSON.stringify(rows);
    expect(text).not.toContain('Phi-Marker');
    expect(text).not.toContain(clinician.username);
    expect((await verifyAuditChain(database.db)).ok).toBe(true);
  });

  it('keeps one unbroken chain under concurrent appends', async () => {
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        appendAudit(database.db, {
          userId: null,
          deviceId: null,
          action: 'test.concurrent',
          outcome: 'ok',
          details: { i },
        }),
      ),
    );
    const result = await verifyAuditChain(database.db, 7);
    expect(result).toMatchObject({ ok: true });
    const [first] = await database.db.select().from(auditLog).orderBy(auditLog.seq).limit(1);
    expect(first?.prevHash).toBe(GENESIS_HASH);
  });

  it('refuses UPDATE, DELETE and TRUNCATE', async () => {
    await appendAudit(database.db, { userId: null, deviceId: null, action: 'test.guard', outcome: 'ok' });
    await expect(database.raw(`update audit_log set action = 'x' where seq = 1`)).rejects.toThrow(/append-only/);
    await expect(database.raw('delete from audit_log where seq = 1')).rejects.toThrow(/append-only/);
    await expect(database.raw('truncate audit_log')).rejects.toThrow(/append-only/);
    expect((await verifyAuditChain(database.db)).ok).toBe(true);
  });

  it('detects a row changed or removed behind the trigger', async () => {
    for (let i = 0; i < 5; i += 1) {
      await appendAudit(database.db, { userId: null, deviceId: null, action: 'test.tamper', outcome: 'ok' });
    }
    const seq = (await lastSeq()) - 2;
    const count = await lastSeq();
    // The owner (superuser in the test) disables the guard and rewrites history.
    await database.raw('alter table audit_log disable trigger audit_log_append_only');
    await database.raw(`update audit_log set outcome = 'denied' where seq = $1`, [seq]);
    const changed = await verifyAuditChain(database.db);
    expect(changed).toEqual({ ok: false, count: seq - 1, brokenAt: seq, reason: 'hash_mismatch' });

    // Recomputing that row's hash does not help: the next row's prev_hash no longer matches.
    const [row] = await database.db.select().from(auditLog).where(eq(auditLog.seq, seq));
    if (!row) throw new Error('row missing');
    await database.raw('update audit_log set hash = $1 where seq = $2', [auditRowHash(row.prevHash, row), seq]);
    expect(await verifyAuditChain(database.db)).toMatchObject({
      ok: false,
      brokenAt: seq + 1,
      reason: 'prev_hash_mismatch',
    });

    await database.raw('delete from audit_log where seq = $1', [seq + 1]);
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: false, brokenAt: seq + 1, reason: 'sequence_gap' });
    await database.raw('alter table audit_log enable trigger audit_log_append_only');
    expect(count).toBeGreaterThan(seq);
  });
});
