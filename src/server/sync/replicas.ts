import { eq } from 'drizzle-orm';
import type { ServerDb } from '../db/database.js';
import { replicas } from '../db/schema.js';
import type { RequestPrincipal } from '../context.js';

export interface ReplicaRow {
  replicaId: string;
  userId: string;
  deviceId: string;
  lastMutationId: number;
}

const columns = {
  replicaId: replicas.replicaId,
  userId: replicas.userId,
  deviceId: replicas.deviceId,
  lastMutationId: replicas.lastMutationId,
};

/**
 * Lock the replica row for this transaction (SELECT … FOR UPDATE), creating it bound to the
 * principal's user and device on first use. Returns null when it belongs to another device.
 */
export async function lockReplica(
  tx: ServerDb,
  principal: RequestPrincipal,
  replicaId: string,
  now: Date,
): Promise<ReplicaRow | null> {
  await tx
    .insert(replicas)
    .values({ replicaId, userId: principal.id, deviceId: principal.deviceId, createdAt: now, updatedAt: now })
    .onConflictDoNothing();
  const [row] = await tx.select(columns).from(replicas).where(eq(replicas.replicaId, replicaId)).for('update');
  if (!row || !ownedBy(row, principal)) return null;
  return row;
}

/** Read a replica without creating it; `undefined` when it does not exist yet. */
export async function readReplica(db: ServerDb, replicaId: string): Promise<ReplicaRow | undefined> {
  const [row] = await db.select(columns).from(replicas).where(eq(replicas.replicaId, replicaId));
  return row;
}

export const ownedBy = (row: ReplicaRow, principal: RequestPrincipal): boolean =>
  row.userId === principal.id && row.deviceId === principal.deviceId;
