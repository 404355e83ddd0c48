/**
 * Notes benchmark (issue 5, "Performance"): on a real workstation core with its encrypted
 * cache on disk (the cipher new caches get), holding a 20,000-note caseload, and against plain SQLite with the
 * same schema and pragmas in the same run:
 *
 * 1. keystroke to saved on a 3,000-word note (save-bench.ts; target p95 < 10 ms),
 * 2. sign time, with the passphrase re-check (a key derivation) apart (sign-bench.ts),
 * 3. search latency over the 20,000 notes (search-bench.ts; target p95 < 30 ms).
 *
 * The PDF render time (target < 300 ms) is its own benchmark (pdf-bench.ts, `npm run bench --
 * --pdf`); the Notes section of BENCHMARKS.md shows its newest saved figures with these.
 *
 *   npm run bench:notes [-- --quick]     # prints; writes bench/results/notes-<date>.json
 *   npm run bench -- --notes             # the same, and rewrites BENCHMARKS.md
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATABASE_FILE_NAME } from '../../src/core/store/workstation-store';
import { loadAverages, machineInfo, type MachineInfo } from '../machine';
import { round } from '../sync/stats';
import { toMarkdown as pdfMarkdown, type PdfBenchResult } from './pdf-bench';
import { runSaveBench, type SaveBenchResult } from './save-bench';
import { runSearchBench, type SearchBenchResult } from './search-bench';
import { runSignBench, type SignBenchResult } from './sign-bench';
import { buildCaseload, openPlainDatabase, seed, startWorkstation } from './workstation';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

export interface NotesBenchResult {
  kind: 'notes';
  date: string;
  quick: boolean;
  machine: MachineInfo;
  loadAverage: { before: number[]; after: number[] };
  caseload: {
    clients: number;
    notes: number;
    words: number;
    contentMB: number;
    /** Writing the caseload as the initial sync does (bulk import), per store. */
    seedMs: { encrypted: number; plain: number };
    fileMB: { encrypted: number; plain: number };
    /** The encrypted store's cipher (`PRAGMA cipher`: `aegis` is AEGIS-256); absent in runs before it was recorded (SQLCipher 4). */
    cipher?: string;
  };
  save: SaveBenchResult;
  sign: SignBenchResult;
  search: SearchBenchResult;
}

