import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCli } from '../../src/server/admin/cli.js';
import { verifyAuditChain } from '../../src/server/audit/chain.js';
import { DataDirInUseError, openDatabase, type Database } from '../../src/server/db/database.js';
import { devices, users } from '../../src/server/db/schema.js';
import { BACKENDS, useBackends, type TestDatabase } from './helpers/backends.js';
import { startTestServer } from './helpers/fixtures.js';
import { runScript } from './helpers/run-script.js';

const backends = useBackends();
const spawnCli = (args: string[], stdin = '', env: NodeJS.ProcessEnv = {}) =>
  runScript('src/server/admin/cli.ts', args, { stdin, env });

/** Run the CLI in-process against an open test database (no close: the test owns it). */
async function run(database: Database, args: string[], stdin = '') {
  let stdout = '';
  let stderr = '';
  const code = await runAdminCli(
    args,
    {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      readStdin: async () => stdin,
    },
    {},
    async () => ({ ...database, close: async () => undefined }),
  );
  return { code, stdout, stderr };
}

describe('admin CLI as a child process on a PGlite data directory', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'continuum-admin-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('creates a user who can then sign in; never prints the hash', async () => {
    const created = await spawnCli(
      [
        '--data',
        dataDir,
        'create-user',
        '--username',
        'Casey',
        '--name',
        'Casey Synthetic',
        '--role',
        'clinician',
        '--password-stdin',
      ],
      'a long enough password\n',
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^Created clinician casey \([0-9a-f-]{36}\)\n$/);

    const listed = await spawnCli(['--data', dataDir, 'list-users']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/casey\tclinician\t-\tactive/);
    expect(listed.stdout).not.toMatch(/argon2/);

    const errors: string[] = [];
    const io = { stdout: () => undefined, stderr: (text: string) => void errors.push(text), readStdin: async () => '' };
    // The same data directory, opened by the server, accepts the password.
    const database = await openDatabase({ dataDir });
    try {
      const server = await startTestServer(database.db);
      try {
        const response = await server.post('/auth/sign-in', {
          username: 'casey',
          password: 'a long enough password',
          deviceName: 'Laptop',
        });
        expect(response.status).toBe(200);
      } finally {
        await server.close();
      }
      // While the directory is open, nobody else may open it (PGlite is single-process).
      await expect(openDatabase({ dataDir })).rejects.toBeInstanceOf(DataDirInUseError);
      const busy = await runAdminCli(['--data', dataDir, 'list-users'], io, {});
      expect(busy).toBe(1);
      expect(errors.join('')).toMatch(/in use by process/);
    } finally {
      await database.close();
    }
  }, 60_000);

  it('prints usage errors with exit code 2', async () => {
    const unknown = await spawnCli(['--data', dataDir, 'frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command: frobnicate/);
    expect(unknown.stderr).toMatch(/Usage: npm run admin/);
  }, 30_000);
});

