import { and, asc, count, desc, eq, inArray, isNotNull, isNull, lte, sql } from 'drizzle-orm';
import { RpcError } from '../../shared/rpc/errors';
import {
  MAX_MUTATION_ARGS_BYTES,
  type Mutation,
  type MutationName,
  type MutationResult,
} from '../../shared/sync/protocol';
import type { WorkstationDb } from '../store/db';
import { syncOutbox } from '../store/schema';
import { readMeta, writeMeta } from '../store/store-meta';
import type { PersistentClock } from './replica';

export interface NewMutation {
  name: MutationName;
  clientId: string | null;
  args: Record<string, unknown>;
  /** The local record it changes, to show "pending" beside it. */
  entity?: { type: string; id: string };
}

/** An outbox row the server (or a pull's acknowledgement) has just answered for. */
export interface SettledMutation {
  /** The row's own id (`sync_outbox.mutation_id`), not the id it was sent under. */
  mutationId: number;
  /** The server's answer for it. */
  result: MutationResult;
  name: string;
  clientId: string | null;
  entityType: string | null;
  entityId: string | null;
  outcome: 'applied' | 'conflict' | 'rejected';
}

/**
 * The local record a mutation changes, when the feature did not say: the sync engine keeps a
 * pulled copy of that record from overwriting the pending change (docs/sync-protocol.md).
 * Entity types are the protocol's (`note`, `client`, …).
 */
export function entityOfMutation(
  name: MutationName,
  clientId: string | null,
  args: Record<string, unknown>,
): { type: string; id: string } | null {
  const id = (key: string) => (typeof args[key] === 'string' ? (args[key] as string) : null);
  let found: { type: string; id: string | null } | null;
  switch (name) {
    case 'note.addAddendum':
      found = { type: 'addendum', id: id('addendumId') };
      break;
    case 'note.saveDraft':
    case 'note.sign':
    case 'note.cosign':
    case 'note.returnForRevision':
    case 'note.setSharing':
      found = { type: 'note', id: id('noteId') };
      break;
    case 'client.updateFields':
      found = { type: 'client', id: clientId };
      break;
    case 'measure.record':
      found = { type: 'measure', id: id('id') };
      break;
    case 'plan.save':
      found = { type: 'plan', id: id('id') };
      break;
    case 'checkin.acknowledge':
      found = { type: 'checkin', id: id('checkinId') };
      break;
    case 'task.complete':
      found = { type: 'task', id: id('taskId') };
      break;
    case 'record.delete':
      found = { type: typeof args['entity'] === 'string' ? args['entity'] : 'record', id: id('id') };
      break;
    default:
      found = null;
  }
  return found?.id ? { type: found.type, id: found.id } : null;
}

/**
 * Refuse a change larger than one push may carry (CHANGE_TOO_LARGE), inside the caller's
 * transaction, so the local change is not made either. Pushes go in mutation-id order and the
 * server refuses a body over its limit: a change it can never take would hold back every change
 * queued after it. (A note is refused earlier, with its own words: NOTE_TOO_LONG.)
 */
function requireFits(args: Record<string, unknown>): void {
  const bytes = Buffer.byteLength(JSON.stringify(args), 'utf8');
  if (bytes > MAX_MUTATION_ARGS_BYTES) {
    throw new RpcError(
      'CHANGE_TOO_LARGE',
      `This change is too large to send (${(bytes / 1048576).toFixed(1)} MB; at most ${(MAX_MUTATION_ARGS_BYTES / 1048576).toFixed(1)} MB).`,
    );
  }
}

export interface OutboxCounts {
  pending: number;
  rejected: number;
  conflicts: number;
}

/**
 * The workstation's outbox: every change the clinician makes is recorded here in the same
 * transaction as the change itself, with the next mutation id of this replica, and stays until
 * the clinic server has answered for it. Rejections and conflicts stay too, with their reason,
 * for the sync panel; nothing leaves the outbox unseen.
 */
/**
 * The mutation ids the server sees are the rows' own ids less a base (0 until a server forgets,
 * see `replayForgotten`), kept in `store_meta`.
 */
