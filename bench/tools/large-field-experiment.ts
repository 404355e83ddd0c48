/**
 * What one large text field costs to read against the same bytes in many rows, on the test
 * helper's PostgreSQL 15 (binary COPY through node-postgres, as the pull reads a page:
 * src/server/db/postgres-copy-fields.ts) and on PGlite (src/server/db/pglite-raw-fields.ts):
 * 31 reads each of one 2.6 MB field, a thousand 2.6 KB rows, a string_agg of those, and one
 * 260 KB field. This is why a pull page comes back as one row per change (src/server/sync/pull.ts,
 * `pageQuery`) instead of one joined text.
 *
 *   npx tsx bench/tools/large-field-experiment.ts [--rounds 2]
 *
 * A tool for the server's owners (see BENCHMARKS.md, "Sync"), not a product code path.
 */
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { queryRawFields } from '../../src/server/db/pglite-raw-fields';
import { copyRawFields } from '../../src/server/db/postgres-copy-fields';
import { startPostgres } from '../../tests/server/helpers/postgres';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '2' } } });
const SHAPES: Array<[string, string]> = [
  ['one 2.6 MB field', `select repeat('x', 2600000)`],
  ['1,000 rows of 2.6 KB', `select repeat('x', 2600) from generate_series(1, 1000)`],
  ['string_agg of 1,000 × 2.6 KB', `select string_agg(repeat('x', 2600), ',') from generate_series(1, 1000)`],
  ['one 260 KB field', `select repeat('x', 260000)`],
  ['length of one 2.6 MB text (not sent)', `select length(repeat('x', 2600000))`],
];

async function measure(name: string, read: (sql: string) => Promise<unknown>): Promise<void> {
  for (let round = 1; round <= Number(values.rounds); round += 1) {
    for (const [label, sql] of SHAPES) {
      const t0 = performance.now();
      for (let i = 0; i < 31; i += 1) await read(sql);
      console.log(
        `${name} round ${round}: ${label.padEnd(38)} ${(performance.now() - t0).toFixed(0).padStart(5)} ms for 31`,
      );
    }
  }
}

const cluster = await startPostgres();
try {
  const pool = new pg.Pool({ connectionString: await cluster.createDatabase('large_field'), max: 1 });
  await measure('PostgreSQL', (sql) => copyRawFields(pool, sql, []));
  await pool.end();
} finally {
  await cluster.stop();
}
const lite = new PGlite();
await lite.waitReady;
await measure('PGlite', (sql) => queryRawFields(lite, sql, []));
await lite.close();
