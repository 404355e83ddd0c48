/**
 * Keystroke to saved: a 3,000-word SOAP note where every "keystroke" adds one character to the
 * assessment and saves the whole draft, timed until the save has returned (durable: one
 * encrypted transaction, `synchronous=FULL`, then the audit entry). Four ways of saving the same
 * sequence of contents, interleaved keystroke by keystroke so that machine noise falls on all
 * of them alike:
 *
 * - `plain-row`: the row save alone (`updateDraft`: the UPDATE with its projection, the FTS5
 *   triggers re-indexing the text) in a transaction, on plain SQLite with the same schema and
 *   pragmas: the baseline;
 * - `encrypted-row`: the same on the encrypted store: what encryption adds;
 * - `service`: `NotesService.saveDraft` on the encrypted store (checks, outbox coalescing, audit);
 * - `rpc`: `notes.saveDraft` from the window's RpcClient over a MessageChannel to the dispatcher
 *   (zod on both ends, structured clone both ways): what the editor waits for.
 *
 * With them, once per keystroke, the disk's own floor: a 4 KiB write and fsync of a file beside
 * the databases (every durable save waits for at least one).
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import type { SqliteDatabase } from '../../src/core/store/open-database';
import { insertDraft, updateDraft } from '../../src/core/notes/drafts';
import type { NoteContent } from '../../src/shared/notes/content';
import { SOAP_TEMPLATE } from '../../src/shared/notes/templates/builtin';
import { latencyStats, round, type LatencyStats } from '../sync/stats';
import { completeEncounter, contentWords, longSoapSections, typist } from './corpus';
import { LAST_DAY, type BenchWorkstation, type Caseload } from './workstation';

export const SAVE_TARGET_MS = 10;
export type SaveVariantKey = 'plain-row' | 'encrypted-row' | 'service' | 'rpc';

export interface SaveVariantResult {
  key: SaveVariantKey;
  label: string;
  /** Wall-clock time per save. */
  stats: LatencyStats;
  /** CPU time of this process per save (the rest is waiting, mostly for fsync). */
  cpu: LatencyStats;
}

export interface SaveBenchResult {
  noteWords: number;
  contentKiB: number;
  warmups: number;
  samples: number;
  variants: SaveVariantResult[];
  /** A 4 KiB write + fsync beside the databases, interleaved with the saves: the disk's floor. */
  fsync: LatencyStats;
  /** Each variant ÷ plain-row, at p50 and p95. */
  ratios: Array<{ key: SaveVariantKey; p50: number; p95: number }>;
  outbox: {
    /** Saves of the RPC variant's note (warm-up included). */
    saves: number;
    /** Its `note.saveDraft` rows in the outbox after them (nothing pushed: offline). */
    rows: number;
    rowKiB: number;
    /** Audit entries the saves added (one per save: `note.draft_saved`). */
    auditEntries: number;
  };
  /** 4 KiB pages one save through RPC appends to the WAL (measured over 40 saves, auto-checkpoint off). */
  walPagesPerSave: number;
  /** The WAL is checkpointed into the database when it reaches this many pages (SQLite's default). */
  walAutoCheckpoint: number;
  /** `PRAGMA secure_delete` (freed pages overwritten): on for the encrypted store (src/core/store/open-database.ts). */
  secureDelete: { encrypted: boolean; plain: boolean };
  targetMs: number;
}

const LABELS: Record<SaveVariantKey, string> = {
  'plain-row': 'Plain SQLite: the row save alone (baseline)',
  'encrypted-row': 'Encrypted: the same row save',
  service: 'Encrypted: NotesService.saveDraft (checks, outbox, audit)',
  rpc: 'Encrypted: notes.saveDraft through RPC (what the editor waits for)',
};

interface Variant {
  key: SaveVariantKey;
  save: (content: NoteContent) => unknown;
  type: (keystrokes: number) => NoteContent;
  samples: number[];
  cpu: number[];
}

