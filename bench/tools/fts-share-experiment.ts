/**
 * How much of writing notes into the encrypted cache is the full-text index. The same 20,000
 * synthetic notes (~2 KB each, bench/store-bench.ts generator) are written into a fresh
 * SQLCipher cache with the product's settings and migrations, 1,000 per transaction through
 * bulkImport, three ways:
 *
 *   1. as today: the FTS5 trigger indexes each note as it is inserted;
 *   2. without the trigger (no index at all), for the lower bound;
 *   3. without the trigger, then one `rebuild` of the index afterwards (what an initial sync
 *      could do: make the notes readable first, index them after).
 *
 *   npx tsx bench/tools/fts-share-experiment.ts [--notes 20000] [--runs 3]
 *
 * A tool for the workstation store's owners (see BENCHMARKS.md, "Sync"), not a product code path.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bulkImport } from '../../src/core/store/bulk-import';
import { migrateDatabase } from '../../src/core/store/migrate';
import { openDatabase, type SqliteDatabase } from '../../src/core/store/open-database';
import { generateCaseload } from '../store-bench';
import { median } from '../sync/stats';

const { values } = parseArgs({
  options: { notes: { type: 'string', default: '20000' }, runs: { type: 'string', default: '3' } },
});
const MIGRATIONS_DIR = join(import.meta.dirname, '../../src/core/store/migrations');
const data = generateCaseload({ clients: 60, notes: Number(values.notes), measures: 0 });
const dir = mkdtempSync(join(tmpdir(), 'continuum-fts-experiment-'));

type Mode = 'trigger' | 'none' | 'rebuild';

function run(mode: Mode, index: number): { writeMs: number; rebuildMs: number } {
  const path = join(dir, `${mode}-${index}.db`);
  const sqlite: SqliteDatabase = openDatabase(path, { key: randomBytes(32), create: true });
  try {
    migrateDatabase(sqlite, { migrationsDir: MIGRATIONS_DIR, dbPath: path });
    if (mode !== 'trigger') sqlite.exec('DROP TRIGGER session_notes_search_ai');
    const now = new Date().toISOString();
    sqlite
      .prepare(
        "INSERT INTO staff (id, display_name, role, created_at, updated_at) VALUES (?, 'Bench', 'counselor', ?, ?)",
      )
      .run(data.staffId, now, now);
    const client = sqlite.prepare(
      `INSERT INTO clients (id, given_name, family_name, date_of_birth, program, level_of_care, primary_clinician_id, created_at, updated_at)
       VALUES (?, ?, ?, '1988-05-05', 'iop', 'IOP', ?, ?, ?)`,
    );
    for (const c of data.clients) client.run(c.id, c.given, c.family, data.staffId, now, now);
    const note = sqlite.prepare(
      `INSERT INTO session_notes (id, client_id, author_id, note_type, template, status, content, created_at, updated_at)
       VALUES (?, ?, ?, 'progress', 'DAP', 'signed', ?, ?, ?)`,
    );
    const t0 = performance.now();
    bulkImport(sqlite, () => {
      for (let i = 0; i < data.notes.length; i += 1000) {
        sqlite.transaction(() => {
          for (const n of data.notes.slice(i, i + 1000)) {
            note.run(n.id, n.clientId, data.staffId, JSON.stringify({ D: n.body }), n.createdAt, n.createdAt);
          }
        })();
      }
    });
    const writeMs = performance.now() - t0;
    let rebuildMs = 0;
    if (mode === 'rebuild') {
      const r0 = performance.now();
      bulkImport(sqlite, () => sqlite.prepare("INSERT INTO note_search(note_search) VALUES ('rebuild')").run());
      rebuildMs = performance.now() - r0;
    }
    return { writeMs, rebuildMs };
  } finally {
    sqlite.close();
    rmSync(path, { force: true });
  }
}

const results: Record<Mode, Array<{ writeMs: number; rebuildMs: number }>> = { trigger: [], none: [], rebuild: [] };
try {
  for (let i = 0; i < Number(values.runs); i += 1) {
    for (const mode of ['trigger', 'none', 'rebuild'] as const) results[mode].push(run(mode, i));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const ms = (xs: number[]) => `${median(xs).toFixed(0).padStart(6)} ms`;
console.log(`${data.notes.length} notes, encrypted cache (product settings), medians of ${values.runs}`);
console.log(`1. FTS5 trigger per insert (today)     ${ms(results.trigger.map((r) => r.writeMs))}`);
console.log(`2. no full-text index                  ${ms(results.none.map((r) => r.writeMs))}`);
console.log(
  `3. no trigger, then one rebuild        ${ms(results.rebuild.map((r) => r.writeMs))} + ${ms(results.rebuild.map((r) => r.rebuildMs))} rebuild`,
);
