/**
 * `npm run bench`: every benchmark of the project, each against its baseline measured in the
 * same run (plain SQLite for the encrypted store; PouchDB replication for sync). Raw results go
 * to bench/results/<name>-<date>.json; BENCHMARKS.md is rewritten with the summary and the
 * machine (a section not run this time is rendered from its newest saved results).
 *
 *   npm run bench                      # everything
 *   npm run bench -- --store           # the encrypted store only
 *   npm run bench -- --sync            # sync only (add --postgres for PostgreSQL as well)
 *   npm run bench -- --notes           # notes (issue 5): autosave, sign, search (PDF figures: newest saved)
 *   npm run bench -- --pdf             # the printed note (PDF render) only
 *   npm run bench -- --quick           # smaller data sets: a smoke run, printed, BENCHMARKS.md untouched
 *   npm run bench -- --cpu-prof        # sync: CPU profiles into bench/results/profiles/
 *   npm run bench -- --render          # rewrite BENCHMARKS.md from the newest saved results
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runStoreBench, toMarkdown as storeMarkdown, type StoreBenchResult } from './store-bench';
import { runSyncBench, syncNotes, toMarkdown as syncMarkdown, type SyncBenchResult } from './sync-bench';
import { notesCommentary, notesSection, runNotesBench, type NotesBenchResult } from './notes/notes-bench';
import { runPdfBench, type PdfBenchResult } from './notes/pdf-bench';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const render = argv.includes('--render');
const only = argv.includes('--store')
  ? 'store'
  : argv.includes('--sync')
    ? 'sync'
    : argv.includes('--notes')
      ? 'notes'
      : argv.includes('--pdf')
        ? 'pdf'
        : null;
/** The configuration src/core/store/open-database.ts uses by default. */
const KEPT_VARIANT = 'AEGIS-256 4096, cache 64 MiB';
const resultsDir = join(ROOT, 'bench/results');
mkdirSync(resultsDir, { recursive: true });

/** The newest saved full-run results of one benchmark (`<name>-YYYY-MM-DD.json`). */
function newest<T>(name: string): { file: string; result: T } | null {
  const pattern = new RegExp(`^${name}-\\d{4}-\\d{2}-\\d{2}\\.json$`);
  const file = readdirSync(resultsDir)
    .filter((f) => pattern.test(f))
    .sort()
    .at(-1);
  return file
    ? { file: `bench/results/${file}`, result: JSON.parse(readFileSync(join(resultsDir, file), 'utf8')) as T }
    : null;
}

