/**
 * Store benchmark (issue 3): the same synthetic caseload (80 clients, 20,000 notes of ~2 KB,
 * 50,000 measures) on plain SQLite and on the encrypted store (SQLCipher 4 settings and
 * tuning variants), same schema, same process, same disk.
 *
 *   npm run bench:store                 # full run, writes bench/results/store-<date>.json
 *   npm run bench:store -- --quick      # smaller caseload, for a smoke check
 *
 * Also importable: `runStoreBench({ quick })` returns the result object (for bench/run.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { cpus, tmpdir } from 'node:os';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDrizzle, type WorkstationDb } from '../src/core/store/db';
import { migrateDatabase, planMigrations } from '../src/core/store/migrate';
import { openDatabase, type CipherTuning, type SqliteDatabase } from '../src/core/store/open-database';
import { bulkImport } from '../src/core/store/bulk-import';
import { loadChart } from '../src/core/store/repositories/chart';
import { saveDraft, searchNotes } from '../src/core/store/repositories/notes';
import { KeyVault } from '../src/core/vault/key-vault';
import { unavailableKeychain } from '../src/core/vault/keychain';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MIGRATIONS_DIR = join(ROOT, 'src/core/store/migrations');

export interface Variant {
  name: string;
  /** null = plain SQLite (no key). */
  cipher: CipherTuning | null;
  cacheSizeKiB: number;
}

export const VARIANTS: Variant[] = [
  { name: 'plain, cache 16 MiB', cipher: null, cacheSizeKiB: 16_000 },
  { name: 'plain, cache 64 MiB', cipher: null, cacheSizeKiB: 65_536 },
  // The product's format for new caches (src/core/store/cache-cipher.ts).
  { name: 'AEGIS-256 4096, cache 16 MiB', cipher: { scheme: 'aegis', algorithm: 'aegis-256' }, cacheSizeKiB: 16_000 },
  { name: 'AEGIS-256 4096, cache 64 MiB', cipher: { scheme: 'aegis', algorithm: 'aegis-256' }, cacheSizeKiB: 65_536 },
  {
    name: 'AEGIS-256x2 4096, cache 64 MiB',
    cipher: { scheme: 'aegis', algorithm: 'aegis-256x2' },
    cacheSizeKiB: 65_536,
  },
  // The format of caches created before AEGIS (still opened).
  {
    name: 'sqlcipher4 4096/SHA512, cache 64 MiB',
    cipher: { scheme: 'sqlcipher', pageSize: 4096, hmacAlgorithm: 2 },
    cacheSizeKiB: 65_536,
  },
  {
    name: 'sqlcipher 4096/SHA1, cache 64 MiB',
    cipher: { scheme: 'sqlcipher', pageSize: 4096, hmacAlgorithm: 0 },
    cacheSizeKiB: 65_536,
  },
];

interface Caseload {
  staffId: string;
  clients: Array<{ id: string; given: string; family: string }>;
  notes: Array<{ id: string; clientId: string; createdAt: string; body: string }>;
  measures: Array<{ id: string; clientId: string; code: string; value: number; observedAt: string }>;
}

export interface OperationStats {
  medianMs: number;
  p95Ms: number;
  runs: number;
}

export interface VariantResult {
  variant: string;
  cipher: CipherTuning | null;
  cacheSizeKiB: number;
  fileBytes: number;
  /** Bulk insert as the product does it (initial sync): bulkImport(), rollback journal. */
  bulkInsertMs: number;
  /** The same rows written through the WAL, for comparison. */
  bulkInsertWalMs: number;
  openMs: OperationStats;
  chartLoadMs: OperationStats;
  draftSaveMs: OperationStats;
  searchMs: OperationStats;
}

export interface StoreBenchResult {
  kind: 'store';
  date: string;
  machine: { cpu: string; cores: number; aesNi: boolean; node: string; platform: string };
  sizes: { clients: number; notes: number; measures: number; noteBytes: number };
  unlockWithKdfMs: number;
  variants: VariantResult[];
  ratios: Array<
    { variant: string; comparedWith: string } & Record<
      'bulkInsert' | 'bulkInsertWal' | 'open' | 'chartLoad' | 'draftSave' | 'search',
      number
    >
  >;
}

