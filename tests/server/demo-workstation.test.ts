import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/server/db/database.js';
import { DEMO_PASSWORD, DEMO_SIGN_IN_USERNAME } from '../../src/server/demo/credentials.js';
import { type DemoClinic, generateDemoClinic } from '../../src/server/demo/generate.js';
import { writeDemoClinic } from '../../src/server/demo/seed.js';
import { setUpDemoWorkstation } from '../../src/harness/demo-workstation.js';
import { startTestCore } from '../helpers/core.js';
import { tempDir } from '../helpers/temp-dir.js';
import { startTestServer, type TestServer } from './helpers/fixtures.js';

/**
 * The harness half of `npm run demo`: a real workstation core (real SQLCipher cache) set up
 * through its own RPC methods, signed in to the real clinic server with the demo clinic, then
 * syncing the clinician's caseload. A small clinic keeps it quick.
 */
const PASSPHRASE = 'a demo passphrase for this test';
let database: Database;
let server: TestServer;
let clinic: DemoClinic;

beforeAll(async () => {
  database = await openDatabase({ memory: true });
  clinic = generateDemoClinic({ clients: 6 });
  await writeDemoClinic(database.db, clinic);
  server = await startTestServer(database.db);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await database?.close();
});

const demoOptions = () => ({
  serverUrl: server.url,
  username: DEMO_SIGN_IN_USERNAME,
  password: DEMO_PASSWORD,
  passphrase: PASSPHRASE,
});

describe('demo workstation set-up', () => {
  it("signs an empty profile in, creates its passphrase and syncs the clinician's caseload; a set-up profile is left alone", async () => {
    const profile = tempDir('continuum-demo-ws-');
    const { core, client } = startTestCore(profile, { deviceName: 'Demo laptop' });

    expect(await setUpDemoWorkstation(core, demoOptions())).toEqual({
      status: 'signedIn',
      displayName: 'Jamie Example',
    });
    expect(await client.call('session.status', {})).toMatchObject({
      state: 'signedIn',
      serverUrl: `${server.url}/`,
      user: { username: DEMO_SIGN_IN_USERNAME, role: 'clinician' },
    });
    expect((await client.call('vault.status', {})).state).toBe('unlocked');

    // The first sync brings exactly the clinician's clients onto the caseload.
    const me = clinic.users.find((user) => user.username === DEMO_SIGN_IN_USERNAME)?.id;
    const mine = new Set(clinic.assignments.filter((a) => a.userId === me).map((a) => a.clientId));
    let rows: { id: string }[] = [];
    const deadline = Date.now() + 20_000;
    while (rows.length < mine.size && Date.now() < deadline) {
      await client.call('sync.now', {});
      rows = (await client.call('caseload.list', {})).rows;
    }
    expect(new Set(rows.map((row) => row.id))).toEqual(mine);

    // Starting the demo again: nothing to do, the passphrase unlocks what is there.
    expect(await setUpDemoWorkstation(core, demoOptions())).toEqual({ status: 'alreadySetUp', vault: 'unlocked' });
    await client.call('vault.lock', {});
    expect(await setUpDemoWorkstation(core, demoOptions())).toEqual({ status: 'alreadySetUp', vault: 'locked' });
  }, 60_000);

  it('reports a refused sign-in in words and leaves the profile un-initialised', async () => {
    const { core, client } = startTestCore(tempDir('continuum-demo-ws-'), { deviceName: 'Demo laptop' });
    const outcome = await setUpDemoWorkstation(core, { ...demoOptions(), password: 'not the demo password' });
    expect(outcome).toMatchObject({ status: 'failed', step: 'signIn', code: 'INVALID_CREDENTIALS' });
    expect((await client.call('vault.status', {})).state).toBe('uninitialised');
    expect((await client.call('session.status', {})).state).toBe('signedOut');
  });
});
