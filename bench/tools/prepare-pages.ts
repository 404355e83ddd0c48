/**
 * The pull worker's part of an initial sync alone: the demo caseload's pull pages, fetched once
 * from an in-memory PGlite clinic as the bytes the server sends, are prepared again and again
 * the way the pull worker prepares them (`preparePullBody`: decode, parse, validate, project
 * each note). One thread, no database, no network: a steady measure for changes to
 * src/core/sync/prepare-changes.ts and note-projection.ts on this noisy machine. Run it with
 * `node --cpu-prof --import tsx` to see where the time goes.
 *
 *   npx tsx bench/tools/prepare-pages.ts [--runs 8]
 *
 * Prints each run's time and the median. A tool for the sync engine's owners (BENCHMARKS.md,
 * "Sync"), not a product code path.
 */
import { parseArgs } from 'node:util';
import { eq } from 'drizzle-orm';
import { preparePullBody } from '../../src/core/sync/prepare-changes';
import { openDatabase as openServerDatabase } from '../../src/server/db/database';
import { careAssignments, clients, users } from '../../src/server/db/schema';
import { DEMO_SIGN_IN_USERNAME } from '../../src/server/demo/credentials';
import { seedDemoClinic } from '../../src/server/demo/seed';
import { pullChanges } from '../../src/server/sync/pull';
import { SYNC_PROTOCOL_VERSION } from '../../src/shared/sync/protocol';
import { median } from '../sync/stats';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '8' } } });
const runs = Number(values.runs);

process.stderr.write('seeding the demo clinic and pulling its pages…\n');
const server = await openServerDatabase({ memory: true });
await seedDemoClinic(server.db, { clients: 60, notesPerClient: 333 });
const [user] = await server.db.select({ id: users.id }).from(users).where(eq(users.username, DEMO_SIGN_IN_USERNAME));
if (!user) throw new Error('no demo clinician');
const clientIds = (await server.db.select({ id: clients.id }).from(clients)).map((c) => c.id);
await server.db
  .insert(careAssignments)
  .values(clientIds.map((clientId) => ({ userId: user.id, clientId, kind: 'caseload' as const })))
  .onConflictDoNothing();
const principal = { id: user.id, role: 'clinician' as const, deviceId: crypto.randomUUID() };
const bodies: Uint8Array[] = [];
for (let cursor: string | null = null; ;) {
  const answer = await pullChanges(
    server.db,
    principal,
    { protocolVersion: SYNC_PROTOCOL_VERSION, replicaId: 'prepare-pages', cursor, limit: 1000 },
    new Date(),
  );
  if (!answer.next) throw new Error('unexpected pull answer');
  bodies.push(new TextEncoder().encode(answer.json));
  cursor = answer.next.cursor;
  if (!answer.next.hasMore) break;
}
await server.close();
const megabytes = bodies.reduce((n, b) => n + b.byteLength, 0) / 1e6;
process.stderr.write(`${bodies.length} pages, ${megabytes.toFixed(1)} MB\n`);

const times: number[] = [];
for (let run = 0; run <= runs; run += 1) {
  const t0 = performance.now();
  for (const body of bodies) if (!preparePullBody(body)) throw new Error('a page did not prepare');
  const ms = performance.now() - t0;
  // The first pass warms the code up and is not counted.
  if (run > 0) times.push(ms);
  process.stderr.write(`run ${run}/${runs}${run === 0 ? ' (warm-up)' : ''}: ${ms.toFixed(0)} ms\n`);
}
console.log(
  `prepared ${bodies.length} pages (${megabytes.toFixed(1)} MB): median ${median(times).toFixed(0)} ms of ${runs}`,
);
