import type { PGlite } from '@electric-sql/pglite';
import type { FastifyBaseLogger } from 'fastify';
import { inArray, isNull, and, sql } from 'drizzle-orm';
import pg from 'pg';
import type { ServerDb } from '../db/database.js';
import { careAssignments, users } from '../db/schema.js';

/**
 * Pokes across server instances (docs/sync-protocol.md, "Poke"): every publish is a NOTIFY, and
 * every instance LISTENs (a dedicated pg client on PostgreSQL, PGlite's own `listen` on the
 * embedded database) and hands the message to its local subscribers. A NOTIFY issued inside a
 * transaction is delivered only when it commits, so admin commands notify inside theirs.
 *
 * Channels: `continuum_poke` (payload: JSON array of user ids) and `continuum_device_revoked`
 * (payload: JSON array of `{ userId, deviceId }`).
 */
export const POKE_CHANNEL = 'continuum_poke';
export const REVOKED_CHANNEL = 'continuum_device_revoked';

export type BusEvent = { type: 'poke' } | { type: 'deviceRevoked'; deviceId: string };
export type BusListener = (event: BusEvent) => void;

export interface PokeBus {
  /** Poke these users on every instance. */
  publish(userIds: readonly string[]): Promise<void>;
  /** Tell these devices' streams, on every instance, that the device was revoked. */
  publishDeviceRevoked(devices: readonly { userId: string; deviceId: string }[]): Promise<void>;
  /** Listen for one user's events; returns the unsubscribe function. */
  subscribe(userId: string, fn: BusListener): () => void;
  close(): Promise<void>;
}

/** NOTIFY payloads are limited to 8000 bytes: ~100 ids of 36 characters stay well under. */
const CHUNK = 100;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** Queue the notifications on `db` (a transaction: delivered on commit). */
export async function notifyPoke(db: ServerDb, userIds: readonly string[]): Promise<void> {
  for (const part of chunks([...new Set(userIds)])) {
    await db.execute(sql`select pg_notify(${POKE_CHANNEL}, ${JSON.stringify(part)})`);
  }
}

export async function notifyDeviceRevoked(
  db: ServerDb,
  devices: readonly { userId: string; deviceId: string }[],
): Promise<void> {
  for (const part of chunks(devices)) {
    await db.execute(sql`select pg_notify(${REVOKED_CHANNEL}, ${JSON.stringify(part)})`);
  }
}

/**
 * The users whose scope includes any of these clients: active caseload and care-team holders,
 * and their supervisors.
 */
export async function usersWithClientsInScope(db: ServerDb, clientIds: readonly string[]): Promise<string[]> {
  if (clientIds.length === 0) return [];
  const holders = await db
    .selectDistinct({ id: careAssignments.userId, supervisorId: users.supervisorId })
    .from(careAssignments)
    .innerJoin(users, sql`${users.id} = ${careAssignments.userId}`)
    .where(and(inArray(careAssignments.clientId, [...clientIds]), isNull(careAssignments.removedAt)));
  const ids = new Set<string>();
  for (const row of holders) {
    ids.add(row.id);
    if (row.supervisorId) ids.add(row.supervisorId);
  }
  return [...ids];
}

/** The users to poke when these users' assignments change: themselves and their supervisors. */
export async function usersAndSupervisors(db: ServerDb, userIds: readonly string[]): Promise<string[]> {
  if (userIds.length === 0) return [];
  const rows = await db
    .select({ id: users.id, supervisorId: users.supervisorId })
    .from(users)
    .where(inArray(users.id, [...userIds]));
  const ids = new Set<string>(userIds);
  for (const row of rows) if (row.supervisorId) ids.add(row.supervisorId);
  return [...ids];
}

