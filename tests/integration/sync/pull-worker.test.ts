import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { ClinicServerClient } from '../../../src/core/clinic/clinic-server-client';
import { newReplicaId } from '../../../src/core/sync/replica';
import { pullWorkerStart } from '../../../src/core/sync/sync-engine';
import { DATABASE_FILE_NAME } from '../../../src/core/store/workstation-store';
import { DEFAULT_SCRYPT } from '../../../src/core/vault/key-vault';
import { RpcError } from '../../../src/shared/rpc/errors';
import { auditLog } from '../../../src/server/db/schema';
import type * as PullWorkerHost from '../../../src/core/sync/pull-worker-host';
import { assign, createClient, createUser } from '../../server/helpers/fixtures';
import { rejectionOf, waitFor } from '../../helpers/async';
import { startProxy, useClinic } from './helpers/clinic';
import { seedServerNotes } from './helpers/server-notes';
import { PASSPHRASE, startWorkstation, type Workstation } from './helpers/workstation';
import { PASSWORD } from '../../server/helpers/fixtures';

/**
 * The first sync's pages are fetched and prepared on the pull worker's thread
 * (src/core/sync/pull-worker.ts) while the core's thread writes. What a clinician then has in the
 * cache must be exactly what the core's own thread would have written, and a worker that cannot
 * run must not stop the sync. Real cores, SQLCipher caches, the real server on loopback (PGlite).
 */
const env = useClinic();
/** The worker's source, loaded through tsx as the core does when it runs from source. */
const WORKER_SOURCE = join(import.meta.dirname, '../../../src/core/sync/pull-worker.ts');

/** Every pull worker the cores in this file start, in order (the real class, only counted). */
const started = vi.hoisted(() => [] as PullWorkerHost.PullWorker[]);
vi.mock('../../../src/core/sync/pull-worker-host', async (importOriginal) => {
  const original = await importOriginal<typeof PullWorkerHost>();
  class CountedPullWorker extends original.PullWorker {
    constructor(...args: ConstructorParameters<typeof original.PullWorker>) {
      super(...args);
      started.push(this);
    }
  }
  return { ...original, PullWorker: CountedPullWorker, RealPullWorker: original.PullWorker };
});
const { RealPullWorker } = (await import('../../../src/core/sync/pull-worker-host')) as unknown as {
  RealPullWorker: typeof PullWorkerHost.PullWorker;
};

async function caseloadWithNotes(count: number) {
  const user = await createUser(env.database.db);
  const clientId = await createClient(env.database.db);
  await assign(env.database.db, user.id, clientId, 'caseload');
  // Some text outside Latin-1, which crosses threads and the wire as UTF-8.
  const texts = Array.from(
    { length: count },
    (_, i) => `Session ${i}: reviewed the plan, cravings ${i % 10}/10 — señal de alerta ✓`,
  );
  await seedServerNotes(env.database.db, clientId, user.id, texts);
  return { user, clientId };
}

/** What a clinician sees of the pulled records, in a stable order. */
const cacheContents = (ws: Workstation) => ({
  notes: ws.rows(
    `SELECT id, client_id, author_id, note_type, template, is_protected, status, modality, started_at, ended_at,
            content, note_text(content) AS body_text, server_version, draft_revision FROM session_notes ORDER BY id`,
  ),
  clients: ws.rows('SELECT id, given_name, family_name, program, status, server_version FROM clients ORDER BY id'),
  searchable: ws.value<number>(`SELECT count(*) FROM note_search WHERE note_search MATCH 'señal'`),
  cursor: ws.value<string>("SELECT cursor FROM sync_cursors WHERE stream = 'main'"),
});

/** The core's log lines with `code` (codes and counts only: the log never holds record content). */
const logged = (ws: Workstation, code: string) =>
  readFileSync(join(ws.profile, 'logs', 'core.log'), 'utf8')
    .split('\n')
    .filter((line) => line.includes(`"code":"${code}"`))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

// Small pages and bulk transactions: the worker runs a long chain of requests ahead of the writes.
const SMALL_PAGES = { pageLimit: 25, bulkBatchChanges: 60 };

