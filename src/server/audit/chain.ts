import { createHash } from 'node:crypto';
import { asc, desc, gt, sql } from 'drizzle-orm';
import type { ServerDb } from '../db/database.js';
import { auditLog } from '../db/schema.js';

/**
 * The append-only, hash-chained audit log. Each row's hash is SHA-256 over the previous row's
 * hash and the row's canonical form, so changing, removing or reordering any row breaks every
 * hash after it; `verifyAuditChain` finds the first broken row. Appends are serialised by a
 * transaction-scoped advisory lock (several server instances may share one PostgreSQL).
 *
 * Entries hold codes and ids only, never PHI (no names, no note text, no usernames).
 */

export type AuditOutcome = 'ok' | 'denied' | 'failed';
export type AuditDetails = Record<string, string | number | boolean | null>;

export interface AuditEntry {
  userId: string | null;
  deviceId: string | null;
  /** `area.action`, e.g. `auth.sign_in`, `clients.list`, `admin.create_user`. */
  action: string;
  outcome: AuditOutcome;
  recordType?: string;
  recordIds?: readonly string[];
  details?: AuditDetails;
}

export interface AuditRow {
  seq: number;
  at: Date;
  userId: string | null;
  deviceId: string | null;
  action: string;
  outcome: string;
  recordType: string | null;
  recordIds: string[];
  details: AuditDetails;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);
/** Arbitrary constant naming the audit append lock for pg_advisory_xact_lock. */
const AUDIT_LOCK_KEY = 7_274_001;

const sortedDetails = (details: AuditDetails): AuditDetails =>
  Object.fromEntries(Object.entries(details).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** The canonical form of a row: a JSON array in fixed field order, detail keys sorted. */
export function canonicalAuditRow(row: Omit<AuditRow, 'prevHash' | 'hash'>): string {
  return JSON.stringify([
    row.seq,
    row.at.toISOString(),
    row.userId,
    row.deviceId,
    row.action,
    row.outcome,
    row.recordType,
    row.recordIds,
    sortedDetails(row.details),
  ]);
}

export function auditRowHash(prevHash: string, row: Omit<AuditRow, 'prevHash' | 'hash'>): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalAuditRow(row)).digest('hex');
}

/** Append one entry (inside its own transaction, or a savepoint of the caller's). */
export async function appendAudit(db: ServerDb, entry: AuditEntry, now: Date = new Date()): Promise<AuditRow> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`);
    const [last] = await tx
      .select({ seq: auditLog.seq, hash: auditLog.hash })
      .from(auditLog)
      .orderBy(desc(auditLog.seq))
      .limit(1);
    // Millisecond precision: what the column stores, so the hash survives the round trip.
    const at = new Date(Math.floor(now.getTime()));
    const body = {
      seq: (last?.seq ?? 0) + 1,
      at,
      userId: entry.userId,
      deviceId: entry.deviceId,
      action: entry.action,
      outcome: entry.outcome,
      recordType: entry.recordType ?? null,
      recordIds: [...(entry.recordIds ?? [])],
      details: entry.details ?? {},
    };
    const prevHash = last?.hash ?? GENESIS_HASH;
    const row: AuditRow = { ...body, prevHash, hash: auditRowHash(prevHash, body) };
    await tx.insert(auditLog).values(row);
    return row;
  });
}

export type AuditVerification =
  | { ok: true; count: number; lastHash: string }
  | { ok: false; count: number; brokenAt: number; reason: 'sequence_gap' | 'prev_hash_mismatch' | 'hash_mismatch' };

/** Walk the whole chain in pages and recompute every hash. */
export async function verifyAuditChain(db: ServerDb, pageSize = 1000): Promise<AuditVerification> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  for (;;) {
    const rows = await db
      .select()
      .from(auditLog)
      .where(gt(auditLog.seq, expectedSeq - 1))
      .orderBy(asc(auditLog.seq))
      .limit(pageSize);
    for (const row of rows) {
      if (row.seq !== expectedSeq) return { ok: false, count, brokenAt: expectedSeq, reason: 'sequence_gap' };
      if (row.prevHash !== prevHash) return { ok: false, count, brokenAt: row.seq, reason: 'prev_hash_mismatch' };
      if (auditRowHash(prevHash, row) !== row.hash) {
        return { ok: false, count, brokenAt: row.seq, reason: 'hash_mismatch' };
      }
      prevHash = row.hash;
      expectedSeq += 1;
      count += 1;
    }
    if (rows.length < pageSize) return { ok: true, count, lastHash: prevHash };
  }
}