// ---------------------------------------------------------------------------------------

const WORDS = (
  'client reports cravings sleep mood meeting sponsor group coping skills relapse prevention plan trigger stress work ' +
  'family partner children housing court probation medication buprenorphine naltrexone dose adherence side effects ' +
  'nausea insomnia anxiety depression urge surfing mindfulness breathing walk gym church peer support recovery ' +
  'milestone thirty days sober lapse weekend party alcohol opioid fentanyl naloxone kit safety plan reviewed warning ' +
  'signs distraction friends crisis line therapist counselor prescriber pharmacy refill telehealth video audio ' +
  'connection dropped callback location verified address goals progress homework journal gratitude boundaries'
).split(' ');

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function generateCaseload(sizes: { clients: number; notes: number; measures: number }): Caseload {
  const random = rng(42);
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)]!;
  const syllables = ['ka', 'lo', 'mi', 'ra', 'ten', 'vo', 'shi', 'dra', 'pel', 'nu', 'zor', 'ith'];
  const name = () => {
    const n = pick(syllables) + pick(syllables) + pick(syllables);
    return n[0]!.toUpperCase() + n.slice(1);
  };
  // Some rare words so searches have selective hits, like real names and places in notes.
  const rare = Array.from({ length: 3000 }, () => name().toLowerCase() + pick(syllables));
  const clients = Array.from({ length: sizes.clients }, () => ({ id: randomUUID(), given: name(), family: name() }));
  const start = Date.parse('2024-01-01T00:00:00Z');
  const notes = Array.from({ length: sizes.notes }, (_, i) => {
    const parts: string[] = [];
    let length = 0;
    while (length < 2000) {
      const word = random() < 0.03 ? pick(rare) : pick(WORDS);
      parts.push(word);
      length += word.length + 1;
    }
    return {
      id: randomUUID(),
      clientId: clients[i % clients.length]!.id,
      createdAt: new Date(start + i * 45 * 60_000).toISOString(),
      body: parts.join(' '),
    };
  });
  const codes = ['PHQ9', 'GAD7', 'CRAVING', 'BAM_USE', 'BAM_RISK'];
  const measures = Array.from({ length: sizes.measures }, (_, i) => ({
    id: randomUUID(),
    clientId: clients[i % clients.length]!.id,
    code: codes[i % codes.length]!,
    value: Math.floor(random() * 27),
    observedAt: new Date(start + i * 20 * 60_000).toISOString(),
  }));
  return { staffId: randomUUID(), clients, notes, measures };
}

function bulkInsert(sqlite: SqliteDatabase, data: Caseload, mode: 'import' | 'wal'): number {
  const t0 = performance.now();
  if (mode === 'import') bulkImport(sqlite, () => insertCaseload(sqlite, data));
  else insertCaseload(sqlite, data);
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  return performance.now() - t0;
}

function insertCaseload(sqlite: SqliteDatabase, data: Caseload): void {
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
  const note = sqlite.prepare(
    `INSERT INTO session_notes (id, client_id, author_id, note_type, template, status, content, created_at, updated_at)
     VALUES (?, ?, ?, 'progress', 'DAP', 'signed', ?, ?, ?)`,
  );
  const measure = sqlite.prepare(
    'INSERT INTO measures (id, client_id, code, value, observed_at) VALUES (?, ?, ?, ?, ?)',
  );
  // Batches of 1,000 rows per transaction, like a sync page.
  const batch = <T>(rows: T[], insert: (row: T) => void) => {
    for (let i = 0; i < rows.length; i += 1000) sqlite.transaction(() => rows.slice(i, i + 1000).forEach(insert))();
  };
  batch(data.clients, (c) => client.run(c.id, c.given, c.family, data.staffId, now, now));
  batch(data.notes, (n) =>
    note.run(n.id, n.clientId, data.staffId, JSON.stringify({ D: n.body }), n.createdAt, n.createdAt),
  );
  batch(data.measures, (m) => measure.run(m.id, m.clientId, m.code, m.value, m.observedAt));
}

function stats(samples: number[]): OperationStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { medianMs: round(at(0.5)), p95Ms: round(at(0.95)), runs: samples.length };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

