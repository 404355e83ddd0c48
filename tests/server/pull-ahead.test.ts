import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { careAssignments } from '../../src/server/db/schema.js';
import type { Change, PullResponse } from '../../src/shared/sync/protocol.js';
import { BACKENDS, useBackends, type TestDatabase } from './helpers/backends.js';
import { assign, createClient, createUser, startTestServer, type TestServer } from './helpers/fixtures.js';
import { syncClient, type SyncSession } from './helpers/sync-session.js';

/**
 * Long pulls are read ahead (src/server/sync/pull-ahead.ts): while a workstation writes one
 * page, the server prepares the next ones. What must hold: a workstation receives exactly what
 * it would have received without it — the same pages, never a record older than the server's
 * when it asked, never a client that has left its scope. Two servers on one database, one
 * reading ahead (the default) and one not, answer the same replica; both backends.
 */
const backends = useBackends();

describe.each(BACKENDS)('pull pages read ahead (%s)', (backend) => {
  let database: TestDatabase;
  let ahead: TestServer;
  let plain: TestServer;

  beforeAll(async () => {
    database = await backends.open(backend);
    ahead = await startTestServer(database.db);
    plain = await startTestServer(database.db, { pullAheadPages: 0 });
  });
  afterAll(async () => {
    await ahead?.close();
    await plain?.close();
  });

  /** One page through `server`, after whatever it was reading ahead is ready. */
  async function page(server: TestServer, s: SyncSession, cursor: string | null): Promise<PullResponse> {
    await server.app.pullAhead.settled();
    const answer = await syncClient(server).pull(s, cursor, 2);
    if (answer.status !== 'ok') throw new Error(`expected ok, got ${answer.reason}`);
    return answer;
  }

  /** Every page from `cursor` on through `server` (2 changes a page). */
  async function rest(server: TestServer, s: SyncSession, cursor: string | null): Promise<PullResponse[]> {
    const pages: PullResponse[] = [];
    let at = cursor;
    for (;;) {
      const answer = await page(server, s, at);
      pages.push(answer);
      if (answer.status !== 'ok' || !answer.hasMore) return pages;
      at = answer.cursor;
    }
  }

  const changesOf = (pages: PullResponse[]): Change[] => pages.flatMap((p) => (p.status === 'ok' ? p.changes : []));

  async function caseload(notes: number) {
    const user = await createUser(database.db);
    const clientId = await createClient(database.db);
    await assign(database.db, user.id, clientId, 'caseload');
    const sync = syncClient(ahead);
    const s = await sync.session(user.username);
    const noteIds = Array.from({ length: notes }, () => randomUUID());
    await sync.push(
      s,
      ...noteIds.map((noteId, i) => ({
        name: 'note.saveDraft' as const,
        clientId,
        args: { noteId, content: { text: `note ${i}` }, baseVersion: null },
      })),
    );
    return { user, clientId, s, noteIds };
  }

  it('answers the same pages as a server that reads nothing ahead, from pages read ahead', async () => {
    const { s } = await caseload(9);
    const hits = ahead.app.pullAhead.stats.hits;
    const fromAhead = await rest(ahead, s, null);
    expect(fromAhead.length).toBeGreaterThan(4);
    // Every page after the first was ready when asked for.
    expect(ahead.app.pullAhead.stats.hits - hits).toBe(fromAhead.length - 1);
    expect(await rest(plain, s, null)).toEqual(fromAhead);
  });

  /**
   * Pull through the reading-ahead server up to the page before the first one (as the server
   * that reads nothing ahead pages them) holding a change that `test` picks, and let it read the
   * next pages ahead. Returns the cursor of the last page pulled.
   */
  async function pullUpToBefore(s: SyncSession, test: (change: Change) => boolean): Promise<string> {
    const pages = await rest(plain, s, null);
    const index = pages.findIndex((p) => p.status === 'ok' && p.changes.some(test));
    expect(index).toBeGreaterThan(0);
    let cursor: string | null = null;
    for (let i = 0; i < index; i += 1) {
      const answer = await page(ahead, s, cursor);
      if (answer.status !== 'ok') throw new Error('resync');
      cursor = answer.cursor;
    }
    await ahead.app.pullAhead.settled(); // the page with that change is read ahead now
    return cursor!;
  }

  it('a record changed after its page was read ahead arrives as the server has it then', async () => {
    const { user, s, clientId, noteIds } = await caseload(8);
    const edited = noteIds[5]!;
    const cursor = await pullUpToBefore(s, (c) => c.op === 'put' && c.id === edited);
    // Another device edits that note: the feed moves.
    const sync = syncClient(ahead);
    const other = await sync.session(user.username);
    expect(
      await sync.push(other, {
        name: 'note.saveDraft',
        clientId,
        args: { noteId: edited, content: { text: 'note 5, edited' }, baseVersion: 1 },
      }),
    ).toEqual(['applied']);

    const after = changesOf(await rest(ahead, s, cursor));
    const versions = after
      .filter((c) => c.op === 'put' && c.id === edited)
      .map((c) => (c.op === 'put' ? c.version : 0));
    expect(versions).toEqual([2]);
    expect(after).toEqual(changesOf(await rest(plain, s, cursor)));
  });

  it('a client who left the caseload after pages were read ahead is purged, not sent', async () => {
    const user = await createUser(database.db);
    const kept = await createClient(database.db);
    const leaving = await createClient(database.db);
    await assign(database.db, user.id, kept, 'caseload');
    await assign(database.db, user.id, leaving, 'caseload');
    const sync = syncClient(ahead);
    const s = await sync.session(user.username);
    await sync.push(
      s,
      ...[kept, leaving, kept, leaving, kept, leaving, kept, leaving].map((clientId, i) => ({
        name: 'note.saveDraft' as const,
        clientId,
        args: { noteId: randomUUID(), content: { text: `note ${i}` }, baseVersion: null },
      })),
    );
    const cursor = await pullUpToBefore(s, (c) => c.op === 'put' && c.entity === 'note' && c.clientId === leaving);
    // Taken off the caseload (an assignment change: no feed row).
    await database.db
      .update(careAssignments)
      .set({ removedAt: new Date(), updatedAt: new Date() })
      .where(and(eq(careAssignments.userId, user.id), eq(careAssignments.clientId, leaving)));

    const after = changesOf(await rest(ahead, s, cursor));
    expect(after).toContainEqual({ op: 'purgeClient', clientId: leaving });
    expect(after.filter((c) => c.op !== 'purgeClient' && c.clientId === leaving)).toEqual([]);
    expect(after.filter((c) => c.op === 'put' && c.entity === 'note' && c.clientId === kept).length).toBeGreaterThan(0);
  });
});
