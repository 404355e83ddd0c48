/**
 * `npm run bench`: every benchmark of the project, each against its baseline measured in the
 * same run (plain SQLite for the encrypted store; later PouchDB for sync). Raw results go to
 * bench/results/<name>-<date>.json; BENCHMARKS.md is rewritten with the summary and the machine.
 * `npm run bench -- --quick` runs smaller data sets (a smoke run, not for the record).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runStoreBench, toMarkdown as storeMarkdown, type StoreBenchResult } from './store-bench';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
/** The configuration src/core/store/open-database.ts uses by default. */
const KEPT_VARIANT = 'sqlcipher4 4096/SHA512, cache 64 MiB';

// `--render <file>` rewrites BENCHMARKS.md from saved raw results instead of measuring again.
const renderFrom = process.argv.includes('--render') ? process.argv[process.argv.indexOf('--render') + 1] : undefined;
const store: StoreBenchResult = renderFrom
  ? (JSON.parse(readFileSync(renderFrom, 'utf8')) as StoreBenchResult)
  : await runStoreBench({ quick });
const day = store.date.slice(0, 10);
const resultsDir = join(ROOT, 'bench/results');
mkdirSync(resultsDir, { recursive: true });
const storeFile = `bench/results/store-${day}${quick ? '-quick' : ''}.json`;
if (!renderFrom) writeFileSync(join(ROOT, storeFile), `${JSON.stringify(store, null, 2)}\n`);

const m = store.machine;
const summary = [
  '# Benchmarks',
  '',
  'Run with `npm run bench`. Each figure is measured against its baseline in the same run, so',
  'ratios compare like with like on the same machine and load. Raw numbers are in `bench/results/`.',
  '',
  `Machine: ${m.cpu}, ${m.cores} cores, AES-NI ${m.aesNi ? 'yes' : 'no'}, Node ${m.node}, ${m.platform}. Run ${store.date}${quick ? ' (quick run: smaller data set)' : ''}.`,
  '',
  '## Encrypted caseload cache (SQLCipher) vs plain SQLite',
  '',
  storeMarkdown(store),
  '',
  `Raw: \`${storeFile}\`.`,
  '',
  '### Against the targets (issue 3), for the configuration the product uses',
  '',
  targetTable(store),
  '',
  '### Notes',
  '',
  '- "Open" is opening the database file with its raw key; the memory-hard key derivation at unlock',
  '  (scrypt, 2^17, r=8) has no plain-SQLite equivalent and is reported on its own line.',
  '- Tuning kept: SQLCipher 4 defaults (4096-byte pages, HMAC-SHA512) with a 64 MiB page cache.',
  '  16 KiB pages were rejected: full-text search p95 went 10–20× slower and draft saves slower, with',
  '  no reliable bulk-insert gain across runs. HMAC and encryption are never turned off. The build already',
  '  uses the CPU AES instructions (AES-NI present; the library disables them only for WebAssembly).',
  '- Bulk insert happens during initial sync, in the background; interactive operations (chart load,',
  '  draft save, search) are what the clinician waits on. The product writes it with `bulkImport()`',
  '  (a rollback journal instead of the WAL, so each page is encrypted once, not again at checkpoint);',
  '  on this schema that saves ~10 % for both stores (FTS5 indexing is a large share of the plain time),',
  '  so the ratio barely moves. The WAL column shows the same rows written through the WAL.',
  '- Where the encrypted time goes (perf, bulk insert through the WAL): ~35 % HMAC-SHA512 in software,',
  '  ~10 % AES (AES-NI), the rest SQLite. The library has no SHA-NI code path. HMAC-SHA1 would meet the',
  '  bulk-insert target (~1.24×) but is not used: HMAC-SHA512 is the SQLCipher 4 default that standard',
  '  tools open, and a background sync is not worth a weaker primitive for the clinical record.',
  '- Draft save p95 is bound by fsync (`synchronous=FULL`: a saved draft is on disk before the save',
  '  returns); plain SQLite shows the same p95 on this machine.',
  '- Single bulk-insert samples on a 2-core machine are noisy (±20 % between runs); the interactive',
  '  operations are medians of 20–100 runs.',
  '',
].join('\n');
writeFileSync(join(ROOT, 'BENCHMARKS.md'), summary);
process.stdout.write(`${summary}\n`);

/** Each target checked against this run's numbers (never hard-coded). */
function targetTable(result: typeof store): string {
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
