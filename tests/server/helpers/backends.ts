import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import pg from 'pg';
import { migrationsFolder, openDatabase, type Database } from '../../../src/server/db/database.js';
import { PG_BIN, startPostgres, type PostgresCluster } from './postgres.js';

/**
 * Every server test runs against both drivers: the embedded PGlite and a real PostgreSQL 15
 * (a throwaway cluster per test file). `useBackends()` registers the hooks and returns
 * accessors; use it at the top of a file and `describe.each(BACKENDS)`.
 */
export const BACKENDS = ['pglite', 'postgres'] as const;
export type Backend = (typeof BACKENDS)[number];

export interface TestDatabase extends Database {
  /** Run raw SQL as the superuser (PostgreSQL) or on the PGlite connection. */
  raw(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /**
   * The same data opened again, as a server start opens it (migrations not yet recorded as
   * applied run now): PostgreSQL's database itself, a PGlite copy of this one's data directory.
   */
  reopen(): Promise<TestDatabase>;
  /**
   * A backup of the data as it is now, as an administrator takes one: `pg_dump` (custom format)
   * of the PostgreSQL database, a copy of PGlite's data directory. `restore()` puts it back the
   * way a clinic would, into the same database (PostgreSQL: dropped, created and `pg_restore`d;
   * close this handle, and whatever uses it, first) and opens it as a server start does.
   */
  backUp(): Promise<{ restore(): Promise<TestDatabase> }>;
}

type PgliteClient = {
  query: (text: string, params?: unknown[]) => Promise<{ rows: unknown[] }>;
  dumpDataDir: (compression?: 'none') => Promise<Blob>;
};
const pgliteClient = (database: Database) => (database.db as unknown as { $client: PgliteClient }).$client;

/**
 * A fresh PGlite runs initdb (about 5 s); loading a dump of an already migrated one takes half a
 * second. The dump is cached in the temp folder, keyed by the migrations and the PGlite version,
 * and written atomically (test files run in parallel processes).
 */
async function pgliteTemplate(): Promise<Blob> {
  const hash = createHash('sha256');
  const pglitePackage = path.resolve(import.meta.dirname, '../../../node_modules/@electric-sql/pglite/package.json');
  hash.update(readFileSync(pglitePackage));
  for (const file of readdirSync(migrationsFolder, { recursive: true }).map(String).sort()) {
    const full = path.join(migrationsFolder, file);
    if (file.endsWith('.sql') || file.endsWith('.json')) hash.update(file).update(readFileSync(full));
  }
  const cached = path.join(tmpdir(), `continuum-pglite-template-${hash.digest('hex').slice(0, 16)}.tar`);
  if (existsSync(cached)) return new Blob([readFileSync(cached)]);
  const database = await openDatabase({ memory: true });
  const dump = await pgliteClient(database).dumpDataDir('none');
  await database.close();
  const temp = `${cached}.${process.pid}.tmp`;
  writeFileSync(temp, Buffer.from(await dump.arrayBuffer()));
  renameSync(temp, cached);
  return dump;
}

export function useBackends(): { open(backend: Backend): Promise<TestDatabase> } {
  let cluster: PostgresCluster | undefined;
  const opened: TestDatabase[] = [];
  let counter = 0;

  beforeAll(async () => {
    cluster = await startPostgres();
  }, 90_000);

  afterAll(async () => {
    for (const database of opened.splice(0)) await database.close().catch(() => undefined);
    await cluster?.stop();
  }, 60_000);

  async function postgres(url: string): Promise<TestDatabase> {
    const base = await openDatabase({ databaseUrl: url, poolSize: 5 });
    const client = new pg.Pool({ connectionString: url, max: 1 });
    const database: TestDatabase = {
      ...base,
      raw: async (text, params) => (await client.query(text, params)).rows as Record<string, unknown>[],
      reopen: () => postgres(url),
      backUp: async () => {
        const file = path.join(mkdtempSync(path.join(tmpdir(), 'continuum-backup-')), 'clinic.dump');
        execFileSync(path.join(PG_BIN, 'pg_dump'), ['--format=custom', `--file=${file}`, `--dbname=${url}`]);
        return {
          restore: async () => {
            if (!cluster) throw new Error('PostgreSQL cluster not started');
            const name = new URL(url).pathname.slice(1);
            const admin = new pg.Client({ connectionString: cluster.adminUrl });
            await admin.connect();
            try {
              await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
              await admin.query(`CREATE DATABASE ${name}`);
            } finally {
              await admin.end();
            }
            execFileSync(path.join(PG_BIN, 'pg_restore'), ['--exit-on-error', `--dbname=${url}`, file]);
            rmSync(path.dirname(file), { recursive: true, force: true });
            return postgres(url);
          },
        };
      },
      close: async () => {
        await client.end();
        await base.close();
      },
    };
    opened.push(database);
    return database;
  }

  async function pglite(image: Blob): Promise<TestDatabase> {
    // Migrations still run (and find nothing to do on the template) on the loaded image.
    const base = await openDatabase({ memory: true, loadDataDir: image });
    // The PGlite instance behind drizzle: raw SQL on the same (only) connection.
    const client = pgliteClient(base);
    const database: TestDatabase = {
      ...base,
      raw: async (text, params) => (await client.query(text, params)).rows as Record<string, unknown>[],
      reopen: async () => pglite(await client.dumpDataDir('none')),
      backUp: async () => {
        const image = await client.dumpDataDir('none');
        return { restore: () => pglite(image) };
      },
    };
    opened.push(database);
    return database;
  }

  return {
    async open(backend) {
      if (backend === 'postgres') {
        if (!cluster) throw new Error('PostgreSQL cluster not started');
        counter += 1;
        return postgres(await cluster.createDatabase(`t${process.pid}_${counter}`));
      }
      return pglite(await pgliteTemplate());
    },
  };
}
