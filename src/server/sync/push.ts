import { eq, sql } from 'drizzle-orm';
import { decodeHlc, DEFAULT_MAX_DRIFT_MS } from '../../shared/sync/hlc.js';
import {
  isSupportedMutation,
  mutationArgsSchemas,
  type AuditAppendArgs,
  type SaveDraftArgs,
  type SignNoteArgs,
} from '../../shared/sync/mutations.js';
import type { Mutation, MutationResult, PushRequest, PushResponse, RejectionCode } from '../../shared/sync/protocol.js';
import { appendAudit } from '../audit/chain.js';
import { describeIssues, type RequestPrincipal } from '../context.js';
import type { ServerDb } from '../db/database.js';
import { changes, conflicts, notes, replicas } from '../db/schema.js';
import { ApiError } from '../errors.js';
import { isClientInScope } from '../scope.js';
import { lockReplica } from './replicas.js';

/**
 * Pushes are serialised by this transaction-scoped advisory lock, so that `changes.seq` order is
 * commit order and a pull never skips a change that commits later with a smaller seq.
 */
export const SYNC_LOCK_KEY = 7_274_002;

type Outcome =
  | { status: 'applied'; recordType?: string; recordIds?: string[] }
  | { status: 'conflict'; conflictId: string; recordType: string; recordIds: string[] }
  | { status: 'rejected'; code: RejectionCode; message: string; recordType?: string; recordIds?: string[] };

const reject = (code: RejectionCode, message: string, recordIds?: string[]): Outcome => ({
  status: 'rejected',
  code,
  message,
  ...(recordIds ? { recordType: 'note', recordIds } : {}),
});

interface ApplyContext {
  tx: ServerDb;
  principal: RequestPrincipal;
  replicaId: string;
  now: Date;
}

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
    await tx.insert(notes).values({
      id: args.noteId,
      clientId,
      authorId: principal.id,
      status: 'draft',
      content: args.content,
      version: 1,
      lastReplicaId: replicaId,
      createdAt: now,
      updatedAt: now,
    });
    await recordChange(tx, 'note', args.noteId, clientId, 1, now);
    return { status: 'applied', recordType: 'note', recordIds: ids };
  }
  if (note.clientId !== clientId) return reject('INVALID', 'The note belongs to another client.', ids);
  if (note.deletedAt !== null) return reject('DELETED', 'The note was deleted.', ids);
  if (note.authorId !== principal.id) return reject('NOT_AUTHOR', 'Only the author may edit a draft.', ids);
  if (note.status === 'signed') {
    return reject('SIGNED_NOTE_IMMUTABLE', 'The note is signed; add an addendum instead.', ids);
  }
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
  await tx
    .update(notes)
    .set({ content: args.content, version, lastReplicaId: replicaId, updatedAt: now })
    .where(eq(notes.id, note.id));
  await recordChange(tx, 'note', note.id, clientId, version, now);
  return { status: 'applied', recordType: 'note', recordIds: ids };
}

async function signNote(ctx: ApplyContext, clientId: string, args: SignNoteArgs): Promise<Outcome> {
  const { tx, principal, replicaId, now } = ctx;
  const ids = [args.noteId];
  const [note] = await tx.select().from(notes).where(eq(notes.id, args.noteId)).for('update');
  if (!note || note.clientId !== clientId) return reject('INVALID', 'There is no such note for this client.', ids);
  if (note.deletedAt !== null) return reject('DELETED', 'The note was deleted.', ids);
  if (note.status === 'signed') return reject('ALREADY_SIGNED', 'The note was already signed.', ids);
  if (note.authorId !== principal.id) return reject('NOT_AUTHOR', 'Only the author may sign a note.', ids);
  const version = note.version + 1;
  await tx
    .update(notes)
    .set({
      status: 'signed',
      contentHash: args.contentHash,
      signedAt: new Date(args.signedAt),
      signedBy: principal.id,
      version,
      lastReplicaId: replicaId,
      updatedAt: now,
    })
    .where(eq(notes.id, note.id));
  await recordChange(tx, 'note', note.id, clientId, version, now);
  return { status: 'applied', recordType: 'note', recordIds: ids };
}

async function auditAppend(ctx: ApplyContext, clientId: string | null, args: AuditAppendArgs): Promise<Outcome> {
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
        details: { at: entry.at, replicaId: ctx.replicaId },
      },
      ctx.now,
    );
  }
  return { status: 'applied' };
}

async function applyMutation(ctx: ApplyContext, mutation: Mutation): Promise<Outcome> {
  const { name } = mutation;
  if (!isSupportedMutation(name)) return reject('INVALID', `${name} is not supported yet.`);
  const parsed = mutationArgsSchemas[name].safeParse(mutation.args);
  if (!parsed.success) return reject('INVALID', describeIssues(parsed.error).slice(0, 500));
  if (name === 'audit.append') return auditAppend(ctx, mutation.clientId, parsed.data as AuditAppendArgs);
  if (mutation.clientId === null) return reject('INVALID', `${name} needs a clientId.`);
  if (name === 'note.saveDraft') return saveDraft(ctx, mutation.clientId, parsed.data as SaveDraftArgs);
  if (name === 'note.sign') return signNote(ctx, mutation.clientId, parsed.data as SignNoteArgs);
  return reject('INVALID', `${name} is not supported yet.`);
}

/** Clock skew, then scope, then the mutation itself. */
async function processMutation(ctx: ApplyContext, mutation: Mutation): Promise<Outcome> {
  const driftMs = decodeHlc(mutation.hlc).wallMs - ctx.now.getTime();
  if (driftMs > DEFAULT_MAX_DRIFT_MS) {
    return reject('CLOCK_SKEW', `The device clock is ${Math.round(driftMs / 1000)} s ahead of the server's.`);
  }
  if (mutation.clientId !== null && !(await isClientInScope(ctx.tx, ctx.principal, mutation.clientId))) {
    return {
      status: 'rejected',
      code: 'OUT_OF_SCOPE',
      message: 'This client is not on your caseload or care team.',
      recordType: 'client',
      recordIds: [mutation.clientId],
    };
  }
  return applyMutation(ctx, mutation);
}

/**
 * Apply one push in one transaction (sync-protocol.md): ids at or below the replica's last are
 * duplicates, the next id is processed, anything after a gap is refused. Every processed
 * mutation (applied or rejected) moves `last_mutation_id`; each is audited with codes and ids.
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
    await tx.execute(sql`select pg_advisory_xact_lock(${SYNC_LOCK_KEY})`);
    const replica = await lockReplica(tx, principal, request.replicaId, now);
    if (!replica) return null;
    const ctx: ApplyContext = { tx, principal, replicaId: request.replicaId, now };
    let last = replica.lastMutationId;
    let gap = false;
    const results: MutationResult[] = [];
    const counts = { applied: 0, duplicate: 0, conflict: 0, rejected: 0 };
    const changed = new Set<string>();
    for (const mutation of request.mutations) {
      const { mutationId } = mutation;
      if (mutationId <= last) {
        results.push({ mutationId, status: 'duplicate' });
        counts.duplicate += 1;
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
      const result = await processMutation(ctx, mutation);
      last = mutationId;
      counts[result.status] += 1;
      if (result.status !== 'rejected' && mutation.clientId !== null && mutation.name !== 'audit.append') {
        changed.add(mutation.clientId);
      }
      results.push(
        result.status === 'applied'
          ? { mutationId, status: 'applied' }
          : result.status === 'conflict'
            ? { mutationId, status: 'conflict', conflictId: result.conflictId }
            : { mutationId, status: 'rejected', code: result.code, message: result.message },
      );
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
