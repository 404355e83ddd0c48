import { and, eq, inArray, isNull, lt } from 'drizzle-orm';
import { contentHash } from '../../shared/notes/canonical.js';
import { decodeHlc, DEFAULT_MAX_DRIFT_MS } from '../../shared/sync/hlc.js';
import {
  isSupportedMutation,
  mutationArgsSchemas,
  type AcknowledgeCheckinArgs,
  type AddAddendumArgs,
  type CosignNoteArgs,
  type ReturnForRevisionArgs,
  type AuditAppendArgs,
  type CompleteTaskArgs,
  type DeleteRecordArgs,
  type RecordMeasureArgs,
  type SaveDraftArgs,
  type SavePlanArgs,
  type SetNoteSharingArgs,
  type SignNoteArgs,
  type UpdateClientFieldsArgs,
} from '../../shared/sync/mutations.js';
import {
  REJECTION_CODES,
  type Mutation,
  type MutationResult,
  type PushRequest,
  type PushResponse,
} from '../../shared/sync/protocol.js';
import { appendAudit } from '../audit/chain.js';
import { describeIssues, type RequestPrincipal } from '../context.js';
import type { ServerDb } from '../db/database.js';
import { changes, clients, conflicts, notes, replicaMutations, replicas } from '../db/schema.js';
import { ApiError } from '../errors.js';
import { lockFeed, readRecord, RecordWriteError, SYNC_LOCK_KEY } from '../records/store.js';
import { isClientInScope } from '../scope.js';
import { applied, reject as rejectWith, type ApplyContext, type Outcome } from './outcome.js';
import {
  acknowledgeCheckin,
  completeTask,
  deleteRecord,
  recordMeasure,
  savePlan,
  updateClientFields,
} from './record-mutations.js';
import {
  addAddendum,
  cosignNote,
  cosignOnSigning,
  refuseDraftOfSignedNote,
  refuseSecondSignature,
  returnForRevision,
} from './note-lifecycle.js';
import { setNoteSharing } from './note-sharing.js';
import { audienceOf, contentIsProtected, recordWithdrawals } from './note-visibility.js';
import { lockReplica } from './replicas.js';

export { SYNC_LOCK_KEY };

const reject = (code: Parameters<typeof rejectWith>[0], message: string, noteIds?: string[]): Outcome =>
  rejectWith(code, message, noteIds ? { type: 'note', ids: noteIds } : undefined);

async function recordChange(
  tx: ServerDb,
  entity: string,
  entityId: string,
  clientId: string | null,
  version: number,
  now: Date,
) {
  await tx.insert(changes).values({ entity, entityId, clientId, version, op: 'put', at: now });
}

