import { and, count, eq, inArray } from 'drizzle-orm';
import { isProtectedContent } from '../../shared/notes/protection.js';
import { APPLY_ORDER } from '../../shared/sync/records.js';
import { appendAudit } from '../audit/chain.js';
import { hashPassword } from '../auth/passwords.js';
import type { ServerDb } from '../db/database.js';
import { auditLog, careAssignments, changes, clients, notes, users } from '../db/schema.js';
import { insertRecords, lockFeed } from '../records/store.js';
import { DEMO_PASSWORD, DEMO_USERS } from './credentials.js';
import { type DemoClinic, type DemoClinicOptions, generateDemoClinic } from './generate.js';

/**
 * Writing the demo clinic into a clinic database. Every record gets its `changes` row in the
 * same transaction, so a workstation's first pull delivers it; rows go in multi-row inserts, one
 * transaction per batch, in the order a workstation applies them (staff, clients, … notes,
 * measures …). The last step appends a `demo.seed` audit entry: its presence is what "seeded"
 * means, so an interrupted seed is recognised rather than mistaken for a finished one.
 *
 * Refuses any database that already holds accounts or clients of its own: synthetic data never
 * mixes with a real clinic.
 */

export const DEMO_SEED_ACTION = 'demo.seed';

export type DemoSeedState = 'empty' | 'seeded' | 'partial' | 'foreign';

export class DemoSeedError extends Error {
  override readonly name = 'DemoSeedError';
  constructor(
    readonly state: Exclude<DemoSeedState, 'empty' | 'seeded'>,
    message: string,
  ) {
    super(message);
  }
}

/** The `demo.seed` audit entry, when the database holds a finished demo seed. */
async function seedMarker(db: ServerDb) {
  const [marker] = await db
    .select({ details: auditLog.details })
    .from(auditLog)
    .where(and(eq(auditLog.action, DEMO_SEED_ACTION), eq(auditLog.outcome, 'ok')))
    .limit(1);
  return marker;
}

export async function demoSeedState(db: ServerDb): Promise<DemoSeedState> {
  if (await seedMarker(db)) return 'seeded';
  const [userCount] = await db.select({ n: count() }).from(users);
  const [clientCount] = await db.select({ n: count() }).from(clients);
  if ((userCount?.n ?? 0) === 0 && (clientCount?.n ?? 0) === 0) return 'empty';
  const demoNames = DEMO_USERS.map((user) => user.username);
  const [demoUsers] = await db.select({ n: count() }).from(users).where(inArray(users.username, demoNames));
  return (demoUsers?.n ?? 0) > 0 ? 'partial' : 'foreign';
}

export interface WriteOptions {
  /** Rows per insert statement and transaction (default 500). */
  batchSize?: number;
  /** The demo password, hashed with the server's argon2id like any other (default DEMO_PASSWORD). */
  password?: string;
  /** When the rows are written (the `changes` rows' time); default the clinic's `now`. */
  writtenAt?: Date;
}

