import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { describe, expect, it, onTestFinished } from 'vitest';
import { auditLog, conflicts, notes, refreshTokens, replicas } from '../../../src/server/db/schema';
import { waitFor } from '../../helpers/async';
import { DEFAULT_SCRYPT } from '../../../src/core/vault/key-vault';
import { assign, createClient, createUser, PASSWORD } from '../../server/helpers/fixtures';
import { admin, type Proxy, startClinic, startProxy, useClinic } from './helpers/clinic';
import { PASSPHRASE, startWorkstation, type Workstation } from './helpers/workstation';
import type { SyncTuning } from '../../../src/core/sync/sync-engine';

/**
 * The reliability scenarios, end to end: real cores on real SQLCipher caches, the real
 * clinic server on loopback (embedded PGlite; tests/integration/sync/postgres.test.ts repeats
 * the central ones on PostgreSQL), and a loopback TCP proxy per workstation to cut its network.
 */
const env = useClinic();

interface Device {
  ws: Workstation;
  proxy: Proxy;
}

/** A clinician with one client on their caseload. */
async function clinician() {
  const user = await createUser(env.database.db);
  const clientId = await createClient(env.database.db);
  await assign(env.database.db, user.id, clientId, 'caseload');
  return { user, clientId };
}

/** A workstation behind its own proxy, signed in and synced once. */
async function device(
  username: string,
  options: { sync?: SyncTuning; clock?: () => number; target?: () => number } = {},
): Promise<Device> {
  const proxy = await startProxy(options.target ?? (() => env.clinic.port));
  onTestFinished(() => proxy.close());
  const ws = startWorkstation({
    ...(options.sync ? { sync: options.sync } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  await ws.setUp(proxy.url, username);
  return { ws, proxy };
}

const replicaOf = (ws: Workstation): string => ws.value("SELECT value FROM store_meta WHERE key = 'sync.replicaId'");

/** How many times the server processed each of this replica's mutations (from its audit chain). */
async function processedMutations(replicaId: string, action: string): Promise<Map<number, number>> {
  const rows = await env.database.db
    .select({ details: auditLog.details })
    .from(auditLog)
    .where(and(eq(auditLog.action, action), sql`${auditLog.details}->>'replicaId' = ${replicaId}`));
  const counts = new Map<number, number>();
  for (const row of rows) {
    const id = Number(row.details['mutationId']);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

const noteText = (ws: Workstation, noteId: string): string =>
  ws.value('SELECT note_text(content) FROM session_notes WHERE id = ?', noteId);

describe('pushing through failures', () => {
  it('server killed in the middle of a push: the workstation retries and every change is applied exactly once', async () => {
    const { user, clientId } = await clinician();
    const { ws, proxy } = await device(user.username, { sync: { pushLimit: 10 } });
    const replicaId = replicaOf(ws);

    // Forty drafts written offline.
    proxy.cut();
    const ids = Array.from({ length: 40 }, (_, i) => ws.saveDraft(clientId, `offline draft ${i}`));
    await ws.waitForStatus((status) => status.pending >= 40);

    // Back online: the second push reaches the server and is applied, but the server dies before
    // its answer leaves (the answer is cut, then the server is killed).
    const cut = proxy.cutAnswer(/^POST \/sync\/push /, { nth: 2 });
    proxy.restore();
    void ws.running.client.call('sync.now', {});
    await cut;
    await env.clinic.kill();
    await ws.waitForStatus((status) => status.state === 'offline');
    expect(ws.value("SELECT count(*) FROM sync_outbox WHERE status = 'pending'")).toBeGreaterThanOrEqual(30);

    await env.clinic.restart();
    await ws.waitForStatus((status) => status.state === 'synced' && status.pending === 0, 20_000);

    const onServer = await env.database.db
      .select({ id: notes.id, version: notes.version, content: notes.content })
      .from(notes)
      .where(inArray(notes.id, ids));
    expect(onServer).toHaveLength(40);
    expect(onServer.every((note) => note.version === 1)).toBe(true);
    const processed = await processedMutations(replicaId, 'sync.note.saveDraft');
    expect(processed.size).toBe(40);
    expect([...processed.values()].every((times) => times === 1)).toBe(true);
    const [replica] = await env.database.db.select().from(replicas).where(eq(replicas.replicaId, replicaId));
    expect(replica?.lastMutationId).toBe(ws.value("SELECT seq FROM sqlite_sequence WHERE name = 'sync_outbox'"));
    expect(await ws.running.client.call('sync.details', {})).toMatchObject({ pending: [], rejected: [] });
  });

  it('a note longer than a push batch (3 MB) is pushed on its own, between short ones, and applied once', async () => {
    const { user, clientId } = await clinician();
    const { ws, proxy } = await device(user.username);
    const replicaId = replicaOf(ws);

    // Written offline: a short draft, a very long one (a pasted report), another short one.
    proxy.cut();
    const long = 'Pasted discharge summary, line by line. '.repeat(75_000);
    const ids = [
      ws.saveDraft(clientId, 'before the long note'),
      ws.saveDraft(clientId, long),
      ws.saveDraft(clientId, 'after the long note'),
    ];
    await ws.waitForStatus((status) => status.pending >= 3);
    proxy.restore();
    void ws.running.client.call('sync.now', {});
    await ws.waitForStatus((status) => status.state === 'synced' && status.pending === 0, 20_000);

    const onServer = await env.database.db
      .select({ id: notes.id, content: notes.content })
      .from(notes)
      .where(inArray(notes.id, ids));
    const text = (id: string) => JSON.stringify(onServer.find((note) => note.id === id)?.content ?? null);
    expect(onServer).toHaveLength(3);
    expect(text(ids[1]!)).toContain(long);
    expect(text(ids[2]!)).toContain('after the long note');
    const processed = await processedMutations(replicaId, 'sync.note.saveDraft');
    expect([...processed.values()]).toEqual([1, 1, 1]);
    expect(await ws.running.client.call('sync.details', {})).toMatchObject({ pending: [], rejected: [] });
  });

  it('a duplicated push and a reordered batch still apply every change once, in order', async () => {
    const { user, clientId } = await clinician();
    let mode: 'duplicate' | 'reorder' | 'normal' = 'normal';
    // The network between the workstation and the server duplicates or reorders push requests.
    const faultyFetch: typeof fetch = async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (!url.endsWith('/sync/push') || !init?.body || mode === 'normal') return fetch(input, init);
      if (mode === 'duplicate') {
        mode = 'normal';
        await (await fetch(input, init)).text();
        return fetch(input, init);
      }
      mode = 'normal';
      const body = JSON.parse(String(init.body)) as { mutations: unknown[] };
      // The second and third mutation swapped in transit.
      const [first, second, third, ...rest] = body.mutations;
      return fetch(input, { ...init, body: JSON.stringify({ ...body, mutations: [first, third, second, ...rest] }) });
    };
    const { ws } = await device(user.username, { sync: { fetch: faultyFetch } });
    const replicaId = replicaOf(ws);

    mode = 'duplicate';
    const duplicated = [1, 2, 3].map((i) => ws.saveDraft(clientId, `duplicated ${i}`));
    await ws.running.client.call('sync.now', {});
    await ws.waitForStatus((status) => status.state === 'synced' && status.pending === 0);

    mode = 'reorder';
    const reordered = [1, 2, 3, 4, 5].map((i) => ws.saveDraft(clientId, `reordered ${i}`));
    await ws.running.client.call('sync.now', {});
    await ws.waitForStatus((status) => status.state === 'synced' && status.pending === 0);

    const onServer = await env.database.db
      .select({ id: notes.id, version: notes.version })
      .from(notes)
      .where(inArray(notes.id, [...duplicated, ...reordered]));
    expect(onServer).toHaveLength(8);
    expect(onServer.every((note) => note.version === 1)).toBe(true);
    const processed = await processedMutations(replicaId, 'sync.note.saveDraft');
    expect(processed.size).toBe(8);
    expect([...processed.values()].every((times) => times === 1)).toBe(true);
    expect((await ws.running.client.call('sync.details', {})).rejected).toEqual([]);
  });

  it('a clinic server that forgot acknowledged changes gets them again, then takes the next ones', async () => {
    const { user, clientId } = await clinician();
    const { ws, proxy } = await device(user.username);
    const replicaId = replicaOf(ws);
    const before = [1, 2, 3].map((i) => ws.saveDraft(clientId, `before the restore ${i}`));
    await ws.running.client.call('sync.now', {});
    await ws.waitForStatus((status) => status.state === 'synced' && status.pending === 0);
    const [acknowledged] = await env.database.db
      .select({ last: replicas.lastMutationId })
      .from(replicas)
      .where(eq(replicas.replicaId, replicaId));
    expect(acknowledged!.last).toBeGreaterThanOrEqual(3);

    // The server goes back to a backup taken after the first of those changes: it has forgotten
    // the other two (and that it had acknowledged them). Meanwhile the clinician writes offline.
    proxy.cut();
    await env.database.db
      .update(replicas)
      .set({ lastMutationId: acknowledged!.last - 2 })
      .where(eq(replicas.replicaId, replicaId));
    await env.database.db.delete(notes).where(inArray(notes.id, before.slice(1)));
    const after = ws.saveDraft(clientId, 'written while the server was being restored');
    proxy.restore();
    await ws.running.client.call('sync.now', {});
    await ws.waitForStatus((status) => status.state === 'synced' && status.pending === 0);

    const [onServer] = await env.database.db.select({ content: notes.content }).from(notes).where(eq(notes.id, after));
    expect(JSON.stringify(onServer?.content)).toContain('written while the server was being restored');
    // The two it forgot came back from the workstation's outbox, before the new one.
    const back = await env.database.db
      .select({ id: notes.id, content: notes.content })
      .from(notes)
      .where(inArray(notes.id, before.slice(1)));
    expect(back.map((note) => JSON.stringify(note.content)).sort()).toEqual([
      expect.stringContaining('before the restore 2'),
      expect.stringContaining('before the restore 3'),
    ]);
    const [replica] = await env.database.db
      .select({ last: replicas.lastMutationId })
      .from(replicas)
      .where(eq(replicas.replicaId, replicaId));
    expect(replica!.last).toBeGreaterThanOrEqual(acknowledged!.last + 1);
    const details = await ws.running.client.call('sync.details', {});
    expect(details.rejected).toEqual([]);
    // The sync panel tells the clinician: the two changes the server had lost were sent again.
    expect(details.serverRestored).toMatchObject({ replayed: 2 });

    // And the one after that follows on as usual.
    const later = ws.saveDraft(clientId, 'after the restore');
    await ws.running.client.call('sync.now', {});
    await ws.waitForStatus((status) => status.state === 'synced' && status.pending === 0);
    expect(await env.database.db.select({ id: notes.id }).from(notes).where(eq(notes.id, later))).toHaveLength(1);
  });
});

describe('pulling through failures', () => {
  it('a network drop in the middle of a pull: the page in flight is not applied at all, the pull resumes', async () => {
    const { user, clientId } = await clinician();
    // No automatic retry during the test (backoff of ten minutes, jitter at its top).
    const { ws, proxy } = await device(user.username, {
      sync: { pageLimit: 50, backoff: { baseMs: 600_000, maxMs: 600_000 }, random: () => 0.999 },
    });
    proxy.cut();
    const author = startWorkstation();
    await author.setUp(env.clinic.url, user.username);
    const written = Array.from({ length: 120 }, (_, i) => author.saveDraft(clientId, `page test ${i}`));
    await author.waitForStatus((status) => status.state === 'synced' && status.pending === 0, 30_000);
    await author.stop();
    await ws.waitForStatus((status) => status.state === 'offline');

    // Back online, the workstation pulls by itself; the answer to its second page request is cut.
    const cut = proxy.cutAnswer(/^POST \/sync\/pull /, { nth: 2, bytes: 20_000 });
    proxy.restore();
    await cut;
    await ws.waitForStatus((status) => status.state === 'offline');
    // Page one (50 changes) is in the cache; nothing of page two.
    const count = (): number =>
      ws.value(`SELECT count(*) FROM session_notes WHERE id IN (${written.map(() => '?').join(',')})`, ...written);
    expect(count()).toBe(50);

    const resumed = await ws.running.client.call('sync.now', {});
    expect(resumed.state).toBe('synced');
    expect(count()).toBe(120);
    expect(ws.value('SELECT count(DISTINCT id) FROM session_notes WHERE client_id = ?', clientId)).toBe(120);
  }, 60_000);
});

describe('conflicts and refusals', () => {
  it('two workstations edit the same draft offline: the conflict is shown and both texts are kept', async () => {
    const { user, clientId } = await clinician();
    const a = await device(user.username);
    const b = await device(user.username);
    const noteId = a.ws.saveDraft(clientId, 'first version');
    await a.ws.waitForStatus((status) => status.pending === 0 && status.state === 'synced');
    await waitFor(() => b.ws.value<number>('SELECT count(*) FROM session_notes WHERE id = ?', noteId) === 1, 10_000);

    a.proxy.cut();
    b.proxy.cut();
    a.ws.saveDraft(clientId, 'edited on laptop A', noteId);
    b.ws.saveDraft(clientId, 'edited on laptop B', noteId);

    a.proxy.restore();
    expect((await a.ws.running.client.call('sync.now', {})).pending).toBe(0);
    b.proxy.restore();
    await b.ws.running.client.call('sync.now', {});

    const details = await b.ws.running.client.call('sync.details', {});
    expect(details.conflicts).toHaveLength(1);
    expect(details.conflicts[0]).toMatchObject({ entityType: 'note', entityId: noteId, clientId });
    expect(details.conflicts[0]?.clientName).toBe('Synthetic Client');
    // The server's version (A's) is the note; B's text is kept in the conflict to merge.
    expect(noteText(b.ws, noteId)).toContain('edited on laptop A');
    // The header badge says something waits in the panel; A, whose edit stood, has nothing to do.
    expect((await b.ws.running.client.call('sync.status', {})).attention).toBe(1);
    expect((await a.ws.running.client.call('sync.status', {})).attention).toBeUndefined();
    const kept = b.ws.value<string>('SELECT local_payload FROM sync_conflicts WHERE entity_id = ?', noteId);
    expect(kept).toContain('edited on laptop B');
    const [server] = await env.database.db.select().from(notes).where(eq(notes.id, noteId));
    expect(JSON.stringify(server?.content)).toContain('edited on laptop A');
    const [conflict] = await env.database.db.select().from(conflicts).where(eq(conflicts.entityId, noteId));
    expect(JSON.stringify(conflict?.content)).toContain('edited on laptop B');
  });

  it('a signed note edited on a stale device is refused, shown, and the signed version stands', async () => {
    const { user, clientId } = await clinician();
    const a = await device(user.username);
    const b = await device(user.username);
    const noteId = a.ws.saveDraft(clientId, 'the session as documented');
    await a.ws.waitForStatus((status) => status.pending === 0 && status.state === 'synced');
    await waitFor(() => b.ws.value<number>('SELECT count(*) FROM session_notes WHERE id = ?', noteId) === 1, 10_000);

    // B is offline when A signs, and edits its stale copy.
    b.proxy.cut();
    a.ws.sign(noteId);
    await a.ws.waitForStatus((status) => status.pending === 0 && status.state === 'synced');
    b.ws.saveDraft(clientId, 'stale edit made after the note was signed', noteId);
    // B comes back but cannot push yet: its round pulls the signed note, which must not replace
    // the pending local edit.
    b.proxy.refuse(/^POST \/sync\/push /);
    b.proxy.restore();
    expect((await b.ws.running.client.call('sync.now', {})).state).toBe('offline');
    expect(b.proxy.seen(/^POST \/sync\/pull /)).toBeGreaterThan(0);
    expect(b.ws.value('SELECT status FROM session_notes WHERE id = ?', noteId)).toBe('draft');
    expect(noteText(b.ws, noteId)).toContain('stale edit');

    b.proxy.allow();
    await b.ws.running.client.call('sync.now', {});
    const details = await b.ws.running.client.call('sync.details', {});
    expect(details.rejected).toHaveLength(1);
    expect(details.rejected[0]).toMatchObject({
      name: 'note.saveDraft',
      code: 'SIGNED_NOTE_IMMUTABLE',
      entityType: 'note',
      entityId: noteId,
      clientId,
      clientName: 'Synthetic Client',
    });
    expect(b.ws.value('SELECT status FROM session_notes WHERE id = ?', noteId)).toBe('signed');
    expect(noteText(b.ws, noteId)).toContain('the session as documented');
    // The refused text is still on the workstation, in the refused change, and the server kept it
    // as an addendum proposal for its author, which every device of the author receives.
    expect(b.ws.value<string>("SELECT args FROM sync_outbox WHERE status = 'rejected'")).toContain('stale edit');
    await waitFor(
      () =>
        b.ws.value<number>("SELECT count(*) FROM note_addenda WHERE note_id = ? AND status = 'draft'", noteId) === 1,
      10_000,
    );
    expect(b.ws.value<string>('SELECT body_text FROM note_addenda WHERE note_id = ?', noteId)).toContain('stale edit');
    await waitFor(
      () => a.ws.value<number>('SELECT count(*) FROM note_addenda WHERE note_id = ?', noteId) === 1,
      10_000,
    );

    const mutationId = details.rejected[0]!.mutationId;
    expect((await b.ws.running.client.call('sync.status', {})).attention).toBe(1);
    const after = await b.ws.running.client.call('sync.dismissRejected', { mutationId });
    expect(after.rejected).toEqual([]);
    expect((await b.ws.running.client.call('sync.status', {})).attention).toBeUndefined();
  });
});

describe('scope, revocation, session', () => {
  it('a client removed from the caseload is purged from the workstation; a pending change about them is refused, not lost', async () => {
    const { user, clientId } = await clinician();
    const { ws, proxy } = await device(user.username);
    const noteId = ws.saveDraft(clientId, 'written before the client left');
    await ws.waitForStatus((status) => status.pending === 0 && status.state === 'synced');

    proxy.cut();
    ws.saveDraft(clientId, 'written offline, after the client left', noteId);
    await admin(env.database.db, 'unassign-client', { username: user.username, client: clientId });
    proxy.restore();
    await ws.running.client.call('sync.now', {});

    expect(ws.value('SELECT count(*) FROM clients WHERE id = ?', clientId)).toBe(0);
    expect(ws.value('SELECT count(*) FROM session_notes WHERE client_id = ?', clientId)).toBe(0);
    expect(ws.dataChanged.some((event) => event.clientIds.includes(clientId))).toBe(true);
    const details = await ws.running.client.call('sync.details', {});
    expect(details.rejected).toHaveLength(1);
    expect(details.rejected[0]).toMatchObject({ code: 'OUT_OF_SCOPE', clientId, entityId: noteId });
  });

  it('a refused change whose push answer was lost is still shown as refused, not taken as applied', async () => {
    const { user, clientId } = await clinician();
    const { ws, proxy } = await device(user.username);
    await ws.waitForStatus((status) => status.pending === 0 && status.state === 'synced');

    // Written while pushes cannot get through; meanwhile the client leaves the caseload.
    proxy.refuse(/^POST \/sync\/push /);
    const noteId = ws.saveDraft(clientId, 'refused, and the first answer never arrives');
    await admin(env.database.db, 'unassign-client', { username: user.username, client: clientId });
    expect((await ws.running.client.call('sync.now', {})).state).toBe('offline');

    // The server refuses the push, but its answer is cut; so is the answer to the immediate
    // retry (held, then the network drops). The next round pulls first, and the pull reports the
    // mutation as processed: the workstation must still ask for its outcome and show the refusal.
    proxy.allow();
    const lost = proxy.cutAnswer(/^POST \/sync\/push /);
    const retry = proxy.holdAnswer(/^POST \/sync\/push /, 2);
    const round = ws.running.client.call('sync.now', {});
    await lost;
    await retry.reached;
    proxy.cut();
    expect((await round).state).toBe('offline');
    proxy.restore();
    retry.release();
    await ws.running.client.call('sync.now', {});
    await ws.waitForStatus((status) => status.pending === 0);
    const details = await ws.running.client.call('sync.details', {});
    expect(details.rejected).toHaveLength(1);
    expect(details.rejected[0]).toMatchObject({ code: 'OUT_OF_SCOPE', clientId, entityId: noteId });
    expect(ws.value<string>("SELECT args FROM sync_outbox WHERE status = 'rejected'")).toContain('first answer');
  });

  it('a revoked device erases its local cache and says so', async () => {
    const { user } = await clinician();
    const { ws } = await device(user.username);
    const database_ = join(ws.profile, 'caseload.db');
    expect(existsSync(database_)).toBe(true);
    const deviceId = ws.value<string>("SELECT value FROM store_meta WHERE key = 'server.deviceId'");

    await admin(env.database.db, 'revoke-device', { device: deviceId });
    await waitFor(() => ws.sessions.at(-1)?.state === 'revoked', 10_000);
    expect((await ws.running.client.call('vault.status', {})).state).toBe('uninitialised');
    expect(await ws.running.client.call('session.status', {})).toMatchObject({ state: 'revoked', user: null });
    expect(await ws.running.client.call('sync.status', {})).toMatchObject({
      state: 'signedOut',
      reason: 'DEVICE_REVOKED',
    });
    expect(existsSync(database_)).toBe(false);
  });

  it('later sessions unlock offline; the session continues when the server is back', async () => {
    const { user, clientId } = await clinician();
    const { ws, proxy } = await device(user.username);
    await ws.stop();
    proxy.cut();

    const again = startWorkstation({ profile: ws.profile });
    const { client } = again.running;
    await client.call('vault.unlock', { passphrase: PASSPHRASE });
    expect(await client.call('session.status', {})).toMatchObject({ state: 'signedIn', user: { id: user.id } });
    await again.waitForStatus((status) => status.state === 'offline');
    expect(again.value('SELECT count(*) FROM clients WHERE id = ?', clientId)).toBe(1);

    proxy.restore();
    expect((await client.call('sync.now', {})).state).toBe('synced');
  });

  it('when the server ends the session, sync stops and asks to sign in again', async () => {
    const { user } = await clinician();
    // A second server instance on the same data, twenty minutes ahead: the access token has expired there.
    const later = await startClinic(env.database.db);
    later.offsetMs = 20 * 60_000;
    onTestFinished(() => later.close());
    let port = env.clinic.port;
    const { ws, proxy } = await device(user.username, { target: () => port });
    await env.database.db.update(refreshTokens).set({ revokedAt: new Date() }).where(eq(refreshTokens.userId, user.id));
    port = later.port;
    // Open connections still lead to the first instance: drop them.
    proxy.cut();
    proxy.restore();

    await ws.running.client.call('sync.now', {});
    await waitFor(() => ws.sessions.at(-1)?.state === 'signedOut', 10_000);
    expect(await ws.running.client.call('sync.status', {})).toMatchObject({
      state: 'signedOut',
      reason: 'SIGN_IN_REQUIRED',
    });
    // The cache stays, and signing in again (same account) resumes sync.
    port = env.clinic.port;
    proxy.cut();
    proxy.restore();
    const back = await ws.running.client.call('session.signIn', {
      serverUrl: ws.value<string>("SELECT value FROM store_meta WHERE key = 'server.url'"),
      username: user.username,
      password: PASSWORD,
    });
    expect(back.state).toBe('signedIn');
    await ws.waitForStatus((status) => status.state === 'synced');
  });
});

describe('clocks', () => {
  it('a device clock five minutes ahead is reported, and its changes wait instead of being refused', async () => {
    const { user, clientId } = await clinician();
    const ahead = () => Date.now() + 5 * 60_000;
    const ws = startWorkstation({ clock: ahead });
    await ws.running.client.call('session.signIn', {
      serverUrl: env.clinic.url,
      username: user.username,
      password: PASSWORD,
    });
    await ws.running.client.call('vault.create', { passphrase: PASSPHRASE });
    const status = await ws.waitForStatus((s) => s.state === 'error');
    expect(status.reason).toBe('CLOCK_SKEW');
    ws.saveDraft(clientId, 'written with a wrong clock');
    const details = await ws.running.client.call('sync.details', {});
    expect(details.clockDriftMs).toBeGreaterThan(290_000);
    expect(details.clockDriftMs).toBeLessThan(310_000);
    expect(details.rejected).toEqual([]);
    expect(details.pending.some((item) => item.name === 'note.saveDraft')).toBe(true);
  });

  it('a clinic server whose clock is behind: changes wait and the drift is shown; once the clocks agree they go', async () => {
    const { user, clientId } = await clinician();
    // The server's clock (its answers and its Date header) is five minutes behind this computer's.
    const behind = await startClinic(env.database.db);
    behind.offsetMs = -5 * 60_000;
    onTestFinished(() => behind.close());
    const ws = startWorkstation();
    await ws.running.client.call('session.signIn', {
      serverUrl: behind.url,
      username: user.username,
      password: PASSWORD,
    });
    await ws.running.client.call('vault.create', { passphrase: PASSPHRASE });
    await waitFor(() => ws.value<number>('SELECT count(*) FROM clients WHERE id = ?', clientId) === 1, 10_000);
    const noteId = ws.saveDraft(clientId, 'written while the clocks disagree');
    expect((await ws.running.client.call('sync.now', {})).reason).toBe('CLOCK_SKEW');
    const held = await ws.running.client.call('sync.details', {});
    expect(held.clockDriftMs).toBeGreaterThan(290_000);
    expect(held.rejected).toEqual([]);
    expect(held.pending.some((item) => item.entityId === noteId)).toBe(true);

    // The clock is corrected: the held change goes through, and nothing waits for a stale reading.
    behind.offsetMs = 0;
    await ws.running.client.call('sync.now', {});
    await waitFor(
      () =>
        ws.value<number>("SELECT count(*) FROM sync_outbox WHERE status = 'pending' AND entity_id = ?", noteId) === 0,
      10_000,
    );
    const after = await ws.running.client.call('sync.details', {});
    expect(after.pending).toEqual([]);
    expect(after.rejected).toEqual([]);
    expect(Math.abs(after.clockDriftMs ?? 0)).toBeLessThan(5_000);
  });
});

describe('clocks on a first run', () => {
  it('a first run against a clinic server whose clock is behind sends nothing before it knows the drift', async () => {
    // No clients yet: the first sync is short, and what this workstation did (signing in,
    // creating its cache) is all it has to send.
    const user = await createUser(env.database.db);
    const behind = await startClinic(env.database.db);
    behind.offsetMs = -2 * 60_000;
    onTestFinished(() => behind.close());
    // The product's key derivation (~0.5 s): the first sync's one page arrives while the cache
    // is made, before the engine exists (SyncService.beginInitialPull).
    const ws = startWorkstation({ scrypt: DEFAULT_SCRYPT });
    await ws.running.client.call('session.signIn', {
      serverUrl: behind.url,
      username: user.username,
      password: PASSWORD,
    });
    // The clinician types a passphrase meanwhile; the pull worker has loaded.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await ws.running.client.call('vault.create', { passphrase: PASSPHRASE });
    const status = await ws.waitForStatus((s) => s.state === 'error');
    expect(status.reason).toBe('CLOCK_SKEW');
    const details = await ws.running.client.call('sync.details', {});
    expect(details.clockDriftMs).toBeGreaterThan(110_000);
    expect(details.rejected).toEqual([]);
    // Held, listed, not lost: the workstation's own audit entries wait for the clocks to agree.
    expect(details.pending.length).toBeGreaterThan(0);
    expect(ws.value<number>("SELECT count(*) FROM sync_outbox WHERE status = 'pending'")).toBe(details.pending.length);
  });
});

describe('pokes and audit', () => {
  it('a change pushed from one workstation appears on another without asking', async () => {
    const { user, clientId } = await clinician();
    const a = await device(user.username);
    const b = await device(user.username);
    const noteId = a.ws.saveDraft(clientId, 'visible elsewhere');
    await waitFor(() => b.ws.value<number>('SELECT count(*) FROM session_notes WHERE id = ?', noteId) === 1, 10_000);
    expect(noteText(b.ws, noteId)).toContain('visible elsewhere');
    await waitFor(() => b.ws.dataChanged.some((event) => event.clientIds.includes(clientId)));
  });

  it('every local audit entry reaches the server once, codes and ids only', async () => {
    const { user, clientId } = await clinician();
    const { ws } = await device(user.username);
    const store = ws.running.core.vault.unlockedStore;
    store.audit.append({
      action: 'chart.opened',
      recordType: 'client',
      recordId: clientId,
      clientId,
      actorId: user.id,
    });
    await ws.running.client.call('sync.now', {});
    await ws.running.client.call('sync.now', {});

    const uploaded = await env.database.db
      .select({ action: auditLog.action, recordIds: auditLog.recordIds, userId: auditLog.userId })
      .from(auditLog)
      .where(and(eq(auditLog.userId, user.id), sql`${auditLog.action} like 'workstation.%'`));
    const actions = uploaded.map((row) => row.action);
    expect(actions.filter((action) => action === 'workstation.chart.opened')).toHaveLength(1);
    expect(actions).toContain('workstation.vault.created');
    expect(uploaded.find((row) => row.action === 'workstation.chart.opened')?.recordIds).toContain(clientId);
    expect(ws.value('SELECT count(*) FROM audit_log WHERE synced_at IS NULL')).toBe(0);
  });
});