async function saveDraft(ctx: ApplyContext, clientId: string, args: SaveDraftArgs): Promise<Outcome> {
  const { tx, principal, replicaId, now } = ctx;
  const ids = [args.noteId];
  const [note] = await tx.select().from(notes).where(eq(notes.id, args.noteId)).for('update');
  if (!note) {
    if (await readRecord(tx, args.noteId)) return reject('INVALID', `The id ${args.noteId} is already in use.`, ids);
    await tx.insert(notes).values({
      id: args.noteId,
      clientId,
      authorId: principal.id,
      status: 'draft',
      content: args.content,
      isProtected: await contentIsProtected(tx, args.content),
      version: 1,
      lastReplicaId: replicaId,
      lastSavedDeviceId: principal.deviceId,
      lastSavedAt: now,
      createdAt: now,
      updatedAt: now,
    });
    await recordChange(tx, 'note', args.noteId, clientId, 1, now);
    return applied(true, { type: 'note', ids });
  }
  if (note.clientId !== clientId) return reject('INVALID', 'The note belongs to another client.', ids);
  if (note.deletedAt !== null) return reject('DELETED', 'The note was deleted.', ids);
  if (note.authorId !== principal.id) return reject('NOT_AUTHOR', 'Only the author may edit a draft.', ids);
  // Signed (on another device, first): refused, and the text kept as an addendum proposal.
  if (note.status === 'signed') return refuseDraftOfSignedNote(ctx, note, args.content);
  // Edits from the replica that wrote the current version follow on from it; anything else must
  // be based on the current version, or it is a concurrent edit: keep both.
  if (args.baseVersion !== note.version && note.lastReplicaId !== replicaId) {
    const [conflict] = await tx
      .insert(conflicts)
      .values({
        entity: 'note',
        entityId: note.id,
        clientId,
        userId: principal.id,
        replicaId,
        baseVersion: args.baseVersion,
        serverVersion: note.version,
        content: args.content,
        createdAt: now,
      })
      .returning({ id: conflicts.id });
    if (!conflict) throw new Error('conflict row missing');
    await recordChange(tx, 'conflict', conflict.id, clientId, 1, now);
    return { status: 'conflict', conflictId: conflict.id, recordType: 'note', recordIds: [note.id, conflict.id] };
  }
  const version = note.version + 1;
  // The draft may now be of another template: protection follows its content.
  const isProtected = await contentIsProtected(tx, args.content);
  await tx
    .update(notes)
    .set({
      content: args.content,
      isProtected,
      version,
      lastReplicaId: replicaId,
      lastSavedDeviceId: principal.deviceId,
      lastSavedAt: now,
      updatedAt: now,
    })
    .where(eq(notes.id, note.id));
  await recordChange(tx, 'note', note.id, clientId, version, now);
  if (isProtected && !note.isProtected) {
    // Became protected: the care team, who could see it, lose sight of it.
    const before = await audienceOf(tx, note);
    await recordWithdrawals(tx, before, { ...before, isProtected }, note, now);
  }
  if (args.resolvesConflicts?.length) await resolveConflicts(ctx, note.id, clientId, args.resolvesConflicts);
  return applied(true, { type: 'note', ids });
}

/**
 * The author's merge of a conflicted draft was applied: the conflicts it names (this author's,
 * about this note) are resolved, and every device of the author pulls that.
 */
async function resolveConflicts(ctx: ApplyContext, noteId: string, clientId: string, ids: string[]): Promise<void> {
  const resolved = await ctx.tx
    .update(conflicts)
    .set({ resolvedAt: ctx.now })
    .where(
      and(
        inArray(conflicts.id, ids),
        eq(conflicts.entityId, noteId),
        eq(conflicts.userId, ctx.principal.id),
        isNull(conflicts.resolvedAt),
      ),
    )
    .returning({ id: conflicts.id });
  for (const { id } of resolved) await recordChange(ctx.tx, 'conflict', id, clientId, 2, ctx.now);
}

async function signNote(ctx: ApplyContext, clientId: string, args: SignNoteArgs): Promise<Outcome> {
  const { tx, principal, replicaId, now } = ctx;
  const ids = [args.noteId];
  const [note] = await tx.select().from(notes).where(eq(notes.id, args.noteId)).for('update');
  if (!note || note.clientId !== clientId) return reject('INVALID', 'There is no such note for this client.', ids);
  if (note.deletedAt !== null) return reject('DELETED', 'The note was deleted.', ids);
  if (note.status === 'signed') return refuseSecondSignature(ctx, note, args);
  if (note.authorId !== principal.id) return reject('NOT_AUTHOR', 'Only the author may sign a note.', ids);
  if (args.content !== undefined && contentHash(args.content) !== args.contentHash) {
    return reject('INVALID', 'The content hash does not match the content sent with the signature.', ids);
  }
  // The signature covers what the server holds: a hash of anything else (an edit that became a
  // conflict, a draft not pushed yet) is refused rather than attached to other text.
  if (contentHash(note.content) !== args.contentHash) {
    return reject(
      'INVALID',
      'The content hash does not match the draft on the server; sync the draft, review it and sign again.',
      ids,
    );
  }
  const version = note.version + 1;
  await tx
    .update(notes)
    .set({
      status: 'signed',
      contentHash: args.contentHash,
      signedAt: new Date(args.signedAt),
      signedBy: principal.id,
      // A clinician who needs supervision: the note enters their supervisor's co-sign queue.
      cosign: await cosignOnSigning(ctx, note.authorId),
      version,
      lastReplicaId: replicaId,
      updatedAt: now,
    })
    .where(eq(notes.id, note.id));
  await recordChange(tx, 'note', note.id, clientId, version, now);
  return applied(true, { type: 'note', ids });
}

