import type { NoteSearchResult, NoteStatusFilter } from '../../shared/notes/rpc';
import type { SqliteDatabase } from '../store/open-database';
import { toMatchExpression } from '../store/repositories/notes';
import {
  statusCondition,
  SUMMARY_COLUMNS,
  SUMMARY_FROM,
  SUMMARY_JOINS,
  toSummary,
  VISIBLE,
  type NoteRow,
} from './notes-queries';

/**
 * Full-text search over the notes in the encrypted cache (FTS5 `note_search`, BM25 ranking),
 * with filters. The query is words, not FTS syntax (the last word matches as a prefix).
 * Protected notes (SUD counseling / psychotherapy) are found only when asked for, and only the
 * searcher's own. Matches come back as [start, end) ranges into a plain snippet: FTS5 wraps
 * them in private-use characters, which are removed here (they never occur in typed text).
 */
export const MATCH_START = '\uE000';
export const MATCH_END = '\uE001';

export interface SearchInput {
  query: string;
  clientId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  templateId?: string | undefined;
  status?: NoteStatusFilter | undefined;
  includeProtected?: boolean | undefined;
  limit?: number | undefined;
}

/** A snippet with markers → the plain snippet and the marked ranges (UTF-16 offsets). */
export function highlightRanges(marked: string): { snippet: string; highlights: Array<[number, number]> } {
  let snippet = '';
  const highlights: Array<[number, number]> = [];
  let open: number | null = null;
  for (const char of marked) {
    if (char === MATCH_START) {
      open ??= snippet.length;
    } else if (char === MATCH_END) {
      if (open !== null && snippet.length > open) highlights.push([open, snippet.length]);
      open = null;
    } else {
      snippet += char;
    }
  }
  if (open !== null && snippet.length > open) highlights.push([open, snippet.length]);
  // Adjacent ranges (two matched tokens with nothing between) read as one highlight.
  const merged: Array<[number, number]> = [];
  for (const range of highlights) {
    const last = merged.at(-1);
    if (last && last[1] === range[0]) last[1] = range[1];
    else merged.push([range[0], range[1]]);
  }
  return { snippet, highlights: merged };
}

/** Text that must not carry the markers' meaning: strip them from stored text before it is shown. */
const stripMarkers = (text: string): string => text.replace(/[\uE000\uE001]/g, '');

export function searchNotes(sqlite: SqliteDatabase, input: SearchInput, me: string | null): NoteSearchResult {
  const limit = input.limit ?? 50;
  const match = toMatchExpression(stripMarkers(input.query));
  const where = [VISIBLE];
  // Protected notes: only when asked for, and only one's own (VISIBLE already hides others').
  if (!input.includeProtected) where.push('n.is_protected = 0');
  if (input.clientId) where.push('n.client_id = @clientId');
  if (input.templateId) where.push('n.template_id = @templateId');
  const sessionDate = `coalesce(CASE WHEN json_valid(n.content) THEN json_extract(n.content, '$.encounter.date') END, substr(n.created_at, 1, 10))`;
  if (input.from) where.push(`${sessionDate} >= @from`);
  if (input.to) where.push(`${sessionDate} <= @to`);
  const status = statusCondition(input.status);
  if (status) where.push(status);
  const params = {
    me,
    match,
    clientId: input.clientId ?? null,
    templateId: input.templateId ?? null,
    from: input.from ?? null,
    to: input.to ?? null,
    limit: limit + 1,
  };
  type Hit = NoteRow & { marked: string | null };
  let rows: Hit[];
  if (match) {
    rows = sqlite
      .prepare(
        `SELECT ${SUMMARY_COLUMNS}, snippet(note_search, 0, '${MATCH_START}', '${MATCH_END}', '…', 16) AS marked
           FROM note_search JOIN session_notes n ON n.rowid = note_search.rowid ${SUMMARY_JOINS}
          WHERE note_search MATCH @match AND ${where.join(' AND ')}
          ORDER BY bm25(note_search), n.id LIMIT @limit`,
      )
      .all(params) as Hit[];
  } else if (input.query.trim() === '') {
    // No words: the filters alone, newest session first.
    rows = sqlite
      .prepare(
        `SELECT ${SUMMARY_COLUMNS}, NULL AS marked FROM ${SUMMARY_FROM}
          WHERE ${where.join(' AND ')} ORDER BY ${sessionDate} DESC, n.id LIMIT @limit`,
      )
      .all(params) as Hit[];
  } else {
    rows = [];
  }
  const more = rows.length > limit;
  return {
    hits: rows.slice(0, limit).map((row) => {
      const { snippet, highlights } =
        row.marked === null ? { snippet: '', highlights: [] } : highlightRanges(row.marked);
      return { note: toSummary(row, me), snippet, highlights };
    }),
    more,
  };
}
