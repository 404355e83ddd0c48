import type { SqliteDatabase } from './open-database';

/**
 * Write many rows at once (the initial sync, a full resync) with a rollback journal instead of
 * the write-ahead log.
 *
 * Why: in WAL mode every page is encrypted and HMAC'd when it is appended to the WAL, then read
 * back (decrypt + HMAC check) and encrypted again when the checkpoint copies it into the
 * database. With a rollback journal a new page is encrypted once. Profiling the bulk insert
 * showed ~2/3 of the crypto time in that double trip (see BENCHMARKS.md). Durability is the
 * same: `synchronous=FULL`, and the journal (holding the previous content of changed pages) is
 * encrypted like the database; a crash mid-import rolls back on the next open.
 *
 * The connection holds the file exclusively (locking_mode=EXCLUSIVE), so switching the journal
 * mode cannot disturb another reader. Returns whatever `work` returns; WAL mode is restored
 * whatever happens.
 */
export function bulkImport<T>(sqlite: SqliteDatabase, work: () => T): T {
  const end = beginBulkImport(sqlite);
  let result: T;
  try {
    result = work();
  } catch (error) {
    // Back to WAL before reporting the failure; the work's own error is what the caller sees.
    end({ quiet: true });
    throw error;
  }
  end();
  return result;
}

/**
 * The same mode for a span of several transactions with pauses between them: the initial sync
 * writes a few pages per transaction and waits for the next pages in between. Switching the
 * journal for every transaction cost 2–10 ms each way, ~0.15 s over an initial sync of the demo
 * caseload (about 25 transactions); this switches once. Between the transactions the connection
 * works as usual (the clinician's own saves included), with the rollback journal and the same
 * durability. Returns the function that goes back to WAL: call it when the span ends, however
 * it ends (a closed connection is left alone: the next open sets WAL, see open-database.ts).
 */
export function beginBulkImport(sqlite: SqliteDatabase): (options?: { quiet?: boolean }) => void {
  if (sqlite.inTransaction) throw new Error('bulkImport cannot start inside a transaction');
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  sqlite.pragma('journal_mode = DELETE');
  let ended = false;
  return ({ quiet = false } = {}) => {
    if (ended || !sqlite.open) return;
    ended = true;
    if (quiet) {
      sqlite.pragma('journal_mode = WAL');
      return;
    }
    const mode = sqlite.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`could not return to WAL mode (journal_mode is ${String(mode)})`);
    // After the switch (and a table rebuild earlier on this connection, as a migration does), the
    // first checkpoint fails with SQLITE_LOCKED until the WAL has been read once: read it now.
    sqlite.prepare('SELECT count(*) FROM sqlite_schema').get();
  };
}
