import { and, eq, inArray, sql } from 'drizzle-orm';
import { describe, expect, it, onTestFinished } from 'vitest';
import { auditLog, notes } from '../../../src/server/db/schema';
import { waitFor } from '../../helpers/async';
import { assign, createClient, createUser } from '../../server/helpers/fixtures';
import { BACKENDS, useBackends } from '../../server/helpers/backends';
import { startClinic, startProxy } from './helpers/clinic';
import { startWorkstation } from './helpers/workstation';

/**
 * The central sync guarantees on both server databases: the embedded PGlite and a real
 * PostgreSQL 15 cluster (started by the helper). Real cores and SQLCipher caches on the
 * workstation side, the real server on loopback.
 */
const backends = useBackends();

describe.each(BACKENDS)('workstation sync against the clinic server on %s', (backend) => {
  it('a push cut off by a server crash is retried and applied exactly once; another workstation sees it', async () => {
    const database = await backends.open(backend);
    const clinic = await startClinic(database.db);
    onTestFinished(() => clinic.close());
    const proxy = await startProxy(() => clinic.port);
    onTestFinished(() => proxy.close());
    const user = await createUser(database.db);
    const clientId = await createClient(database.db);
    await assign(database.db, user.id, clientId, 'caseload');

    const writer = startWorkstation({ sync: { pushLimit: 5 } });
    await writer.setUp(proxy.url, user.username);
    const reader = startWorkstation();
    await reader.setUp(clinic.url, user.username);
    const replicaId = writer.value<string>("SELECT value FROM store_meta WHERE key = 'sync.replicaId'");

    proxy.cut();
    const ids = Array.from({ length: 12 }, (_, i) => writer.saveDraft(clientId, `written on ${backend} ${i}`));
    const cut = proxy.cutAnswer(/^POST \/sync\/push /, { nth: 2 });
    proxy.restore();
    await cut;
    await clinic.kill();
    await writer.waitForStatus((status) => status.state === 'offline');
    await clinic.restart();
    await writer.waitForStatus((status) => status.state === 'synced' && status.pending === 0, 20_000);

    const onServer = await database.db.select({ version: notes.version }).from(notes).where(inArray(notes.id, ids));
    expect(onServer).toHaveLength(12);
    expect(onServer.every((note) => note.version === 1)).toBe(true);
    const processed = await database.db
      .select({ mutationId: sql<number>`(${auditLog.details}->>'mutationId')::int` })
      .from(auditLog)
      .where(and(eq(auditLog.action, 'sync.note.saveDraft'), sql`${auditLog.details}->>'replicaId' = ${replicaId}`));
    expect(processed).toHaveLength(12);
    expect(new Set(processed.map((row) => row.mutationId)).size).toBe(12);

    // The reader was poked (after the server came back its stream reconnected) and has them all.
    await waitFor(
      () =>
        reader.value<number>(
          `SELECT count(*) FROM session_notes WHERE id IN (${ids.map(() => '?').join(',')})`,
          ...ids,
        ) === 12,
      20_000,
    );
  }, 90_000);
});