export async function runSaveBench(
  ws: BenchWorkstation,
  plain: SqliteDatabase,
  caseload: Caseload,
  options: { quick: boolean; log: (line: string) => void; probeFile: string },
): Promise<SaveBenchResult> {
  const warmups = options.quick ? 20 : 50;
  const samples = options.quick ? 100 : 600;
  const clientId = caseload.myClients[0]!;
  const world = caseload.corpus.worlds.get(clientId)!;

  const draft = async () => {
    const created = await ws.rpc.call('notes.createDraft', { clientId, templateId: 'soap' });
    return created;
  };
  const first = await draft();
  const base: NoteContent = {
    ...first.content,
    encounter: completeEncounter(first.content.encounter, LAST_DAY),
    sections: longSoapSections(3_000, world),
  };
  const noteWords = contentWords(base);

  // The RPC variant's note.
  let rpcRevision = first.draftRevision;
  const rpcNote = first.id;
  // The service variant's note.
  const serviceDraft = await draft();
  let serviceRevision = serviceDraft.draftRevision;
  // The encrypted row variant's note (created like the others, then written row-only).
  const rowDraft = await draft();
  // The plain baseline's note: the same row, inserted as createDraft does.
  const plainId = rowDraft.id;
  insertDraft(
    plain,
    { id: plainId, clientId, authorId: caseload.me, appointmentId: null, template: SOAP_TEMPLATE, content: base },
    new Date().toISOString(),
  );

  const rowSave = (sqlite: SqliteDatabase, id: string) => {
    const write = sqlite.transaction((content: NoteContent) => {
      const json = JSON.stringify(content);
      if (!updateDraft(sqlite, id, content, json, new Date().toISOString())) throw new Error('row save refused');
    });
    return (content: NoteContent) => write(content);
  };
  const variants: Variant[] = [
    { key: 'plain-row', save: rowSave(plain, plainId), type: typist(base), samples: [], cpu: [] },
    { key: 'encrypted-row', save: rowSave(ws.sqlite, rowDraft.id), type: typist(base), samples: [], cpu: [] },
    {
      key: 'service',
      save: (content) => {
        const saved = ws.notes.saveDraft({ noteId: serviceDraft.id, content, baseRevision: serviceRevision });
        serviceRevision = saved.draftRevision;
      },
      type: typist(base),
      samples: [],
      cpu: [],
    },
    {
      key: 'rpc',
      save: async (content) => {
        const saved = await ws.rpc.call('notes.saveDraft', { noteId: rpcNote, content, baseRevision: rpcRevision });
        rpcRevision = saved.draftRevision;
      },
      type: typist(base),
      samples: [],
      cpu: [],
    },
  ];

  const auditBefore = countAudit(ws.sqlite, rpcNote);
  const probe = openSync(options.probeFile, 'w');
  const block = Buffer.alloc(4096, 0x2e);
  const fsyncSamples: number[] = [];
  const total = warmups + samples;
  for (let i = 0; i < total; i++) {
    const start = performance.now();
    writeSync(probe, block, 0, block.length, (i % 16) * block.length);
    fsyncSync(probe);
    if (i >= warmups) fsyncSamples.push(performance.now() - start);
    for (let j = 0; j < variants.length; j++) {
      // Rotate the order every keystroke: no variant always follows the same one.
      const variant = variants[(i + j) % variants.length]!;
      const content = variant.type(i + 1);
      const cpuStart = process.cpuUsage();
      const start = performance.now();
      await variant.save(content);
      const ms = performance.now() - start;
      const cpu = process.cpuUsage(cpuStart);
      if (i >= warmups) {
        variant.samples.push(ms);
        variant.cpu.push((cpu.user + cpu.system) / 1000);
      }
    }
    if ((i + 1) % 100 === 0) options.log(`notes/save: ${i + 1}/${total} keystrokes`);
  }
  closeSync(probe);

  // Pages per save: the WAL's frame count after 40 more saves with the auto-checkpoint off.
  const walAutoCheckpoint = Number(ws.sqlite.pragma('wal_autocheckpoint', { simple: true }));
  const rpcVariant = variants.find((v) => v.key === 'rpc')!;
  ws.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  ws.sqlite.pragma('wal_autocheckpoint = 0');
  const walSaves = 40;
  for (let i = 0; i < walSaves; i++) await rpcVariant.save(rpcVariant.type(total + i + 1));
  const frames = (ws.sqlite.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>)[0]?.log ?? Number.NaN;
  ws.sqlite.pragma(`wal_autocheckpoint = ${walAutoCheckpoint}`);

  const outboxRow = ws.sqlite
    .prepare(
      `SELECT count(*) AS n, coalesce(sum(length(args)), 0) AS bytes FROM sync_outbox
        WHERE entity_type = 'note' AND entity_id = ? AND name = 'note.saveDraft'`,
    )
    .get(rpcNote) as { n: number; bytes: number };
  const results = variants.map((v) => ({
    key: v.key,
    label: LABELS[v.key],
    stats: latencyStats(v.samples),
    cpu: latencyStats(v.cpu),
  }));
  const baseline = results.find((v) => v.key === 'plain-row')!;
  return {
    noteWords,
    contentKiB: round(Buffer.byteLength(JSON.stringify(base)) / 1024, 1),
    warmups,
    samples,
    variants: results,
    fsync: latencyStats(fsyncSamples),
    ratios: results.map((v) => ({
      key: v.key,
      p50: round(v.stats.p50Ms / baseline.stats.p50Ms),
      p95: round(v.stats.p95Ms / baseline.stats.p95Ms),
    })),
    outbox: {
      saves: total + walSaves,
      rows: outboxRow.n,
      rowKiB: round(outboxRow.bytes / Math.max(1, outboxRow.n) / 1024, 1),
      auditEntries: countAudit(ws.sqlite, rpcNote) - auditBefore,
    },
    walPagesPerSave: round(frames / walSaves, 1),
    walAutoCheckpoint,
    secureDelete: {
      encrypted: Number(ws.sqlite.pragma('secure_delete', { simple: true })) === 1,
      plain: Number(plain.pragma('secure_delete', { simple: true })) === 1,
    },
    targetMs: SAVE_TARGET_MS,
  };
}

function countAudit(sqlite: SqliteDatabase, noteId: string): number {
  return sqlite
    .prepare(`SELECT count(*) FROM audit_log WHERE action = 'note.draft_saved' AND record_id = ?`)
    .pluck()
    .get(noteId) as number;
}
