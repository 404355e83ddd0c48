import type { SqliteDatabase } from '../store/open-database';

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
