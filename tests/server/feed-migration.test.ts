import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RequestPrincipal } from '../../src/server/context.js';
import { devices } from '../../src/server/db/schema.js';
import { pullChanges } from '../../src/server/sync/pull.js';
import { applyPush } from '../../src/server/sync/push.js';
import { encodeHlc } from '../../src/shared/sync/hlc.js';
import { SYNC_PROTOCOL_VERSION } from '../../src/shared/sync/protocol.js';
import { BACKENDS, useBackends, type TestDatabase } from './helpers/backends.js';
import { assign, createClient, createUser } from './helpers/fixtures.js';

const backends = useBackends();

/**
 * Migration 0012 on a clinic server that ran without it: the feed it finds holds a row for
 * every write (a draft saved ten times: ten rows); after the migration each record has its
 * latest row only, every pull answers as before, and later saves keep it so.
 */
describe.each(BACKENDS)('the feed migration on an older server (%s)', (backend) => {
  it('clears the superseded rows of a feed kept whole, and every pull answers as before', async () => {
    const older = await backends.open(backend);
    // The server as it was before 0012: no trigger, no index, 0012 not recorded as applied.
    await older.raw(`DROP TRIGGER changes_keep_latest ON changes`);
    await older.raw(`DROP FUNCTION changes_keep_latest()`);
    await older.raw(`DROP INDEX changes_entity_seq_idx`);
    await older.raw(
      `DELETE FROM drizzle.__drizzle_migrations WHERE created_at = (SELECT max(created_at) FROM drizzle.__drizzle_migrations)`,
    );

    const user = await createUser(older.db);
    const clientId = await createClient(older.db);
    await assign(older.db, user.id, clientId, 'caseload');
    const [device] = await older.db.insert(devices).values({ userId: user.id, name: 'test' }).returning();
    const principal: RequestPrincipal = { id: user.id, role: 'clinician', deviceId: device!.id };
    const replicaId = `r${randomUUID().replaceAll('-', '').slice(0, 20)}`;
    const noteId = randomUUID();
    let mutationId = 0;
    const save = async (db: TestDatabase, text: string, baseVersion: number | null) => {
      mutationId += 1;
      const answer = await applyPush(
        db.db,
        principal,
        {
          protocolVersion: SYNC_PROTOCOL_VERSION,
          replicaId,
          mutations: [
            {
              mutationId,
              hlc: encodeHlc({ wallMs: Date.now(), counter: mutationId, replicaId }),
              name: 'note.saveDraft',
              clientId,
              args: { noteId, content: { text }, baseVersion },
            },
          ],
        },
        new Date(),
      );
      expect(answer.results[0]?.status).toBe('applied');
    };
    for (let version = 1; version <= 10; version += 1) {
      await save(older, `save ${version}`, version === 1 ? null : version - 1);
    }
    const feedOf = async (db: TestDatabase) =>
      (await db.raw(`SELECT version FROM changes WHERE entity_id = $1 ORDER BY seq`, [noteId])).map(
        (row) => row['version'],
      );
    expect(await feedOf(older)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const everything = await fullPull(older, principal);

    const migrated = await older.reopen();
    expect(await feedOf(migrated)).toEqual([10]);
    const [counts] = await migrated.raw(
      `SELECT count(*)::int AS "rows", count(DISTINCT (entity, entity_id))::int AS "records" FROM changes`,
    );
    expect(counts?.['rows']).toBe(counts?.['records']);
    expect(await fullPull(migrated, principal)).toEqual(everything);

    // The trigger keeps it so.
    await save(migrated, 'save 11', 10);
    expect(await feedOf(migrated)).toEqual([11]);
  });
});

/** Every change of a full pull from `null`, pages and cursors aside. */
async function fullPull(db: TestDatabase, principal: RequestPrincipal): Promise<unknown[]> {
  const replicaId = `r${randomUUID().replaceAll('-', '').slice(0, 20)}`;
  const changes: unknown[] = [];
  let cursor: string | null = null;
  for (;;) {
    const answer = await pullChanges(
      db.db,
      principal,
      { protocolVersion: SYNC_PROTOCOL_VERSION, replicaId, cursor, limit: 3 },
      new Date(),
    );
    if (!answer.next) throw new Error('expected an ok page');
    changes.push(...(JSON.parse(answer.json.toString('utf8')) as { changes: unknown[] }).changes);
    cursor = answer.next.cursor;
    if (!answer.next.hasMore) return changes;
  }
}
