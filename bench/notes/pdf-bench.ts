/**
 * PDF benchmark (issue 5: "PDF render time of one note", target under 300 ms): the note renderer
 * of the workstation core (`renderNotePdf`, pdfmake, input validation included) on
 *
 * - a typical signed SOAP note: encounter, four narrative sections, PHQ-9, GAD-7 and craving
 *   with their item tables, risk screen, plan, signature, co-signature and one addendum (3 pages);
 * - the same note with a 3,000-word narrative (about 8 pages);
 * - the typical note rendered and written to disk (`writeExportFile`: atomic, fsync, 0600).
 *
 * The first render of a process also parses the fonts and compiles the layout code: that cost
 * is measured as `warmUpPdfRenderer()` (what the core can run in the background), followed by
 * the first note. Then each case is warmed up and timed over `runs` renders (p50 / p95 / max).
 *
 *   npm run bench -- --pdf [--quick]
 *   npx tsx bench/notes/pdf-bench.ts [--quick]      # writes bench/results/pdf-<date>.json
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  noteExportFileName,
  type NotePdfInput,
  renderNotePdf,
  warmUpPdfRenderer,
  writeExportFile,
} from '../../src/core/exports';
import { richTextPlain } from '../../src/shared/notes';
import { longSoapInput, signedSoapInput } from '../../tests/fixtures/notes/pdf-notes';
import { loadAverages, machineInfo, type MachineInfo } from '../machine';
import { latencyStats, type LatencyStats, round } from '../sync/stats';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const PDF_TARGET_MS = 300;

export interface PdfCaseResult {
  name: string;
  words: number;
  pages: number;
  bytes: number;
  /** Wall-clock time per render. */
  stats: LatencyStats;
  /** CPU time of this process per render (user + system): less sensitive to a busy machine. */
  cpu: LatencyStats;
}

export interface PdfBenchResult {
  kind: 'pdf';
  date: string;
  quick: boolean;
  machine: MachineInfo;
  loadAverage: { before: number[]; after: number[] };
  runs: number;
  warmups: number;
  /** `warmUpPdfRenderer()` in a fresh process: what the first print would cost on top without it. */
  warmUpMs: number;
  /** The first note rendered after the warm-up (nothing rendered before it but the warm-up). */
  firstRenderMs: number;
  cases: PdfCaseResult[];
  targetMs: number;
}

function noteWords(input: NotePdfInput): number {
  let words = 0;
  for (const fields of Object.values(input.note.content.sections))
    for (const value of Object.values(fields))
      if (value.type === 'richText') words += richTextPlain(value.doc).split(/\s+/).filter(Boolean).length;
  return words;
}

async function timeCase(
  name: string,
  input: NotePdfInput,
  runs: number,
  warmups: number,
  write?: string,
): Promise<PdfCaseResult> {
  const fileName = noteExportFileName(input.note.id, input.generatedAt, input.timeZone);
  let last = await renderNotePdf(input);
  for (let i = 1; i < warmups; i++) last = await renderNotePdf(input);
  const samples: number[] = [];
  const cpuSamples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    last = await renderNotePdf(input);
    if (write) await writeExportFile(write, fileName, last.bytes);
    samples.push(performance.now() - start);
    const cpu = process.cpuUsage(cpuStart);
    cpuSamples.push((cpu.user + cpu.system) / 1000);
  }
  return {
    name,
    words: noteWords(input),
    pages: last.pages,
    bytes: last.bytes.byteLength,
    stats: latencyStats(samples),
    cpu: latencyStats(cpuSamples),
  };
}

export async function runPdfBench(
  options: { quick?: boolean; log?: (line: string) => void } = {},
): Promise<PdfBenchResult> {
  const quick = options.quick ?? false;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const runs = quick ? 10 : 40;
  const warmups = 3;
  const before = loadAverages();
  const typical = signedSoapInput();
  const long = longSoapInput(3_000);

  let start = performance.now();
  await warmUpPdfRenderer();
  const warmUpMs = round(performance.now() - start);
  start = performance.now();
  await renderNotePdf(typical);
  const firstRenderMs = round(performance.now() - start);
  log(`pdf: warm-up ${warmUpMs} ms, first note after it ${firstRenderMs} ms`);

  const cases: PdfCaseResult[] = [];
  cases.push(await timeCase('Typical signed SOAP note (PHQ-9, GAD-7, craving, addendum)', typical, runs, warmups));
  log(`pdf: typical p50 ${cases.at(-1)?.stats.p50Ms} ms`);
  cases.push(await timeCase('3,000-word SOAP note', long, runs, warmups));
  log(`pdf: 3,000 words p50 ${cases.at(-1)?.stats.p50Ms} ms`);
  const dir = mkdtempSync(join(tmpdir(), 'continuum-pdf-bench-'));
  try {
    cases.push(await timeCase('Typical note, rendered and written (atomic, fsync)', typical, runs, warmups, dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    kind: 'pdf',
    date: new Date().toISOString(),
    quick,
    machine: machineInfo(),
    loadAverage: { before, after: loadAverages() },
    runs,
    warmups,
    warmUpMs,
    firstRenderMs,
    cases,
    targetMs: PDF_TARGET_MS,
  };
}

export function toMarkdown(result: PdfBenchResult): string {
  const m = result.machine;
  const lines = [
    `PDF benchmark ${result.date.slice(0, 10)} — ${m.cpu} (${m.cores} cores), Node ${m.node}, ${m.platform}${result.quick ? ' — **quick run, not for the record**' : ''}.`,
    `Load average before / after: ${result.loadAverage.before.join(', ')} / ${result.loadAverage.after.join(', ')}. ${result.runs} timed renders per case after ${result.warmups} warm-ups.`,
    '',
    '| Case | words | pages | KB | p50 ms | p95 ms | max ms | CPU p50 / p95 ms | target (p95 < ' +
      result.targetMs +
      ' ms) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const c of result.cases)
    lines.push(
      `| ${c.name} | ${c.words.toLocaleString('en-US')} | ${c.pages} | ${Math.round(c.bytes / 1024)} | ${c.stats.p50Ms.toFixed(1)} | ${c.stats.p95Ms.toFixed(1)} | ${c.stats.maxMs.toFixed(1)} | ${c.cpu.p50Ms.toFixed(1)} / ${c.cpu.p95Ms.toFixed(1)} | ${c.stats.p95Ms < result.targetMs ? 'met' : '**not met**'} |`,
    );
  lines.push(
    '',
    `Fresh process: \`warmUpPdfRenderer()\` (parses the fonts, compiles the layout code; the first print pays this without it) ${result.warmUpMs.toFixed(1)} ms, then the first note ${result.firstRenderMs.toFixed(1)} ms.`,
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const result = await runPdfBench({ quick });
  const outDir = join(ROOT, 'bench/results');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `pdf-${result.date.slice(0, 10)}${quick ? '-quick' : ''}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${toMarkdown(result)}\n\nRaw numbers: ${file}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
