import { createHash, randomUUID } from 'node:crypto';
import type { SqliteDatabase } from '../store/open-database';

/** Action codes. Extend here; never put free text (PHI) in an entry. */
export type AuditAction =
  | 'vault.created'
  | 'vault.unlocked'
  | 'vault.unlock_failed'
  | 'vault.locked'
  | 'vault.auto_locked'
  | 'vault.passphrase_changed'
  | 'store.migrated'
  | 'chart.opened'
  | 'note.draft_saved'
  | 'note.signed'
  | 'note.cosigned'
  | 'note.addendum_signed'
  | 'export.created'
  | 'export.printed'
  | 'disclosure.made'
  | (string & { readonly __auditAction?: never });

export type AuditDetail = Record<string, string | number | boolean | null>;

export interface AuditInput {
  action: AuditAction;
  actorId?: string | null;
  recordType?: string | null;
  recordId?: string | null;
  clientId?: string | null;
  /** Codes and counts only. */
  detail?: AuditDetail | null;
  /** Defaults to now. */
  at?: string;
}

export interface AuditEntry {
  seq: number;
  id: string;
  at: string;
  actorId: string | null;
  action: string;
  recordType: string | null;
  recordId: string | null;
  clientId: string | null;
  detail: AuditDetail | null;
  prevHash: string;
  hash: string;
}

export type AuditVerification =
  | { ok: true; entries: number; headHash: string }
  | {
      ok: false;
      entries: number;
      brokenAtSeq: number;
      reason: 'hash_mismatch' | 'chain_break' | 'sequence_gap' | 'tail_removed';
    };

export const GENESIS_HASH = '0'.repeat(64);

/**
 * What a string in `detail` may look like: a code, an id, a timestamp. No spaces, at most 64
 * characters, so free text (PHI) is kept out by construction.
 */
const DETAIL_STRING = /^[A-Za-z0-9._:+\-/@]{0,64}$/;

/**
 * The local append-only audit log. Each entry's hash is SHA-256 over the previous entry's hash
 * and the entry's canonical JSON (fixed field order, keys of `detail` sorted), so changing,
 * deleting or reordering any entry breaks the chain from there on. The database refuses
 * UPDATE/DELETE by trigger; the chain catches tampering that bypasses SQL triggers.
 */
export class AuditLog {
  constructor(private readonly db: SqliteDatabase) {}

  append(input: AuditInput): AuditEntry {
    validateDetail(input.detail ?? null);
    const run = this.db.transaction((): AuditEntry => {
      const last = this.db.prepare('SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as
        { hash: string } | undefined;
      const next = this.db
        .prepare("SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'), 0) + 1 AS seq")
        .get() as {
        seq: number;
      };
      const entry: Omit<AuditEntry, 'hash'> = {
        seq: next.seq,
        id: randomUUID(),
        at: input.at ?? new Date().toISOString(),
        actorId: input.actorId ?? null,
        action: input.action,
        recordType: input.recordType ?? null,
        recordId: input.recordId ?? null,
        clientId: input.clientId ?? null,
        detail: input.detail ?? null,
        prevHash: last?.hash ?? GENESIS_HASH,
      };
      const hash = hashEntry(entry);
      this.db
        .prepare(
          `INSERT INTO audit_log (seq, id, at, actor_id, action, record_type, record_id, client_id, detail, prev_hash, hash)
           VALUES (@seq, @id, @at, @actorId, @action, @recordType, @recordId, @clientId, @detail, @prevHash, @hash)`,
        )
        .run({ ...entry, detail: entry.detail ? JSON.stringify(entry.detail) : null, hash });
      return { ...entry, hash };
    });
    return run.immediate();
  }

  /** Newest first. */
  recent(limit = 50): AuditEntry[] {
    const rows = this.db.prepare('SELECT * FROM audit_log ORDER BY seq DESC LIMIT ?').all(limit) as AuditRow[];
    return rows.map(fromRow);
  }

  verify(): AuditVerification {
    return verifyAuditChain(this.db);
  }
}

/**
 * Walk the whole log in sequence order and recompute every hash. Detects a modified entry
 * (hash_mismatch), a deleted or reordered entry (chain_break / sequence_gap), and removal of
 * the newest entries (tail_removed: AUTOINCREMENT's high-water mark is above the last row).
 */
export function verifyAuditChain(db: SqliteDatabase): AuditVerification {
  let previous = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  for (const row of db.prepare('SELECT * FROM audit_log ORDER BY seq ASC').iterate() as IterableIterator<AuditRow>) {
    const entry = fromRow(row);
    count += 1;
    if (entry.seq !== expectedSeq) return { ok: false, entries: count, brokenAtSeq: entry.seq, reason: 'sequence_gap' };
    if (entry.prevHash !== previous)
      return { ok: false, entries: count, brokenAtSeq: entry.seq, reason: 'chain_break' };
    const { hash, ...rest } = entry;
    if (hashEntry(rest) !== hash) return { ok: false, entries: count, brokenAtSeq: entry.seq, reason: 'hash_mismatch' };
    previous = hash;
    expectedSeq += 1;
  }
  const high = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'").get() as
    { seq: number } | undefined;
  if (high && high.seq !== count) return { ok: false, entries: count, brokenAtSeq: count + 1, reason: 'tail_removed' };
  return { ok: true, entries: count, headHash: previous };
}

export function hashEntry(entry: Omit<AuditEntry, 'hash'>): string {
  const canonical = JSON.stringify([
    entry.seq,
    entry.id,
    entry.at,
    entry.actorId,
    entry.action,
    entry.recordType,
    entry.recordId,
    entry.clientId,
    entry.detail ? sortKeys(entry.detail) : null,
  ]);
  return createHash('sha256').update(entry.prevHash, 'utf8').update('\n').update(canonical, 'utf8').digest('hex');
}

interface AuditRow {
  seq: number;
  id: string;
  at: string;
  actor_id: string | null;
  action: string;
  record_type: string | null;
  record_id: string | null;
  client_id: string | null;
  detail: string | null;
  prev_hash: string;
  hash: string;
}

function fromRow(row: AuditRow): AuditEntry {
  let detail: AuditDetail | null = null;
  if (row.detail !== null) {
    try {
      detail = JSON.parse(row.detail) as AuditDetail;
    } catch {
      detail = { unparseable: true };
    }
  }
  return {
    seq: row.seq,
    id: row.id,
    at: row.at,
    actorId: row.actor_id,
    action: row.action,
    recordType: row.record_type,
    recordId: row.record_id,
    clientId: row.client_id,
    detail,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

function sortKeys(detail: AuditDetail): Array<[string, AuditDetail[string]]> {
  return Object.keys(detail)
    .sort()
    .map((key) => [key, detail[key] ?? null]);
}

function validateDetail(detail: AuditDetail | null): void {
  if (!detail) return;
  for (const [key, value] of Object.entries(detail)) {
    if (typeof value === 'string' && !DETAIL_STRING.test(value)) {
      throw new Error(`audit detail "${key}" is not a code: audit entries carry codes and ids, not text`);
    }
  }
}