/**
 * The workstation's own audit entries (e.g. `chart.open`). They record accesses that already
 * happened, often while the client was on the clinician's caseload, so they are not refused when
 * the client has left the caller's scope since: the access log must be complete. Any existing
 * client is accepted (entries of a client not in scope now carry `inScope: false`); an unknown
 * client id is `INVALID`.
 */
async function auditAppend(ctx: ApplyContext, clientId: string | null, args: AuditAppendArgs): Promise<Outcome> {
  let inScope = true;
  if (clientId !== null) {
    const [client] = await ctx.tx.select({ id: clients.id }).from(clients).where(eq(clients.id, clientId));
    if (!client) return reject('INVALID', `There is no client ${clientId}.`);
    inScope = await isClientInScope(ctx.tx, ctx.principal, clientId);
  }
  for (const entry of args.entries) {
    const recordIds = [...(clientId ? [clientId] : []), ...(entry.recordId ? [entry.recordId] : [])];
    await appendAudit(
      ctx.tx,
      {
        userId: ctx.principal.id,
        deviceId: ctx.principal.deviceId,
        action: `workstation.${entry.action}`,
        outcome: 'ok',
        ...(entry.recordType ? { recordType: entry.recordType } : {}),
        recordIds,
        details: { at: entry.at, replicaId: ctx.replicaId, ...(inScope ? {} : { inScope: false }) },
      },
      ctx.now,
    );
  }
  return applied(false);
}

async function applyMutation(ctx: ApplyContext, mutation: Mutation): Promise<Outcome> {
  const { name } = mutation;
  if (!isSupportedMutation(name)) return reject('INVALID', `${name} is not supported yet.`);
  const parsed = mutationArgsSchemas[name].safeParse(mutation.args);
  if (!parsed.success) return reject('INVALID', describeIssues(parsed.error).slice(0, 500));
  if (name === 'audit.append') return auditAppend(ctx, mutation.clientId, parsed.data as AuditAppendArgs);
  const clientId = mutation.clientId;
  if (clientId === null) return reject('INVALID', `${name} needs a clientId.`);
  switch (name) {
    case 'note.saveDraft':
      return saveDraft(ctx, clientId, parsed.data as SaveDraftArgs);
    case 'note.sign':
      return signNote(ctx, clientId, parsed.data as SignNoteArgs);
    case 'note.addAddendum':
      return addAddendum(ctx, clientId, parsed.data as AddAddendumArgs);
    case 'note.cosign':
      return cosignNote(ctx, clientId, parsed.data as CosignNoteArgs);
    case 'note.returnForRevision':
      return returnForRevision(ctx, clientId, parsed.data as ReturnForRevisionArgs);
    case 'note.setSharing':
      return setNoteSharing(ctx, clientId, parsed.data as SetNoteSharingArgs);
    case 'client.updateFields':
      return updateClientFields(ctx, clientId, parsed.data as UpdateClientFieldsArgs);
    case 'measure.record':
      return recordMeasure(ctx, clientId, parsed.data as RecordMeasureArgs);
    case 'checkin.acknowledge':
      return acknowledgeCheckin(ctx, clientId, parsed.data as AcknowledgeCheckinArgs);
    case 'task.complete':
      return completeTask(ctx, clientId, parsed.data as CompleteTaskArgs);
    case 'plan.save':
      return savePlan(ctx, clientId, parsed.data as SavePlanArgs);
    case 'record.delete':
      return deleteRecord(ctx, clientId, parsed.data as DeleteRecordArgs);
  }
}

/** Thrown inside a mutation's savepoint to roll back its partial writes and answer `outcome`. */
class Refused extends Error {
  constructor(readonly outcome: Outcome) {
    super('mutation refused');
  }
}

/**
 * Apply one mutation in a savepoint: a refusal (or a record that does not fit its schema) rolls
 * back whatever the mutation had written, so a rejected mutation leaves nothing behind.
 */