const MUTATION_ID_BASE_KEY = 'sync.mutationIdBase';
/** The highest row id the server has said it processed (`lastMutationId` plus the base). */
const ACKED_THROUGH_KEY = 'sync.ackedThrough';
/**
 * How long an applied change stays in the outbox: a clinic server restored from a backup up to
 * this old gets every change it forgot from this workstation again.
 */
export const KEEP_APPLIED_MS = 30 * 24 * 3600_000;

export class Outbox {
  constructor(
    private readonly db: WorkstationDb,
    private readonly clock: PersistentClock,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  /**
   * Record a mutation; call inside the transaction that makes the local change. A change larger
   * than one push may carry is refused (CHANGE_TOO_LARGE) and nothing is queued.
   */
  enqueue(mutation: NewMutation): number {
    requireFits(mutation.args);
    const entity = mutation.entity ?? entityOfMutation(mutation.name, mutation.clientId, mutation.args);
    const row = this.db
      .insert(syncOutbox)
      .values({
        name: mutation.name,
        clientId: mutation.clientId,
        args: mutation.args,
        hlc: this.clock.tick(),
        entityType: entity?.type ?? null,
        entityId: entity?.id ?? null,
        createdAt: this.now(),
      })
      .returning({ mutationId: syncOutbox.mutationId })
      .get();
    return row.mutationId;
  }

  /**
   * Replace the arguments of this entity's newest mutation named `name` when it has never been
   * handed to a push and nothing about the entity was queued after it (autosave: the server
   * needs only the latest text). Returns its mutation id, or null when a new row must be added.
   * Call inside the transaction that makes the local change.
   */
  replaceUnsent(
    mutation: NewMutation & { entity: { type: string; id: string } },
    merge: (previous: Record<string, unknown>, next: Record<string, unknown>) => Record<string, unknown> = (_, next) =>
      next,
  ): number | null {
    const last = this.db
      .select({
        mutationId: syncOutbox.mutationId,
        name: syncOutbox.name,
        status: syncOutbox.status,
        sentAt: syncOutbox.sentAt,
        args: syncOutbox.args,
      })
      .from(syncOutbox)
      .where(and(eq(syncOutbox.entityType, mutation.entity.type), eq(syncOutbox.entityId, mutation.entity.id)))
      .orderBy(desc(syncOutbox.mutationId))
      .limit(1)
      .get();
    if (!last || last.name !== mutation.name || last.status !== 'pending' || last.sentAt !== null) return null;
    const args = merge(last.args, mutation.args);
    requireFits(args);
    const changed = this.db
      .update(syncOutbox)
      .set({ args })
      .where(
        and(eq(syncOutbox.mutationId, last.mutationId), eq(syncOutbox.status, 'pending'), isNull(syncOutbox.sentAt)),
      )
      .run().changes;
    return changed > 0 ? last.mutationId : null;
  }

  /**
   * The next batch to push, oldest first, in the protocol's shape. The rows are stamped
   * `sent_at` before they leave: from then on the server may have them (an answer can be lost,
   * the process can die), so `replaceUnsent` never changes them again.
   */
  nextBatch(limit: number): Mutation[] {
    const rows = this.db
      .select()
      .from(syncOutbox)
      .where(eq(syncOutbox.status, 'pending'))
      .orderBy(asc(syncOutbox.mutationId))
      .limit(limit)
      .all();
    const last = rows.at(-1);
    if (last && rows.some((row) => row.sentAt === null)) {
      this.db
        .update(syncOutbox)
        .set({ sentAt: this.now() })
        .where(
          and(eq(syncOutbox.status, 'pending'), isNull(syncOutbox.sentAt), lte(syncOutbox.mutationId, last.mutationId)),
        )
        .run();
    }
    const base = this.base();
    return rows.map((row) => ({
      mutationId: row.mutationId - base,
      name: row.name as MutationName,
      clientId: row.clientId,
      args: row.args,
      hlc: row.hlc,
    }));
  }

  /** A push went out (or failed to): count the attempt, keep the error code for the panel. Ids as sent. */
  markAttempt(mutationIds: number[], errorCode: string | null): void {
    if (mutationIds.length === 0) return;
    const base = this.base();
    this.db
      .update(syncOutbox)
      .set({ attempts: sql`${syncOutbox.attempts} + 1`, sentAt: this.now(), lastErrorCode: errorCode })
      .where(
        inArray(
          syncOutbox.mutationId,
          mutationIds.map((id) => id + base),
        ),
      )
      .run();
  }

  /**
   * Every answer of the server says up to which mutation id it has processed this replica's
   * changes (`lastMutationId`). That number only grows, unless the server has forgotten changes
   * it had acknowledged: its database was restored from an older backup. Returns false then
   * (the caller replays, `replayForgotten`); otherwise remembers the highest number seen.
   */
  observeServerLast(serverLast: number): boolean {
    const through = serverLast + this.base();
    const known = this.meta(ACKED_THROUGH_KEY);
    if (known !== null && through < Number(known)) return false;
    if (known === null || through > Number(known)) this.setMeta(ACKED_THROUGH_KEY, String(through));
    return true;
  }

  /**
   * The server has forgotten what it acknowledged after `serverLast` (restored from a backup):
   * the changes it forgot that this outbox still keeps (applied rows are kept for
   * `KEEP_APPLIED_MS`), then every pending change, are queued again in their order, as new rows
   * sent under ids that follow on from `serverLast` (the server takes no id after a gap). Returns
   * how many forgotten changes are sent again, or null when there is nothing to renumber (the
   * ids already follow on). Either way, `serverLast` is the server's last from now on.
   */
  replayForgotten(serverLast: number): { replayed: number; pending: number } | null {
    const sqlite = this.db.$client;
    return sqlite.transaction(() => {
      const base = this.base();
      const rows = sqlite
        .prepare(
          `SELECT mutation_id AS id, status FROM sync_outbox
            WHERE status = 'pending' OR (status = 'applied' AND mutation_id > ?) ORDER BY mutation_id`,
        )
        .all(serverLast + base) as Array<{ id: number; status: string }>;
      // AUTOINCREMENT: the next row's id is one above the highest ever used.
      const highest = Number(
        (sqlite.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'sync_outbox'").pluck().get() as
          number | undefined) ?? 0,
      );
      const replayed = rows.filter((row) => row.status === 'applied').length;
      // The next id this outbox would send already follows on from the server's last.
      const nextSent = rows.length > 0 ? rows[0]!.id - base : highest - base + 1;
      if (replayed === 0 && nextSent <= serverLast + 1) {
        // Nothing to send again: from now on the server's last is the one it gave.
        this.setMeta(ACKED_THROUGH_KEY, String(serverLast + base));
        return null;
      }
      const nextBase = highest - serverLast;
      const copy = sqlite.prepare(
        `INSERT INTO sync_outbox (name, client_id, args, hlc, entity_type, entity_id, created_at, status, attempts)
         SELECT name, client_id, args, hlc, entity_type, entity_id, created_at, 'pending', 0 FROM sync_outbox
          WHERE mutation_id = ?`,
      );
      const remove = sqlite.prepare('DELETE FROM sync_outbox WHERE mutation_id = ?');
      for (const row of rows) {
        copy.run(row.id);
        remove.run(row.id);
      }
      this.setMeta(MUTATION_ID_BASE_KEY, String(nextBase));
      this.setMeta(ACKED_THROUGH_KEY, String(serverLast + nextBase));
      return { replayed, pending: rows.length - replayed };
    })();
  }

  private meta(key: string): string | null {
    return readMeta(this.db.$client, key);
  }

  private setMeta(key: string, value: string): void {
    writeMeta(this.db.$client, key, value);
  }

  private base(): number {
    return Number(this.meta(MUTATION_ID_BASE_KEY) ?? 0);
  }

  /**
   * Apply the server's per-mutation answers from a push (ids as sent), in one transaction. Only
   * rows still pending change; the rows that did are returned.
   */
  applyResults(results: MutationResult[]): SettledMutation[] {
    const at = this.now();
    const base = this.base();
    const settled: SettledMutation[] = [];
    this.db.transaction((tx) => {
      for (const result of results) {
        const where = and(eq(syncOutbox.mutationId, result.mutationId + base), eq(syncOutbox.status, 'pending'));
        let rows: Array<Omit<SettledMutation, 'outcome' | 'result'>>;
        const returning = {
          mutationId: syncOutbox.mutationId,
          name: syncOutbox.name,
          clientId: syncOutbox.clientId,
          entityType: syncOutbox.entityType,
          entityId: syncOutbox.entityId,
        };
        switch (result.status) {
          case 'applied':
          case 'duplicate':
            rows = tx
              .update(syncOutbox)
              .set({ status: 'applied', ackedAt: at, lastErrorCode: null })
              .where(where)
              .returning(returning)
              .all();
            settled.push(...rows.map((row) => ({ ...row, result, outcome: 'applied' as const })));
            break;
          case 'conflict':
            rows = tx
              .update(syncOutbox)
              .set({ status: 'conflict', conflictId: result.conflictId, lastErrorCode: null })
              .where(where)
              .returning(returning)
              .all();
            settled.push(...rows.map((row) => ({ ...row, result, outcome: 'conflict' as const })));
            break;
          case 'rejected':
            rows = tx
              .update(syncOutbox)
              .set({
                status: 'rejected',
                rejectionCode: result.code,
                rejectionMessage: result.message,
                lastErrorCode: null,
              })
              .where(where)
              .returning(returning)
              .all();
            settled.push(...rows.map((row) => ({ ...row, result, outcome: 'rejected' as const })));
            break;
        }
      }
    });
    return settled;
  }

  /** `entity:id` of every record with a pending change. */
  pendingEntityKeys(): Set<string> {
    const rows = this.db
      .selectDistinct({ type: syncOutbox.entityType, id: syncOutbox.entityId })
      .from(syncOutbox)
      .where(and(eq(syncOutbox.status, 'pending'), isNotNull(syncOutbox.entityId)))
      .all();
    return new Set(rows.map((row) => `${row.type ?? ''}:${row.id ?? ''}`));
  }

  /** The clinician has read a refused change: it leaves the panel (and no longer counts as unsynced). */
  dismissRejected(mutationId: number): boolean {
    return (
      this.db
        .update(syncOutbox)
        .set({ ackedAt: this.now() })
        .where(
          and(eq(syncOutbox.mutationId, mutationId), eq(syncOutbox.status, 'rejected'), isNull(syncOutbox.ackedAt)),
        )
        .run().changes > 0
    );
  }

  /**
   * Applied rows are kept for `KEEP_APPLIED_MS` after the server acknowledged them, so that a
   * server restored from an older backup gets them again (`replayForgotten`); older ones are
   * deleted here. Of a note's autosaves only the last before its next other change is kept: the
   * server needs that text alone (a save that resolved conflicts is kept with its ids).
   */
  pruneApplied(before: string): number {
    const sqlite = this.db.$client;
    return sqlite.transaction(() => {
      const old = sqlite
        .prepare(`DELETE FROM sync_outbox WHERE status = 'applied' AND acked_at <= ?`)
        .run(before).changes;
      const superseded = sqlite
        .prepare(
          `DELETE FROM sync_outbox AS o
            WHERE o.status = 'applied' AND o.name = 'note.saveDraft' AND o.entity_id IS NOT NULL
              AND (SELECT n.name || ':' || n.status FROM sync_outbox n
                    WHERE n.entity_type = o.entity_type AND n.entity_id = o.entity_id AND n.mutation_id > o.mutation_id
                    ORDER BY n.mutation_id LIMIT 1) IN ('note.saveDraft:applied', 'note.saveDraft:pending')
              AND json_extract(o.args, '$.resolvesConflicts') IS NULL`,
        )
        .run().changes;
      return old + superseded;
    })();
  }

  counts(): OutboxCounts {
    const rows = this.db
      .select({ status: syncOutbox.status, n: count() })
      .from(syncOutbox)
      .where(isNull(syncOutbox.ackedAt))
      .groupBy(syncOutbox.status)
      .all();
    const of = (status: string): number => rows.find((row) => row.status === status)?.n ?? 0;
    return { pending: of('pending'), rejected: of('rejected'), conflicts: of('conflict') };
  }
}
