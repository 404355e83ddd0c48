import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import * as schema from './schema.js';

/** One interface over both drivers: the query builder of drizzle's PostgreSQL dialect. */
export type ServerDb = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  readonly db: ServerDb;
  readonly kind: 'pglite' | 'postgres';
  close(): Promise<void>;
}

export type DatabaseOptions =
  | { databaseUrl: string; poolSize?: number }
  | { dataDir: string }
  /** An in-memory PGlite (tests, throwaway demos), optionally from a `dumpDataDir()` image. */
  | { memory: true; loadDataDir?: Blob };

export const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

/** Raised when another process holds the PGlite data directory (PGlite is single-process). */
export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`The data directory ${dataDir} is in use by process ${pid}`);
  }
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Take `<dataDir>/clinic.lock` for this process; refuse when a live process holds it. */
function lockDataDir(dataDir: string): () => void {
  const lockPath = path.join(dataDir, 'clinic.lock');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(lockPath, String(process.pid), { flag: 'wx', mode: 0o600 });
      return () => rmSync(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
      // Our own pid counts too: a second PGlite on the same directory in one process corrupts it.
      if (Number.isInteger(pid) && isAlive(pid)) throw new DataDirInUseError(dataDir, pid);
      rmSync(lockPath, { force: true }); // stale lock from a process that is gone
    }
  }
  throw new Error('Could not lock the data directory');
}

/**
 * Open the clinic database and apply the migrations: PostgreSQL through node-postgres when a
 * URL is given, otherwise the embedded PGlite in `<dataDir>/pgdata` (or in memory).
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if ('databaseUrl' in options) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    // An idle client's network error must not crash the process; the next query reports it.
    pool.on('error', () => undefined);
    const db = drizzleNodePg({ client: pool, schema });
    try {
      await migrateNodePg(db, { migrationsFolder });
    } catch (error) {
      await pool.end();
      throw error;
    }
    return { db, kind: 'postgres', close: () => pool.end() };
  }

  let unlock = (): void => undefined;
  let client: PGlite;
  if ('dataDir' in options) {
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    unlock = lockDataDir(options.dataDir);
    client = new PGlite(path.join(options.dataDir, 'pgdata'));
  } else {
    client = new PGlite(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {});
  }
  try {
    await client.waitReady;
    const db = drizzlePglite({ client, schema });
    await migratePglite(db, { migrationsFolder });
    return {
      db,
      kind: 'pglite',
      close: async () => {
        try {
          await client.close();
        } finally {
          unlock();
        }
      },
    };
  } catch (error) {
    await client.close().catch(() => undefined);
    unlock();
    throw error;
  }
}