async function applyInSavepoint(ctx: ApplyContext, mutation: Mutation): Promise<Outcome> {
  try {
    return await ctx.tx.transaction(async (sp) => {
      const outcome = await applyMutation({ ...ctx, tx: sp }, mutation);
      if (outcome.status === 'rejected' && outcome.keep !== true) throw new Refused(outcome);
      return outcome;
    });
  } catch (error) {
    if (error instanceof Refused) return error.outcome;
    if (error instanceof RecordWriteError) {
      return rejectWith(error.code === 'DELETED' ? 'DELETED' : 'INVALID', error.message.slice(0, 500));
    }
    throw error;
  }
}

/**
 * Clock skew, then scope, then the mutation itself. `audit.append` is not checked for scope: it
 * records past accesses (see `auditAppend`).
 */
async function processMutation(ctx: ApplyContext, mutation: Mutation): Promise<Outcome> {
  const driftMs = decodeHlc(mutation.hlc).wallMs - ctx.now.getTime();
  if (driftMs > DEFAULT_MAX_DRIFT_MS) {
    return reject('CLOCK_SKEW', `The device clock is ${Math.round(driftMs / 1000)} s ahead of the server's.`);
  }
  if (
    mutation.name !== 'audit.append' &&
    mutation.clientId !== null &&
    !(await isClientInScope(ctx.tx, ctx.principal, mutation.clientId))
  ) {
    return {
      status: 'rejected',
      code: 'OUT_OF_SCOPE',
      message: 'This client is not on your caseload or care team.',
      recordType: 'client',
      recordIds: [mutation.clientId],
    };
  }
  return applyInSavepoint(ctx, mutation);
}

/**
 * How long the outcome of a mutation that did not apply (`rejected`, `conflict`) is kept to be
 * repeated when the mutation is replayed: 90 days. A workstation replays only mutations whose
 * answer it never received, on its next round, so this covers a device switched off for weeks
 * after a lost answer. Each push deletes the rows older than this (a range scan of the
 * `created_at` index, usually empty); later a replay answers `duplicate` as before.
 */
export const OUTCOME_RETENTION_MS = 90 * 24 * 60 * 60 * 1000;

type StoredOutcome = Extract<MutationResult, { status: 'rejected' | 'conflict' }>;

/** The stored outcomes of this replica's mutations among `ids` (replays), by mutation id. */
async function storedOutcomes(tx: ServerDb, replicaId: string, ids: number[]): Promise<Map<number, StoredOutcome>> {
  const found = new Map<number, StoredOutcome>();
  if (ids.length === 0) return found;
  const rows = await tx
    .select()
    .from(replicaMutations)
    .where(and(eq(replicaMutations.replicaId, replicaId), inArray(replicaMutations.mutationId, ids)));
  for (const row of rows) {
    if (row.status === 'conflict' && row.conflictId !== null) {
      found.set(row.mutationId, { mutationId: row.mutationId, status: 'conflict', conflictId: row.conflictId });
      continue;
    }
    const code = REJECTION_CODES.find((known) => known === row.code);
    if (row.status === 'rejected' && code !== undefined && row.message !== null) {
      found.set(row.mutationId, { mutationId: row.mutationId, status: 'rejected', code, message: row.message });
    }
  }
  return found;
}

/**
 * Apply one push in one transaction (sync-protocol.md): ids at or below the replica's last were
 * processed before and answer what they answered then (the stored `rejected` or `conflict`
 * outcome, else `duplicate`: it was applied), the next id is processed, anything after a gap is
 * refused. Every processed mutation (applied or rejected) moves `last_mutation_id`; one that did
 * not apply has its outcome stored in `replica_mutations`; each is audited with codes and ids.
 * `changedClientIds` collects the clients whose records changed (for the pokes sent after commit).
 */
