/**
 * What a change feed with history costs an initial sync, and what keeping each record's latest
 * change only (migration 0012, the `changes_keep_latest` trigger) saves and costs. In-process (no
 * HTTP), the demo clinic on one caseload in PGlite, two databases side by side:
 *
 *   A. "kept whole" (the feed before 0012): the trigger disabled, so every save stays a row;
 *   B. "latest only" (the server today).
 *
 * Both get the same history: each note saved `--saves` times (as autosaves while the clinician
 * writes online leave it: one row per save, the last one at the note's version). Then, in each:
 * rows in the feed, full pulls from `null` through `pullChanges` (pages, time, bytes; the same
 * answer in both, checked), and single-save pushes through `applyPush` (the trigger's cost on the
 * write path).
 *
 *   npx tsx bench/tools/feed-history.ts [--saves 20] [--notes-per-client 333] [--pushes 300] [--runs 3]
 *
 * A tool for the server's owners (see BENCHMARKS.md, "Sync"), not a product code path.
 */
import { createHash, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { count, sql } from 'drizzle-orm';
import type { RequestPrincipal } from '../../src/server/context';
import { type Database, openDatabase } from '../../src/server/db/database';
import { changes, devices } from '../../src/server/db/schema';
import { applyPush } from '../../src/server/sync/push';
import { pullChanges } from '../../src/server/sync/pull';
import { encodeHlc } from '../../src/shared/sync/hlc';
import { SYNC_PROTOCOL_VERSION } from '../../src/shared/sync/protocol';
import { seedDemoCaseload } from '../sync/demo-caseload';
import { latencyStats, median } from '../sync/stats';

const { values } = parseArgs({
  options: {
    saves: { type: 'string', default: '20' },
    'notes-per-client': { type: 'string', default: '333' },
    pushes: { type: 'string', default: '300' },
    runs: { type: 'string', default: '3' },
  },
});
const saves = Number(values.saves);
const notesPerClient = Number(values['notes-per-client']);
const pushes = Number(values.pushes);
const runs = Number(values.runs);

/** One clinic for both sides: the demo's dates are relative to its `now`. */
const NOW = new Date();

interface Side {
  name: string;
  database: Database;
  principal: RequestPrincipal;
  clientId: string;
}

async function prepare(name: string, keepWhole: boolean): Promise<Side> {
  const database = await openDatabase({ memory: true });
  const { db } = database;
  process.stderr.write(`${name}: seeding 60 clients × ${notesPerClient} notes, ${saves} saves each…\n`);
  const seeded = await seedDemoCaseload(db, { clients: 60, notesPerClient, now: NOW });
  const [device] = await db
    .insert(devices)
    .values({ userId: seeded.principal.id, name: 'feed-history' })
    .returning({ id: devices.id });
  const principal = { ...seeded.principal, deviceId: device!.id };
  if (keepWhole) await db.execute(sql`alter table changes disable trigger changes_keep_latest`);
  // Saves 1 … n-1 of every note: rows at an older version, round by round across the notes (as
  // several clinicians' autosaves interleave); then the last save at a version one higher.
  for (let save = 1; save < saves; save += 1) {
    await db.execute(sql`insert into changes (entity, entity_id, client_id, version, op)
      select 'note', id, client_id, version, 'put' from notes order by id`);
  }
  await db.execute(sql`update notes set version = version + 1`);
  await db.execute(sql`insert into changes (entity, entity_id, client_id, version, op)
    select 'note', id, client_id, version, 'put' from notes order by id`);
  return { name, database, principal, clientId: seeded.clientIds[0]! };
}

async function feedRows(side: Side): Promise<number> {
  const [row] = await side.database.db.select({ n: count() }).from(changes);
  return row?.n ?? 0;
}

async function fullPull(side: Side): Promise<{ ms: number; pages: number; bytes: number; digest: string }> {
  let cursor: string | null = null;
  const answers: Buffer[] = [];
  const replicaId = `r${randomUUID().replaceAll('-', '').slice(0, 20)}`;
  const t0 = performance.now();
  for (;;) {
    const answer = await pullChanges(
      side.database.db,
      side.principal,
      { protocolVersion: SYNC_PROTOCOL_VERSION, replicaId, cursor, limit: 1000 },
      new Date(),
    );
    if (!answer.next) throw new Error('not an ok page (resync?)');
    answers.push(answer.json);
    cursor = answer.next.cursor;
    if (!answer.next.hasMore) break;
  }
  const ms = performance.now() - t0;
  // What was pulled, page boundaries and cursors aside (they differ with the feed's seqs).
  const hash = createHash('sha256');
  for (const json of answers) {
    for (const change of (JSON.parse(json.toString('utf8')) as { changes: unknown[] }).changes) {
      hash.update(JSON.stringify(change));
    }
  }
  const bytes = answers.reduce((n, json) => n + json.length, 0);
  return { ms, pages: answers.length, bytes, digest: hash.digest('hex') };
}

/** Single-save pushes of one draft, one push each (an autosave), timed. */
async function savePushes(side: Side): Promise<number[]> {
  const replicaId = `r${randomUUID().replaceAll('-', '').slice(0, 20)}`;
  const noteId = randomUUID();
  const times: number[] = [];
  for (let i = 1; i <= pushes; i += 1) {
    const t0 = performance.now();
    const answer = await applyPush(
      side.database.db,
      side.principal,
      {
        protocolVersion: SYNC_PROTOCOL_VERSION,
        replicaId,
        mutations: [
          {
            mutationId: i,
            hlc: encodeHlc({ wallMs: Date.now(), counter: i % 1000, replicaId }),
            name: 'note.saveDraft',
            clientId: side.clientId,
            args: { noteId, content: { text: `save ${i}` }, baseVersion: i === 1 ? null : i - 1 },
          },
        ],
      },
      new Date(),
    );
    times.push(performance.now() - t0);
    if (answer.results[0]?.status !== 'applied') throw new Error(`push ${i}: ${JSON.stringify(answer.results[0])}`);
  }
  return times;
}

const sides = [await prepare('A. kept whole', true), await prepare('B. latest only', false)];
const rows = await Promise.all(sides.map(feedRows));
const pulls: Array<Array<Awaited<ReturnType<typeof fullPull>>>> = sides.map(() => []);
for (const side of sides) await fullPull(side); // warm-up
for (let run = 0; run < runs; run += 1) {
  for (const [i, side] of sides.entries()) pulls[i]!.push(await fullPull(side));
}
const digests = new Set(pulls.flat().map((pull) => pull.digest));
const pushTimes = [];
for (const side of sides) pushTimes.push(latencyStats(await savePushes(side)));

console.log(
  `60 clients × ${notesPerClient} notes, each saved ${saves} times; PGlite in memory; medians of ${runs} full pulls, ${pushes} single-save pushes`,
);
console.log(`same changes pulled from both: ${digests.size === 1 ? 'yes' : 'NO'}`);
for (const [i, side] of sides.entries()) {
  const p = pulls[i]!;
  const t = pushTimes[i]!;
  console.log(
    `${side.name.padEnd(16)} feed ${String(rows[i]).padStart(8)} rows · full pull ${median(p.map((x) => x.ms))
      .toFixed(0)
      .padStart(
        6,
      )} ms, ${p[0]!.pages} pages, ${(p[0]!.bytes / 1e6).toFixed(1)} MB · push p50 ${t.p50Ms} ms, p95 ${t.p95Ms} ms`,
  );
}
for (const side of sides) await side.database.close();
