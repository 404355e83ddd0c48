import type { SqliteDatabase } from './open-database';
import { withKnownNoteTexts } from './schema-functions';

/**
 * Index the notes a bulk write adds (the initial sync) once at the end of its transaction instead
 * of row by row.
 *
 * Why: the FTS5 triggers (migrations 0001, 0007) index each note as it is inserted, and FTS5 writes
 * its pending terms to the index at every statement of the transaction: a 20,000-note import
 * spends more than half of its time there (BENCHMARKS.md, "Sync"). Indexing the same rows with
 * one `INSERT … SELECT` at the end of the transaction costs a fraction of that.
 *
 * How, and why it is crash-safe: SQLite cannot switch a trigger off for one connection, so inside
 * the caller's transaction this
 *   1. saves the definitions of the three `session_notes_search_*` triggers and drops them;
 *   2. adds TEMP triggers (this connection only, never written to the file) that note the rowid
 *      of every note inserted during `work` in a TEMP table, and keep the index right for notes
 *      that were already indexed when `work` began (an update replaces their entry, a delete
 *      removes it; a note inserted during `work` and then changed or deleted needs nothing yet);
 *   3. runs `work`;
 *   4. indexes the noted rows that still exist, with their final text, in one statement (the
 *      texts the writer already knows, `knowNoteText`, are not computed again);
 *   5. drops the TEMP objects and re-creates the triggers from their saved definitions.
 * All of it, the notes and the trigger definitions included, commits or rolls back together
 * (with the rollback journal of bulkImport as with the WAL): at every commit the index agrees
 * with the notes and the triggers are in place, whatever happens in between. If `work` throws,
 * the TEMP objects are removed and the caller's rollback restores the rest.
 *
 * If the triggers that write the index are not exactly these three (a later migration changed
 * them), `work` simply runs with whatever triggers there are.
 */
const TRIGGERS = ['session_notes_search_ai', 'session_notes_search_ad', 'session_notes_search_au'] as const;
const PENDING = 'bulk_note_search_pending';
const TEMP_TRIGGERS = ['bulk_note_search_ai', 'bulk_note_search_ad', 'bulk_note_search_au'] as const;

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
/** The words the index holds for a note row (migration 0007: computed from its content). */
const wordsOf = (row: 'old' | 'new' | 'n') => `note_text(${row}.content)`;

export function withBulkNoteSearch<T>(sqlite: SqliteDatabase, work: () => T): T {
  if (!sqlite.inTransaction) throw new Error('withBulkNoteSearch must run inside a transaction');
  // Every trigger that writes the search index: exactly the three this knows, in the shape of
  // migration 0007 (the words computed by note_text), or nothing changes.
  const saved = sqlite
    .prepare(
      `SELECT name, sql FROM main.sqlite_schema WHERE type = 'trigger' AND tbl_name = 'session_notes' AND sql LIKE '%note_search%'`,
    )
    .all() as Array<{ name: string; sql: string }>;
  const known =
    saved.length === TRIGGERS.length &&
    saved.every(({ name, sql }) => (TRIGGERS as readonly string[]).includes(name) && sql.includes('note_text('));
  if (!known) return work();

  const dropTemp = () => {
    for (const name of TEMP_TRIGGERS) sqlite.exec(`DROP TRIGGER IF EXISTS temp.${name}`);
    sqlite.exec(`DROP TABLE IF EXISTS temp.${PENDING}`);
  };

  dropTemp();
  sqlite.exec(`CREATE TEMP TABLE ${PENDING} (id INTEGER PRIMARY KEY)`);
  for (const { name } of saved) sqlite.exec(`DROP TRIGGER main.${quote(name)}`);
  sqlite.exec(
    `CREATE TEMP TRIGGER ${TEMP_TRIGGERS[0]} AFTER INSERT ON main.session_notes BEGIN
       INSERT OR IGNORE INTO ${PENDING} (id) VALUES (new.rowid);
     END;
     CREATE TEMP TRIGGER ${TEMP_TRIGGERS[1]} AFTER DELETE ON main.session_notes BEGIN
       INSERT INTO note_search (note_search, rowid, body_text)
         SELECT 'delete', old.rowid, ${wordsOf('old')} WHERE old.rowid NOT IN (SELECT id FROM ${PENDING});
       DELETE FROM ${PENDING} WHERE id = old.rowid;
     END;
     CREATE TEMP TRIGGER ${TEMP_TRIGGERS[2]} AFTER UPDATE OF content ON main.session_notes
     WHEN old.rowid NOT IN (SELECT id FROM ${PENDING}) BEGIN
       INSERT INTO note_search (note_search, rowid, body_text) VALUES ('delete', old.rowid, ${wordsOf('old')});
       INSERT INTO note_search (rowid, body_text) VALUES (new.rowid, ${wordsOf('new')});
     END;`,
  );
  let result: T;
  try {
    result = withKnownNoteTexts(sqlite, () => {
      const done = work();
      // The words the writer already knows (`knowNoteText`), else computed from the content.
      sqlite.exec(
        `INSERT INTO note_search (rowid, body_text)
           SELECT n.rowid, coalesce(known_note_text(n.id, octet_length(n.content)), ${wordsOf('n')})
             FROM main.session_notes n
            WHERE n.rowid IN (SELECT id FROM ${PENDING}) ORDER BY n.rowid`,
      );
      return done;
    });
  } catch (error) {
    // The caller's transaction rolls back the notes and the dropped triggers; the TEMP objects
    // live outside the file and go now (or are already gone if SQLite rolled back by itself).
    try {
      dropTemp();
    } catch {
      // The connection is failing; the original error is what the caller needs.
    }
    throw error;
  }
  dropTemp();
  for (const { sql } of saved) sqlite.exec(sql);
  return result;
}
