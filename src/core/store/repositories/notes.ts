import { and, desc, eq, sql } from 'drizzle-orm';
import type { WorkstationDb } from '../db';
import { StoreError, toStoreError } from '../errors';
import { sessionNotes, type NoteContent, type NoteTemplate, type NoteType } from '../schema';

export const PROTECTED_NOTE_TYPES: readonly NoteType[] = ['sud_counseling', 'psychotherapy'];

export interface DraftInput {
  id: string;
  clientId: string;
  authorId: string;
  noteType: NoteType;
  template: NoteTemplate;
  content: NoteContent;
  appointmentId?: string | null;
  startedAt?: string | null;
  lateEntry?: boolean;
}

export interface SavedDraft {
  id: string;
  draftRevision: number;
  updatedAt: string;
}

/**
 * Save (insert or update) a draft. Returns only after the write committed with
 * synchronous=FULL, i.e. the text is on disk. Refuses to change a signed note (the database
 * also refuses by trigger). Disk full → DiskFullError; nothing is partially written.
 */
export function saveDraft(db: WorkstationDb, draft: DraftInput, now = new Date().toISOString()): SavedDraft {
  try {
    const rows = db
      .insert(sessionNotes)
      .values({
        id: draft.id,
        clientId: draft.clientId,
        authorId: draft.authorId,
        noteType: draft.noteType,
        template: draft.template,
        isProtected: PROTECTED_NOTE_TYPES.includes(draft.noteType),
        status: 'draft',
        content: draft.content,
        appointmentId: draft.appointmentId ?? null,
        startedAt: draft.startedAt ?? null,
        lateEntry: draft.lateEntry ?? false,
        draftRevision: 1,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoUpdate({
        target: sessionNotes.id,
        set: {
          content: draft.content,
          lateEntry: draft.lateEntry ?? false,
          draftRevision: sql`${sessionNotes.draftRevision} + 1`,
          updatedAt: now,
        },
        setWhere: eq(sessionNotes.status, 'draft'),
      })
      .returning({ id: sessionNotes.id, draftRevision: sessionNotes.draftRevision, updatedAt: sessionNotes.updatedAt })
      .all();
    const saved = rows[0];
    if (!saved) throw new StoreError('STORE_IO', 'This note is signed: add an addendum instead of editing it.');
    return saved;
  } catch (error) {
    throw toStoreError(error, 'saving the draft');
  }
}

/** The newest notes of one client (drafts and signed), newest first. */
export function recentNotes(db: WorkstationDb, clientId: string, limit = 10) {
  return db
    .select()
    .from(sessionNotes)
    .where(eq(sessionNotes.clientId, clientId))
    .orderBy(desc(sessionNotes.createdAt))
    .limit(limit)
    .all();
}

export interface NoteSearchHit {
  noteId: string;
  clientId: string;
  noteType: NoteType;
  createdAt: string;
  snippet: string;
}

/**
 * Full-text search over note text (FTS5, BM25 ranking). The query is treated as words, not
 * FTS syntax: each word must occur; the last one matches as a prefix. Protected note types
 * are excluded unless asked for.
 */
export function searchNotes(
  db: WorkstationDb,
  query: string,
  options: { limit?: number; includeProtected?: boolean; clientId?: string } = {},
): NoteSearchHit[] {
  const match = toMatchExpression(query);
  if (!match) return [];
  const sqlite = db.$client;
  const conditions = ['note_search MATCH @match'];
  if (!options.includeProtected) conditions.push('n.is_protected = 0');
  if (options.clientId) conditions.push('n.client_id = @clientId');
  const rows = sqlite
    .prepare(
      `SELECT n.id AS noteId, n.client_id AS clientId, n.note_type AS noteType, n.created_at AS createdAt,
              snippet(note_search, 0, '[', ']', '…', 12) AS snippet
         FROM note_search JOIN session_notes n ON n.rowid = note_search.rowid
        WHERE ${conditions.join(' AND ')}
        ORDER BY bm25(note_search) LIMIT @limit`,
    )
    .all({
      match,
      limit: options.limit ?? 20,
      ...(options.clientId ? { clientId: options.clientId } : {}),
    }) as NoteSearchHit[];
  return rows;
}

/** Rebuild the search index from session_notes (after a VACUUM, which may renumber rowids). */
export function rebuildNoteSearch(db: WorkstationDb): void {
  db.$client.exec("INSERT INTO note_search(note_search) VALUES ('rebuild')");
}

export function toMatchExpression(query: string): string | null {
  const words = query
    .normalize('NFKC')
    .split(/[\s"*^():]+/u)
    .map((w) => w.trim())
    .filter((w) => w.length > 0)
    .slice(0, 16);
  if (words.length === 0) return null;
  return words.map((w, i) => `"${w.replace(/"/g, '""')}"${i === words.length - 1 ? '*' : ''}`).join(' ');
}

export function isDraft(db: WorkstationDb, noteId: string): boolean {
  const row = db
    .select({ id: sessionNotes.id })
    .from(sessionNotes)
    .where(and(eq(sessionNotes.id, noteId), eq(sessionNotes.status, 'draft')))
    .get();
  return row !== undefined;
}
