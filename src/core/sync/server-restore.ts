import type { SqliteDatabase } from '../store/open-database';
import { deleteMeta, readMeta, writeMeta } from '../store/store-meta';

/**
 * A clinic server restored from an older backup (docs/sync-protocol.md, "A restored clinic
 * server"). Its records went back in time, and the version numbers it hands out from there on
 * repeat ones this cache already holds for other contents: a record changed after the restore
 * can come back at the very version the cache has from before it, and the version guard would
 * keep the stale copy. So the cache takes the server's copy of every record once more: the
 * versions it holds are forgotten and the pull starts from the beginning. Records with a change
 * of this workstation still to send (and the changes the server forgot, queued again) are not
 * overwritten: their pulled copies wait for the push, as always.
 *
 * Call inside the transaction that decides it. Returns the number of rows whose version was
 * forgotten.
 */
export function forgetServerVersions(sqlite: SqliteDatabase, cursorStream: string): number {
  const tables = sqlite
    .prepare(
      `SELECT m.name FROM sqlite_master m
        WHERE m.type = 'table' AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) c WHERE c.name = 'server_version')
        ORDER BY m.name`,
    )
    .pluck()
    .all() as string[];
  let rows = 0;
  for (const table of tables) {
    rows += sqlite
      .prepare(`UPDATE "${table}" SET server_version = NULL WHERE server_version IS NOT NULL`)
      .run().changes;
  }
  sqlite.prepare('DELETE FROM sync_cursors WHERE stream = ?').run(cursorStream);
  return rows;
}

/**
 * What the sync panel tells the clinician about a restore (`SyncDetails.serverRestored`), until
 * they dismiss it: when this workstation noticed, and how many of its changes it sent again
 * because the server had forgotten them (changes still waiting then are sent for the first time,
 * not counted). Kept in `store_meta`, inside the encrypted cache; a second restore before the
 * notice is dismissed adds to it.
 */
const NOTICE_KEY = 'sync.serverRestored';

export interface ServerRestoreNotice {
  at: string;
  replayed: number;
}

/** Call inside the transaction that forgets the versions. */
export function noteServerRestored(sqlite: SqliteDatabase, at: string, replayed: number): void {
  const before = readServerRestored(sqlite);
  const notice: ServerRestoreNotice = { at, replayed: (before?.replayed ?? 0) + replayed };
  writeMeta(sqlite, NOTICE_KEY, JSON.stringify(notice));
}

export function readServerRestored(sqlite: SqliteDatabase): ServerRestoreNotice | null {
  const value = readMeta(sqlite, NOTICE_KEY);
  if (!value) return null;
  try {
    const parsed = JSON.parse(value) as Partial<ServerRestoreNotice>;
    const at = typeof parsed.at === 'string' && Number.isFinite(Date.parse(parsed.at)) ? parsed.at : null;
    const replayed = Number.isInteger(parsed.replayed) && parsed.replayed! >= 0 ? parsed.replayed! : 0;
    return at ? { at: new Date(at).toISOString(), replayed } : null;
  } catch {
    return null;
  }
}

/** The clinician has read the notice. Returns whether there was one. */
export function dismissServerRestored(sqlite: SqliteDatabase): boolean {
  return deleteMeta(sqlite, NOTICE_KEY);
}
