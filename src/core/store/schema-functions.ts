import { isObject, noteText } from '../../shared/notes/note-text';
import type { SqliteDatabase } from './open-database';

/**
 * SQL functions the cache's schema itself uses, registered on every connection by openDatabase
 * (a connection without them cannot search notes or write them: the view and the triggers of
 * migration 0007 call them).
 *
 * `note_text(content)`: the words of a note's JSON content (src/shared/notes/note-text.ts), what
 * full-text search indexes and quotes its snippets from (the `session_note_text` view). They
 * used to be stored beside the content in every row, making a note row ~2.7 KB instead of ~2 KB:
 * a 4 KiB page held one note instead of often two, and an initial sync wrote 20,000 note pages
 * instead of ~16,000 (BENCHMARKS.md, "Sync"). Deterministic; invalid JSON has no words.
 */
export function registerSchemaFunctions(db: SqliteDatabase): void {
  db.function('note_text', { deterministic: true }, (content: unknown) => {
    if (typeof content !== 'string') return '';
    let parsed: unknown;
    try {
      parsed = JSON.parse(content);
    } catch {
      return '';
    }
    return isObject(parsed) ? noteText(parsed) : '';
  });
  // Not for the schema: what `knowNoteText` was told, else null (./bulk-note-search.ts).
  db.function('known_note_text', { directOnly: true }, (id: unknown, contentBytes: unknown) => {
    const known = typeof id === 'string' ? knownTexts.get(db)?.get(id) : undefined;
    return known && known.contentBytes === contentBytes ? known.text : null;
  });
}

/**
 * The texts of notes a bulk write (the initial sync) is writing, by note id, while `work` runs
 * on this connection: the pull worker computed each one, and the search index built at the end
 * of the transaction (./bulk-note-search.ts) takes them with `known_note_text(id, octet_length(
 * content))` instead of the core's thread parsing 20,000 notes again. (Looking them up by
 * content instead costs ~5 µs a note, moving each content into JavaScript: 0.1 s a caseload.)
 * A text is used only while the note's content has the size it was computed from; the writer
 * tells each content it writes, so the last one told is the one in the row.
 */
const knownTexts = new WeakMap<SqliteDatabase, Map<string, { contentBytes: number; text: string }>>();

export function withKnownNoteTexts<T>(db: SqliteDatabase, work: () => T): T {
  if (knownTexts.has(db)) return work();
  knownTexts.set(db, new Map());
  try {
    return work();
  } finally {
    knownTexts.delete(db);
  }
}

/** Tell the bulk write's index the text of a note content being written (see above). */
export function knowNoteText(db: SqliteDatabase, id: string, content: string, text: string): void {
  knownTexts.get(db)?.set(id, { contentBytes: Buffer.byteLength(content, 'utf8'), text });
}
