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
import { preparePullBody } from '../../src/core/sync/prepare-changes';
import { pullDemoPages } from '../sync/demo-pages';
import { median } from '../sync/stats';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '8' } } });
const runs = Number(values.runs);

process.stderr.write('seeding the demo clinic and pulling its pages…\n');
const bodies = await pullDemoPages('prepare-pages');
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
