/**
 * Our clinic server for the sync benchmark, in its own process: the real Fastify app
 * (src/server/app.ts) on PGlite in a data directory (the production default) or on PostgreSQL,
 * seeded with the deterministic demo clinic (src/server/demo), listening on loopback. The parent
 * (bench/sync-bench.ts) drives it over HTTP and asks it for its memory and bytes sent over IPC.
 */
import { createWriteStream } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/server/app';
import { configForDatabase, type ServerConfig } from '../../src/server/config';
import { hashPassword } from '../../src/server/auth/passwords';
import { openDatabase, type Database } from '../../src/server/db/database';
import { careAssignments, users } from '../../src/server/db/schema';
import { DEMO_PASSWORD, DEMO_SIGN_IN_USERNAME } from '../../src/server/demo/credentials';
import { createServerLogger } from '../../src/server/logger';
import { serveParent } from './child';
import { seedDemoCaseload } from './demo-caseload';

export interface ClinicServerStart {
  dir: string;
  /** PostgreSQL URL; PGlite in `<dir>/clinic` otherwise. */
  databaseUrl?: string;
  seed: { clients: number; notesPerClient: number };
  /**
   * Load-test accounts: `count` clinicians (password DEMO_PASSWORD), each with
   * `clientsEach` of the seeded clients on their caseload (round robin).
   */
  loadUsers?: { count: number; clientsEach: number };
  /** Server settings other than the defaults (experiments, bench/tools/initial-sync.ts). */
  config?: Partial<ServerConfig>;
}

export interface ClinicServerInfo {
  url: string;
  backend: 'pglite' | 'postgres';
  seedMs: number;
  counts: Record<string, number>;
  /** The account that holds every seeded client on its caseload (the initial-sync benchmark). */
  caseloadUser: { username: string; password: string; clients: number };
  loadUsers: Array<{ username: string; password: string; clientIds: string[] }>;
}

export interface SqlStat {
  sql: string;
  count: number;
  totalMs: number;
}

type Queryable = { query: (...args: unknown[]) => Promise<unknown> };
type PgliteLike = Queryable & { transaction: (fn: (tx: Queryable) => Promise<unknown>) => Promise<unknown> };

/** Per-statement counts and times, PGlite only (the client's `query`, inside transactions too). */
const sqlStats = new Map<string, SqlStat>();
const normalise = (text: string) =>
  text
    .replace(/\s+/g, ' ')
    .replace(/\(\$\d+(, \$\d+)+\)/g, '($…)')
    .replace(/"[a-z_]+"\./g, '')
    .slice(0, 160);

function instrument(client: PgliteLike): void {
  const wrap = (target: Queryable) => {
    const query = target.query.bind(target);
    target.query = async (...args: unknown[]) => {
      const t0 = performance.now();
      try {
        return await query(...args);
      } finally {
        const key = normalise(String(args[0]));
        const stat = sqlStats.get(key) ?? { sql: key, count: 0, totalMs: 0 };
        stat.count += 1;
        stat.totalMs += performance.now() - t0;
        sqlStats.set(key, stat);
      }
    };
  };
  wrap(client);
  const transaction = client.transaction.bind(client);
  client.transaction = (fn) =>
    transaction((tx) => {
      wrap(tx);
      return fn(tx);
    });
}

let database: Database | null = null;
let app: FastifyInstance | null = null;
let bytesOfClosedSockets = 0;
let requestsAnswered = 0;
const liveSockets = new Set<Socket>();

async function addLoadUsers(db: Database['db'], count: number, clientsEach: number, clientIds: string[]) {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const out: ClinicServerInfo['loadUsers'] = [];
  for (let i = 0; i < count; i += 1) {
    const username = `load.clinician${String(i + 1).padStart(3, '0')}`;
    const [user] = await db
      .insert(users)
      .values({ username, displayName: `Load Clinician ${i + 1}`, role: 'clinician', passwordHash })
      .returning({ id: users.id });
    if (!user) throw new Error('no user');
    const mine = Array.from({ length: clientsEach }, (_, k) => clientIds[(i * clientsEach + k) % clientIds.length]!);
    await db
      .insert(careAssignments)
      .values(mine.map((clientId) => ({ userId: user.id, clientId, kind: 'caseload' as const })));
    out.push({ username, password: DEMO_PASSWORD, clientIds: mine });
  }
  return out;
}

const handlers = {
  async start(params: ClinicServerStart): Promise<ClinicServerInfo> {
    database = await openDatabase(
      params.databaseUrl ? { databaseUrl: params.databaseUrl, poolSize: 10 } : { dataDir: join(params.dir, 'clinic') },
    );
    const { db } = database;
    const t0 = performance.now();
    // One clinician holds the whole caseload: every seeded client on demo.clinician1's caseload.
    const { clientIds, counts } = await seedDemoCaseload(db, params.seed);
    const loadUsers = params.loadUsers
      ? await addLoadUsers(db, params.loadUsers.count, params.loadUsers.clientsEach, clientIds)
      : [];
    const seedMs = performance.now() - t0;
    if (database.kind === 'pglite') instrument((db as unknown as { $client: PgliteLike }).$client);

    const logger = createServerLogger({
      level: 'info',
      destination: createWriteStream(join(params.dir, 'server.log')),
    });
    app = await buildServer({
      db,
      logger,
      // Many simulated workstations sign in from one loopback address.
      config: { authRequestsPerMinute: 100_000, ...configForDatabase(database.kind), ...params.config },
    });
    app.addHook('onResponse', async () => {
      requestsAnswered += 1;
    });
    app.server.on('connection', (socket: Socket) => {
      liveSockets.add(socket);
      socket.once('close', () => {
        liveSockets.delete(socket);
        bytesOfClosedSockets += socket.bytesWritten;
      });
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (!address || typeof address !== 'object') throw new Error('no address');
    return {
      url: `http://127.0.0.1:${address.port}`,
      backend: database.kind,
      seedMs,
      counts: { ...counts },
      caseloadUser: { username: DEMO_SIGN_IN_USERNAME, password: DEMO_PASSWORD, clients: clientIds.length },
      loadUsers,
    };
  },
  /** Response bytes written to sockets so far (headers and bodies, as sent). */
  async bytesSent(): Promise<number> {
    let live = 0;
    for (const socket of liveSockets) live += socket.bytesWritten;
    return bytesOfClosedSockets + live;
  },
  /** Requests answered so far (any route). */
  async requestsAnswered(): Promise<number> {
    return requestsAnswered;
  },
  /** Statements run since the last call (PGlite only), most expensive first; resets. */
  async takeSqlStats(): Promise<SqlStat[]> {
    const out = [...sqlStats.values()].sort((a, b) => b.totalMs - a.totalMs);
    sqlStats.clear();
    return out;
  },
  /** Pull pages served from what was read ahead, and pulls that found nothing usable, so far. */
  async pullAheadStats(): Promise<{ hits: number; misses: number }> {
    return { ...(app?.pullAhead.stats ?? { hits: 0, misses: 0 }) };
  },
  /** CPU time of this process so far (user + system, ms). */
  async cpuMs(): Promise<number> {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  },
  async memory(): Promise<{ rssBytes: number; heapUsedBytes: number }> {
    const m = process.memoryUsage();
    return { rssBytes: m.rss, heapUsedBytes: m.heapUsed };
  },
  async stop(): Promise<void> {
    await app?.close();
    app = null;
    await database?.close();
    database = null;
  },
};

export type ClinicServerHandlers = typeof handlers;

serveParent(handlers);
