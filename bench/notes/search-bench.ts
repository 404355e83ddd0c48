/**
 * Search over 20,000 notes: queries of one to three words (common words, words of one client's
 * life, rare one-off words, a prefix), each alone and with a client filter, a date range (the
 * last 90 days) and both, as the search page asks (limit 50). Four ways, interleaved query by
 * query:
 *
 * - `bare-plain`: plain SQLite, the FTS5 query alone, shaped as the notes core's (the matches
 *   ranked by BM25 with the same filters and limit, then the snippets of those): the baseline;
 * - `product-plain`: plain SQLite, the notes core's search (`searchNotes`: summaries, highlights);
 * - `product-encrypted`: the same on the encrypted store;
 * - `rpc`: `notes.search` through RPC (validation, the audit entry, results back to the window).
 */
import {
  MATCH_END,
  MATCH_START,
  searchNotes,
  sessionDateCondition,
  type SearchInput,
} from '../../src/core/notes/search';
import type { SqliteDatabase } from '../../src/core/store/open-database';
import { toMatchExpression } from '../../src/core/store/repositories/notes';
import { latencyStats, type LatencyStats } from '../sync/stats';
import { LAST_DAY, type BenchWorkstation, type Caseload } from './workstation';

export const SEARCH_TARGET_MS = 30;
export type SearchVariantKey = 'bare-plain' | 'product-plain' | 'product-encrypted' | 'rpc';
export type FilterKind = 'none' | 'client' | 'dates' | 'client+dates';
export type TermKind = 'common' | 'medium' | 'rare';

export interface SearchQuery {
  text: string;
  words: number;
  /** Notes the words match (no filter). */
  hits: number;
  kind: TermKind;
}

export interface SearchVariantResult {
  key: SearchVariantKey;
  label: string;
  stats: LatencyStats;
  /** CPU time of this process per search (less sensitive to a busy machine than wall time). */
  cpu: LatencyStats;
  /** By term kind and filter. */
  groups: Array<{ kind: TermKind; filter: FilterKind; stats: LatencyStats }>;
}

export interface SearchBenchResult {
  notes: number;
  queries: SearchQuery[];
  filters: { clientNotes: number; from: string; to: string; notesInRange: number };
  repetitions: number;
  variants: SearchVariantResult[];
  ratios: Array<{ key: SearchVariantKey; p50: number; p95: number }>;
  /** The slowest query/filter pairs through RPC (median of their runs), with the baseline's. */
  slowest: Array<{ query: string; filter: FilterKind; rpcMs: number; bareMs: number }>;
  targetMs: number;
}

const LABELS: Record<SearchVariantKey, string> = {
  'bare-plain': 'Plain SQLite: FTS5 query alone, same filters (baseline)',
  'product-plain': 'Plain SQLite: notes core search (summaries, highlights)',
  'product-encrypted': 'Encrypted: notes core search',
  rpc: 'Encrypted: notes.search through RPC (what the search page waits for)',
};

const LIMIT = 50;
const SESSION_DATE = `coalesce(CASE WHEN json_valid(n.content) THEN json_extract(n.content, '$.encounter.date') END, substr(n.created_at, 1, 10))`;

/** The FTS5 query alone: the ranked rows and their snippets, nothing else (no summaries). */
function bareSearch(sqlite: SqliteDatabase, input: SearchInput): unknown[] {
  const match = toMatchExpression(input.query);
  if (!match) return [];
  const where = ['note_search MATCH @match', 'n.is_protected = 0'];
  if (input.clientId) where.push('n.client_id = @clientId');
  const dates = sessionDateCondition(input.from, input.to);
  if (dates) where.push(dates.sql);
  return sqlite
    .prepare(
      `SELECT n.id, snippet(note_search, 0, '${MATCH_START}', '${MATCH_END}', '…', 16) AS marked
         FROM note_search JOIN session_notes n ON n.rowid = note_search.rowid
        WHERE note_search MATCH @match AND +note_search.rowid IN (
          SELECT n.rowid FROM note_search JOIN session_notes n ON n.rowid = note_search.rowid
           WHERE ${where.join(' AND ')} ORDER BY bm25(note_search), n.id LIMIT @limit)
        ORDER BY bm25(note_search), n.id`,
    )
    .all({
      match,
      clientId: input.clientId ?? null,
      from: input.from ?? null,
      to: input.to ?? null,
      ...dates?.params,
      limit: (input.limit ?? LIMIT) + 1,
    });
}

const daysBefore = (day: string, days: number): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);

/** The query texts: general clinical words, one client's details, one-off words, a prefix. */
function queryTexts(caseload: Caseload, plain: SqliteDatabase): string[] {
  const world = caseload.corpus.worlds.get(caseload.myClients[0]!)!;
  const count = plain.prepare('SELECT count(*) FROM note_search WHERE note_search MATCH ?').pluck();
  // One-off words that made it into a few notes.
  const rare = caseload.corpus.rareWords
    .filter((word) => {
      const n = count.get(toMatchExpression(word)) as number;
      return n >= 1 && n <= 5;
    })
    .slice(0, 2);
  return [
    'cravings',
    'sponsor',
    'sleep',
    'crav',
    'relapse prevention',
    'safety plan reviewed',
    'weekend cravings sponsor',
    world.medication,
    'custody mediation',
    world.employer.split(' ')[0]!,
    `${world.sponsor} coffee`,
    ...rare,
    `dog ${rare[0] ?? 'Wendover'}`,
  ];
}

