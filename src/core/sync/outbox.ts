import { and, asc, count, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { Mutation, MutationName, MutationResult } from '../../shared/sync/protocol';
import type { WorkstationDb } from '../store/db';
import { syncOutbox } from '../store/schema';
import type { PersistentClock } from './replica';

export interface NewMutation {
  name: MutationName;
  clientId: string | null;
  args: Record<string, unknown>;
  /** The local record it changes, to show "pending" beside it. */
  entity?: { type: string; id: string };
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
export class Outbox {
  constructor(
    private readonly db: WorkstationDb,
    private readonly clock: PersistentClock,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  /** Record a mutation; call inside the transaction that makes the local change. */
  enqueue(mutation: NewMutation): number {
    const row = this.db
      .insert(syncOutbox)
      .values({
        name: mutation.name,
        clientId: mutation.clientId,
        args: mutation.args,
        hlc: this.clock.tick(),
        entityType: mutation.entity?.type ?? null,
        entityId: mutation.entity?.id ?? null,
        createdAt: this.now(),
      })
      .returning({ mutationId: syncOutbox.mutationId })
      .get();
    return row.mutationId;
  }

  /** The next batch to push, oldest first, in the protocol's shape. */
  nextBatch(limit: number): Mutation[] {
    return this.db
      .select()
      .from(syncOutbox)
      .where(eq(syncOutbox.status, 'pending'))
      .orderBy(asc(syncOutbox.mutationId))
      .limit(limit)
      .all()
      .map((row) => ({
        mutationId: row.mutationId,
        name: row.name as MutationName,
        clientId: row.clientId,
        args: row.args,
        hlc: row.hlc,
      }));
  }

  /** A push went out (or failed to): count the attempt, keep the error code for the panel. */
  markAttempt(mutationIds: number[], errorCode: string | null): void {
    if (mutationIds.length === 0) return;
    this.db
      .update(syncOutbox)
      .set({ attempts: sql`${syncOutbox.attempts} + 1`, sentAt: this.now(), lastErrorCode: errorCode })
      .where(inArray(syncOutbox.mutationId, mutationIds))
      .run();
  }

  /** Apply the server's per-mutation answers from a push, in one transaction. */
  applyResults(results: MutationResult[]): void {
    const at = this.now();
    this.db.transaction((tx) => {
      for (const result of results) {
        const where = and(eq(syncOutbox.mutationId, result.mutationId), eq(syncOutbox.status, 'pending'));
        switch (result.status) {
          case 'applied':
          case 'duplicate':
            tx.update(syncOutbox).set({ status: 'applied', ackedAt: at, lastErrorCode: null }).where(where).run();
            break;
          case 'conflict':
            tx.update(syncOutbox).set({ status: 'conflict', conflictId: result.conflictId }).where(where).run();
            break;
          case 'rejected':
            tx.update(syncOutbox)
              .set({ status: 'rejected', rejectionCode: result.code, rejectionMessage: result.message })
              .where(where)
              .run();
            break;
        }
      }
    });
  }

  /**
   * A pull acknowledged everything up to `lastMutationId`: pending rows at or below it were
   * applied by the server (a push whose answer was lost, for example).
   */
  acknowledgeUpTo(lastMutationId: number): void {
    this.db
      .update(syncOutbox)
      .set({ status: 'applied', ackedAt: this.now() })
      .where(and(eq(syncOutbox.status, 'pending'), lte(syncOutbox.mutationId, lastMutationId)))
      .run();
  }

  /** Applied rows are kept for a while for the audit trail of what was sent; prune them here. */
  pruneApplied(before: string): number {
    return this.db
      .delete(syncOutbox)
      .where(and(eq(syncOutbox.status, 'applied'), lte(syncOutbox.ackedAt, before)))
      .run().changes;
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
