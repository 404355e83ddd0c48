import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startPostgres, type PostgresCluster } from './helpers/postgres.js';

describe('throwaway PostgreSQL cluster', () => {
  let cluster: PostgresCluster | undefined;
  afterAll(async () => cluster?.stop());

  it('starts PostgreSQL 15 on loopback with trust auth and creates databases', async () => {
    cluster = await startPostgres();
    const url = await cluster.createDatabase('helper_check');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('show server_version');
    await client.end();
    expect(rows[0]?.server_version).toMatch(/^15\./);
  }, 90_000);

  it('fails with an install hint when the PostgreSQL binaries are missing', async () => {
    await expect(startPostgres('/nonexistent/postgresql/bin')).rejects.toThrow(
      /install the Debian package `postgresql`/,
    );
  });
});
