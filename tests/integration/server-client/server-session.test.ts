import { eq } from 'drizzle-orm';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClinicServerError } from '../../../src/core/clinic/clinic-server-client';
import { ServerSession, type SessionEvent } from '../../../src/core/clinic/server-session';
import { openWorkstationStore, type WorkstationStore } from '../../../src/core/store/workstation-store';
import { unavailableKeychain } from '../../../src/core/vault/keychain';
import { openDatabase, type Database } from '../../../src/server/db/database';
import { devices } from '../../../src/server/db/schema';
import { rejectionOf } from '../../helpers/async';
import { tempDir } from '../../helpers/temp-dir';
import { createUser, PASSWORD, startTestServer, type TestServer } from '../../server/helpers/fixtures';
import { FAST_SCRYPT, MIGRATIONS_DIR } from '../store/seed';

/** The workstation's server session: real clinic server on loopback, real encrypted store. */
let database: Database;
let server: TestServer;

beforeAll(async () => {
  database = await openDatabase({ memory: true });
  server = await startTestServer(database.db);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await database?.close();
});

const WORKSTATION_PASSPHRASE = 'session test passphrase';

async function workstation(profileDir: string, now: () => number = Date.now) {
  const store: WorkstationStore = await openWorkstationStore({
    profileDir,
    migrationsDir: MIGRATIONS_DIR,
    keychain: unavailableKeychain(),
    scrypt: FAST_SCRYPT,
  });
  if ((await store.vault.status()).state === 'uninitialised') await store.vault.create(WORKSTATION_PASSPHRASE);
  else await store.vault.unlock(WORKSTATION_PASSPHRASE);
  const events: SessionEvent[] = [];
  const session = new ServerSession(
    () => store.db,
    (event) => events.push(event),
    now,
  );
  return { store, session, events };
}

describe('server session on the workstation', () => {
  it('signs in, keeps the refresh token only inside the encrypted cache, and survives a restart', async () => {
    const profile = tempDir();
    const { username } = await createUser(database.db);
    const first = await workstation(profile);
    const user = await first.session.signIn({
      serverUrl: server.url,
      username,
      password: PASSWORD,
      deviceName: 'Laptop',
    });
    expect(user.username).toBe(username);
    const token = await first.session.accessToken();
    expect((await server.get('/me', token)).status).toBe(200);
    const refreshToken = first.store.sqlite
      .prepare("SELECT value FROM store_meta WHERE key = 'server.refreshToken'")
      .pluck()
      .get() as string;
    first.store.close();

    for (const name of readdirSync(profile).filter((file) => !file.startsWith('logs'))) {
      expect(readFileSync(join(profile, name)).includes(Buffer.from(refreshToken)), name).toBe(false);
    }

    // A restarted workstation renews its access token from the stored refresh token, offline-first.
    const second = await workstation(profile);
    try {
      expect(second.session.user()?.user.username).toBe(username);
      const renewed = await second.session.accessToken();
      expect(renewed).not.toBe(token);
      expect((await server.get('/me', renewed)).status).toBe(200);
    } finally {
      second.store.close();
    }
  });

  it('renews the access token shortly before it expires, not before', async () => {
    const { username } = await createUser(database.db);
    let now = Date.now();
    const { store, session } = await workstation(tempDir(), () => now);
    try {
      await session.signIn({ serverUrl: server.url, username, password: PASSWORD, deviceName: 'Laptop' });
      const first = await session.accessToken();
      now += 10 * 60_000; // 10 of the token's 15 minutes
      expect(await session.accessToken()).toBe(first);
      now += 4.5 * 60_000; // within the last minute
      const renewed = await session.accessToken();
      expect(renewed).not.toBe(first);
      expect((await server.get('/me', renewed)).status).toBe(200);
    } finally {
      store.close();
    }
  });

  it('a revoked device is told to erase its cache, and its session is gone', async () => {
    const { username } = await createUser(database.db);
    const { store, session, events } = await workstation(tempDir());
    try {
      await session.signIn({ serverUrl: server.url, username, password: PASSWORD, deviceName: 'Stolen laptop' });
      const deviceId = store.sqlite
        .prepare("SELECT value FROM store_meta WHERE key = 'server.deviceId'")
        .pluck()
        .get() as string;
      await database.db.update(devices).set({ revokedAt: new Date() }).where(eq(devices.id, deviceId));
      const fresh = new ServerSession(
        () => store.db,
        (event) => events.push(event),
      );
      expect((await rejectionOf(fresh.accessToken(), ClinicServerError)).code).toBe('DEVICE_REVOKED');
      expect(events).toEqual(['deviceRevoked']);
      expect(fresh.user()).toBeNull();
    } finally {
      store.close();
    }
  });

  it('refuses plain http to another computer before sending anything', async () => {
    const { store, session } = await workstation(tempDir());
    try {
      const error = await rejectionOf(
        session.signIn({ serverUrl: 'http://clinic.example.org', username: 'u', password: 'p', deviceName: 'Laptop' }),
        ClinicServerError,
      );
      expect(error.code).toBe('INSECURE_URL');
      expect(session.user()).toBeNull();
    } finally {
      store.close();
    }
  });
});
