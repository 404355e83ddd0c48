import { and, eq, isNull, ne } from 'drizzle-orm';
import { canonicalize } from '../../shared/notes/canonical.js';
import { compareHlc } from '../../shared/sync/hlc.js';
import type {
  AcknowledgeCheckinArgs,
  CompleteTaskArgs,
  DeleteRecordArgs,
  RecordMeasureArgs,
  SavePlanArgs,
  UpdateClientFieldsArgs,
} from '../../shared/sync/mutations.js';
import type { RecordData } from '../../shared/sync/records.js';
import { changes, notes, records } from '../db/schema.js';
import { syncClientAnchor, type ClientProfile } from '../records/clients.js';
import { putRecord, readRecord, tombstoneRecord, type RecordRow, type StoredEntity } from '../records/store.js';
import { applied, reject, type ApplyContext, type Outcome } from './outcome.js';

/**
 * The mutations on records other than notes' text (docs/sync-protocol.md, conflict policy):
 * per-field merge of client profiles, append-only measures and plan versions, idempotent
 * acknowledgements and completions, tombstones. Scope was checked before these run; each
 * checks that the record belongs to the mutation's client. Nothing here throws for a refusal:
 * it answers `rejected` (the push runs each mutation in a savepoint, so a refusal after a
 * partial write leaves nothing behind).
 */

type Found<E extends StoredEntity> = { row: RecordRow; data: RecordData<E> } | { outcome: Outcome };

/** The record `id` of `entity` about `clientId`, locked; or the refusal to answer. */
async function lockedRecord<E extends StoredEntity>(
  ctx: ApplyContext,
  entity: E,
  id: string,
  clientId: string,
  what: string,
): Promise<Found<E>> {
  const row = await readRecord(ctx.tx, id, { forUpdate: true });
  const ref = { type: entity, ids: [id] };
  if (!row || row.entity !== entity || row.clientId !== clientId) {
    return { outcome: reject('INVALID', `There is no such ${what} for this client.`, ref) };
  }
  if (row.deletedAt !== null) return { outcome: reject('DELETED', `The ${what} was deleted.`, ref) };
  return { row, data: row.data as RecordData<E> };
}

/**
 * Per-field last writer wins by hybrid logical clock: a field whose stored clock is newer than
 * the mutation's keeps its value, the others take the new one and the mutation's clock. The
 * answer is `applied` either way (the workstation pulls the merged record); the version moves
 * only when a value changed.
 */
export async function updateClientFields(
  ctx: ApplyContext,
  clientId: string,
  args: UpdateClientFieldsArgs,
): Promise<Outcome> {
  const found = await lockedRecord(ctx, 'client', clientId, clientId, 'client profile');
  if ('outcome' in found) return found.outcome;
  const clocks: Record<string, string> = { ...(found.row.fieldClocks ?? {}) };
  const data: Record<string, unknown> = { ...found.data };
  let valueChanged = false;
  for (const [field, value] of Object.entries(args.fields)) {
    if (value === undefined) continue;
    const stored = clocks[field];
    if (stored !== undefined && compareHlc(stored, ctx.hlc) >= 0) continue;
    clocks[field] = ctx.hlc;
    if (canonicalize(data[field] ?? null) !== canonicalize(value)) {
      data[field] = value;
      valueChanged = true;
    }
  }
  if (valueChanged) data['updatedAt'] = ctx.now.toISOString();
  const result = await putRecord(ctx.tx, {
    entity: 'client',
    id: clientId,
    clientId,
    data,
    now: ctx.now,
    fieldClocks: clocks,
  });
  if (result.changed) await syncClientAnchor(ctx.tx, clientId, data as ClientProfile, ctx.now);
  return applied(result.changed, { type: 'client', ids: [clientId] });
}

/**
 * A record created with the workstation's id: a replay (same id, same entity, same client) is
 * `applied` and changes nothing; the id taken by anything else is `INVALID`.
 */
async function existingAppendOnly(
  ctx: ApplyContext,
  entity: StoredEntity,
  id: string,
  clientId: string,
): Promise<Outcome | null> {
  const row = await readRecord(ctx.tx, id, { forUpdate: true });
  if (!row) {
    const [note] = await ctx.tx.select({ id: notes.id }).from(notes).where(eq(notes.id, id));
    return note ? reject('INVALID', `The id ${id} is already in use.`, { type: entity, ids: [id] }) : null;
  }
  if (row.entity !== entity || row.clientId !== clientId) {
    return reject('INVALID', `The id ${id} is already in use.`, { type: entity, ids: [id] });
  }
  if (row.deletedAt !== null) return reject('DELETED', `The ${entity} was deleted.`, { type: entity, ids: [id] });
  return applied(false, { type: entity, ids: [id] });
}

/**
 * Append-only: a new administration of a measure. `administeredBy` is not taken from the
 * workstation: a measure the clinician administered (`source: 'clinician'`) records the
 * authenticated user, whatever the workstation sent; one the client submitted or that was
 * imported records nobody (null), as no clinic user administered it through this push. The
 * mutation is `applied` either way; the pulled record shows what was stored.
 */
export async function recordMeasure(ctx: ApplyContext, clientId: string, args: RecordMeasureArgs): Promise<Outcome> {
  const replay = await existingAppendOnly(ctx, 'measure', args.id, clientId);
  if (replay) return replay;
  const administeredBy = args.measure.source === 'clinician' ? ctx.principal.id : null;
  await putRecord(ctx.tx, {
    entity: 'measure',
    id: args.id,
    clientId,
    data: { ...args.measure, administeredBy, createdAt: ctx.now.toISOString() },
    now: ctx.now,
  });
  return applied(true, { type: 'measure', ids: [args.id] });
}

