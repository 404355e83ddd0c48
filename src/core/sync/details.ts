import { MUTATION_NAMES, type MutationName } from '../../shared/sync/protocol';
import type { SyncDetails } from '../../shared/sync/details';
import type { SqliteDatabase } from '../store/open-database';
import { readServerRestored } from './server-restore';
import { readMeta } from '../store/store-meta';

/**
 * The sync panel (RPC `sync.details`, src/shared/sync/details.ts): changes waiting to be sent,
 * changes the server refused (until the clinician dismisses them) and conflicts to resolve,
 * each with the client's name so the clinician recognises it. Read only while unlocked.
 */

/** The panel lists at most this many waiting changes (the badge has the full count). */
const MAX_PENDING_LISTED = 1_000;
const LAST_SYNCED_KEY = 'sync.lastSyncedAt';

interface OutboxRow {
  mutation_id: number;
  name: string;
  client_id: string | null;
  entity_type: string | null;
  entity_id: string | null;
  created_at: string;
  attempts: number;
  last_error_code: string | null;
  rejection_code: string | null;
  rejection_message: string | null;
  client_name: string | null;
}

interface ConflictRow {
  id: string;
  entity_type: string;
  entity_id: string;
  client_id: string | null;
  client_name: string | null;
  detected_at: string;
}

/** What the panel lists and the badge counts (`o`: sync_outbox, `k`: sync_conflicts), one definition for both. */
const REFUSED = `o.status = 'rejected' AND o.acked_at IS NULL`;
const UNRESOLVED = `k.resolved_at IS NULL`;
/** A conflict the server reported in a push answer whose record has not been pulled yet. */
const REPORTED_NOT_PULLED = `o.status = 'conflict' AND o.acked_at IS NULL AND o.conflict_id IS NOT NULL
          AND o.conflict_id NOT IN (SELECT id FROM sync_conflicts)`;

const CLIENT_NAME = `CASE WHEN c.id IS NULL THEN NULL ELSE coalesce(c.preferred_name, c.given_name) || ' ' || c.family_name END`;

const iso = (value: string | null | undefined): string => {
  const time = value ? Date.parse(value) : Number.NaN;
  return new Date(Number.isFinite(time) ? time : 0).toISOString();
};

const mutationName = (name: string): MutationName =>
  (MUTATION_NAMES as readonly string[]).includes(name) ? (name as MutationName) : 'audit.append';

function outboxItem(row: OutboxRow) {
  return {
    mutationId: row.mutation_id,
    name: mutationName(row.name),
    clientId: row.client_id,
    clientName: row.client_name,
    entityType: row.entity_type,
    entityId: row.entity_id,
    createdAt: iso(row.created_at),
    attempts: row.attempts,
    lastErrorCode: row.last_error_code,
  };
}

export function readSyncDetails(sqlite: SqliteDatabase, clockDriftMs: number | null): SyncDetails {
  const select = (where: string, limit = -1) =>
    sqlite
      .prepare(
        `SELECT o.mutation_id, o.name, o.client_id, o.entity_type, o.entity_id, o.created_at, o.attempts,
                o.last_error_code, o.rejection_code, o.rejection_message, ${CLIENT_NAME} AS client_name
           FROM sync_outbox o LEFT JOIN clients c ON c.id = o.client_id
          WHERE ${where} ORDER BY o.mutation_id LIMIT ${limit}`,
      )
      .all() as OutboxRow[];

  const pending = select(`o.status = 'pending'`, MAX_PENDING_LISTED).map(outboxItem);
  const rejected = select(REFUSED).map((row) => ({
    ...outboxItem(row),
    // Rows kept from an older outbox format (migration 0002) are shown under their own code.
    code: row.rejection_code ?? 'INVALID',
    message: row.rejection_message ?? '',
  }));

  const pulled = sqlite
    .prepare(
      `SELECT k.id, k.entity_type, k.entity_id, k.detected_at,
              coalesce(CASE WHEN json_valid(k.local_payload) THEN json_extract(k.local_payload, '$.clientId') END,
                       n.client_id) AS client_id
         FROM sync_conflicts k LEFT JOIN session_notes n ON k.entity_type = 'note' AND n.id = k.entity_id
        WHERE ${UNRESOLVED} ORDER BY k.detected_at`,
    )
    .all() as Array<Omit<ConflictRow, 'client_name'>>;
  const reported = sqlite
    .prepare(
      `SELECT o.conflict_id AS id, coalesce(o.entity_type, '') AS entity_type, coalesce(o.entity_id, '') AS entity_id,
              o.client_id, coalesce(o.sent_at, o.created_at) AS detected_at
         FROM sync_outbox o
        WHERE ${REPORTED_NOT_PULLED}
        ORDER BY o.mutation_id`,
    )
    .all() as Array<Omit<ConflictRow, 'client_name'>>;
  const nameOf = sqlite.prepare(
    `SELECT ${CLIENT_NAME} AS name FROM (SELECT ? AS id) q LEFT JOIN clients c ON c.id = q.id`,
  );
  const conflicts = [...pulled, ...reported].map((row) => ({
    id: row.id,
    entityType: row.entity_type,
    entityId: row.entity_id,
    clientId: row.client_id,
    clientName: row.client_id ? ((nameOf.get(row.client_id) as { name: string | null }).name ?? null) : null,
    detectedAt: iso(row.detected_at),
  }));

  const lastSyncedAt = readMeta(sqlite, LAST_SYNCED_KEY);
  return {
    pending,
    rejected,
    conflicts,
    serverRestored: readServerRestored(sqlite),
    clockDriftMs,
    lastSyncedAt: lastSyncedAt ? iso(lastSyncedAt) : null,
  };
}

/**
 * How many items of the sync panel wait for the clinician (the badge's `attention`): refused
 * changes not dismissed, conflicts not resolved (pulled, or reported by a push and not pulled
 * yet), and the notice that the clinic server was restored: the rows `readSyncDetails` lists.
 */
export function countNeedingAttention(sqlite: SqliteDatabase): number {
  const listed = sqlite
    .prepare(
      `SELECT (SELECT count(*) FROM sync_outbox o WHERE ${REFUSED})
            + (SELECT count(*) FROM sync_conflicts k WHERE ${UNRESOLVED})
            + (SELECT count(*) FROM sync_outbox o WHERE ${REPORTED_NOT_PULLED})`,
    )
    .pluck()
    .get() as number;
  return listed + (readServerRestored(sqlite) ? 1 : 0);
}
