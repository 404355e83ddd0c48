/**
 * Where the server's time goes in a full pull, and what building the answer's JSON inside the
 * database would save. In-process (no HTTP), on the demo clinic in an in-memory PGlite:
 *
 *   A. the server's path, `pullChanges` (src/server/sync/pull.ts) page by page. Until 2026-11-23
 *      it read rows with drizzle (PGlite parsing each jsonb value into objects), built Change
 *      objects and Fastify serialised them (3.2 s for the demo caseload on disk that day); since
 *      then it is one statement per page whose JSON text the database builds, like B;
 *   B. the same pages with each change's JSON text built by PostgreSQL (`json_build_object(…)::text`
 *      over a join of changes with records/notes) and joined into the answer as strings: no
 *      parse, no stringify. The scope query and the audit entry per page are kept, so only the
 *      data path differs.
 *
 *   npx tsx bench/tools/pull-page-experiment.ts [--notes-per-client 333] [--runs 3] [--data-dir <empty dir>]
 *
 * Without --data-dir PGlite runs in memory; with it, in that folder on disk (the server's default).
 *
 * A tool for the server's owners (see BENCHMARKS.md, "Sync"), not a product code path.
 */
import { parseArgs } from 'node:util';
import { appendAudit } from '../../src/server/audit/chain';
import { openDatabase } from '../../src/server/db/database';
import { clientsInScope } from '../../src/server/scope';
import { pullChanges } from '../../src/server/sync/pull';
import { SYNC_PROTOCOL_VERSION } from '../../src/shared/sync/protocol';
import { CLINIC_WIDE_ENTITIES } from '../../src/shared/sync/records';
import { median } from '../sync/stats';
import { seedDemoCaseload } from '../sync/demo-caseload';

const { values } = parseArgs({
  options: {
    'notes-per-client': { type: 'string', default: '333' },
    runs: { type: 'string', default: '3' },
    'data-dir': { type: 'string' },
  },
});
const notesPerClient = Number(values['notes-per-client']);
const runs = Number(values.runs);

const database = await openDatabase(values['data-dir'] ? { dataDir: values['data-dir'] } : { memory: true });
const { db } = database;
process.stderr.write(`seeding 60 clients × ${notesPerClient} notes…\n`);
const { principal } = await seedDemoCaseload(db, { clients: 60, notesPerClient });
const pg = (db as unknown as { $client: { query<T>(text: string, params?: unknown[]): Promise<{ rows: T[] }> } })
  .$client;

async function current(): Promise<{ totalMs: number; bytes: number; pages: number }> {
  let cursor: string | null = null;
  let bytes = 0;
  let pages = 0;
  const t0 = performance.now();
  for (;;) {
    // The answer's JSON text, as the route sends it, and the cursor its headers carry.
    const answer = await pullChanges(
      db,
      principal,
      { protocolVersion: SYNC_PROTOCOL_VERSION, replicaId: 'experiment-a', cursor, limit: 1000 },
      new Date(),
    );
    bytes += answer.json.length;
    pages += 1;
    if (!answer.next) throw new Error('not an ok page (resync?)');
    cursor = answer.next.cursor;
    if (!answer.next.hasMore) break;
  }
  return { totalMs: performance.now() - t0, bytes, pages };
}

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const iso = (column: string) => `to_char(${column} at time zone 'UTC', ${ISO})`;
const PAGE_SQL = `
select c.seq, case when c.entity = 'note' then json_build_object(
    'op', 'put', 'entity', 'note', 'id', n.id, 'clientId', n.client_id, 'version', n.version,
    'data', json_build_object('id', n.id, 'clientId', n.client_id, 'authorId', n.author_id, 'status', n.status,
      'content', n.content, 'contentHash', n.content_hash, 'signedAt', ${iso('n.signed_at')}, 'signedBy', n.signed_by,
      'version', n.version, 'createdAt', ${iso('n.created_at')}, 'updatedAt', ${iso('n.updated_at')}))::text
  else json_build_object('op', 'put', 'entity', r.entity, 'id', r.id, 'clientId', r.client_id, 'version', r.version,
    'data', r.data)::text end as change
from changes c
left join notes n on c.entity = 'note' and n.id = c.entity_id
left join records r on c.entity <> 'note' and r.id = c.entity_id
where c.seq > $1 and (c.client_id = any($2::uuid[]) or (c.client_id is null and c.entity = any($3::text[])))
order by c.seq limit $4`;

async function sqlJson(): Promise<{ totalMs: number; bytes: number; pages: number }> {
  let seq = 0;
  let bytes = 0;
  let pages = 0;
  const t0 = performance.now();
  for (;;) {
    const scope = (await clientsInScope(db, principal)).map((c) => c.id);
    const { rows } = await pg.query<{ seq: string; change: string }>(PAGE_SQL, [
      seq,
      scope,
      [...CLINIC_WIDE_ENTITIES],
      1001,
    ]);
    const hasMore = rows.length > 1000;
    const page = rows.slice(0, 1000);
    seq = Number(page.at(-1)?.seq ?? seq);
    const body = `{"status":"ok","changes":[${page.map((r) => r.change).join(',')}],"cursor":"${seq}","hasMore":${hasMore},"lastMutationId":0}`;
    bytes += body.length;
    await appendAudit(db, {
      userId: principal.id,
      deviceId: principal.deviceId,
      action: 'sync.pull',
      outcome: 'ok',
      recordType: 'client',
      recordIds: [],
      details: { changes: page.length },
    });
    pages += 1;
    if (!hasMore) break;
  }
  return { totalMs: performance.now() - t0, bytes, pages };
}

const a: Array<Awaited<ReturnType<typeof current>>> = [];
const b: Array<Awaited<ReturnType<typeof sqlJson>>> = [];
await current(); // warm-up
await sqlJson();
for (let i = 0; i < runs; i += 1) {
  a.push(await current());
  b.push(await sqlJson());
}
const row = (name: string, ms: number[], extra = '') =>
  `${name.padEnd(52)} ${median(ms).toFixed(0).padStart(6)} ms ${extra}`;
console.log(
  `60 clients × ${notesPerClient} notes, ${a[0]?.pages} pages, medians of ${runs}, PGlite ${values['data-dir'] ? 'on disk' : 'in memory'}`,
);
console.log(
  row(
    'A. pullChanges (the server today)',
    a.map((x) => x.totalMs),
    `(${(a[0]!.bytes / 1e6).toFixed(1)} MB)`,
  ),
);
console.log(
  row(
    'B. JSON text built by PostgreSQL, joined as strings',
    b.map((x) => x.totalMs),
    `(${(b[0]!.bytes / 1e6).toFixed(1)} MB)`,
  ),
);
await database.close();
