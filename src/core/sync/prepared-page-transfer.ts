import type { PreparedChange, PreparedPullResponse } from './prepare-changes';

/**
 * A prepared pull page as it crosses from the pull worker (./pull-worker.ts) to the core's
 * thread: every note as one flat array of its fields instead of an object with a nested record
 * and projection.
 *
 * Why: a page crosses threads by structured clone, and reading an object back costs the core's
 * thread a lookup of every property name of every object (~30 per note, ~600,000 for an initial
 * sync's 20,000 notes); an array of the same values is read back without them. The core's thread
 * is the initial sync's bottleneck (it writes the cache; BENCHMARKS.md, "Sync"), so the names are
 * put back there as object literals, which V8 builds from one shape without a lookup.
 *
 * Measured on the demo caseload's 31 pages, in one process, medians of 20 interleaved passes:
 * reading them back on the core's thread 162 ms → 109 ms (deserialising, and here unpacking);
 * the worker's side 167 ms → 173 ms (packing, serialising).
 *
 * Every other change crosses as it is. `unpackPreparedPage(packPreparedPage(page))` equals
 * `page` (tests/unit/sync-prepared-page-transfer.test.ts).
 */
type PreparedNotePut = Extract<PreparedChange, { prepared: 'note' }>;

/** A note, packed: a tuple so that adding a field to a note fails to compile here until both sides know it. */
type PackedNote = [
  id: string,
  clientId: string | null,
  version: number,
  authorId: string,
  status: PreparedNotePut['data']['status'],
  contentHash: string | null,
  signedAt: string | null,
  signedBy: string | null,
  cosign: PreparedNotePut['data']['cosign'],
  lastSaved: PreparedNotePut['data']['lastSaved'],
  sharing: PreparedNotePut['data']['sharing'],
  createdAt: string,
  updatedAt: string,
  contentJson: string,
  template: PreparedNotePut['note']['projection']['template'],
  templateId: string | null,
  templateVersion: number | null,
  modality: PreparedNotePut['note']['projection']['modality'],
  startedAt: string | null,
  endedAt: string | null,
  bodyText: string,
];

export type PackedPage =
  | (Omit<Extract<PreparedPullResponse, { status: 'ok' }>, 'changes'> & {
      changes: Array<Exclude<PreparedChange, PreparedNotePut> | PackedNote>;
    })
  | Extract<PreparedPullResponse, { status: 'resyncRequired' }>;

export function packPreparedPage(page: PreparedPullResponse): PackedPage {
  if (page.status !== 'ok') return page;
  return { ...page, changes: page.changes.map((change) => (isNote(change) ? packNote(change) : change)) };
}

export function unpackPreparedPage(page: PackedPage): PreparedPullResponse {
  if (page.status !== 'ok') return page;
  return { ...page, changes: page.changes.map((change) => (Array.isArray(change) ? unpackNote(change) : change)) };
}

function isNote(change: PreparedChange): change is PreparedNotePut {
  return change.op === 'put' && change.prepared === 'note';
}

function packNote({ id, clientId, version, data: d, note }: PreparedNotePut): PackedNote {
  const p = note.projection;
  return [
    id,
    clientId,
    version,
    d.authorId,
    d.status,
    d.contentHash,
    d.signedAt,
    d.signedBy,
    d.cosign,
    d.lastSaved,
    d.sharing,
    d.createdAt,
    d.updatedAt,
    note.contentJson,
    p.template,
    p.templateId,
    p.templateVersion,
    p.modality,
    p.startedAt,
    p.endedAt,
    p.bodyText,
  ];
}

function unpackNote(n: PackedNote): PreparedNotePut {
  return {
    op: 'put',
    entity: 'note',
    id: n[0],
    clientId: n[1],
    version: n[2],
    prepared: 'note',
    data: {
      authorId: n[3],
      status: n[4],
      contentHash: n[5],
      signedAt: n[6],
      signedBy: n[7],
      cosign: n[8],
      lastSaved: n[9],
      sharing: n[10],
      createdAt: n[11],
      updatedAt: n[12],
    },
    note: {
      contentJson: n[13],
      projection: {
        template: n[14],
        templateId: n[15],
        templateVersion: n[16],
        modality: n[17],
        startedAt: n[18],
        endedAt: n[19],
        bodyText: n[20],
      },
    },
  };
}
