import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { int4, text } from '../../src/server/db/pglite-raw-fields.js';
import { copyRawFields } from '../../src/server/db/postgres-copy-fields.js';
import { startPostgres, type PostgresCluster } from './helpers/postgres.js';

/**
 * On PostgreSQL the clinic server reads pull pages with `COPY (…) TO STDOUT (FORMAT binary)`
 * (src/server/db/postgres-copy-fields.ts) so their JSON stays bytes. On a real PostgreSQL 15:
 * fields arrive as the bytes the database wrote, parameters are inlined as literals that cannot
 * become SQL, errors are the database's and leave the pool usable.
 */
describe('copyRawFields on PostgreSQL', () => {
  let cluster: PostgresCluster;
  let pool: pg.Pool;

  beforeAll(async () => {
    cluster = await startPostgres();
    pool = new pg.Pool({ connectionString: await cluster.createDatabase('copy_fields'), max: 2 });
    await pool.query('create table t (id int primary key, body text, n int)');
    await pool.query(`insert into t values (1, $1, 7), (2, null, null)`, ['{"name":"Zoë 🌱"}']);
  }, 90_000);
  afterAll(async () => {
    await pool?.end();
    await cluster?.stop();
  }, 60_000);

  it('returns each field as its bytes: text as UTF-8, int4 as a binary integer, null as null', async () => {
    const rows = await copyRawFields(
      pool,
      'select id, body, n, count(*) over ()::int from t where id >= $1 order by id',
      [1],
    );
    expect(rows).toHaveLength(2);
    const [first, second] = rows;
    expect(int4(first![0])).toBe(1);
    expect(new Uint8Array(first![1]!)).toEqual(new TextEncoder().encode('{"name":"Zoë 🌱"}'));
    expect(int4(first![2])).toBe(7);
    expect(int4(first![3])).toBe(2);
    expect(second![1]).toBeNull();
    expect(int4(second![2])).toBeNull();
  });

  it('inlines parameters as literals: quotes, backslashes and SQL in a value stay text', async () => {
    const hostile = `O'Brien \\ '); drop table t; -- $1`;
    const [row] = await copyRawFields(
      pool,
      `select $1::text, $2::text || '$1 stays', ($3::bigint + 1)::text, (not $4::boolean)::text, coalesce($5::text, 'none'), (-$6::int)::text`,
      [hostile, 'Zoë', 9_007_199_254_740_000, false, null, -3],
    );
    expect(row!.map(text)).toEqual([hostile, 'Zoë$1 stays', '9007199254740001', 'true', 'none', '3']);
    const [[count]] = (await copyRawFields(pool, 'select count(*)::int from t', [])) as [[Uint8Array]];
    expect(int4(count)).toBe(2);
  });

  it('returns a field of several megabytes whole, as a pull page is', async () => {
    const [[field]] = (await copyRawFields(pool, `select repeat('{"Zoë":"🌱"},', $1::int)`, [300_000])) as [
      [Uint8Array],
    ];
    const expected = Buffer.from('{"Zoë":"🌱"},'.repeat(300_000));
    expect(Buffer.compare(Buffer.from(field), expected)).toBe(0);
  });

  it("throws the database's error, and the pool goes on serving", async () => {
    await expect(copyRawFields(pool, 'select 1 / $1::int', [0])).rejects.toMatchObject({ code: '22012' });
    await expect(copyRawFields(pool, 'select * from no_such_table', [])).rejects.toMatchObject({ code: '42P01' });
    for (let i = 0; i < 3; i += 1) {
      const [[count]] = (await copyRawFields(pool, 'select count(*)::int from t', [])) as [[Uint8Array]];
      expect(int4(count)).toBe(2);
    }
  });

  it('refuses a parameter it cannot inline, or one the statement does not have, before asking the database', async () => {
    await expect(copyRawFields(pool, 'select $1::text', [{ not: 'scalar' }])).rejects.toThrow(TypeError);
    await expect(copyRawFields(pool, 'select $2::text', ['one'])).rejects.toThrow('no parameter $2');
    await expect(copyRawFields(pool, 'select $1::float', [Number.NaN])).rejects.toThrow(TypeError);
  });
});
