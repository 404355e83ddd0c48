import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import * as schema from './schema';
import type { SqliteDatabase } from './open-database';

export type WorkstationDb = BetterSQLite3Database<typeof schema> & { $client: SqliteDatabase };

/** Wrap an open (keyed, migrated) connection in drizzle with the full schema. */
export function createDrizzle(sqlite: SqliteDatabase): WorkstationDb {
  return drizzle(sqlite, { schema });
}

export { schema };
