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

/** The session date (the encounter's, else the day the note was written): what from / to filter on. */
const SESSION_DATE = `coalesce(CASE WHEN json_valid(n.content) THEN json_extract(n.content, '$.encounter.date') END, substr(n.created_at, 1, 10))`;

const DAY_MS = 86_400_000;
function shiftDate(date: string, days: number): string | null {
  const ms = Date.parse(`${date}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(date) && Number.isFinite(ms)
    ? new Date(ms + days * DAY_MS).toISOString().slice(0, 10)
    : null;
}

/**
 * The from / to condition on the session date. That date is inside the note's JSON, which spans
 * overflow pages (reading it decrypts the whole note), so the session's start `started_at` decides
 * first where it can. It is the encounter's date, start time and zone as a UTC instant, written
 * with the content on every path (`projectNote`: drafts, pulled notes), and an instant is within a
 * day of its local date in every zone (offsets −12 h … +14 h; two days are allowed here). A note
 * that started more than two days outside the range is out, one that started two days inside it
 * is in, and only the rest (near the edges, no start time, a start before 2000: `Date.UTC` maps
 * years below 100 to the 1900s) has its JSON read.
 */
export function sessionDateCondition(
  from: string | undefined,
  to: string | undefined,
): { sql: string; params: Record<string, string> } | null {
  if (!from && !to) return null;
  const exact: string[] = [];
  const inside: string[] = [];
  const near: string[] = [];
  const params: Record<string, string> = {};
  let shortcut = true;
  if (from) {
    exact.push(`${SESSION_DATE} >= @from`);
    const [fromInside, fromNear] = [shiftDate(from, 2), shiftDate(from, -2)];
    if (fromInside && fromNear) Object.assign(params, { fromInside, fromNear });
    else shortcut = false;
    inside.push('n.started_at >= @fromInside');
    near.push('n.started_at >= @fromNear');
  }
  if (to) {
    exact.push(`${SESSION_DATE} <= @to`);
    const [toInside, toNear] = [shiftDate(to, -1), shiftDate(to, 3)];
    if (toInside && toNear) Object.assign(params, { toInside, toNear });
    else shortcut = false;
    inside.push('n.started_at < @toInside');
    near.push('n.started_at < @toNear');
  }
  const sessionDateIn = exact.join(' AND ');
  if (!shortcut) return { sql: `(${sessionDateIn})`, params: {} };
  return {
    sql: `(CASE WHEN n.started_at IS NULL OR n.started_at < '2000' THEN ${sessionDateIn}
      WHEN ${inside.join(' AND ')} THEN 1 WHEN ${near.join(' AND ')} THEN ${sessionDateIn} ELSE 0 END)`,
    params,
  };
}

export function searchNotes(sqlite: SqliteDatabase, input: SearchInput, me: string | null): NoteSearchResult {
  const limit = input.limit ?? 50;
  const match = toMatchExpression(stripMarkers(input.query));
  const where = [VISIBLE];
  // Protected notes: only when asked for, and only one's own (VISIBLE already hides others').
  if (!input.includeProtected) where.push('n.is_protected = 0');
  if (input.clientId) where.push('n.client_id = @clientId');
  if (input.templateId) where.push('n.template_id = @templateId');
  const dates = sessionDateCondition(input.from, input.to);
  if (dates) where.push(dates.sql);
  const status = statusCondition(input.status);
  if (status) where.push(status);
  const params = {
    me,
    match,
    clientId: input.clientId ?? null,
    templateId: input.templateId ?? null,
    from: input.from ?? null,
    to: input.to ?? null,
    ...dates?.params,
    limit: limit + 1,
  };
  type Hit = NoteRow & { marked: string | null };
  let rows: Hit[];
  if (match) {
    // Rank first (BM25 over every match, the filters, the limit), then build the summaries and
    // snippets of the ranked few only: a common word matches most notes. `+rowid` keeps the
    // outer query to one pass over the match: as a rowid constraint, FTS5 would rebuild the
    // (prefix) match for every id.
    rows = sqlite
      .prepare(
        `SELECT ${SUMMARY_COLUMNS}, snippet(note_search, 0, '${MATCH_START}', '${MATCH_END}', '…', 16) AS marked
           FROM note_search JOIN session_notes n ON n.rowid = note_search.rowid ${SUMMARY_JOINS}
          WHERE note_search MATCH @match AND +note_search.rowid IN (
            SELECT n.rowid FROM note_search JOIN session_notes n ON n.rowid = note_search.rowid ${SUMMARY_JOINS}
             WHERE note_search MATCH @match AND ${where.join(' AND ')}
             ORDER BY bm25(note_search), n.id LIMIT @limit)
          ORDER BY bm25(note_search), n.id`,
      )
      .all(params) as Hit[];
  } else if (input.query.trim() === '') {
    // No words: the filters alone, newest session first.
    rows = sqlite
      .prepare(
        `SELECT ${SUMMARY_COLUMNS}, NULL AS marked FROM ${SUMMARY_FROM}
          WHERE ${where.join(' AND ')} ORDER BY ${SESSION_DATE} DESC, n.id LIMIT @limit`,
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