/** Marks a check-in reviewed by the caller; acknowledging it again changes nothing. */
export async function acknowledgeCheckin(
  ctx: ApplyContext,
  clientId: string,
  args: AcknowledgeCheckinArgs,
): Promise<Outcome> {
  const found = await lockedRecord(ctx, 'checkin', args.checkinId, clientId, 'check-in');
  if ('outcome' in found) return found.outcome;
  const ref = { type: 'checkin', ids: [args.checkinId] };
  if (found.data.reviewedAt !== null) return applied(false, ref);
  await putRecord(ctx.tx, {
    entity: 'checkin',
    id: args.checkinId,
    clientId,
    data: { ...found.data, reviewedAt: args.reviewedAt, reviewedBy: ctx.principal.id },
    now: ctx.now,
  });
  return applied(true, ref);
}

/** Marks a task done; completing it again changes nothing; a cancelled task stays cancelled. */
export async function completeTask(ctx: ApplyContext, clientId: string, args: CompleteTaskArgs): Promise<Outcome> {
  const found = await lockedRecord(ctx, 'task', args.taskId, clientId, 'task');
  if ('outcome' in found) return found.outcome;
  const ref = { type: 'task', ids: [args.taskId] };
  if (found.data.status === 'done') return applied(false, ref);
  if (found.data.status === 'cancelled') return reject('INVALID', 'The task was cancelled.', ref);
  await putRecord(ctx.tx, {
    entity: 'task',
    id: args.taskId,
    clientId,
    data: { ...found.data, status: 'done', completedAt: args.completedAt, updatedAt: ctx.now.toISOString() },
    now: ctx.now,
  });
  return applied(true, ref);
}

/**
 * A new version of a plan: a record of its own (a save never overwrites an earlier version);
 * the client's earlier versions of the same kind become `superseded`. Replaying the same id
 * changes nothing.
 */
export async function savePlan(ctx: ApplyContext, clientId: string, args: SavePlanArgs): Promise<Outcome> {
  const replay = await existingAppendOnly(ctx, 'plan', args.id, clientId);
  if (replay) return replay;
  const ids = [args.id];
  const earlier = await ctx.tx
    .select()
    .from(records)
    .where(
      and(
        eq(records.clientId, clientId),
        eq(records.entity, 'plan'),
        isNull(records.deletedAt),
        ne(records.id, args.id),
      ),
    )
    .orderBy(records.id)
    .for('update');
  for (const row of earlier) {
    const data = row.data as RecordData<'plan'>;
    if (data.kind !== args.plan.kind || data.status === 'superseded') continue;
    await putRecord(ctx.tx, {
      entity: 'plan',
      id: row.id,
      clientId,
      data: { ...data, status: 'superseded', updatedAt: ctx.now.toISOString() },
      now: ctx.now,
    });
    ids.push(row.id);
  }
  await putRecord(ctx.tx, {
    entity: 'plan',
    id: args.id,
    clientId,
    data: { ...args.plan, updatedBy: ctx.principal.id },
    now: ctx.now,
  });
  return applied(true, { type: 'plan', ids });
}

/**
 * Deletes are tombstones that every replica pulls: a draft note (its author's; a signed note
 * is immutable), an emergency contact, a task, one's own addendum proposal (a signed addendum is
 * immutable). Deleting what is already deleted changes nothing.
 */
export async function deleteRecord(ctx: ApplyContext, clientId: string, args: DeleteRecordArgs): Promise<Outcome> {
  const ref = { type: args.entity, ids: [args.id] };
  if (args.entity === 'note') {
    const [note] = await ctx.tx.select().from(notes).where(eq(notes.id, args.id)).for('update');
    if (!note || note.clientId !== clientId) return reject('INVALID', 'There is no such note for this client.', ref);
    if (note.deletedAt !== null) return applied(false, ref);
    if (note.status === 'signed') {
      return reject('SIGNED_NOTE_IMMUTABLE', 'The note is signed; it cannot be deleted.', ref);
    }
    if (note.authorId !== ctx.principal.id) return reject('NOT_AUTHOR', 'Only the author may delete a draft.', ref);
    const version = note.version + 1;
    await ctx.tx
      .update(notes)
      .set({ deletedAt: ctx.now, version, lastReplicaId: ctx.replicaId, updatedAt: ctx.now })
      .where(eq(notes.id, note.id));
    await ctx.tx
      .insert(changes)
      .values({ entity: 'note', entityId: note.id, clientId, version, op: 'delete', at: ctx.now });
    return applied(true, ref);
  }
  const row = await readRecord(ctx.tx, args.id, { forUpdate: true });
  if (!row || row.entity !== args.entity || row.clientId !== clientId) {
    return reject('INVALID', `There is no such ${args.entity} for this client.`, ref);
  }
  if (args.entity === 'addendum' && row.deletedAt === null) {
    // Only one's own proposal is discarded; a signed addendum is as immutable as a signed note.
    const data = row.data as RecordData<'addendum'>;
    if (!data.proposal || data.status === 'signed') {
      return reject('SIGNED_NOTE_IMMUTABLE', 'A signed addendum is never deleted.', ref);
    }
    if (data.authorId !== ctx.principal.id) {
      return reject('NOT_AUTHOR', 'Only its author may discard an addendum proposal.', ref);
    }
  }
  const result = await tombstoneRecord(ctx.tx, { entity: args.entity, id: args.id, clientId, now: ctx.now });
  return applied(result.changed, ref);
}