export async function applyPush(
  db: ServerDb,
  principal: RequestPrincipal,
  request: PushRequest,
  now: Date,
  changedClientIds?: Set<string>,
): Promise<PushResponse> {
  const outcome = await db.transaction(async (tx) => {
    await lockFeed(tx);
    const replica = await lockReplica(tx, principal, request.replicaId, now);
    if (!replica) return null;
    const base = { tx, principal, replicaId: request.replicaId, now };
    await tx
      .delete(replicaMutations)
      .where(lt(replicaMutations.createdAt, new Date(now.getTime() - OUTCOME_RETENTION_MS)));
    let last = replica.lastMutationId;
    const replays = await storedOutcomes(
      tx,
      request.replicaId,
      request.mutations.filter((m) => m.mutationId <= last).map((m) => m.mutationId),
    );
    let gap = false;
    const results: MutationResult[] = [];
    const counts = { applied: 0, duplicate: 0, conflict: 0, rejected: 0, replayed: 0 };
    const changed = new Set<string>();
    for (const mutation of request.mutations) {
      const { mutationId } = mutation;
      if (mutationId <= last) {
        // Processed before: repeat what was answered then (nothing is applied again).
        const replay = replays.get(mutationId);
        results.push(replay ?? { mutationId, status: 'duplicate' });
        counts[replay?.status ?? 'duplicate'] += 1;
        if (replay) counts.replayed += 1;
        continue;
      }
      if (gap || mutationId !== last + 1) {
        gap = true;
        results.push({
          mutationId,
          status: 'rejected',
          code: 'INVALID',
          message: `Mutation ids must follow on from ${last} without gaps; send the missing ones first.`,
        });
        counts.rejected += 1;
        continue;
      }
      const result = await processMutation({ ...base, hlc: mutation.hlc }, mutation);
      last = mutationId;
      counts[result.status] += 1;
      const wrote =
        result.status === 'conflict' ||
        (result.status === 'applied' && result.changed) ||
        (result.status === 'rejected' && result.keep === true);
      if (wrote && mutation.clientId !== null) changed.add(mutation.clientId);
      results.push(
        result.status === 'applied'
          ? { mutationId, status: 'applied' }
          : result.status === 'conflict'
            ? { mutationId, status: 'conflict', conflictId: result.conflictId }
            : { mutationId, status: 'rejected', code: result.code, message: result.message },
      );
      if (result.status !== 'applied') {
        await tx.insert(replicaMutations).values({
          replicaId: request.replicaId,
          mutationId,
          status: result.status,
          code: result.status === 'rejected' ? result.code : null,
          message: result.status === 'rejected' ? result.message : null,
          conflictId: result.status === 'conflict' ? result.conflictId : null,
          createdAt: now,
        });
      }
      await appendAudit(
        tx,
        {
          userId: principal.id,
          deviceId: principal.deviceId,
          action: `sync.${mutation.name}`,
          outcome: result.status === 'rejected' ? 'denied' : 'ok',
          ...(result.recordType ? { recordType: result.recordType } : {}),
          recordIds: result.recordIds ?? (mutation.clientId ? [mutation.clientId] : []),
          details: {
            replicaId: request.replicaId,
            mutationId,
            result: result.status,
            code: result.status === 'rejected' ? result.code : null,
            ...(result.status === 'rejected' && result.keep === true ? { kept: true } : {}),
          },
        },
        now,
      );
    }
    if (last !== replica.lastMutationId) {
      await tx
        .update(replicas)
        .set({ lastMutationId: last, updatedAt: now })
        .where(eq(replicas.replicaId, request.replicaId));
    }
    await appendAudit(
      tx,
      {
        userId: principal.id,
        deviceId: principal.deviceId,
        action: 'sync.push',
        outcome: 'ok',
        details: { replicaId: request.replicaId, lastMutationId: last, ...counts },
      },
      now,
    );
    return {
      response: { lastMutationId: last, results, serverTime: now.toISOString() } satisfies PushResponse,
      changed,
    };
  });
  if (outcome === null) {
    await appendAudit(
      db,
      {
        userId: principal.id,
        deviceId: principal.deviceId,
        action: 'sync.push',
        outcome: 'denied',
        details: { replicaId: request.replicaId, reason: 'REPLICA_OF_ANOTHER_DEVICE' },
      },
      now,
    );
    throw new ApiError('FORBIDDEN', 'This replica belongs to another device.');
  }
  for (const clientId of outcome.changed) changedClientIds?.add(clientId);
  return outcome.response;
}
