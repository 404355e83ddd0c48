import { and, asc, eq, gt, inArray, isNotNull, isNull, or, sql } from 'drizzle-orm';
import type { Change, PullResponse } from '../../shared/sync/protocol.js';
import { appendAudit } from '../audit/chain.js';
import type { RequestPrincipal } from '../context.js';
import type { ServerDb } from '../db/database.js';
import { careAssignments, changes, conflicts, notes, users } from '../db/schema.js';
import { ApiError } from '../errors.js';
import { clientsInScope } from '../scope.js';
import { decodeCursor, encodeCursor, type PullCursor } from './cursor.js';
import { ownedBy, readReplica } from './replicas.js';

/**
 * Removals this close before the cursor's assignment watermark are purged again: an assignment
 * change that committed just after a pull read the watermark is never missed (purges are
 * idempotent on the workstation).
 */
export const PURGE_MARGIN_US = 60_000_000;

/** Microseconds since the epoch of a timestamp column, in SQL (the cursor stores the same unit). */
const epochUs = (column: typeof careAssignments.updatedAt) =>
  sql<number>`floor(extract(epoch from ${column}) * 1000000)::bigint`;

export interface PullInput {
  replicaId: string;
  cursor: string | null;
  limit: number;
}

const noteData = (note: typeof notes.$inferSelect): Record<string, unknown> => ({
  id: note.id,
  clientId: note.clientId,
  authorId: note.authorId,
  status: note.status,
  content: note.content,
  contentHash: note.contentHash,
  signedAt: note.signedAt?.toISOString() ?? null,
  signedBy: note.signedBy,
  version: note.version,
  createdAt: note.createdAt.toISOString(),
  updatedAt: note.updatedAt.toISOString(),
});

const conflictData = (conflict: typeof conflicts.$inferSelect): Record<string, unknown> => ({
  id: conflict.id,
  entity: conflict.entity,
  entityId: conflict.entityId,
  clientId: conflict.clientId,
  replicaId: conflict.replicaId,
  baseVersion: conflict.baseVersion,
  serverVersion: conflict.serverVersion,
  content: conflict.content,
  createdAt: conflict.createdAt.toISOString(),
  resolvedAt: conflict.resolvedAt?.toISOString() ?? null,
});

/**
 * One page of changes after the cursor in the caller's scope (sync-protocol.md). The page is a
 * range of `changes.seq`; each change carries the record's current state, and a change that a
 * later one supersedes is left out (the later one follows).
 */