function time(runs: number, fn: (i: number) => void): OperationStats {
  for (let i = 0; i < Math.min(3, runs); i += 1) fn(i); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const t0 = performance.now();
    fn(i);
    samples.push(performance.now() - t0);
  }
  return stats(samples);
}

function runVariant(dir: string, variant: Variant, data: Caseload, quick: boolean): VariantResult {
  const path = join(dir, `${variant.name.replace(/[^a-z0-9]+/gi, '-')}.db`);
  const key = variant.cipher ? randomBytes(32) : null;
  const open = () =>
    openDatabase(path, {
      key: key ? Buffer.from(key) : null,
      create: true,
      ...(variant.cipher ? { cipher: variant.cipher } : {}),
      cacheSizeKiB: variant.cacheSizeKiB,
    });
  let sqlite = open();
  migrateDatabase(sqlite, { migrationsDir: MIGRATIONS_DIR, dbPath: path });
  const bulkInsertMs = round(bulkInsert(sqlite, data, 'import'));
  sqlite.close();

  const walPath = `${path}.wal-comparison.db`;
  const walDb = openDatabase(walPath, {
    key: key ? Buffer.from(key) : null,
    create: true,
    ...(variant.cipher ? { cipher: variant.cipher } : {}),
    cacheSizeKiB: variant.cacheSizeKiB,
  });
  migrateDatabase(walDb, { migrationsDir: MIGRATIONS_DIR, dbPath: walPath });
  const bulkInsertWalMs = round(bulkInsert(walDb, data, 'wal'));
  walDb.close();
  rmSync(walPath, { force: true });

  // Open: keyed open + pragmas + first read + migration check (what unlock does after the KDF).
  const openMs = time(quick ? 5 : 20, () => {
    const s = open();
    planMigrations(s, MIGRATIONS_DIR);
    s.close();
  });

  sqlite = open();
  const db: WorkstationDb = createDrizzle(sqlite);
  const chartLoadMs = time(quick ? 20 : 80, (i) => {
    const chart = loadChart(db, data.clients[i % data.clients.length]!.id);
    if (!chart || chart.notes.length !== 10) throw new Error('chart load returned too little');
  });
  const draftId = randomUUID();
  const clientId = data.clients[0]!.id;
  const body = data.notes[0]!.body;
  const draftSaveMs = time(quick ? 20 : 100, (i) => {
    saveDraft(db, {
      id: draftId,
      clientId,
      authorId: data.staffId,
      noteType: 'progress',
      template: 'DAP',
      content: { D: `${body} ${i}` },
    });
  });
  const queries = [
    'naloxone kit',
    'buprenorphine dose',
    'sponsor meeting',
    'fentanyl',
    'crisis line',
    'gratitude journal',
  ];
  const rare = data.notes
    .slice(0, 20)
    .map((n) => n.body.split(' ').find((w) => w.length > 8 && !WORDS.includes(w)))
    .filter((w): w is string => !!w);
  const allQueries = [...queries, ...rare];
  const searchMs = time(quick ? 10 : 40, (i) => {
    searchNotes(db, allQueries[i % allQueries.length]!, { limit: 20 });
  });
  sqlite.close();
  const fileBytes = statSync(path).size;
  return {
    variant: variant.name,
    cipher: variant.cipher,
    cacheSizeKiB: variant.cacheSizeKiB,
    fileBytes,
    bulkInsertMs,
    bulkInsertWalMs,
    openMs,
    chartLoadMs,
    draftSaveMs,
    searchMs,
  };
}