export async function runSearchBench(
  ws: BenchWorkstation,
  plain: SqliteDatabase,
  caseload: Caseload,
  options: { quick: boolean; log: (line: string) => void },
): Promise<SearchBenchResult> {
  const repetitions = options.quick ? 1 : 5;
  const total = plain.prepare('SELECT count(*) FROM session_notes').pluck().get() as number;
  const count = plain.prepare('SELECT count(*) FROM note_search WHERE note_search MATCH ?').pluck();
  const queries: SearchQuery[] = queryTexts(caseload, plain).map((text) => {
    const hits = count.get(toMatchExpression(text)) as number;
    return {
      text,
      words: text.split(/\s+/).length,
      hits,
      kind: hits >= total * 0.05 ? 'common' : hits < total * 0.005 ? 'rare' : 'medium',
    };
  });
  const clientId = caseload.myClients[0]!;
  const to = LAST_DAY;
  const from = daysBefore(LAST_DAY, 90);
  const filterInputs: Record<FilterKind, Omit<SearchInput, 'query'>> = {
    none: {},
    client: { clientId },
    dates: { from, to },
    'client+dates': { clientId, from, to },
  };
  const filters = Object.keys(filterInputs) as FilterKind[];
  const me = caseload.me;
  const run: Record<SearchVariantKey, (input: SearchInput) => Promise<unknown> | unknown> = {
    'bare-plain': (input) => bareSearch(plain, input),
    'product-plain': (input) => searchNotes(plain, input, me),
    'product-encrypted': (input) => searchNotes(ws.sqlite, input, me),
    rpc: (input) => ws.rpc.call('notes.search', input),
  };
  const keys = Object.keys(run) as SearchVariantKey[];
  const samples = new Map<string, number[]>();
  const cpuSamples = new Map<SearchVariantKey, number[]>(keys.map((key) => [key, []]));
  const at = (key: SearchVariantKey, query: string, filter: FilterKind) => {
    const id = `${key}\u0000${query}\u0000${filter}`;
    let list = samples.get(id);
    if (!list) samples.set(id, (list = []));
    return list;
  };

  // One untimed pass: statements prepared, pages in the cache, as after a few searches.
  for (const query of queries)
    for (const filter of filters)
      for (const key of keys) await run[key]({ query: query.text, ...filterInputs[filter], limit: LIMIT });

  let turn = 0;
  for (let rep = 0; rep < repetitions; rep++) {
    for (const query of queries) {
      for (const filter of filters) {
        const input: SearchInput = { query: query.text, ...filterInputs[filter], limit: LIMIT };
        for (let j = 0; j < keys.length; j++) {
          const key = keys[(turn + j) % keys.length]!;
          const cpuStart = process.cpuUsage();
          const start = performance.now();
          await run[key](input);
          at(key, query.text, filter).push(performance.now() - start);
          const cpu = process.cpuUsage(cpuStart);
          cpuSamples.get(key)!.push((cpu.user + cpu.system) / 1000);
        }
        turn++;
      }
    }
    options.log(`notes/search: round ${rep + 1}/${repetitions}`);
  }

  const all = (key: SearchVariantKey, keep: (query: SearchQuery, filter: FilterKind) => boolean = () => true) =>
    queries.flatMap((query) => filters.flatMap((filter) => (keep(query, filter) ? at(key, query.text, filter) : [])));
  const variants: SearchVariantResult[] = keys.map((key) => ({
    key,
    label: LABELS[key],
    stats: latencyStats(all(key)),
    cpu: latencyStats(cpuSamples.get(key)!),
    groups: (['common', 'medium', 'rare'] as const).flatMap((kind) =>
      filters
        .map((filter) => ({
          kind,
          filter,
          stats: latencyStats(all(key, (q, f) => q.kind === kind && f === filter)),
        }))
        .filter((group) => group.stats.count > 0),
    ),
  }));
  const baseline = variants.find((v) => v.key === 'bare-plain')!;
  const median = (list: number[]) => latencyStats(list).p50Ms;
  const slowest = queries
    .flatMap((query) =>
      filters.map((filter) => ({
        query: query.text,
        filter,
        rpcMs: median(at('rpc', query.text, filter)),
        bareMs: median(at('bare-plain', query.text, filter)),
      })),
    )
    .sort((a, b) => b.rpcMs - a.rpcMs)
    .slice(0, 8);
  return {
    notes: total,
    queries,
    filters: {
      clientNotes: plain
        .prepare('SELECT count(*) FROM session_notes WHERE client_id = ?')
        .pluck()
        .get(clientId) as number,
      from,
      to,
      notesInRange: plain
        .prepare(`SELECT count(*) FROM session_notes n WHERE ${SESSION_DATE} BETWEEN ? AND ?`)
        .pluck()
        .get(from, to) as number,
    },
    repetitions,
    variants,
    ratios: variants.map((v) => ({
      key: v.key,
      p50: Math.round((v.stats.p50Ms / baseline.stats.p50Ms) * 100) / 100,
      p95: Math.round((v.stats.p95Ms / baseline.stats.p95Ms) * 100) / 100,
    })),
    slowest,
    targetMs: SEARCH_TARGET_MS,
  };
}
