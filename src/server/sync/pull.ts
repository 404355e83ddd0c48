import { and, asc, eq, gt, inArray, isNotNull, isNull, or, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Change, EntityType, PullResponse } from '../../shared/sync/protocol.js';
import { CLINIC_WIDE_ENTITIES, NO_COSIGN } from '../../shared/sync/records.js';
import { appendAudit } from '../audit/chain.js';
import type { RequestPrincipal } from '../context.js';
import type { ServerDb } from '../db/database.js';
import { careAssignments, changes, conflicts, notes, supervisions, users } from '../db/schema.js';
import { ApiError } from '../errors.js';
import { isStoredEntity, readRecords } from '../records/store.js';
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
const epochUs = (column: AnyPgColumn) => sql<number>`floor(extract(epoch from ${column}) * 1000000)::bigint`;

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
  cosign: note.cosign ?? NO_COSIGN,
  lastSaved:
    note.status === 'draft' && note.lastSavedDeviceId && note.lastSavedAt
      ? { deviceId: note.lastSavedDeviceId, at: note.lastSavedAt.toISOString() }
      : null,
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

const visibleAddendum = (data: Record<string, unknown>, userId: string) =>
  data['proposal'] !== true || data['authorId'] === userId;

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
  // The newest scope-deciding change the caller may have seen: their assignments (and their
  // supervisees') and, for a supervisor, the supervisions that began or ended.
  const [watermark] = await db
    .select({ us: sql<number | null>`max(${epochUs(careAssignments.updatedAt)})` })
    .from(careAssignments)
    .where(own);
  const [supervisionMark] = await db
    .select({ us: sql<number | null>`max(${epochUs(supervisions.updatedAt)})` })
    .from(supervisions)
    .where(eq(supervisions.supervisorId, principal.id));
  const assignmentsUs = Math.max(Number(watermark?.us ?? 0), Number(supervisionMark?.us ?? 0));

  if (cursor) {
    // A client that joined the caller's scope after the cursor has history before it: pull in
    // full. Joining happens by an assignment, or (supervisors) by gaining a supervisee.
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
    const [supervisee] =
      principal.role === 'supervisor'
        ? await db
            .select({ one: sql<number>`1` })
            .from(supervisions)
            .where(
              and(
                eq(supervisions.supervisorId, principal.id),
                isNull(supervisions.removedAt),
                sql`${epochUs(supervisions.updatedAt)} > ${cursor.assignmentsUs}`,
              ),
            )
            .limit(1)
        : [];
    if (added || supervisee) {
      await audit('ok', { reason: 'SCOPE_CHANGED' });
      return { status: 'resyncRequired', reason: 'SCOPE_CHANGED' };
    }
  }

  const scopeIds = (await clientsInScope(db, principal)).map((client) => client.id);
  const inScope = new Set(scopeIds);

  const since = cursor ? cursor.assignmentsUs - PURGE_MARGIN_US : null;
  const removed = await db
    .selectDistinct({ clientId: careAssignments.clientId })
    .from(careAssignments)
    .where(
      and(
        own,
        isNotNull(careAssignments.removedAt),
        since !== null ? sql`${epochUs(careAssignments.updatedAt)} > ${since}` : undefined,
      ),
    );
  // Every client of a clinician this caller stopped supervising (their scope came through them).
  const formerSupervisees = await db
    .selectDistinct({ clientId: careAssignments.clientId })
    .from(careAssignments)
    .innerJoin(supervisions, eq(supervisions.clinicianId, careAssignments.userId))
    .where(
      and(
        eq(supervisions.supervisorId, principal.id),
        isNotNull(supervisions.removedAt),
        since !== null ? sql`${epochUs(supervisions.updatedAt)} > ${since}` : undefined,
      ),
    );
  const purgeIds = [...new Set([...removed, ...formerSupervisees].map((row) => row.clientId))]
    .filter((clientId) => !inScope.has(clientId))
    .sort();
  const purges: Change[] = purgeIds.map((clientId) => ({ op: 'purgeClient', clientId }));

  // Changes about clients in scope, and clinic-wide records (staff) for everyone. The feed is
  // read in seq order from the cursor on the primary key (or the (client_id, seq) index).
  const clinicWide = and(isNull(changes.clientId), inArray(changes.entity, [...CLINIC_WIDE_ENTITIES]));
  const visible = scopeIds.length > 0 ? or(inArray(changes.clientId, scopeIds), clinicWide) : clinicWide;
  const rows = await db
    .select()
    .from(changes)
    .where(and(gt(changes.seq, cursor?.seq ?? 0), visible))
    .orderBy(asc(changes.seq))
    .limit(input.limit + 1);
  const hasMore = rows.length > input.limit;
  const page = rows.slice(0, input.limit);

  const idsOf = (test: (entity: string) => boolean) =>
    page.filter((row) => test(row.entity)).map((row) => row.entityId);
  const noteIds = idsOf((entity) => entity === 'note');
  const conflictIds = idsOf((entity) => entity === 'conflict');
  const recordIds = idsOf(isStoredEntity);
  const [noteRows, conflictRows, recordRows] = await Promise.all([
    noteIds.length ? db.select().from(notes).where(inArray(notes.id, noteIds)) : [],
    conflictIds.length ? db.select().from(conflicts).where(inArray(conflicts.id, conflictIds)) : [],
    readRecords(db, recordIds),
  ]);
  const noteById = new Map(noteRows.map((n) => [n.id, n]));
  const conflictById = new Map(conflictRows.map((c) => [c.id, c]));
  const recordById = new Map(recordRows.map((r) => [r.id, r]));

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
    } else if (isStoredEntity(row.entity)) {
      const record = recordById.get(row.entityId);
      // Superseded by a later change in the feed (which carries the record) or gone: skip.
      if (!record || row.version < record.version || record.entity !== row.entity) continue;
      // An addendum proposal is its author's to review: only they receive it (and its removal).
      if (record.entity === 'addendum' && !visibleAddendum(record.data, principal.id)) continue;
      const entity = record.entity as EntityType;
      out.push(
        record.deletedAt !== null
          ? { op: 'delete', entity, id: record.id, clientId: record.clientId, version: record.version }
          : { op: 'put', entity, id: record.id, clientId: record.clientId, version: record.version, data: record.data },
      );
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
