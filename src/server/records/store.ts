import { eq, inArray, sql } from 'drizzle-orm';
import type { z } from 'zod';
import { canonicalize } from '../../shared/notes/canonical.js';
import { recordSchemas, type RecordData, type RecordEntity } from '../../shared/sync/records.js';
import { describeIssues } from '../context.js';
import type { ServerDb } from '../db/database.js';
import { changes, records } from '../db/schema.js';

/**
 * The server side of every synced record except notes and conflicts (which have tables of their
 * own): one row per record in `records`, `data` in the wire shape of src/shared/sync/records.ts
 * (validated here, before anything is written), and one `changes` row per write in the same
 * transaction so that pulls see it. Callers pass a transaction; every write takes the feed lock
 * first, so `changes.seq` order is commit order (see `lockFeed`).
 *
 * `data` is PHI: never log it; errors here carry codes, field paths and ids only.
 */

/** Record types that live in the `records` table. */
export type StoredEntity = Exclude<RecordEntity, 'note' | 'conflict'>;
export const STORED_ENTITIES = (Object.keys(recordSchemas) as RecordEntity[]).filter(
  (entity): entity is StoredEntity => entity !== 'note' && entity !== 'conflict',
);
export const isStoredEntity = (entity: string): entity is StoredEntity =>
  (STORED_ENTITIES as readonly string[]).includes(entity);

/**
 * Every transaction that inserts into `changes` holds this transaction-scoped advisory lock, so
 * that `changes.seq` order is commit order: a pull that has read the highest seq never misses a
 * smaller one committing later. Re-entrant within a transaction.
 */
export const SYNC_LOCK_KEY = 7_274_002;