describe('the pull worker', () => {
  it('fills the cache on the first sync exactly as the core thread alone does', async () => {
    const { user } = await caseloadWithNotes(180);

    const withWorker = startWorkstation({ sync: SMALL_PAGES });
    await withWorker.setUp(env.clinic.url, user.username);
    const alone = startWorkstation({ sync: SMALL_PAGES, pullWorker: null });
    await alone.setUp(env.clinic.url, user.username);

    expect(logged(withWorker, 'FULL_PULL')).toEqual([
      expect.objectContaining({ changes: expect.any(Number), preparedOn: 'pullWorker' }),
    ]);
    expect(logged(alone, 'FULL_PULL')).toEqual([expect.objectContaining({ preparedOn: 'core' })]);
    const expected = cacheContents(alone);
    expect(expected.notes).toHaveLength(180);
    expect(expected.searchable).toBe(180);
    expect(cacheContents(withWorker)).toEqual(expected);
  });

  it('a workstation still speaking protocol 1 (content as objects) gets the same cache as protocol 2 (content as text)', async () => {
    const { user } = await caseloadWithNotes(60);

    const current = startWorkstation({ sync: SMALL_PAGES });
    await current.setUp(env.clinic.url, user.username);
    const older = startWorkstation({ sync: { ...SMALL_PAGES, protocolVersion: 1 } });
    await older.setUp(env.clinic.url, user.username);

    const expected = cacheContents(current);
    expect(expected.notes).toHaveLength(60);
    expect(expected.searchable).toBe(60);
    expect(cacheContents(older)).toEqual(expected);
  });

  it('writes the pages it has instead of waiting for more: the caseload fills in while a later page is slow', async () => {
    const { user, clientId } = await caseloadWithNotes(100);
    const proxy = await startProxy(() => env.clinic.port);
    // One bulk transaction could take the whole pull: only a page that is late makes it write early.
    const ws = startWorkstation({ sync: { pageLimit: 25, bulkBatchChanges: 10_000 } });
    try {
      const held = proxy.holdAnswer(/^POST \/sync\/pull /, 3);
      const signedIn = await ws.running.client.call('session.signIn', {
        serverUrl: proxy.url,
        username: user.username,
        password: PASSWORD,
      });
      expect(signedIn.state).toBe('pendingPassphrase');
      await ws.running.client.call('vault.create', { passphrase: PASSPHRASE });
      await held.reached;
      // The third page is held back by the network: the first two are in the cache meanwhile.
      const notes = () => ws.value<number>('SELECT count(*) FROM session_notes WHERE client_id = ?', clientId);
      await waitFor(() => notes() > 0, 10_000);
      expect(notes()).toBeLessThan(100);
      expect(ws.value('SELECT count(*) FROM clients WHERE id = ?', clientId)).toBe(1);
      held.release();
      await ws.waitForStatus((status) => status.state === 'synced', 15_000);
      expect(notes()).toBe(100);
      expect(ws.value(`SELECT count(*) FROM note_search WHERE note_search MATCH 'señal'`)).toBe(100);
    } finally {
      await ws.stop();
      await proxy.close();
    }
  });

  it('a first run starts the pull worker at sign-in, while the passphrase is chosen, and the first sync uses it', async () => {
    const { user, clientId } = await caseloadWithNotes(40);
    const ws = startWorkstation({ sync: SMALL_PAGES });
    try {
      const before = started.length;
      const signedIn = await ws.running.client.call('session.signIn', {
        serverUrl: env.clinic.url,
        username: user.username,
        password: PASSWORD,
      });
      expect(signedIn.state).toBe('pendingPassphrase');
      // No cache yet, and already a worker loading for the sync that will fill it.
      expect(started.length).toBe(before + 1);
      const prepared = started.at(-1)!;
      expect(prepared.available).toBe(true);

      await ws.running.client.call('vault.create', { passphrase: PASSPHRASE });
      await ws.waitForStatus((status) => status.state === 'synced', 15_000);
      expect(ws.value('SELECT count(*) FROM session_notes WHERE client_id = ?', clientId)).toBe(40);
      expect(logged(ws, 'FULL_PULL')).toEqual([expect.objectContaining({ preparedOn: 'pullWorker' })]);
      // The one started at sign-in did the work (no second one), and it is closed after the pull.
      expect(started.length).toBe(before + 1);
      await waitFor(() => !prepared.available, 5_000);
    } finally {
      await ws.stop();
    }
  });

  it("a first run's initial sync starts downloading while the cache is created, and the engine takes that pull over", async () => {
    const { user, clientId } = await caseloadWithNotes(60);
    const proxy = await startProxy(() => env.clinic.port);
    // The product's memory-hard key derivation (~0.5 s): time the download can use.
    const ws = startWorkstation({ sync: SMALL_PAGES, scrypt: DEFAULT_SCRYPT });
    try {
      const signedIn = await ws.running.client.call('session.signIn', {
        serverUrl: proxy.url,
        username: user.username,
        password: PASSWORD,
      });
      expect(signedIn.state).toBe('pendingPassphrase');
      // The clinician chooses a passphrase and types it twice, seconds in which the worker started
      // at sign-in loads (here from source through tsx: up to a second on a busy machine).
      const worker = started.at(-1)!;
      await waitFor(() => worker.loaded, 10_000);
      const held = proxy.holdAnswer(/^POST \/sync\/pull /, 1);
      let created = false;
      const creating = ws.running.client.call('vault.create', { passphrase: PASSPHRASE }).then(() => {
        created = true;
      });
      // The first page was asked for before the cache existed.
      await held.reached;
      expect(created).toBe(false);
      held.release();
      await creating;
      await ws.waitForStatus((status) => status.state === 'synced', 15_000);
      expect(ws.value('SELECT count(*) FROM session_notes WHERE client_id = ?', clientId)).toBe(60);
      expect(logged(ws, 'FULL_PULL')).toEqual([expect.objectContaining({ preparedOn: 'pullWorker' })]);

      // One pull from the start (the early one, taken over, not begun again), under the replica
      // id the new cache keeps, which every later request uses.
      const pulls = await env.database.db
        .select({ details: auditLog.details })
        .from(auditLog)
        .where(and(eq(auditLog.userId, user.id), eq(auditLog.action, 'sync.pull')));
      const replica = ws.value<string>("SELECT value FROM store_meta WHERE key = 'sync.replicaId'");
      expect(pulls.length).toBeGreaterThan(2);
      expect(pulls.filter((pull) => pull.details['fromSeq'] === 0)).toHaveLength(1);
      expect(new Set(pulls.map((pull) => pull.details['replicaId']))).toEqual(new Set([replica]));
    } finally {
      await ws.stop();
      await proxy.close();
    }
  });

  it('a refused passphrase begins no download; a cache that cannot be made drops the pages begun for it, and the next try pulls afresh', async () => {
    const { user, clientId } = await caseloadWithNotes(60);
    const proxy = await startProxy(() => env.clinic.port);
    // The product's key derivation (~0.5 s): the cache's file is made after it.
    const ws = startWorkstation({ sync: SMALL_PAGES, scrypt: DEFAULT_SCRYPT });
    const pullsFromStart = async () =>
      (
        await env.database.db
          .select({ details: auditLog.details })
          .from(auditLog)
          .where(and(eq(auditLog.userId, user.id), eq(auditLog.action, 'sync.pull')))
      ).filter((pull) => pull.details['fromSeq'] === 0);
    try {
      await ws.running.client.call('session.signIn', {
        serverUrl: proxy.url,
        username: user.username,
        password: PASSWORD,
      });
      await waitFor(() => started.at(-1)?.available === true, 10_000);

      // Too short: refused in words, and nothing was downloaded for it.
      const weak = await rejectionOf(ws.running.client.call('vault.create', { passphrase: 'short' }), RpcError);
      expect(weak.code).toBe('PASSPHRASE_TOO_WEAK');
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(proxy.seen(/^POST \/sync\/pull /)).toBe(0);

      // The download begins with the key derivation; meanwhile the folder where the new cache's
      // file is made becomes unusable (a folder stands in its place), so making the cache fails.
      const held = proxy.holdAnswer(/^POST \/sync\/pull /, 1);
      const creating = rejectionOf(ws.running.client.call('vault.create', { passphrase: PASSPHRASE }), RpcError);
      await held.reached;
      const blocker = join(ws.profile, `${DATABASE_FILE_NAME}.creating`);
      mkdirSync(blocker);
      await creating;
      held.release();
      expect((await ws.running.client.call('vault.status', {})).state).toBe('uninitialised');
      for (let i = 0; i < 100 && (await pullsFromStart()).length === 0; i += 1)
        await new Promise((resolve) => setTimeout(resolve, 50));
      const early = await pullsFromStart();
      expect(early).toHaveLength(1);

      // Tried again: a pull of its own from the start, under the new cache's replica id; the
      // pages of the failed attempt were dropped, not reused.
      rmSync(blocker, { recursive: true });
      await ws.running.client.call('vault.create', { passphrase: PASSPHRASE });
      await ws.waitForStatus((status) => status.state === 'synced', 15_000);
      expect(ws.value('SELECT count(*) FROM session_notes WHERE client_id = ?', clientId)).toBe(60);
      const replica = ws.value<string>("SELECT value FROM store_meta WHERE key = 'sync.replicaId'");
      const pulls = await pullsFromStart();
      expect(pulls).toHaveLength(2);
      expect(early[0]!.details['replicaId']).not.toBe(replica);
      expect(pulls.filter((pull) => pull.details['replicaId'] === replica)).toHaveLength(1);
    } finally {
      await ws.stop();
      await proxy.close();
    }
  });

  it('a pull begun early is taken over by the same request only; any other drops it and runs its own', async () => {
    const { user } = await caseloadWithNotes(30);
    const baseUrl = new URL(env.clinic.url);
    const signedIn = await new ClinicServerClient({ baseUrl }).signIn({
      username: user.username,
      password: PASSWORD,
      deviceName: 'Early pull test',
    });
    const start = (replicaId: string, limit: number) =>
      pullWorkerStart({
        tuning: { pageLimit: limit },
        baseUrl,
        token: signedIn.accessToken,
        replicaId,
        cursor: null,
      });
    const fullPullsOf = async (replicaId: string) =>
      (
        await env.database.db
          .select({ details: auditLog.details })
          .from(auditLog)
          .where(and(eq(auditLog.userId, user.id), eq(auditLog.action, 'sync.pull')))
      ).filter((pull) => pull.details['replicaId'] === replicaId && pull.details['fromSeq'] === 0).length;
    const worker = new RealPullWorker({ path: WORKER_SOURCE });
    try {
      // The same request: the early pull's pages, no second pull from the start.
      const same = newReplicaId();
      worker.begin(start(same, 10));
      const taken = worker.pages(start(same, 10));
      const first = await taken.next();
      expect(first.status === 'ok' && first.changes.length).toBe(10);
      taken.close();
      expect(await fullPullsOf(same)).toBe(1);

      // Another page size: the early pull is dropped and the request runs as asked.
      const other = newReplicaId();
      worker.begin(start(other, 10));
      for (let i = 0; i < 100 && (await fullPullsOf(other)) === 0; i += 1)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await fullPullsOf(other)).toBe(1);
      const own = worker.pages(start(other, 4));
      const page = await own.next();
      expect(page.status === 'ok' && page.changes.length).toBe(4);
      own.close();
      expect(await fullPullsOf(other)).toBe(2);
    } finally {
      await worker.close();
    }
  });

  it('a first-run sign-in that never gets a passphrase leaves no worker thread behind when the core stops', async () => {
    const { user } = await caseloadWithNotes(1);
    const ws = startWorkstation({ sync: SMALL_PAGES });
    const before = started.length;
    try {
      await ws.running.client.call('session.signIn', {
        serverUrl: env.clinic.url,
        username: user.username,
        password: PASSWORD,
      });
      expect(started.length).toBe(before + 1);
      expect(started.at(-1)!.available).toBe(true);
    } finally {
      await ws.stop();
    }
    expect(started.at(-1)!.available).toBe(false);
  });

  it('a worker that cannot start: the first sync still completes on the core thread, and the log says why', async () => {
    const { user, clientId } = await caseloadWithNotes(70);
    // As in a damaged installation: no pull-worker.js where the core looks for it.
    const ws = startWorkstation({
      sync: SMALL_PAGES,
      pullWorker: { path: `/nonexistent/${randomUUID()}/pull-worker.js` },
    });
    await ws.setUp(env.clinic.url, user.username);

    expect(ws.value('SELECT count(*) FROM session_notes WHERE client_id = ?', clientId)).toBe(70);
    expect(logged(ws, 'PULL_WORKER_FAILED')).toHaveLength(1);
    expect(logged(ws, 'FULL_PULL')).toEqual([expect.objectContaining({ preparedOn: 'core' })]);
    expect(ws.running.core.sync.status()).toMatchObject({ state: 'synced', pending: 0 });
  });
});
