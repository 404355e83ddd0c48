import { afterAll, beforeAll } from 'vitest';
import pg from 'pg';
import { openDatabase, type Database } from '../../../src/server/db/database.js';
import { startPostgres, type PostgresCluster } from './postgres.js';

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

  return {
    async open(backend) {
      let database: TestDatabase;
      if (backend === 'postgres') {
        if (!cluster) throw new Error('PostgreSQL cluster not started');
        counter += 1;
        const url = await cluster.createDatabase(`t${process.pid}_${counter}`);
        const base = await openDatabase({ databaseUrl: url, poolSize: 5 });
        const client = new pg.Pool({ connectionString: url, max: 1 });
        database = {
          ...base,
          raw: async (text, params) => (await client.query(text, params)).rows as Record<string, unknown>[],
          close: async () => {
            await client.end();
            await base.close();
          },
        };
      } else {
        const base = await openDatabase({ memory: true });
        // The PGlite instance behind drizzle: raw SQL on the same (only) connection.
        const client = (
          base.db as unknown as { $client: { query: (t: string, p?: unknown[]) => Promise<{ rows: unknown[] }> } }
        ).$client;
        database = {
          ...base,
          raw: async (text, params) => (await client.query(text, params)).rows as Record<string, unknown>[],
        };
      }
      opened.push(database);
      return database;
    },
  };
}