export async function lockFeed(tx: ServerDb): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${SYNC_LOCK_KEY})`);
}

export type RecordRow = typeof records.$inferSelect;

/** Why a write was refused. `code` is stable; `message` names fields and ids, never values. */
export class RecordWriteError extends Error {
  override readonly name = 'RecordWriteError';
  constructor(
    readonly code: 'INVALID' | 'DELETED' | 'MISMATCH',
    message: string,
  ) {
    super(message);
  }
}

/** Validate `data` for `entity`; the parsed value (defaults filled in) or a RecordWriteError. */
export function validateRecordData<E extends StoredEntity>(entity: E, data: unknown): RecordData<E> {
  const schema = recordSchemas[entity] as unknown as z.ZodType<RecordData<E>>;
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    throw new RecordWriteError(
      'INVALID',
      `The ${entity} record does not fit its schema: ${describeIssues(parsed.error)}`,
    );
  }
  return parsed.data;
}

const same = (a: unknown, b: unknown): boolean => canonicalize(a) === canonicalize(b);

async function announce(
  tx: ServerDb,
  row: { entity: string; id: string; clientId: string | null; version: number },
  op: 'put' | 'delete',
  now: Date,
): Promise<void> {
  await tx
    .insert(changes)
    .values({ entity: row.entity, entityId: row.id, clientId: row.clientId, version: row.version, op, at: now });
}

/** One record, optionally locked for this transaction (SELECT … FOR UPDATE). */
export async function readRecord(
  db: ServerDb,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<RecordRow | undefined> {
  const query = db.select().from(records).where(eq(records.id, id));
  const [row] = options.forUpdate ? await query.for('update') : await query;
  return row;
}

/** Records by id (tombstones included), in no particular order. */
export async function readRecords(db: ServerDb, ids: readonly string[]): Promise<RecordRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(records)
    .where(inArray(records.id, [...ids]));
}

export interface PutRecordInput<E extends StoredEntity> {
  entity: E;
  id: string;
  /** The person in care; null only for clinic-wide records (staff). */
  clientId: string | null;
  data: unknown;
  now: Date;
  /**
   * Per-field hybrid logical clocks to store with the record (client profiles). Omitted: keep the
   * stored ones.
   */
  fieldClocks?: Record<string, string> | null;
}

export interface PutRecordResult {
  version: number;
  /** False when the record already held exactly this data (and clocks): nothing was written. */
  changed: boolean;
  created: boolean;
}

/**
 * Insert a record at version 1, or replace its data at version + 1, with a `put` change in the
 * same transaction. Writing the data it already holds is a no-op. Refuses (RecordWriteError)
 * data that does not fit the entity's schema, a record of another entity or client under the
 * same id (MISMATCH), and a tombstoned record (DELETED).
 */
export async function putRecord<E extends StoredEntity>(
  tx: ServerDb,
  input: PutRecordInput<E>,
): Promise<PutRecordResult> {
  const data = validateRecordData(input.entity, input.data) as Record<string, unknown>;
  await lockFeed(tx);
  const existing = await readRecord(tx, input.id, { forUpdate: true });
  if (!existing) {
    await tx.insert(records).values({
      id: input.id,
      entity: input.entity,
      clientId: input.clientId,
      version: 1,
      data,
      fieldClocks: input.fieldClocks ?? null,
      createdAt: input.now,
      updatedAt: input.now,
    });
    await announce(tx, { entity: input.entity, id: input.id, clientId: input.clientId, version: 1 }, 'put', input.now);
    return { version: 1, changed: true, created: true };
  }
  if (existing.entity !== input.entity || existing.clientId !== input.clientId) {
    throw new RecordWriteError('MISMATCH', `Record ${input.id} is not a ${input.entity} of this client.`);
  }
  if (existing.deletedAt !== null) throw new RecordWriteError('DELETED', `Record ${input.id} was deleted.`);
  const clocks = input.fieldClocks === undefined ? existing.fieldClocks : input.fieldClocks;
  const dataChanged = !same(existing.data, data);
  if (!dataChanged) {
    if (!same(existing.fieldClocks ?? null, clocks ?? null)) {
      // Newer clocks for the same values: remembered (they decide later merges), not announced.
      await tx.update(records).set({ fieldClocks: clocks }).where(eq(records.id, input.id));
    }
    return { version: existing.version, changed: false, created: false };
  }
  const version = existing.version + 1;
  await tx
    .update(records)
    .set({ data, fieldClocks: clocks, version, updatedAt: input.now })
    .where(eq(records.id, input.id));
  await announce(tx, { ...existing, version }, 'put', input.now);
  return { version, changed: true, created: false };
}

/**
 * Tombstone a record: `deleted_at`, version + 1 and a `delete` change, so replicas that were
 * offline learn about it. Deleting a tombstone again is a no-op (`changed: false`).
 */
export async function tombstoneRecord(
  tx: ServerDb,
  input: { entity: StoredEntity; id: string; clientId: string | null; now: Date },
): Promise<{ version: number; changed: boolean }> {
  await lockFeed(tx);
  const existing = await readRecord(tx, input.id, { forUpdate: true });
  if (!existing || existing.entity !== input.entity || existing.clientId !== input.clientId) {
    throw new RecordWriteError('MISMATCH', `There is no ${input.entity} ${input.id} for this client.`);
  }
  if (existing.deletedAt !== null) return { version: existing.version, changed: false };
  const version = existing.version + 1;
  await tx.update(records).set({ version, deletedAt: input.now, updatedAt: input.now }).where(eq(records.id, input.id));
  await announce(tx, { ...existing, version }, 'delete', input.now);
  return { version, changed: true };
}

const BULK_CHUNK = 500;

/**
 * Insert many new records at version 1, each with its `put` change (seeding and imports): every
 * item is validated first, so a bad one writes nothing; an id that already exists fails the
 * transaction (unique key). Multi-row inserts, `BULK_CHUNK` rows per statement.
 */
export async function insertRecords(
  tx: ServerDb,
  items: readonly { entity: StoredEntity; id: string; clientId: string | null; data: unknown }[],
  now: Date,
): Promise<void> {
  const rows = items.map((item) => ({
    id: item.id,
    entity: item.entity,
    clientId: item.clientId,
    version: 1,
    data: validateRecordData(item.entity, item.data) as Record<string, unknown>,
    createdAt: now,
    updatedAt: now,
  }));
  if (rows.length === 0) return;
  await lockFeed(tx);
  for (let i = 0; i < rows.length; i += BULK_CHUNK) {
    const part = rows.slice(i, i + BULK_CHUNK);
    await tx.insert(records).values(part);
    await tx.insert(changes).values(
      part.map((row) => ({
        entity: row.entity,
        entityId: row.id,
        clientId: row.clientId,
        version: 1,
        op: 'put' as const,
        at: now,
      })),
    );
  }
}