export async function pullChanges(
  db: ServerDb,
  principal: RequestPrincipal,
  input: PullInput,
  now: Date,
): Promise<PullResponse> {
  const audit = (outcome: 'ok' | 'denied', details: Record<string, string | number | null>, recordIds: string[] = []) =>
    appendAudit(
      db,
      {
        userId: principal.id,
        deviceId: principal.deviceId,
        action: 'sync.pull',
        outcome,
        recordType: 'client',
        recordIds,
        details: { replicaId: input.replicaId, ...details },
      },
      now,
    );

  const replica = await readReplica(db, input.replicaId);
  if (replica && !ownedBy(replica, principal)) {
    await audit('denied', { reason: 'REPLICA_OF_ANOTHER_DEVICE' });
    throw new ApiError('FORBIDDEN', 'This replica belongs to another device.');
  }

  // Read the high-water mark first: every change at or below it has committed (pushes are
  // serialised), so the query below sees all of them.
  const [head] = await db.select({ seq: sql<number>`coalesce(max(${changes.seq}), 0)::bigint` }).from(changes);
  const headSeq = Number(head?.seq ?? 0);

  let cursor: PullCursor | null = null;
  if (input.cursor !== null) {
    cursor = decodeCursor(input.cursor);
    if (!cursor || cursor.seq > headSeq) {
      await audit('denied', { reason: 'CURSOR_UNKNOWN' });
      return { status: 'resyncRequired', reason: 'CURSOR_UNKNOWN' };
    }
  }

  // The assignments that decide this caller's scope: their own and, for a supervisor, those of
  // the clinicians they supervise (as in scope.ts).
  const own =
    principal.role === 'supervisor'
      ? or(
          eq(careAssignments.userId, principal.id),
          sql`${careAssignments.userId} in (select ${users.id} from ${users} where ${users.supervisorId} = ${principal.id})`,
        )
      : eq(careAssignments.userId, principal.id);
  const [watermark] = await db
    .select({ ms: sql<number | null>`max(${epochUs(careAssignments.updatedAt)})` })
    .from(careAssignments)
    .where(own);
  const assignmentsUs = Number(watermark?.ms ?? 0);

  if (cursor) {
    // A client that joined the caller's scope after the cursor has history before it: pull in full.
    const [added] = await db
      .select({ one: sql<number>`1` })
      .from(careAssignments)
      .where(
        and(
          own,
          isNull(careAssignments.removedAt),
          sql`${epochUs(careAssignments.updatedAt)} > ${cursor.assignmentsUs}`,
        ),
      )
      .limit(1);
    if (added) {
      await audit('ok', { reason: 'SCOPE_CHANGED' });
      return { status: 'resyncRequired', reason: 'SCOPE_CHANGED' };
    }
  }

  const scopeIds = (await clientsInScope(db, principal)).map((client) => client.id);
  const inScope = new Set(scopeIds);

  const removed = await db
    .selectDistinct({ clientId: careAssignments.clientId })
    .from(careAssignments)
    .where(
      and(
        own,
        isNotNull(careAssignments.removedAt),
        cursor ? sql`${epochUs(careAssignments.updatedAt)} > ${cursor.assignmentsUs - PURGE_MARGIN_US}` : undefined,
      ),
    )
    .orderBy(asc(careAssignments.clientId));
  const purges: Change[] = removed
    .filter((row) => !inScope.has(row.clientId))
    .map((row) => ({ op: 'purgeClient', clientId: row.clientId }));

  const rows =
    scopeIds.length === 0
      ? []
      : await db
          .select()
          .from(changes)
          .where(and(gt(changes.seq, cursor?.seq ?? 0), inArray(changes.clientId, scopeIds)))
          .orderBy(asc(changes.seq))
          .limit(input.limit + 1);
  const hasMore = rows.length > input.limit;
  const page = rows.slice(0, input.limit);

  const noteIds = page.filter((row) => row.entity === 'note').map((row) => row.entityId);
  const conflictIds = page.filter((row) => row.entity === 'conflict').map((row) => row.entityId);
  const noteById = new Map(
    (noteIds.length ? await db.select().from(notes).where(inArray(notes.id, noteIds)) : []).map((n) => [n.id, n]),
  );
  const conflictById = new Map(
    (conflictIds.length ? await db.select().from(conflicts).where(inArray(conflicts.id, conflictIds)) : []).map((c) => [
      c.id,
      c,
    ]),
  );

  const out: Change[] = [...purges];
  for (const row of page) {
    if (row.entity === 'note') {
      const note = noteById.get(row.entityId);
      if (!note || row.version < note.version) continue;
      out.push(
        note.deletedAt !== null || row.op === 'delete'
          ? { op: 'delete', entity: 'note', id: note.id, clientId: note.clientId, version: note.version }
          : {
              op: 'put',
              entity: 'note',
              id: note.id,
              clientId: note.clientId,
              version: note.version,
              data: noteData(note),
            },
      );
    } else if (row.entity === 'conflict') {
      const conflict = conflictById.get(row.entityId);
      // A conflict is the author's to resolve: only they receive it.
      if (!conflict || conflict.userId !== principal.id) continue;
      out.push({
        op: 'put',
        entity: 'conflict',
        id: conflict.id,
        clientId: conflict.clientId,
        version: 1,
        data: conflictData(conflict),
      });
    }
  }

  const lastSeq = hasMore ? (page[page.length - 1]?.seq ?? 0) : Math.max(headSeq, cursor?.seq ?? 0);
  const clientIds = [...new Set(out.map((change) => change.clientId).filter((id): id is string => id !== null))];
  await audit('ok', { changes: out.length, fromSeq: cursor?.seq ?? 0, toSeq: lastSeq }, clientIds);
  return {
    status: 'ok',
    changes: out,
    cursor: encodeCursor({ seq: lastSeq, assignmentsUs }),
    hasMore,
    lastMutationId: replica?.lastMutationId ?? 0,
  };
}
