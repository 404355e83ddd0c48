/**
 * Where PostgreSQL's time goes in an initial sync's pull: the demo clinic on the test helper's
 * PostgreSQL 15, the 31 pages pulled in-process (`pullChanges`, src/server/sync/pull.ts), and
 * PostgreSQL's own duration of every statement of one pass, read from its log
 * (`log_min_duration_statement = 0` for that pass), summed per statement. Then passes with `jit`
 * on and off in turn (Debian's build ships llvmjit, so JIT is on by default), and with
 * `--explain` the page statement's EXPLAIN ANALYZE.
 *
 *   npx tsx bench/tools/postgres-pull-statements.ts [--notes-per-client 333] [--runs 3] [--explain]
 *
 * A tool for the server's owners (see BENCHMARKS.md, "Sync"), not a product code path.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { PgDialect } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { openDatabase } from '../../src/server/db/database';
import { clientsInScope } from '../../src/server/scope';
import { pageQuery, pullChanges } from '../../src/server/sync/pull';
import { SYNC_PROTOCOL_VERSION } from '../../src/shared/sync/protocol';
import { startPostgres } from '../../tests/server/helpers/postgres';
import { median } from '../sync/stats';
import { seedDemoCaseload } from '../sync/demo-caseload';

const { values } = parseArgs({
  options: {
    'notes-per-client': { type: 'string', default: '333' },
    runs: { type: 'string', default: '3' },
    explain: { type: 'boolean', default: false },
  },
});
const notesPerClient = Number(values['notes-per-client']);
const runs = Number(values.runs);

const cluster = await startPostgres();
try {
  const url = await cluster.createDatabase('pull_statements');
  // Settings are changed cluster-wide (ALTER SYSTEM + reload) so the server's pool sees them.
  const admin = new pg.Client({ connectionString: cluster.adminUrl });
  await admin.connect();
  const reconfigure = async (statement: string) => {
    await admin.query(statement);
    await admin.query('SELECT pg_reload_conf()');
    await new Promise((resolve) => setTimeout(resolve, 200));
  };
  const database = await openDatabase({ databaseUrl: url });
  const { db } = database;
  process.stderr.write(`seeding 60 clients × ${notesPerClient} notes…\n`);
  const { principal } = await seedDemoCaseload(db, { clients: 60, notesPerClient });
  const probe = new pg.Client({ connectionString: url });
  await probe.connect();
  await probe.query('VACUUM ANALYZE');

  let replica = 0;
  const pass = async () => {
    let cursor: string | null = null;
    let pages = 0;
    replica += 1;
    const t0 = performance.now();
    for (;;) {
      const answer = await pullChanges(
        db,
        principal,
        { protocolVersion: SYNC_PROTOCOL_VERSION, replicaId: `statements-${replica}`, cursor, limit: 1000 },
        new Date(),
      );
      pages += 1;
      if (!answer.next) throw new Error('not an ok page');
      cursor = answer.next.cursor;
      if (!answer.next.hasMore) break;
    }
    return { ms: performance.now() - t0, pages };
  };
  await pass(); // warm-up

  if (values.explain) {
    const scope = (await clientsInScope(db, principal)).map((c) => c.id);
    const { sql, params } = new PgDialect().sqlToQuery(pageQuery(principal, 10_000, scope, 1000, 'text'));
    const plan = await probe.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
    console.log(plan.rows.map((row) => row['QUERY PLAN']).join('\n'));
  }

  // One pass with every statement's duration in PostgreSQL's log.
  const { data_directory: dataDir } = (await admin.query<{ data_directory: string }>('SHOW data_directory')).rows[0]!;
  const logFile = join(dirname(dataDir), 'server.log');
  await reconfigure('ALTER SYSTEM SET log_min_duration_statement = 0');
  const logStart = statSync(logFile).size;
  const logged = await pass();
  await reconfigure('ALTER SYSTEM RESET log_min_duration_statement');
  const log = readFileSync(logFile, 'utf8').slice(logStart);
  const spent = new Map<string, { n: number; ms: number }>();
  for (const match of log.matchAll(
    /duration: ([\d.]+) ms\s+(statement|execute|parse|bind)[^:]*: ([\s\S]{0,400}?)(?=\n\d{4}-\d\d-\d\d |$)/g,
  )) {
    const phase = match[2] === 'statement' ? '' : `${match[2]} `;
    const key = phase + match[3]!.replace(/\s+/g, ' ').trim().slice(0, 70);
    const entry = spent.get(key) ?? { n: 0, ms: 0 };
    entry.n += 1;
    entry.ms += Number(match[1]);
    spent.set(key, entry);
  }
  console.log(`one pass: ${logged.ms.toFixed(0)} ms, ${logged.pages} pages; PostgreSQL's durations:`);
  for (const [key, { n, ms }] of [...spent].sort((a, b) => b[1].ms - a[1].ms).slice(0, 10))
    console.log(`${ms.toFixed(0).padStart(6)} ms ${String(n).padStart(4)}× ${key}`);

  const on: number[] = [];
  const off: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    await reconfigure('ALTER SYSTEM SET jit = on');
    on.push((await pass()).ms);
    await reconfigure('ALTER SYSTEM SET jit = off');
    off.push((await pass()).ms);
  }
  await reconfigure('ALTER SYSTEM RESET jit');
  const list = (ms: number[]) => ms.map((x) => x.toFixed(0)).join(', ');
  console.log(`passes, interleaved: jit on median ${median(on).toFixed(0)} ms (${list(on)})`);
  console.log(`                     jit off median ${median(off).toFixed(0)} ms (${list(off)})`);
  await probe.end();
  await admin.end();
  await database.close();
} finally {
  await cluster.stop();
}
