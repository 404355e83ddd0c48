/**
 * The core thread's part of an initial sync alone: the demo caseload's pull pages, fetched once
 * from an in-memory PGlite clinic and prepared (as the pull worker does), are written again and
 * again into fresh encrypted caches the way the engine's bulk path writes them (rollback journal
 * for the whole sync, `--batch` changes per transaction, notes indexed for search at the end of
 * each transaction). Variants run in turn, run by run, in one process: a steadier A/B than the
 * end-to-end tool on this noisy machine, for changes to the cache's layout or settings.
 *
 *   npx tsx bench/tools/initial-write.ts [--runs 4] [--batch 3000] [--page-size 4096[,8192…]] [--layout]
 *     [--shrink-content <n>]
 *
 * `--layout` prints where the file's pages go (dbstat); `--shrink-content 3` cuts each note's
 * content to a third of its length first, to see what a smaller note row (compressed content,
 * say) would save.
 * Prints per variant the median time, the part spent in COMMIT (writing, encrypting and syncing
 * the pages) and the file's size. A tool for the workstation store's owners (BENCHMARKS.md,
 * "Sync"), not a product code path.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { beginBulkImport } from '../../src/core/store/bulk-import';
import { withBulkNoteSearch } from '../../src/core/store/bulk-note-search';
import { CACHE_CIPHERS, type PageSize } from '../../src/core/store/cache-cipher';
import { migrateDatabase } from '../../src/core/store/migrate';
import { openDatabase } from '../../src/core/store/open-database';
import { applyChanges } from '../../src/core/sync/apply-changes';
import { preparePullBody, type PreparedChange } from '../../src/core/sync/prepare-changes';
import { pullDemoPages } from '../sync/demo-pages';
import { median } from '../sync/stats';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '4' },
    batch: { type: 'string', default: '3000' },
    'page-size': { type: 'string', default: '4096' },
    /** Print the largest tables and indexes of the first cache of each variant (dbstat). */
    layout: { type: 'boolean', default: false },
    /** Experiment: cut each note's content to 1/n of its length before writing. */
    'shrink-content': { type: 'string' },
  },
});
const runs = Number(values.runs);
const batchChanges = Number(values.batch);
const pageSizes = values['page-size'].split(',').map((v) => Number(v) as PageSize);
const MIGRATIONS_DIR = join(import.meta.dirname, '../../src/core/store/migrations');

// The pages, once: the demo clinic's whole caseload for its demo clinician, protocol as today.
process.stderr.write('seeding the demo clinic and pulling its pages…\n');
const pages: PreparedChange[][] = [];
for (const body of await pullDemoPages('initial-write')) {
  const prepared = preparePullBody(body);
  if (!prepared || prepared.status !== 'ok') throw new Error('unexpected pull answer');
  pages.push(prepared.changes);
}
// What a smaller note row would give (say, content compressed 3:1): its content cut to a part of
// its length. Not valid JSON any more; SQLite stores it as given and the search index uses the text.
const shrink = Number(values['shrink-content'] ?? 1);
if (shrink > 1) {
  for (const page of pages)
    for (const c of page)
      if (c.op === 'put' && c.prepared === 'note')
        c.note.contentJson = c.note.contentJson.slice(0, Math.round(c.note.contentJson.length / shrink));
}
const changes = pages.reduce((n, p) => n + p.length, 0);
process.stderr.write(`${pages.length} pages, ${changes} changes\n`);

const dir = mkdtempSync(join(tmpdir(), 'continuum-initial-write-'));
function write(pageSize: PageSize, run: number): { totalMs: number; commitMs: number; bytes: number } {
  const path = join(dir, `cache-${pageSize}-${run}.db`);
  const sqlite = openDatabase(path, {
    key: randomBytes(32),
    create: true,
    cipher: { ...CACHE_CIPHERS['aegis-256'], pageSize },
  });
  migrateDatabase(sqlite, { migrationsDir: MIGRATIONS_DIR, dbPath: path });
  const now = new Date().toISOString();
  let commitMs = 0;
  const t0 = performance.now();
  const end = beginBulkImport(sqlite);
  sqlite.pragma('foreign_keys = OFF');
  for (let i = 0; i < pages.length;) {
    const batch: PreparedChange[] = [];
    while (i < pages.length && (batch.length === 0 || batch.length + pages[i]!.length <= batchChanges)) {
      batch.push(...pages[i]!);
      i += 1;
    }
    sqlite.exec('BEGIN');
    withBulkNoteSearch(sqlite, () => applyChanges(sqlite, batch, { pendingKeys: new Set(), now, defer: () => {} }));
    const c = performance.now();
    sqlite.exec('COMMIT');
    commitMs += performance.now() - c;
  }
  sqlite.pragma('foreign_keys = ON');
  end();
  const totalMs = performance.now() - t0;
  if (values.layout && run === 0) {
    const layout = sqlite
      .prepare(
        'SELECT name, count(*) AS pages, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC LIMIT 6',
      )
      .all() as Array<{ name: string; pages: number; bytes: number }>;
    const row = sqlite
      .prepare('SELECT avg(length(content)) AS content, avg(length(note_text(content))) AS text FROM session_notes')
      .get() as { content: number; text: number };
    console.log(
      `pages of ${pageSize} B: ${layout.map((l) => `${l.name} ${l.pages} pages (${(l.bytes / 1e6).toFixed(1)} MB)`).join(', ')}; ` +
        `a note's content ${row.content.toFixed(0)} B and text ${row.text.toFixed(0)} B on average`,
    );
  }
  sqlite.close();
  const bytes = statSync(path).size;
  rmSync(path, { force: true });
  return { totalMs, commitMs, bytes };
}

const results = new Map<PageSize, Array<ReturnType<typeof write>>>(pageSizes.map((p) => [p, []]));
for (const pageSize of pageSizes) write(pageSize, -1); // warm-up
for (let run = 0; run < runs; run += 1) {
  for (const pageSize of pageSizes) {
    const r = write(pageSize, run);
    results.get(pageSize)!.push(r);
    process.stderr.write(
      `run ${run + 1}/${runs}, pages of ${pageSize} B: ${r.totalMs.toFixed(0)} ms (commits ${r.commitMs.toFixed(0)} ms)\n`,
    );
  }
}
rmSync(dir, { recursive: true, force: true });
for (const [pageSize, rs] of results) {
  console.log(
    `pages of ${String(pageSize).padStart(5)} B: ${median(rs.map((r) => r.totalMs)).toFixed(0)} ms, ` +
      `commits ${median(rs.map((r) => r.commitMs)).toFixed(0)} ms, file ${(rs[0]!.bytes / 1e6).toFixed(1)} MB ` +
      `(${changes} changes, ${batchChanges} per transaction, medians of ${runs})`,
  );
}