/** Every active account: clinic-wide records (staff) changed, so every workstation pulls. */
export async function everyone(db: ServerDb): Promise<string[]> {
  const rows = await db.select({ id: users.id }).from(users).where(isNull(users.disabledAt));
  return rows.map((row) => row.id);
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Driver = { kind: 'postgres'; pool: pg.Pool } | { kind: 'pglite'; client: PGlite };

function driverOf(db: ServerDb): Driver {
  const client = (db as unknown as { $client: unknown }).$client;
  if (client instanceof pg.Pool) return { kind: 'postgres', pool: client };
  if (client && typeof (client as PGlite).listen === 'function') return { kind: 'pglite', client: client as PGlite };
  throw new Error('Unknown database driver: cannot listen for pokes');
}

class NotifyPokeBus implements PokeBus {
  private readonly listeners = new Map<string, Set<BusListener>>();
  private closed = false;
  private pgClient: pg.Client | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private unlisten: (() => Promise<void>)[] = [];

  constructor(
    private readonly db: ServerDb,
    private readonly driver: Driver,
    private readonly log: FastifyBaseLogger,
  ) {}

  async start(): Promise<void> {
    if (this.driver.kind === 'pglite') {
      for (const channel of [POKE_CHANNEL, REVOKED_CHANNEL]) {
        this.unlisten.push(await this.driver.client.listen(channel, (payload) => this.receive(channel, payload)));
      }
      return;
    }
    await this.connect();
  }

  /** A dedicated connection (outside the pool) holds the LISTENs; reconnect when it drops. */
  private async connect(): Promise<void> {
    if (this.driver.kind !== 'postgres' || this.closed) return;
    const client = new pg.Client(this.driver.pool.options);
    const retry = () => {
      if (this.closed || this.pgClient !== client) return;
      this.pgClient = undefined;
      client.end().catch(() => undefined);
      this.log.warn('poke listener connection lost; reconnecting');
      this.reconnectTimer = setTimeout(() => {
        this.connect().catch(() => retry());
      }, 1000);
    };
    client.on('error', retry);
    client.on('end', retry);
    client.on('notification', (message) => this.receive(message.channel, message.payload ?? ''));
    this.pgClient = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${POKE_CHANNEL}`);
      await client.query(`LISTEN ${REVOKED_CHANNEL}`);
    } catch (error) {
      retry();
      throw error;
    }
  }

  private receive(channel: string, payload: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload);
    } catch {
      this.log.warn({ channel }, 'poke payload is not JSON; ignored');
      return;
    }
    if (!Array.isArray(parsed)) return;
    if (channel === POKE_CHANNEL) {
      for (const userId of parsed) {
        if (typeof userId === 'string') this.deliver(userId, { type: 'poke' });
      }
    } else if (channel === REVOKED_CHANNEL) {
      for (const item of parsed as unknown[]) {
        const { userId, deviceId } = (item ?? {}) as { userId?: unknown; deviceId?: unknown };
        if (typeof userId === 'string' && typeof deviceId === 'string') {
          this.deliver(userId, { type: 'deviceRevoked', deviceId });
        }
      }
    }
  }

  private deliver(userId: string, event: BusEvent): void {
    for (const fn of this.listeners.get(userId) ?? []) {
      try {
        fn(event);
      } catch {
        this.log.warn('poke listener failed');
      }
    }
  }

  async publish(userIds: readonly string[]): Promise<void> {
    await notifyPoke(
      this.db,
      userIds.filter((id) => uuidPattern.test(id)),
    );
  }

  async publishDeviceRevoked(devices: readonly { userId: string; deviceId: string }[]): Promise<void> {
    await notifyDeviceRevoked(this.db, devices);
  }

  subscribe(userId: string, fn: BusListener): () => void {
    let set = this.listeners.get(userId);
    if (!set) {
      set = new Set();
      this.listeners.set(userId, set);
    }
    set.add(fn);
    return () => {
      const current = this.listeners.get(userId);
      current?.delete(fn);
      if (current?.size === 0) this.listeners.delete(userId);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.listeners.clear();
    for (const unlisten of this.unlisten.splice(0)) await unlisten().catch(() => undefined);
    const client = this.pgClient;
    this.pgClient = undefined;
    await client?.end().catch(() => undefined);
  }
}

/** The bus for this database: LISTEN/NOTIFY on PostgreSQL and on PGlite alike. */
export async function createPokeBus(db: ServerDb, log: FastifyBaseLogger): Promise<PokeBus> {
  const bus = new NotifyPokeBus(db, driverOf(db), log);
  await bus.start();
  return bus;
}