describe.each(BACKENDS)('admin commands (%s)', (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await backends.open(backend);
  });

  it('runs the round trip: users, clients, assignments, supervisors, devices, passwords', async () => {
    const sup = await run(database, ['create-user', '--username', 'sam', '--name', 'Sam', '--role', 'supervisor']);
    expect(sup.code).toBe(0);
    expect(sup.stdout).toMatch(/Temporary password \(shown once\): \S{20,}/);
    const cli1 = await run(
      database,
      [
        'create-user',
        '--username',
        'ana',
        '--name',
        'Ana',
        '--role',
        'clinician',
        '--supervisor',
        'sam',
        '--password-stdin',
      ],
      'ana password is long\n',
    );
    expect(cli1.code).toBe(0);
    expect(
      (await run(database, ['create-user', '--username', 'ana', '--name', 'A', '--role', 'clinician'])).stderr,
    ).toMatch(/already exists/);
    expect((await run(database, ['create-user', '--username', 'x1', '--name', 'X', '--role', 'root'])).code).toBe(2);
    const missing = await run(database, ['create-user', '--username', 'xy']);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringMatching(/--name is required/) });
    expect(
      (
        await run(
          database,
          ['create-user', '--username', 'x2', '--name', 'X', '--role', 'clinician', '--password-stdin'],
          'short',
        )
      ).stderr,
    ).toMatch(/at least 12/);

    const client = await run(database, [
      'create-client',
      '--given-name',
      'Synthetic',
      '--family-name',
      'Client',
      '--dob',
      '1988-02-29',
      '--program',
      'aftercare',
    ]);
    const clientId = /Created client ([0-9a-f-]{36})/.exec(client.stdout)?.[1] ?? '';
    expect(clientId).not.toBe('');
    expect(
      (await run(database, ['assign-client', '--username', 'ana', '--client', clientId, '--kind', 'caseload'])).code,
    ).toBe(0);
    expect(
      (await run(database, ['assign-client', '--username', 'ana', '--client', 'nope', '--kind', 'caseload'])).stderr,
    ).toMatch(/--client: Invalid UUID/);

    // The assignment is visible through the API, for Ana and her supervisor.
    const server = await startTestServer(database.db);
    try {
      const session = await server.signIn('ana', { password: 'ana password is long' });
      const listed = (await (await server.get('/clients', session.accessToken)).json()) as {
        clients: { id: string }[];
      };
      expect(listed.clients.map((entry) => entry.id)).toEqual([clientId]);

      expect((await run(database, ['unassign-client', '--username', 'ana', '--client', clientId])).code).toBe(0);
      expect((await run(database, ['unassign-client', '--username', 'ana', '--client', clientId])).code).toBe(2);
      const after = (await (await server.get('/clients', session.accessToken)).json()) as { clients: unknown[] };
      expect(after.clients).toEqual([]);

      const devicesOut = await run(database, ['list-devices', '--username', 'ana']);
      expect(devicesOut.stdout).toContain(session.deviceId);
      expect((await run(database, ['revoke-device', '--device', session.deviceId])).code).toBe(0);
      const [device] = await database.db.select().from(devices).where(eq(devices.id, session.deviceId));
      expect(device?.revokedAt).not.toBeNull();
      const revoked = await server.get('/me', session.accessToken);
      expect(((await revoked.json()) as { error: { code: string } }).error.code).toBe('DEVICE_REVOKED');

      // set-password: the new password works, the old one does not.
      expect(
        (await run(database, ['set-password', '--username', 'ana', '--password-stdin'], 'a brand new password')).code,
      ).toBe(0);
      const old = await server.post('/auth/sign-in', {
        username: 'ana',
        password: 'ana password is long',
        deviceName: 'L',
      });
      expect(old.status).toBe(401);
      await expect(server.signIn('ana', { password: 'a brand new password' })).resolves.toBeDefined();
    } finally {
      await server.close();
    }

    expect((await run(database, ['set-supervisor', '--username', 'ana', '--none'])).code).toBe(0);
    const [ana] = await database.db.select().from(users).where(eq(users.username, 'ana'));
    expect(ana?.supervisorId).toBeNull();
    expect((await run(database, ['set-supervisor', '--username', 'ana', '--supervisor', 'ana'])).code).toBe(2);

    const list = await run(database, ['list-users']);
    expect(list.stdout).not.toMatch(/argon2|\$/);
    expect(list.stdout).toMatch(/ana\tclinician\t-\tactive/);

    const actions = await database.raw(`select action from audit_log where action like 'admin.%' order by seq`);
    expect(actions.map((row) => row['action'])).toEqual([
      'admin.create_user',
      'admin.create_user',
      'admin.create_client',
      'admin.assign_client',
      'admin.unassign_client',
      'admin.revoke_device',
      'admin.set_password',
      'admin.set_supervisor',
    ]);
    expect(await run(database, ['verify-audit'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/intact/) });
    expect((await verifyAuditChain(database.db)).ok).toBe(true);
  }, 60_000);
});