export interface DemoCounts {
  users: number;
  clients: number;
  assignments: number;
  records: number;
  notes: number;
  changes: number;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Write a generated clinic into an empty database (see `seedDemoClinic` for the checks). */
export async function writeDemoClinic(
  db: ServerDb,
  clinic: DemoClinic,
  options: WriteOptions = {},
): Promise<DemoCounts> {
  const batchSize = options.batchSize ?? 500;
  const at = options.writtenAt ?? clinic.now;
  const password = options.password ?? DEMO_PASSWORD;
  const hashes = await Promise.all(clinic.users.map(() => hashPassword(password)));

  const lockedBatch = (work: (tx: ServerDb) => Promise<void>) =>
    db.transaction(async (tx) => {
      // Serialise with pushes: `changes.seq` order stays commit order for concurrent pulls.
      await lockFeed(tx);
      await work(tx);
    });

  await lockedBatch(async (tx) => {
    // Supervisors and admins first: clinicians reference their supervisor.
    const ordered = [...clinic.users].sort((a, b) => Number(a.supervisorId !== null) - Number(b.supervisorId !== null));
    for (const group of [
      ordered.filter((u) => u.supervisorId === null),
      ordered.filter((u) => u.supervisorId !== null),
    ])
      if (group.length > 0)
        await tx.insert(users).values(
          group.map((user) => ({
            id: user.id,
            username: user.username,
            displayName: user.displayName,
            role: user.role,
            credentials: user.credentials,
            passwordHash: hashes[clinic.users.indexOf(user)] ?? '',
            supervisorId: user.supervisorId,
            createdAt: at,
            passwordChangedAt: at,
          })),
        );
    for (const batch of chunks(clinic.clients, batchSize))
      await tx.insert(clients).values(
        batch.map((client) => ({
          id: client.id,
          displayName: client.displayName,
          program: client.program,
          createdAt: client.createdAt,
        })),
      );
    for (const batch of chunks(clinic.assignments, batchSize))
      await tx.insert(careAssignments).values(batch.map((assignment) => ({ ...assignment, updatedAt: at })));
  });

  const noteOrder = APPLY_ORDER.indexOf('note');
  const before = clinic.records.filter((record) => APPLY_ORDER.indexOf(record.entity) < noteOrder);
  const after = clinic.records.filter((record) => APPLY_ORDER.indexOf(record.entity) > noteOrder);

  // The records store validates each record again and writes it with its `changes` row.
  const writeRecords = async (list: DemoClinic['records']) => {
    for (const batch of chunks(list, batchSize)) await lockedBatch((tx) => insertRecords(tx, batch, at));
  };

  await writeRecords(before);
  for (const batch of chunks(clinic.notes, batchSize))
    await lockedBatch(async (tx) => {
      await tx.insert(notes).values(
        batch.map(({ id, clientId, data }) => ({
          id,
          clientId,
          authorId: data.authorId,
          status: data.status,
          content: data.content,
          // Demo notes use the built-in templates (the SUD counseling note is protected).
          isProtected: isProtectedContent(data.content),
          contentHash: data.contentHash,
          signedAt: data.signedAt ? new Date(data.signedAt) : null,
          signedBy: data.signedBy,
          version: 1,
          createdAt: new Date(data.createdAt),
          updatedAt: new Date(data.updatedAt),
        })),
      );
      await tx.insert(changes).values(
        batch.map((note) => ({
          entity: 'note',
          entityId: note.id,
          clientId: note.clientId,
          version: 1,
          op: 'put' as const,
          at,
        })),
      );
    });
  await writeRecords(after);

  const counts: DemoCounts = {
    users: clinic.users.length,
    clients: clinic.clients.length,
    assignments: clinic.assignments.length,
    records: clinic.records.length,
    notes: clinic.notes.length,
    changes: clinic.records.length + clinic.notes.length,
  };
  // Codes and numbers only: the entry says a synthetic clinic was written, and with which seed.
  await appendAudit(
    db,
    {
      userId: null,
      deviceId: null,
      action: DEMO_SEED_ACTION,
      outcome: 'ok',
      recordType: 'clinic',
      recordIds: [],
      details: {
        seed: clinic.seed,
        generatedFor: clinic.now.toISOString(),
        clients: counts.clients,
        notes: counts.notes,
        records: counts.records,
      },
    },
    at,
  );
  return counts;
}

export interface SeedOptions extends DemoClinicOptions, WriteOptions {}

export type SeedResult =
  | { status: 'seeded'; counts: DemoCounts; generateMs: number; writeMs: number }
  /** `generatedFor`: the moment the existing clinic's dates are relative to (ISO), when known. */
  | { status: 'alreadySeeded'; generatedFor: string | null };

/**
 * Seed the demo clinic unless the database already holds it (idempotent). Throws
 * `DemoSeedError` for a database with an interrupted seed or a clinic of its own.
 */
export async function seedDemoClinic(db: ServerDb, options: SeedOptions = {}): Promise<SeedResult> {
  const marker = await seedMarker(db);
  if (marker) {
    const generatedFor = marker.details['generatedFor'];
    return { status: 'alreadySeeded', generatedFor: typeof generatedFor === 'string' ? generatedFor : null };
  }
  const state = await demoSeedState(db);
  if (state === 'partial')
    throw new DemoSeedError('partial', 'An earlier demo seed did not finish. Start again with --reset.');
  if (state === 'foreign')
    throw new DemoSeedError(
      'foreign',
      'This database already holds accounts or clients; the demo seeds only an empty one.',
    );
  const started = performance.now();
  const clinic = generateDemoClinic(options);
  const generated = performance.now();
  const counts = await writeDemoClinic(db, clinic, options);
  return {
    status: 'seeded',
    counts,
    generateMs: Math.round(generated - started),
    writeMs: Math.round(performance.now() - generated),
  };
}