function save<T extends { date: string }>(name: string, result: T): string {
  const file = `bench/results/${name}-${result.date.slice(0, 10)}${quick ? '-quick' : ''}.json`;
  writeFileSync(join(ROOT, file), `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

const runStore = !render && (only === null || only === 'store');
const runSync = !render && (only === null || only === 'sync');
const runNotes = !render && (only === null || only === 'notes');
const runPdf = !render && (only === null || only === 'pdf');
let storeSection: { file: string; result: StoreBenchResult } | null = null;
let syncSection: { file: string; result: SyncBenchResult } | null = null;
let notesResult: { file: string; result: NotesBenchResult } | null = null;
let pdfSection: { file: string; result: PdfBenchResult } | null = null;
if (runStore) {
  const result = await runStoreBench({ quick });
  storeSection = { file: save('store', result), result };
}
if (runSync) {
  const cpuProfileDir = argv.includes('--cpu-prof') ? join(resultsDir, 'profiles') : undefined;
  if (cpuProfileDir) mkdirSync(cpuProfileDir, { recursive: true });
  const result = await runSyncBench({
    quick,
    postgres: argv.includes('--postgres'),
    ...(cpuProfileDir ? { cpuProfileDir } : {}),
  });
  syncSection = { file: save('sync', result), result };
}
if (runNotes) {
  const result = await runNotesBench({ quick });
  notesResult = { file: save('notes', result), result };
}
if (runPdf) {
  const result = await runPdfBench({ quick });
  pdfSection = { file: save('pdf', result), result };
}
if (!quick) {
  storeSection ??= newest<StoreBenchResult>('store');
  syncSection ??= newest<SyncBenchResult>('sync');
  notesResult ??= newest<NotesBenchResult>('notes');
  pdfSection ??= newest<PdfBenchResult>('pdf');
}

const sections = [
  '# Benchmarks',
  '',
  'Run with `npm run bench` (`-- --store`, `-- --sync`, `-- --notes` or `-- --pdf` for one part). Each figure is measured against its',
  'baseline in the same run, so ratios compare like with like on the same machine and load. Raw numbers',
  'are in `bench/results/`.',
  '',
];
if (storeSection) sections.push(...storeReport(storeSection.result, storeSection.file));
if (syncSection) sections.push(...syncReport(syncSection.result, syncSection.file));
// Notes (issue 5): autosave, sign and search from the notes benchmark, the PDF render from its own.
if (notesResult || pdfSection)
  sections.push(...notesSection(notesResult, pdfSection, notesResult ? notesCommentary(notesResult.result) : []));
const summary = sections.join('\n');
if (!quick) writeFileSync(join(ROOT, 'BENCHMARKS.md'), summary);
process.stdout.write(`${summary}\n`);

function storeReport(result: StoreBenchResult, file: string): string[] {
  const m = result.machine;
  return [
    '## Encrypted caseload cache (AEGIS-256; SQLCipher 4 before) vs plain SQLite',
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, AES-NI ${m.aesNi ? 'yes' : 'no'}, Node ${m.node}, ${m.platform}. Run ${result.date}.`,
    '',
    storeMarkdown(result),
    '',
    `Raw: \`${file}\`.`,
    '',
    '### Against the targets (issue 3), for the configuration the product uses',
    '',
    targetTable(result),
    '',
    '### Notes',
    '',
    '- "Open" is opening the database file with its raw key; the memory-hard key derivation at unlock',
    '  (scrypt, 2^17, r=8) has no plain-SQLite equivalent and is reported on its own line.',
    '- Format kept for new caches: AEGIS-256 (SQLite3 Multiple Ciphers `aegis`, 4096-byte pages, 64 MiB page',
    '  cache; src/core/store/cache-cipher.ts). Each page is encrypted and authenticated with a random 256-bit',
    '  nonce and a 256-bit tag, on the CPU AES instructions. Until 2026-11-23 caches were SQLCipher 4',
    '  (AES-256-CBC, HMAC-SHA512 per page, the `sqlcipher4` row): perf showed ~35 % of its bulk-insert time in',
    '  the HMAC-SHA512, in software (the library has no SHA-NI path, and SHA-512 has none on this CPU). AEGIS',
    '  closes that gap: bulk insert 0.98× plain SQLite in this run against 1.43× for SQLCipher 4 (the first',
    '  run of the day, `bench/results/store-2026-11-23-first-run.json`: 1.02× against 1.37×; two runs in',
    '  between, not kept: 0.95× / 1.54× and, on a busier machine, 1.11× / 1.26×). Existing SQLCipher 4 caches still',
    '  open (their key file names no format) and keep it. What is given up: stock SQLCipher tools cannot open',
    '  an AEGIS cache (SQLite3 Multiple Ciphers builds can, with the raw key). HMAC-SHA1, the other way to',
    '  the target, was rejected for a weaker primitive. 16 KiB pages were rejected earlier (full-text search',
    '  p95 10–20× slower). HMAC/tag and encryption are never turned off.',
    '- The interactive operations take about a millisecond, and their medians move by up to ±30 % between',
    '  runs for every variant alike (AEGIS open 1.63× and draft save 1.36× of plain in the first run, 1.12×',
    "  and 1.03× here): read them as the same as plain within this machine's noise, and the bulk insert",
    '  (seconds of encryption) as the measure of the cipher.',
    '- Bulk insert happens during initial sync, in the background; interactive operations (chart load,',
    '  draft save, search) are what the clinician waits on. The product writes it with `bulkImport()`',
    '  (a rollback journal instead of the WAL, so each page is encrypted once, not again at checkpoint).',
    '  The WAL column shows the same rows written through the WAL.',
    '- Draft save p95 is bound by fsync (`synchronous=FULL`: a saved draft is on disk before the save',
    '  returns); plain SQLite shows the same p95 on this machine.',
    '- Single bulk-insert samples on a 2-core machine are noisy (±20 % between runs); the interactive',
    '  operations are medians of 20–100 runs.',
    '',
  ];
}

function syncReport(result: SyncBenchResult, file: string): string[] {
  const m = result.machine;
  return [
    '## Sync: workstation ⇄ clinic server vs PouchDB replication',
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.platform}. Run ${result.date}.`,
    '',
    syncMarkdown(result),
    '',
    `Raw: \`${file}\`.`,
    '',
    ...syncNotes(result),
    '',
  ];
}

/** Each target checked against this run's numbers (never hard-coded). */
function targetTable(result: StoreBenchResult): string {
  const kept = result.variants.find((v) => v.variant === KEPT_VARIANT);
  const ratios = result.ratios.find((r) => r.variant === KEPT_VARIANT);
  if (!kept || !ratios) return `(variant "${KEPT_VARIANT}" missing from this run)`;
  const row = (what: string, value: string, target: string, met: boolean) =>
    `| ${what} | ${value} | ${target} | ${met ? 'met' : '**not met**'} |`;
  const ratio = (name: keyof typeof ratios & string, label: string) => {
    const value = ratios[name] as number;
    return row(`${label}: encrypted ÷ plain`, `${value.toFixed(2)}×`, '≤ 1.3×', value <= 1.3);
  };
  return [
    '| measure | this run | target | |',
    '|---|---:|---:|---|',
    ratio('bulkInsert', 'Bulk insert (initial sync)'),
    ratio('open', 'Open'),
    ratio('chartLoad', 'Chart load'),
    ratio('draftSave', 'Draft save'),
    ratio('search', 'Full-text search'),
    row('Chart load, median', `${kept.chartLoadMs.medianMs.toFixed(2)} ms`, '< 5 ms', kept.chartLoadMs.medianMs < 5),
    row('Draft save, median', `${kept.draftSaveMs.medianMs.toFixed(2)} ms`, '< 2 ms', kept.draftSaveMs.medianMs < 2),
    row('Draft save, p95', `${kept.draftSaveMs.p95Ms.toFixed(2)} ms`, '< 2 ms', kept.draftSaveMs.p95Ms < 2),
  ].join('\n');
}
