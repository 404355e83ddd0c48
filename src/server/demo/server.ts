import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { buildServer } from '../app.js';
import { openDatabase, type Database } from '../db/database.js';
import { createServerLogger } from '../logger.js';
import {
  DEFAULT_DEMO_DATA_DIR,
  DEFAULT_DEMO_PORT,
  DEMO_PASSWORD,
  DEMO_USERS,
  DEMO_WORKSTATION_PASSPHRASE,
} from './credentials.js';
import { seedDemoClinic, type SeedOptions, type SeedResult } from './seed.js';

/**
 * The demo clinic server: the real clinic server on PGlite in a data folder of its own, seeded
 * with the synthetic clinic the first time, on a loopback port. Used by `npm run demo:server`
 * (./main.ts) and, in-process, by the browser harness (`npm run demo`, `npm run dev:web`).
 */

export { DEFAULT_DEMO_DATA_DIR, DEFAULT_DEMO_PORT };

/** Written into a demo data folder; `--reset` deletes only folders that have it. */
export const DEMO_MARKER_FILE = 'DEMO-CLINIC.txt';
const MARKER_TEXT =
  'This folder holds the synthetic Continuum demo clinic (npm run demo). It contains no real data.\n' +
  'Delete the folder, or start the demo with --reset, to generate it again.\n';

export class DemoServerError extends Error {
  override readonly name = 'DemoServerError';
}

export interface DemoServerOptions extends Pick<SeedOptions, 'seed' | 'clients' | 'notesPerClient' | 'now'> {
  /** The server's PGlite data folder (it is created when missing). */
  dataDir: string;
  /** Loopback port; 0 picks a free one (default DEFAULT_DEMO_PORT). */
  port?: number;
  /** Delete the demo database first and seed it again. */
  reset?: boolean;
  /** Server log level (default 'warn': the demo prints what matters itself). */
  logLevel?: string;
  logger?: FastifyBaseLogger;
  /** Progress lines (default: nothing). */
  print?: (line: string) => void;
}

export interface DemoServer {
  url: string;
  /** What seeding did on this start. */
  seed: SeedResult;
  app: FastifyInstance;
  database: Database;
  close(): Promise<void>;
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Delete the demo database in `dataDir` (refuses a folder that is not a demo's, or one in use). */
export function resetDemoDataDir(dataDir: string): void {
  const pgdata = path.join(dataDir, 'pgdata');
  if (!existsSync(pgdata)) return;
  if (!existsSync(path.join(dataDir, DEMO_MARKER_FILE)))
    throw new DemoServerError(
      `${dataDir} holds a clinic database that is not the demo's (no ${DEMO_MARKER_FILE}); refusing to delete it.`,
    );
  const lockPath = path.join(dataDir, 'clinic.lock');
  if (existsSync(lockPath)) {
    const pid = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
    if (Number.isInteger(pid) && isAlive(pid))
      throw new DemoServerError(`The demo data folder ${dataDir} is in use by process ${pid}.`);
  }
  rmSync(pgdata, { recursive: true, force: true });
}

export async function startDemoServer(options: DemoServerOptions): Promise<DemoServer> {
  const dataDir = path.resolve(options.dataDir);
  const print = options.print ?? (() => undefined);
  if (options.reset) resetDemoDataDir(dataDir);
  const fresh = !existsSync(path.join(dataDir, 'pgdata'));
  if (!fresh && !existsSync(path.join(dataDir, DEMO_MARKER_FILE)))
    throw new DemoServerError(`${dataDir} holds a clinic database that is not the demo's; choose another --data.`);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(path.join(dataDir, DEMO_MARKER_FILE), MARKER_TEXT, { mode: 0o600 });

  if (fresh) print('Creating the demo clinic database…');
  const database = await openDatabase({ dataDir });
  let app: FastifyInstance | undefined;
  try {
    const seed = await seedDemoClinic(database.db, {
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.clients !== undefined ? { clients: options.clients } : {}),
      ...(options.notesPerClient !== undefined ? { notesPerClient: options.notesPerClient } : {}),
      ...(options.now !== undefined ? { now: options.now } : {}),
    });
    if (seed.status === 'seeded')
      print(
        `Seeded the synthetic clinic: ${seed.counts.clients} clients, ${seed.counts.notes} notes, ` +
          `${seed.counts.records} other records (${((seed.generateMs + seed.writeMs) / 1000).toFixed(1)} s).`,
      );
    else {
      const days = seed.generatedFor
        ? Math.floor((Date.now() - new Date(seed.generatedFor).getTime()) / 86_400_000)
        : null;
      const age = days === null ? '' : days < 1 ? ' today' : days === 1 ? ' yesterday' : ` ${days} days ago`;
      print(`The demo clinic was generated${age}; start with --reset to generate it again, dated from today.`);
    }

    app = await buildServer({
      db: database.db,
      logger: options.logger ?? createServerLogger({ level: options.logLevel ?? 'warn' }),
    });
    await app.listen({ port: options.port ?? DEFAULT_DEMO_PORT, host: '127.0.0.1' });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : (options.port ?? DEFAULT_DEMO_PORT);
    const url = `http://127.0.0.1:${port}`;
    const server = app;
    return {
      url,
      seed,
      app: server,
      database,
      close: async () => {
        await server.close();
        await database.close();
      },
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw error;
  }
}

/** The credentials block printed at startup (the same as in the README). */
export function demoCredentialsText(url: string): string {
  const width = Math.max(...DEMO_USERS.map((user) => user.username.length));
  const roleWidth = Math.max(...DEMO_USERS.map((user) => user.role.length));
  return [
    `Demo clinic server (synthetic data only): ${url}`,
    'Accounts (all with the password below):',
    ...DEMO_USERS.map(
      (user) => `  ${user.username.padEnd(width)}  ${user.role.padEnd(roleWidth)}  ${user.displayName}`,
    ),
    `Password: ${DEMO_PASSWORD}`,
    `Demo workstation passphrase: ${DEMO_WORKSTATION_PASSPHRASE}`,
    '',
  ].join('\n');
}
