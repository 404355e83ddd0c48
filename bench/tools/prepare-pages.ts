/**
 * The pull worker's part of an initial sync alone: the demo caseload's pull pages, fetched once
 * from an in-memory PGlite clinic as the bytes the server sends, are prepared again and again
 * the way the pull worker prepares them (`preparePullBody`: decode, parse, validate, project
 * each note). One thread, no database, no network: a steady measure for changes to
 * src/core/sync/prepare-changes.ts and note-projection.ts on this noisy machine. Run it with
 * `node --cpu-prof --import tsx` to see where the time goes.
 *
 *   npx tsx bench/tools/prepare-pages.ts [--runs 8] [--utf8]
 *
 * `--utf8` also prepares the same pages as a server before ascii-json.ts sent them (characters
 * beyond ASCII as UTF-8, not as JSON escapes), run by run in turn with the pages as sent now.
 * Prints each run's time and the median. A tool for the sync engine's owners (BENCHMARKS.md,
 * "Sync"), not a product code path.
 */
import { parseArgs } from 'node:util';
import { preparePullBody } from '../../src/core/sync/prepare-changes';
import { pullDemoPages } from '../sync/demo-pages';
import { median } from '../sync/stats';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '8' }, utf8: { type: 'boolean', default: false } },
});
const runs = Number(values.runs);

process.stderr.write('seeding the demo clinic and pulling its pages…\n');
const sent = await pullDemoPages('prepare-pages');
const megabytes = sent.reduce((n, b) => n + b.byteLength, 0) / 1e6;
process.stderr.write(`${sent.length} pages, ${megabytes.toFixed(1)} MB\n`);

/** A page with its `\uXXXX` escapes of characters beyond ASCII written as the characters (UTF-8). */
function unescaped(body: Uint8Array): Uint8Array {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('latin1');
  // An escaped backslash is consumed whole, so `\\u00e9` (a backslash, then text) stays as it is.
  const restored = text.replace(/\\(u([0-9a-fA-F]{4})|[^u])/g, (match: string, _escape: string, hex?: string) =>
    hex !== undefined && parseInt(hex, 16) >= 0x80 ? String.fromCharCode(parseInt(hex, 16)) : match,
  );
  return new TextEncoder().encode(restored);
}

const variants: Array<{ name: string; bodies: Uint8Array[] }> = [{ name: 'as sent', bodies: sent }];
if (values.utf8) variants.push({ name: 'UTF-8', bodies: sent.map(unescaped) });

const times = new Map<string, number[]>(variants.map((variant) => [variant.name, []]));
for (let run = 0; run <= runs; run += 1) {
  for (const { name, bodies } of variants) {
    const t0 = performance.now();
    for (const body of bodies) if (!preparePullBody(body)) throw new Error('a page did not prepare');
    const ms = performance.now() - t0;
    // The first pass warms the code up and is not counted.
    if (run > 0) times.get(name)!.push(ms);
    process.stderr.write(`run ${run}/${runs}${run === 0 ? ' (warm-up)' : ''}, ${name}: ${ms.toFixed(0)} ms\n`);
  }
}
for (const { name, bodies } of variants) {
  const mb = bodies.reduce((n, b) => n + b.byteLength, 0) / 1e6;
  console.log(
    `prepared ${bodies.length} pages (${mb.toFixed(1)} MB, ${name}): median ${median(times.get(name)!).toFixed(0)} ms of ${runs}`,
  );
}
