import type { SqliteDatabase } from './open-database';

/**
 * The cache's small settings and bookmarks (`store_meta`: key → text), inside the encrypted
 * file: the cache's owner, this device, the sync cursor's companions, notices for the sync panel.
 */
export function readMeta(sqlite: SqliteDatabase, key: string): string | null {
  return (sqlite.prepare('SELECT value FROM store_meta WHERE key = ?').pluck().get(key) as string | undefined) ?? null;
}

export function writeMeta(sqlite: SqliteDatabase, key: string, value: string): void {
  sqlite
    .prepare('INSERT INTO store_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
    .run(key, value);
}

/** Returns whether there was a value. */
export function deleteMeta(sqlite: SqliteDatabase, key: string): boolean {
  return sqlite.prepare('DELETE FROM store_meta WHERE key = ?').run(key).changes > 0;
}