export async function runNotesBench(
  options: { quick?: boolean; log?: (line: string) => void } = {},
): Promise<NotesBenchResult> {
  const quick = options.quick ?? false;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const before = loadAverages();
  const dir = mkdtempSync(join(process.env['BENCH_DIR'] ?? tmpdir(), 'continuum-notes-bench-'));
  try {
    const notes = quick ? 2_000 : 20_000;
    log(`notes: generating ${notes} notes…`);
    const caseload = buildCaseload(notes);
    const ws = await startWorkstation(join(dir, 'profile'));
    const plainPath = join(dir, 'plain.db');
    const plain = openPlainDatabase(plainPath);
    try {
      log('notes: writing the caseload (encrypted, then plain)…');
      const encryptedSeedMs = seed(ws.sqlite, caseload);
      const plainSeedMs = seed(plain, caseload);
      const search = await runSearchBench(ws, plain, caseload, { quick, log });
      const save = await runSaveBench(ws, plain, caseload, { quick, log, probeFile: join(dir, 'fsync-probe') });
      const sign = await runSignBench(ws, caseload, { quick, log });
      const encryptedPath = join(dir, 'profile', DATABASE_FILE_NAME);
      return {
        kind: 'notes',
        date: new Date().toISOString(),
        quick,
        machine: machineInfo(),
        loadAverage: { before, after: loadAverages() },
        caseload: {
          clients: caseload.clients,
          notes,
          words: caseload.corpus.words,
          contentMB: round(caseload.corpus.contentBytes / 1e6, 1),
          seedMs: { encrypted: round(encryptedSeedMs, 0), plain: round(plainSeedMs, 0) },
          fileMB: { encrypted: fileMB(encryptedPath), plain: fileMB(plainPath) },
          cipher: String(ws.sqlite.pragma('cipher', { simple: true })),
        },
        save,
        sign,
        search,
      };
    } finally {
      plain.close();
      await ws.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The encrypted store's cipher in words (runs before it was recorded used SQLCipher 4). */
function cipherName(result: NotesBenchResult): string {
  const cipher = result.caseload.cipher ?? 'sqlcipher';
  return cipher === 'aegis' ? 'AEGIS-256' : cipher === 'sqlcipher' ? 'SQLCipher 4' : cipher;
}

function fileMB(path: string): number {
  try {
    return round(statSync(path).size / 1e6, 1);
  } catch {
    return Number.NaN;
  }
}

// ---------------------------------------------------------------------------------------------
// Markdown (BENCHMARKS.md's Notes section; bench/run.ts puts it together with the PDF figures)

const ms = (value: number): string =>
  value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
const met = (ok: boolean): string => (ok ? 'met' : '**not met**');

export function toMarkdown(result: NotesBenchResult): string {
  const m = result.machine;
  const { save, sign, search, caseload } = result;
  const rpcSave = save.variants.find((v) => v.key === 'rpc')!;
  const rpcSearch = search.variants.find((v) => v.key === 'rpc')!;
  const lines = [
    `Notes benchmark ${result.date.slice(0, 10)} — ${m.cpu} (${m.cores} cores, AES-NI ${m.aesNi ? 'yes' : 'no'}), Node ${m.node}, ${m.platform}${result.quick ? ' — **quick run, not for the record**' : ''}.`,
    `Load average before / after: ${result.loadAverage.before.join(', ')} / ${result.loadAverage.after.join(', ')}. Encrypted store: ${cipherName(result)}.`,
    `Caseload: ${caseload.notes.toLocaleString('en-US')} notes over ${caseload.clients} clients (${(caseload.words / 1e6).toFixed(1)} M words, ${caseload.contentMB} MB of note JSON), written as the initial sync does: encrypted ${(caseload.seedMs.encrypted / 1000).toFixed(1)} s (${caseload.fileMB.encrypted} MB file), plain ${(caseload.seedMs.plain / 1000).toFixed(1)} s (${caseload.fileMB.plain} MB).`,
    '',
    `### Keystroke to saved (${save.noteWords.toLocaleString('en-US')}-word SOAP note, ${save.contentKiB} KiB of JSON)`,
    '',
    `Each keystroke adds a character to the assessment and saves the whole draft; timed until the save returns (durable: \`synchronous=FULL\`). ${save.samples} keystrokes per row after ${save.warmups} warm-up, the four rows interleaved keystroke by keystroke.`,
    '',
    '| | p50 ms | p95 ms | p99 ms | max ms | CPU p50 ms | ÷ baseline p50 / p95 |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const v of save.variants) {
    const r = save.ratios.find((x) => x.key === v.key)!;
    lines.push(
      `| ${v.key === 'rpc' ? `**${v.label}**` : v.label} | ${ms(v.stats.p50Ms)} | ${ms(v.stats.p95Ms)} | ${ms(v.stats.p99Ms)} | ${ms(v.stats.maxMs)} | ${ms(v.cpu.p50Ms)} | ${v.key === 'plain-row' ? '1×' : `${r.p50.toFixed(2)}× / ${r.p95.toFixed(2)}×`} |`,
    );
  }
  lines.push(
    `| Disk: 4 KiB write + fsync beside the databases (the floor of a durable save) | ${ms(save.fsync.p50Ms)} | ${ms(save.fsync.p95Ms)} | ${ms(save.fsync.p99Ms)} | ${ms(save.fsync.maxMs)} | | |`,
    '',
    `Outbox coalescing: ${save.outbox.saves} saves of one draft left **${save.outbox.rows}** \`note.saveDraft\` row${save.outbox.rows === 1 ? '' : 's'} in the outbox (${save.outbox.rowKiB} KiB each; offline, nothing pushed), where one row per save would be ${save.outbox.saves} rows, ${((save.outbox.saves * save.outbox.rowKiB) / 1024).toFixed(1)} MiB. The audit log gained ${save.outbox.auditEntries} entries (one \`note.draft_saved\` per save).`,
    '',
    `### Sign`,
    '',
    `\`notes.sign\` through RPC on a complete draft, ${sign.runs} runs per case. The passphrase is checked again with a full key derivation (${sign.kdf.name}, N = 2^${Math.log2(sign.kdf.N)}, r = ${sign.kdf.r}, p = ${sign.kdf.p}), timed alone as the vault's \`verifyPassphrase\`; "without the check" is the notes service's \`sign\` with the check left out (no RPC).`,
    '',
    '| | words | p50 ms | p95 ms | without the check: p50 / p95 ms | the check’s share (p50) |',
    '|---|---:|---:|---:|---:|---:|',
  );
  for (const c of sign.cases)
    lines.push(
      `| \`notes.sign\`, ${c.name} | ${c.words.toLocaleString('en-US')} | ${ms(c.total.p50Ms)} | ${ms(c.total.p95Ms)} | ${ms(c.withoutKdf.p50Ms)} / ${ms(c.withoutKdf.p95Ms)} | ${Math.round(((c.total.p50Ms - c.withoutKdf.p50Ms) / c.total.p50Ms) * 100)} % |`,
    );
  lines.push(
    `| The passphrase check alone (\`VaultService.verifyPassphrase\`) | | ${ms(sign.verify.p50Ms)} | ${ms(sign.verify.p95Ms)} | | |`,
    '',
    'The check’s share: (sign − sign without the check) ÷ sign, at p50.',
    '',
    `### Search over ${search.notes.toLocaleString('en-US')} notes`,
    '',
    `${search.queries.length} queries × 4 filter settings (none; one client, ${search.filters.clientNotes} notes; the last 90 days, ${search.filters.from} – ${search.filters.to}, ${search.filters.notesInRange.toLocaleString('en-US')} notes; both), limit 50, ${search.repetitions} rounds after one untimed pass, the four rows interleaved query by query. Queries (notes matched, no filter): ${search.queries.map((q) => `“${q.text}” ${q.hits.toLocaleString('en-US')}`).join(', ')}.`,
    '',
    '| | p50 ms | p95 ms | p99 ms | max ms | CPU p50 / p95 ms | ÷ baseline p50 / p95 |',
    '|---|---:|---:|---:|---:|---:|---:|',
  );
  for (const v of search.variants) {
    const r = search.ratios.find((x) => x.key === v.key)!;
    lines.push(
      `| ${v.key === 'rpc' ? `**${v.label}**` : v.label} | ${ms(v.stats.p50Ms)} | ${ms(v.stats.p95Ms)} | ${ms(v.stats.p99Ms)} | ${ms(v.stats.maxMs)} | ${ms(v.cpu.p50Ms)} / ${ms(v.cpu.p95Ms)} | ${v.key === 'bare-plain' ? '1×' : `${r.p50.toFixed(2)}× / ${r.p95.toFixed(2)}×`} |`,
    );
  }
  const bare = search.variants.find((v) => v.key === 'bare-plain')!;
  lines.push(
    '',
    'By kind of query (`notes.search` through RPC; baseline in brackets), p50 / p95 ms:',
    '',
    '| words | no filter | client | last 90 days | client + 90 days |',
    '|---|---:|---:|---:|---:|',
  );
  for (const kind of ['common', 'medium', 'rare'] as const) {
    const cell = (filter: string) => {
      const g = rpcSearch.groups.find((x) => x.kind === kind && x.filter === filter);
      const b = bare.groups.find((x) => x.kind === kind && x.filter === filter);
      return g && b ? `${ms(g.stats.p50Ms)} / ${ms(g.stats.p95Ms)} (${ms(b.stats.p50Ms)} / ${ms(b.stats.p95Ms)})` : '–';
    };
    const n = search.queries.filter((q) => q.kind === kind).length;
    if (n === 0) continue;
    lines.push(
      `| ${kind} (${n} quer${n === 1 ? 'y' : 'ies'}) | ${cell('none')} | ${cell('client')} | ${cell('dates')} | ${cell('client+dates')} |`,
    );
  }
  lines.push(
    '',
    `Common = matches ≥ 5 % of the notes; rare = < 0.5 %. The targets are checked against \`notes.search\` through RPC (${ms(rpcSearch.stats.p95Ms)} ms p95) and \`notes.saveDraft\` through RPC (${ms(rpcSave.stats.p95Ms)} ms p95).`,
  );
  return lines.join('\n');
}

/** The issue-5 targets against this run's numbers (PDF from its own benchmark, when there is one). */
export function targetsMarkdown(notes: NotesBenchResult | null, pdf: PdfBenchResult | null): string {
  const rows = ['| measure | this run | target | |', '|---|---:|---:|---|'];
  if (notes) {
    const save = notes.save.variants.find((v) => v.key === 'rpc')!;
    const search = notes.search.variants.find((v) => v.key === 'rpc')!;
    rows.push(
      `| Keystroke to saved, 3,000-word note, p95 | ${ms(save.stats.p95Ms)} ms | < ${notes.save.targetMs} ms | ${met(save.stats.p95Ms < notes.save.targetMs)} |`,
      `| Search over ${notes.search.notes.toLocaleString('en-US')} notes, p95 | ${ms(search.stats.p95Ms)} ms | < ${notes.search.targetMs} ms | ${met(search.stats.p95Ms < notes.search.targetMs)} |`,
    );
    for (const c of notes.sign.cases) rows.push(`| Sign, ${c.name}, p50 | ${ms(c.total.p50Ms)} ms | (no target) | |`);
  }
  if (pdf)
    for (const c of pdf.cases)
      rows.push(
        `| PDF: ${c.name}, p95 | ${ms(c.stats.p95Ms)} ms | < ${pdf.targetMs} ms | ${met(c.stats.p95Ms < pdf.targetMs)} |`,
      );
  return rows.join('\n');
}

/** BENCHMARKS.md's Notes section: this benchmark, the PDF benchmark, the targets. */
export function notesSection(
  notes: { file: string; result: NotesBenchResult } | null,
  pdf: { file: string; result: PdfBenchResult } | null,
  commentary: readonly string[] = [],
): string[] {
  const lines = ['## Notes (issue 5): autosave, sign, search, PDF', ''];
  if (notes) {
    const m = notes.result.machine;
    lines.push(
      `Machine: ${m.cpu}, ${m.cores} cores, AES-NI ${m.aesNi ? 'yes' : 'no'}, Node ${m.node}, ${m.platform}. Run ${notes.result.date}.`,
      '',
      toMarkdown(notes.result),
      '',
      `Raw: \`${notes.file}\`.`,
      '',
    );
  }
  if (pdf) lines.push('### Printed note (PDF render)', '', pdfMarkdown(pdf.result), '', `Raw: \`${pdf.file}\`.`, '');
  lines.push('### Against the targets (issue 5)', '', targetsMarkdown(notes?.result ?? null, pdf?.result ?? null), '');
  if (commentary.length > 0) lines.push('### Notes', '', ...commentary, '');
  return lines;
}

/**
 * Where the time goes. Figures of this run are read from the result; the few measured while the
 * changes were made (before/after, CPU breakdowns, 2026-11-23) say so.
 */
const rareP50 = (variant: NotesBenchResult['search']['variants'][number]): number =>
  Math.max(...variant.groups.filter((group) => group.kind === 'rare').map((group) => group.stats.p50Ms));

export function notesCommentary(result: NotesBenchResult): string[] {
  const { save, sign, search } = result;
  const cipher = cipherName(result);
  const v = <T extends { key: string }>(list: T[], key: T['key']): T => {
    const found = list.find((x) => x.key === key);
    if (!found) throw new Error(`no ${key} in the results`);
    return found;
  };
  const plainRow = v(save.variants, 'plain-row');
  const encryptedRow = v(save.variants, 'encrypted-row');
  const service = v(save.variants, 'service');
  const rpc = v(save.variants, 'rpc');
  const bare = v(search.variants, 'bare-plain');
  const productPlain = v(search.variants, 'product-plain');
  const productEncrypted = v(search.variants, 'product-encrypted');
  const rpcSearch = v(search.variants, 'rpc');
  const common = search.queries.filter((q) => q.kind === 'common');
  const typical = sign.cases[0]!;
  const pct = (part: number, whole: number) => `${Math.round((part / whole) * 100)} %`;
  return [
    `- **How it is measured.** One process: the window's \`RpcClient\` and the core's dispatcher talk over a Node \`MessageChannel\` (structured clone, an event-loop hop each way, zod on both ends, as over Electron's \`MessagePort\`; the hop between Electron processes itself is not in it). The core is the product's (\`startCore\`): a new cache in ${cipher}, 64 MiB cache, WAL, \`synchronous=FULL\`, scrypt at the production cost. Offline, as after a restart without the server: nothing is pushed, so the outbox shows coalescing alone.`,
    `- **Keystroke to saved: where the time goes.** The save through RPC takes ${ms(rpc.stats.p50Ms)} ms at p50, of which ${ms(rpc.cpu.p50Ms)} ms is CPU in this process (validating the ${save.contentKiB} KiB note on both ends, the projection and search text, the outbox row, the audit entry, encrypting the pages); the rest is waiting for the disk. Each save is one WAL commit with an fsync, and it is big: ${save.walPagesPerSave} pages of 4 KiB (${Math.round(save.walPagesPerSave * 4)} KiB) per keystroke — the note's JSON, its search text re-indexed by the FTS5 triggers (the old text's entries deleted, the new inserted), the outbox row holding a second copy of the JSON, the audit entry${save.secureDelete.encrypted ? `, and the overflow pages of the replaced text overwritten with zeros (\`secure_delete\` is on for the encrypted store: the store turns it on when the database is keyed, src/core/store/open-database.ts${save.secureDelete.plain ? '' : '; plain SQLite from the same library has it off'})` : ''}. Copying the WAL into the database file (a checkpoint) happens when the core has written nothing for half a second (src/core/store/idle-checkpoint.ts); SQLite's own checkpoint inside a commit is only a safety net at ${save.walAutoCheckpoint} pages, which this back-to-back run, with no pause at all, reaches every ~${Math.round(save.walAutoCheckpoint / save.walPagesPerSave)} saves: that one save is the max (${ms(rpc.stats.maxMs)} ms). The p95 (${ms(rpc.stats.p95Ms)} ms) and p99 (${ms(rpc.stats.p99Ms)} ms) are the disk's own fsync tail (a 4 KiB fsync alone: p95 ${ms(save.fsync.p95Ms)} ms in this run) and the machine's other work. The bare row save takes ${ms(plainRow.stats.p50Ms)} ms plain and ${ms(encryptedRow.stats.p50Ms)} ms encrypted (${(encryptedRow.stats.p50Ms / plainRow.stats.p50Ms).toFixed(2)}×); the notes service adds ${ms(service.stats.p50Ms - encryptedRow.stats.p50Ms)} ms (outbox and audit rows, checks), RPC ${ms(rpc.stats.p50Ms - service.stats.p50Ms)} ms.`,
    `- **Changed (src/core/notes/notes-service.ts):** the autosave's audit entry was written in a second transaction after the save, so every keystroke waited for two fsyncs; it is now written in the save's own transaction (one fsync, and a save is never on disk without its audit entry). Measured when it was changed (interleaved A/B, same machine): p50 −25 %, p95 −22 %.`,
    `- **Changed (src/core/store/idle-checkpoint.ts), 2026-11-23:** SQLite checkpointed the WAL inside whichever save took it past 1,000 pages, one save in every ~${Math.round(1000 / save.walPagesPerSave)}, which then also encrypted and copied a thousand pages and fsynced the database file. The store now checkpoints after half a second without writes, and SQLite's own threshold is raised to ${save.walAutoCheckpoint} pages as a safety net. Same benchmark, quiet machine, before → after (full runs one after the other, load ~1.5): through RPC p50 5.67 → 5.28 ms, p95 12.5 → 7.58 ms, p99 16.1 → 9.33 ms, max 57 → 142 ms; the service alone p95 11.6 → 5.88 ms. The max is the safety net in a burst no editor produces: the editor saves at most once a second, and the pause between two saves is where the store checkpoints.`,
    `- **Not changed (outside the notes core), what would take the save further:** (1) the outbox keeps a full copy of the draft's JSON in the unsent row (${save.outbox.rowKiB} KiB rewritten per keystroke, about 15 of the pages above when profiled); a \`note.saveDraft\` row that names the note and reads its text when a push takes it would drop that (src/core/sync/outbox.ts with the push in the sync engine); (2) \`secure_delete\` could be turned off for the encrypted store (fewer pages per save), but it is what makes a purged client's or a replaced draft's text unrecoverable even with the key, so it stays. In the app, the editor debounces: a save starts 600 ms after the last change, at most 1 s after the first unsaved one, one at a time, and typing never waits for it (src/renderer/notes/draft-saver.ts); this benchmark saves on every keystroke, back to back, as the worst case.`,
    `- **Sign.** The passphrase is checked again by deriving the key (scrypt N = 2^${Math.log2(sign.kdf.N)}, r = ${sign.kdf.r}: 128 MiB), ${ms(sign.verify.p50Ms)} ms at p50 on its own; signing a typical note takes ${ms(typical.total.p50Ms)} ms, and ${ms(typical.withoutKdf.p50Ms)} ms without the check (template requirements, content hash, the lock, the signature queued with the signed content, the note sent back; ${ms(sign.cases[1]!.withoutKdf.p50Ms)} ms for 3,000 words), so the check is ${pct(typical.total.p50Ms - typical.withoutKdf.p50Ms, typical.total.p50Ms)} of it. The cost is deliberate (it is what makes a stolen key file expensive to attack); the issue sets no target for signing.`,
    `- **Search: what was changed (src/core/notes/search.ts).** Before, the query built a summary (client and author names, addendum and sync-state subqueries, the session date from the note's JSON) and a snippet for every matching note and then kept the best 50: a common word matches most of the 20,000 notes. Now the matches are ranked first (BM25, the filters, the limit) and summaries and snippets are built for those 51 only. A date range read every matching note's JSON (spread over overflow pages: on the encrypted store each read decrypts them) to get its session date; it now decides on the projected session start (\`started_at\`, a UTC instant within a day of the session's local date) wherever that is certain and reads the JSON only near the edges of the range (tests/integration/notes/search-dates.test.ts checks the edges in the zones furthest ahead of and behind UTC). Compared with the previous query on this caseload (encrypted and plain, every query of this benchmark with each filter, and from-only and to-only ranges): the same answers. Measured during the change on the same 20,000 notes, encrypted, busy machine: “cravings” over 90 days ~1.2 s → ~50 ms, “cravings” unfiltered ~70–170 ms → ~35–100 ms.`,
    `- **Search: where the time goes now.** Common words (${common.map((q) => `“${q.text}” ${Math.round((q.hits / search.notes) * 100)} %`).join(', ')} of the notes) dominate the tail: ranking computes BM25 for every matching note (FTS5 reads each note's length and term positions), about 12 ms of CPU for the ${common.find((q) => q.text === 'cravings')?.hits.toLocaleString('en-US') ?? ''} notes “cravings” matches (profiled), plus joining each match to its row for the visibility and filter checks; a client filter does not shorten that for a common word (the match is read first, then each note's client checked). The plain FTS5 query alone has p95 ${ms(bare.stats.p95Ms)} ms on this machine; the notes core's search on plain SQLite ${ms(productPlain.stats.p95Ms)} ms, encrypted ${ms(productEncrypted.stats.p95Ms)} ms (${(productEncrypted.stats.p95Ms / productPlain.stats.p95Ms).toFixed(2)}× plain at p95, ${(productEncrypted.stats.p50Ms / productPlain.stats.p50Ms).toFixed(2)}× at p50), and through RPC ${ms(rpcSearch.stats.p95Ms)} ms: RPC adds the audit entry (its own transaction and fsync: a search is an access) and validating 50 summaries. Rare words answer in ${ms(rareP50(rpcSearch))} ms at p50 through RPC.`,
    `- **Not changed, what would take search further:** a prefix index (\`prefix='3'\` on \`note_search\`: every query's last word is matched as a prefix, which FTS5 answers by merging the doclists of every term it starts) and a session-date column beside \`started_at\` are store migrations (src/core/store/migrations); the audit entry of a search could be appended after the answer is sent, which changes when an access is recorded and is left to the audit log's owner.`,
    `- **Noise.** A 2-core virtual machine shared with other work (load averages in the header: ${result.loadAverage.before[0]} at the start of this run, on 2 cores); wall times, the fsync tail most of all, move with it from run to run. The CPU columns are less sensitive to the load; the rows of each table were interleaved so that the load falls on all of them alike.`,
  ];
}

/** The newest saved full PDF benchmark (its own run: `npm run bench -- --pdf`). */
function newestPdf(): { file: string; result: PdfBenchResult } | null {
  const dir = join(ROOT, 'bench/results');
  const file = readdirSync(dir)
    .filter((name) => /^pdf-\d{4}-\d{2}-\d{2}\.json$/.test(name))
    .sort()
    .at(-1);
  return file
    ? { file: `bench/results/${file}`, result: JSON.parse(readFileSync(join(dir, file), 'utf8')) as PdfBenchResult }
    : null;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const result = await runNotesBench({ quick });
  const file = `bench/results/notes-${result.date.slice(0, 10)}${quick ? '-quick' : ''}.json`;
  writeFileSync(join(ROOT, file), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${notesSection({ file, result }, newestPdf(), notesCommentary(result)).join('\n')}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
