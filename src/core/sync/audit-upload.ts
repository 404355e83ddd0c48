import {
  auditAppendArgsSchema,
  MAX_AUDIT_ENTRIES_PER_MUTATION,
  type AuditAppendArgs,
} from '../../shared/sync/mutations';
import type { WorkstationDb } from '../store/db';
import { readMeta, writeMeta } from '../store/store-meta';
import type { Outbox, SettledMutation } from './outbox';

/**
 * The local audit log reaches the clinic server's audit chain as `audit.append` mutations
 * (codes and ids only: action, record type, record id, time). Entries are queued in sequence
 * order through the outbox, so each is sent until the server has it, and exactly once (mutation
 * ids): `sync.auditQueuedSeq` remembers the last entry queued, in the same transaction as the
 * outbox rows. Each mutation covers a contiguous range of entries about one client (the
 * server checks scope per client); the range travels as the row's entity id (`audit:<from>-<to>`)
 * and the entries are stamped `synced_at` when the server has applied it.
 */
const WATERMARK_KEY = 'sync.auditQueuedSeq';
export const AUDIT_ENTITY = 'audit';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ACTION = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){1,3}$/;
const RECORD_TYPE = /^[a-zA-Z]{1,40}$/;
/** Entries read per call; the engine calls again while there are more. */
const READ_LIMIT = 5_000;

interface AuditRow {
  seq: number;
  at: string;
  action: string;
  record_type: string | null;
  record_id: string | null;
  client_id: string | null;
}

type Entry = AuditAppendArgs['entries'][number];

function toEntry(row: AuditRow): Entry | null {
  if (!ACTION.test(row.action) || row.action.length > 100) return null;
  const at = new Date(row.at);
  if (Number.isNaN(at.getTime())) return null;
  return {
    action: row.action,
    ...(row.record_type && RECORD_TYPE.test(row.record_type) ? { recordType: row.record_type } : {}),
    ...(row.record_id && UUID.test(row.record_id) ? { recordId: row.record_id.toLowerCase() } : {}),
    at: at.toISOString(),
  };
}

/** Queue every audit entry not queued yet. Returns how many entries were queued. */
export function queueAuditEntries(db: WorkstationDb, outbox: Outbox): number {
  const sqlite = db.$client;
  let queued = 0;
  sqlite.transaction(() => {
    const watermark = Number(readMeta(sqlite, WATERMARK_KEY) ?? 0);
    const rows = sqlite
      .prepare(
        'SELECT seq, at, action, record_type, record_id, client_id FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?',
      )
      .all(watermark, READ_LIMIT) as AuditRow[];
    if (rows.length === 0) return;
    let group: { clientId: string | null; from: number; to: number; entries: Entry[] } | null = null;
    const flush = () => {
      if (!group) return;
      if (group.entries.length > 0) {
        const args = auditAppendArgsSchema.parse({ entries: group.entries });
        outbox.enqueue({
          name: 'audit.append',
          clientId: group.clientId,
          args,
          entity: { type: AUDIT_ENTITY, id: `${group.from}-${group.to}` },
        });
        queued += group.entries.length;
      }
      group = null;
    };
    for (const row of rows) {
      const clientId = row.client_id && UUID.test(row.client_id) ? row.client_id.toLowerCase() : null;
      if (group && (group.clientId !== clientId || group.entries.length >= MAX_AUDIT_ENTRIES_PER_MUTATION)) flush();
      group ??= { clientId, from: row.seq, to: row.seq, entries: [] };
      group.to = row.seq;
      const entry = toEntry(row);
      if (entry) group.entries.push(entry);
    }
    flush();
    const last = rows[rows.length - 1]!.seq;
    writeMeta(sqlite, WATERMARK_KEY, String(last));
  })();
  return queued;
}

/** Whether there are audit entries not yet queued (after a call that hit the read limit). */
export function hasUnqueuedAuditEntries(db: WorkstationDb): boolean {
  const sqlite = db.$client;
  const watermark = Number(readMeta(sqlite, WATERMARK_KEY) ?? 0);
  return sqlite.prepare('SELECT 1 FROM audit_log WHERE seq > ? LIMIT 1').get(watermark) !== undefined;
}

/** Stamp the entries of applied `audit.append` mutations as synced (the one update the log allows). */
export function markAuditSynced(db: WorkstationDb, settled: readonly SettledMutation[], at: string): void {
  const statement = db.$client.prepare(
    'UPDATE audit_log SET synced_at = ? WHERE seq BETWEEN ? AND ? AND synced_at IS NULL',
  );
  for (const row of settled) {
    if (row.outcome !== 'applied' || row.entityType !== AUDIT_ENTITY || !row.entityId) continue;
    const match = /^(\d+)-(\d+)$/.exec(row.entityId);
    if (match) statement.run(at, Number(match[1]), Number(match[2]));
  }
}
