import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { int4, PgliteRawError, queryRawFields, text } from '../../src/server/db/pglite-raw-fields.js';

/**
 * The clinic server reads pull pages from PGlite through the wire protocol with binary results
 * (src/server/db/pglite-raw-fields.ts), on a real in-memory PGlite here: fields arrive as the
 * bytes the database wrote, parameters bind by position, errors are the database's, and the
 * statement never lands inside another caller's open transaction.
 */
describe('queryRawFields on PGlite', () => {
  let client: PGlite;

  beforeAll(async () => {
    client = new PGlite();
    await client.exec(`create table t (id int primary key, body text, n int)`);
    await client.query(`insert into t values (1, $1, 7), (2, null, null)`, ['{"name":"Zoë 🌱"}']);
  });
  afterAll(async () => client?.close());

  it('returns each field as its bytes: text as UTF-8, int4 as a binary integer, null as null', async () => {
    const rows = await queryRawFields(
      client,
      'select id, body, n, count(*) over ()::int from t where id >= $1 order by id',
      [1],
    );
    expect(rows).toHaveLength(2);
    const [first, second] = rows;
    expect(int4(first![0])).toBe(1);
    expect(first![1]).toEqual(new TextEncoder().encode('{"name":"Zoë 🌱"}'));
    expect(text(first![1])).toBe('{"name":"Zoë 🌱"}');
    expect(int4(first![2])).toBe(7);
    expect(int4(first![3])).toBe(2);
    expect(second![1]).toBeNull();
    expect(int4(second![2])).toBeNull();
    // A bigint read as an int4 would be a silent misreading: it is an error.
    const [[big]] = (await queryRawFields(client, 'select count(*) from t', [])) as [[Uint8Array]];
    expect(() => int4(big)).toThrow(PgliteRawError);
  });

  it('binds text, numbers, booleans and null by position, as text the database parses', async () => {
    const [row] = await queryRawFields(
      client,
      `select $1::text || '!', ($2::bigint + 1)::text, (not $3::boolean)::text, coalesce($4::text, 'none'), $5::int`,
      ['Zoë', 9_007_199_254_740_000, false, null, 42],
    );
    expect(row!.slice(0, 4).map(text)).toEqual(['Zoë!', '9007199254740001', 'true', 'none']);
    expect(int4(row![4])).toBe(42);
  });

  it("throws the database's error with its SQLSTATE, and the next statement runs normally", async () => {
    const failing = queryRawFields(client, 'select 1 / $1::int', [0]);
    await expect(failing).rejects.toBeInstanceOf(PgliteRawError);
    await expect(failing).rejects.toMatchObject({ code: '22012', message: 'division by zero' });
    await expect(queryRawFields(client, 'select * from no_such_table', [])).rejects.toMatchObject({ code: '42P01' });
    const [row] = await queryRawFields(client, 'select count(*)::int from t', []);
    expect(int4(row![0])).toBe(2);
  });

  it('returns a field of several megabytes whole, as a pull page is', async () => {
    // Larger than PGlite's output buffer, so the reply reaches the reader in several pieces.
    const [[field]] = (await queryRawFields(client, `select repeat('{"Zoë":"🌱"},', $1::int)`, [300_000])) as [
      [Uint8Array],
    ];
    const expected = new TextEncoder().encode('{"Zoë":"🌱"},'.repeat(300_000));
    expect(field.byteLength).toBe(expected.byteLength);
    expect(Buffer.compare(Buffer.from(field), Buffer.from(expected))).toBe(0);
  });

  it("leaves PGlite's notifications working: a listener still hears what is committed around raw reads", async () => {
    const heard: string[] = [];
    const unlisten = await client.listen('raw_fields_test', (payload) => heard.push(payload));
    await client.query(`select pg_notify('raw_fields_test', 'before')`);
    await queryRawFields(client, 'select count(*)::int from t', []);
    await client.transaction(async (tx) => {
      await tx.query(`select pg_notify('raw_fields_test', 'in a transaction')`);
    });
    await queryRawFields(client, 'select count(*)::int from t', []);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(heard).toEqual(['before', 'in a transaction']);
    await unlisten();
  });

  it('refuses to run on a closed database, with a clear error', async () => {
    const closed = new PGlite();
    await closed.close();
    await expect(queryRawFields(closed, 'select 1', [])).rejects.toThrow('the database is closed');
  });

  it('refuses a parameter it cannot send as text', async () => {
    await expect(queryRawFields(client, 'select $1::text', [{ not: 'scalar' }])).rejects.toThrow(TypeError);
  });

  it("waits for another caller's transaction to end instead of running inside it", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let inside!: () => void;
    const started = new Promise<void>((resolve) => (inside = resolve));
    const transaction = client
      .transaction(async (tx) => {
        await tx.query('insert into t values (3, null, null)');
        inside();
        await gate;
        await tx.rollback();
      })
      .catch(() => undefined);
    await started;
    let settled = false;
    const raw = queryRawFields(client, 'select count(*)::int from t', []).then((rows) => {
      settled = true;
      return rows;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Inside the open transaction it would have answered already, counting the uncommitted row.
    expect(settled).toBe(false);
    release();
    await transaction;
    const [row] = await raw;
    expect(int4(row![0])).toBe(2);
  });
});