export async function runStoreBench(
  options: { quick?: boolean; variants?: Variant[] } = {},
): Promise<StoreBenchResult> {
  const quick = options.quick ?? false;
  const sizes = quick ? { clients: 80, notes: 2000, measures: 5000 } : { clients: 80, notes: 20_000, measures: 50_000 };
  const data = generateCaseload(sizes);
  const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'continuum-store-bench-'));
  try {
    // Unlock cost with the production KDF (scrypt 2^17), passphrase-only so no keychain needed.
    const vaultDir = join(dir, 'vault');
    mkdirSync(vaultDir);
    const vault = new KeyVault({ dir: vaultDir, keychain: unavailableKeychain() });
    (await vault.create('benchmark passphrase')).key.fill(0);
    const t0 = performance.now();
    (await vault.unlock('benchmark passphrase')).key.fill(0);
    const unlockWithKdfMs = round(performance.now() - t0);

    const variants = (options.variants ?? VARIANTS).map((v) => {
      process.stderr.write(`store bench: ${v.name}…\n`);
      return runVariant(dir, v, data, quick);
    });
    const plainFor = (v: VariantResult) => {
      const plain = variants.find((p) => p.cipher === null && p.cacheSizeKiB === v.cacheSizeKiB);
      if (!plain) throw new Error(`no plain variant with a ${v.cacheSizeKiB} KiB cache for ratios`);
      return plain;
    };
    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    const ratios = variants
      .filter((v) => v.cipher !== null)
      .map((v) => ({ v, plain: plainFor(v) }))
      .map(({ v, plain }) => ({
        variant: v.variant,
        comparedWith: plain.variant,
        bulkInsert: ratio(v.bulkInsertMs, plain.bulkInsertMs),
        bulkInsertWal: ratio(v.bulkInsertWalMs, plain.bulkInsertWalMs),
        open: ratio(v.openMs.medianMs, plain.openMs.medianMs),
        chartLoad: ratio(v.chartLoadMs.medianMs, plain.chartLoadMs.medianMs),
        draftSave: ratio(v.draftSaveMs.medianMs, plain.draftSaveMs.medianMs),
        search: ratio(v.searchMs.medianMs, plain.searchMs.medianMs),
      }));
    return {
      kind: 'store',
      date: new Date().toISOString(),
      machine: {
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: cpus().length,
        aesNi: cpuHasAes(),
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
      },
      sizes: { ...sizes, noteBytes: data.notes.reduce((n, x) => n + x.body.length, 0) },
      unlockWithKdfMs,
      variants,
      ratios,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function cpuHasAes(): boolean {
  try {
    return /\baes\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}

export function toMarkdown(result: StoreBenchResult): string {
  const lines = [
    `Store benchmark ${result.date.slice(0, 10)} — ${result.machine.cpu} (${result.machine.cores} cores, AES-NI ${result.machine.aesNi ? 'yes' : 'no'}), Node ${result.machine.node}`,
    `Caseload: ${result.sizes.clients} clients, ${result.sizes.notes} notes (${(result.sizes.noteBytes / 1e6).toFixed(1)} MB text), ${result.sizes.measures} measures. Unlock incl. scrypt KDF (2^17, r=8): ${result.unlockWithKdfMs.toFixed(0)} ms.`,
    '',
    '| Variant | Bulk insert ms (initial sync: bulkImport) | Bulk insert through WAL ms | Open ms | Chart load ms (p95) | Draft save ms (p95) | FTS search ms (p95) | File MB |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const v of result.variants) {
    const r = result.ratios.find((x) => x.variant === v.variant);
    const cell = (ms: number, ratio?: number) =>
      `${ms.toFixed(2)}${ratio !== undefined ? ` (${ratio.toFixed(2)}×)` : ''}`;
    lines.push(
      `| ${v.variant} | ${cell(v.bulkInsertMs, r?.bulkInsert)} | ${cell(v.bulkInsertWalMs, r?.bulkInsertWal)} | ${cell(v.openMs.medianMs, r?.open)} | ${cell(v.chartLoadMs.medianMs, r?.chartLoad)} (${v.chartLoadMs.p95Ms.toFixed(2)}) | ${cell(v.draftSaveMs.medianMs, r?.draftSave)} (${v.draftSaveMs.p95Ms.toFixed(2)}) | ${cell(v.searchMs.medianMs, r?.search)} (${v.searchMs.p95Ms.toFixed(2)}) | ${(v.fileBytes / 1e6).toFixed(1)} |`,
    );
  }
  lines.push('', 'Ratios: encrypted ÷ plain SQLite with the same page-cache size. Medians unless noted.');
  return lines.join('\n');
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const result = await runStoreBench({ quick });
  const outDir = join(ROOT, 'bench/results');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `store-${result.date.slice(0, 10)}${quick ? '-quick' : ''}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${toMarkdown(result)}\n\nRaw numbers: ${file}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
