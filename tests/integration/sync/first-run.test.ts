import { describe, expect, it } from 'vitest';
import { RpcError } from '../../../src/shared/rpc/errors';
import { rejectionOf, waitFor } from '../../helpers/async';
import { onTestFinished } from 'vitest';
import { assign, createClient, createUser, PASSWORD } from '../../server/helpers/fixtures';
import { startProxy, useClinic } from './helpers/clinic';
import { seedServerNotes } from './helpers/server-notes';
import { PASSPHRASE, startWorkstation } from './helpers/workstation';

/**
 * First run and the first sync: a real core on a real SQLCipher cache, the real clinic server
 * on loopback (embedded PGlite).
 */
const env = useClinic();

/** `count` notes on the server, each with `word` in its text. */
const seedNotes = (clientId: string, authorId: string, count: number, word: string) =>
  seedServerNotes(
    env.database.db,
    clientId,
    authorId,
    Array.from({ length: count }, (_, i) => `${word} session ${i}`),
  );

describe('first run: sign in, then the passphrase, then sync', () => {
  it('holds the sign-in until the passphrase exists, then keeps it and fills the cache', async () => {
    const user = await createUser(env.database.db);
    const clientId = await createClient(env.database.db);
    await assign(env.database.db, user.id, clientId, 'caseload');
    const seeded = await seedNotes(clientId, user.id, 120, 'zebrafinch');

    const ws = startWorkstation();
    const { client } = ws.running;
    expect(await client.call('session.status', {})).toMatchObject({ state: 'signedOut' });
    expect((await client.call('vault.status', {})).state).toBe('uninitialised');

    const pending = await client.call('session.signIn', {
      serverUrl: env.clinic.url,
      username: user.username,
      password: PASSWORD,
    });
    expect(pending).toMatchObject({ state: 'pendingPassphrase', user: { id: user.id, username: user.username } });

    await client.call('vault.create', { passphrase: PASSPHRASE });
    await ws.waitForStatus((status) => status.state === 'synced');
    expect(await client.call('session.status', {})).toMatchObject({ state: 'signedIn', user: { id: user.id } });
    expect(ws.sessions.at(-1)?.state).toBe('signedIn');

    // The whole caseload arrived: the client, the clinician's staff record and every note.
    expect(ws.value('SELECT count(*) FROM session_notes WHERE client_id = ?', clientId)).toBe(seeded.length);
    expect(ws.value('SELECT count(*) FROM clients WHERE id = ?', clientId)).toBe(1);
    expect(ws.value('SELECT display_name FROM staff WHERE id = ?', user.id)).toBe(`Synthetic ${user.username}`);
    // Notes are searchable by their text (FTS over the derived body text).
    const hits = ws.value("SELECT count(*) FROM note_search WHERE note_search MATCH 'zebrafinch'");
    expect(hits).toBe(seeded.length);
    const note = ws.rows<{ template: string; note_type: string; modality: string; server_version: string }>(
      'SELECT template, note_type, modality, server_version FROM session_notes WHERE id = ?',
      seeded[0],
    )[0];
    expect(note).toEqual({ template: 'SOAP', note_type: 'progress', modality: 'video', server_version: '1' });
    await waitFor(() => ws.dataChanged.some((event) => event.all));

    const details = await client.call('sync.details', {});
    expect(details.pending).toEqual([]);
    expect(details.rejected).toEqual([]);
    expect(details.lastSyncedAt).not.toBeNull();
    expect(details.serverRestored).toBeNull();
  });

  it('an initial sync cut off in the middle resumes and ends with every record exactly once', async () => {
    const user = await createUser(env.database.db);
    const clientId = await createClient(env.database.db);
    await assign(env.database.db, user.id, clientId, 'caseload');
    const seeded = await seedNotes(clientId, user.id, 300, 'heron');
    const proxy = await startProxy(() => env.clinic.port);
    onTestFinished(() => proxy.close());

    const ws = startWorkstation({ sync: { pageLimit: 50 } });
    await ws.running.client.call('session.signIn', {
      serverUrl: proxy.url,
      username: user.username,
      password: PASSWORD,
    });
    const cut = proxy.cutAnswer(/^POST \/sync\/pull /, { nth: 4, bytes: 10_000 });
    await ws.running.client.call('vault.create', { passphrase: PASSPHRASE });
    await cut;
    await ws.waitForStatus((status) => status.state === 'synced');
    expect(ws.value('SELECT count(*) FROM session_notes WHERE client_id = ?', clientId)).toBe(seeded.length);
    expect(ws.value('SELECT count(DISTINCT id) FROM session_notes WHERE client_id = ?', clientId)).toBe(seeded.length);
    expect(ws.value("SELECT count(*) FROM note_search WHERE note_search MATCH 'heron'")).toBe(seeded.length);
    // The initial sync writes with the rollback journal; whatever happened, the cache is back in WAL.
    expect(ws.value('PRAGMA journal_mode')).toBe('wal');
  });

  it('locking in the middle of the initial sync stops it; unlocking finishes it, back in WAL', async () => {
    const user = await createUser(env.database.db);
    const clientId = await createClient(env.database.db);
    await assign(env.database.db, user.id, clientId, 'caseload');
    const seeded = await seedNotes(clientId, user.id, 120, 'plover');
    const proxy = await startProxy(() => env.clinic.port);
    onTestFinished(() => proxy.close());
    const ws = startWorkstation({ sync: { pageLimit: 20, bulkBatchChanges: 20 } });
    const { client } = ws.running;
    await client.call('session.signIn', { serverUrl: proxy.url, username: user.username, password: PASSWORD });
    // The answer to the third page waits until the workstation has locked, with pages written.
    const held = proxy.holdAnswer(/^POST \/sync\/pull /, 3);
    await client.call('vault.create', { passphrase: PASSPHRASE });
    await held.reached;
    await client.call('vault.lock', {});
    held.release();

    await client.call('vault.unlock', { passphrase: PASSPHRASE });
    await ws.waitForStatus((status) => status.state === 'synced');
    expect(ws.value('SELECT count(DISTINCT id) FROM session_notes WHERE client_id = ?', clientId)).toBe(seeded.length);
    expect(ws.value("SELECT count(*) FROM note_search WHERE note_search MATCH 'plover'")).toBe(seeded.length);
    expect(ws.value('PRAGMA journal_mode')).toBe('wal');
  });

  it('signing out stops sync and keeps the cache; signing in with another account is refused', async () => {
    const user = await createUser(env.database.db);
    const other = await createUser(env.database.db);
    const clientId = await createClient(env.database.db);
    await assign(env.database.db, user.id, clientId, 'caseload');
    const ws = startWorkstation();
    await ws.setUp(env.clinic.url, user.username);
    const { client } = ws.running;

    expect(await client.call('session.signOut', {})).toMatchObject({ state: 'signedOut', user: null });
    expect(await client.call('sync.status', {})).toMatchObject({ state: 'signedOut' });
    expect(ws.value('SELECT count(*) FROM clients WHERE id = ?', clientId)).toBe(1);
    expect(ws.value("SELECT count(*) FROM store_meta WHERE key = 'server.refreshToken'")).toBe(0);

    const refused = await rejectionOf(
      client.call('session.signIn', { serverUrl: env.clinic.url, username: other.username, password: PASSWORD }),
      RpcError,
    );
    expect(refused.code).toBe('FORBIDDEN');
    expect((await client.call('session.status', {})).state).toBe('signedOut');

    expect(
      await client.call('session.signIn', { serverUrl: env.clinic.url, username: user.username, password: PASSWORD }),
    ).toMatchObject({ state: 'signedIn', user: { id: user.id } });
    await ws.waitForStatus((status) => status.state === 'synced');
  });

  it('locking in the middle of a sync stops it cleanly; unlocking resumes', async () => {
    const user = await createUser(env.database.db);
    const clientId = await createClient(env.database.db);
    await assign(env.database.db, user.id, clientId, 'caseload');
    const proxy = await startProxy(() => env.clinic.port);
    onTestFinished(() => proxy.close());
    const ws = startWorkstation({ sync: { pageLimit: 20 } });
    await ws.setUp(proxy.url, user.username);
    const seeded = await seedNotes(clientId, user.id, 100, 'kestrel');
    const { client } = ws.running;

    // The answer to the second page is held back until the workstation has locked.
    const held = proxy.holdAnswer(/^POST \/sync\/pull /, 2);
    const round = client.call('sync.now', {});
    await held.reached;
    expect(ws.running.core.sync.status().state).toBe('syncing');
    await client.call('vault.lock', {});
    held.release();
    await round;
    expect(ws.running.core.sync.status().state).not.toBe('syncing');
    expect(ws.running.core.sync.status().reason).toBeUndefined();

    await client.call('vault.unlock', { passphrase: PASSPHRASE });
    await ws.waitForStatus((status) => status.state === 'synced');
    await client.call('sync.now', {});
    expect(ws.value('SELECT count(*) FROM session_notes WHERE client_id = ?', clientId)).toBe(seeded.length);
  });

  it('unlocking while the locked round is still unwinding: the badge says Syncing until the new round ends', async () => {
    const user = await createUser(env.database.db);
    const clientId = await createClient(env.database.db);
    await assign(env.database.db, user.id, clientId, 'caseload');
    // Pulls can be held; a held one ignores the lock's abort until released (a round that takes
    // its time to unwind, as on a busy machine). The event stream stays closed: pokes would
    // start rounds of their own.
    const gates: Array<{ reached: () => void; open: Promise<void> }> = [];
    const holds: Array<{ reached: Promise<void>; release: () => void }> = [];
    const holdNextPull = () => {
      let reached = () => undefined as void;
      let release = () => undefined as void;
      const hold = {
        reached: new Promise<void>((resolve) => (reached = resolve)),
        open: new Promise<void>((resolve) => (release = resolve)),
      };
      gates.push({ reached, open: hold.open });
      holds.push({ reached: hold.reached, release });
      return holds.at(-1)!;
    };
    onTestFinished(() => holds.forEach((hold) => hold.release()));
    const gated: typeof fetch = async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url.endsWith('/sync/events')) {
        return new Promise<Response>((_resolve, reject) =>
          init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
        );
      }
      const gate = url.endsWith('/sync/pull') ? gates.shift() : undefined;
      if (gate) {
        gate.reached();
        await gate.open;
      }
      return fetch(input, init);
    };
    const ws = startWorkstation({ sync: { fetch: gated, pageLimit: 20, intervalMs: 60_000 } });
    await ws.setUp(env.clinic.url, user.username);
    const seeded = await seedNotes(clientId, user.id, 60, 'dunlin');
    const { client } = ws.running;

    const old = holdNextPull();
    void client.call('sync.now', {});
    await old.reached;
    await client.call('vault.lock', {});
    const fresh = holdNextPull();
    await client.call('vault.unlock', { passphrase: PASSPHRASE });
    await fresh.reached;
    expect(ws.running.core.sync.status().state).toBe('syncing');
    // The locked round now unwinds; the new one is still pulling: the badge must not say Synced.
    old.release();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(ws.running.core.sync.status().state).toBe('syncing');

    fresh.release();
    await ws.waitForStatus((status) => status.state === 'synced');
    expect(ws.value('SELECT count(*) FROM session_notes WHERE client_id = ?', clientId)).toBe(seeded.length);
  });

  it('refuses a sign-in with a wrong password or an insecure address, in words', async () => {
    const user = await createUser(env.database.db);
    const ws = startWorkstation();
    const wrong = await rejectionOf(
      ws.running.client.call('session.signIn', {
        serverUrl: env.clinic.url,
        username: user.username,
        password: 'nope',
      }),
      RpcError,
    );
    expect(wrong.code).toBe('INVALID_CREDENTIALS');
    const insecure = await rejectionOf(
      ws.running.client.call('session.signIn', {
        serverUrl: 'http://clinic.example.org',
        username: user.username,
        password: PASSWORD,
      }),
      RpcError,
    );
    expect(insecure.code).toBe('SERVER_URL_REJECTED');
    const unreachable = await rejectionOf(
      ws.running.client.call('session.signIn', { serverUrl: 'http://127.0.0.1:9', username: 'x', password: 'y' }),
      RpcError,
    );
    expect(unreachable.code).toBe('SERVER_UNREACHABLE');
    expect((await ws.running.client.call('session.status', {})).state).toBe('signedOut');
  });
});
