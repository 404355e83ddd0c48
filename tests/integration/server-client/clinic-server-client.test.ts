import { eq } from 'drizzle-orm';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClinicServerClient, ClinicServerError } from '../../../src/core/clinic/clinic-server-client';
import { rejectionOf } from '../../helpers/async';
import { parseServerUrl } from '../../../src/core/clinic/server-url';
import { openDatabase, type Database } from '../../../src/server/db/database';
import { devices } from '../../../src/server/db/schema';
import { createUser, PASSWORD, startTestServer, type TestServer } from '../../server/helpers/fixtures';

/** The workstation's client against the real clinic server on loopback (embedded PGlite). */
let database: Database;
let server: TestServer;
let client: ClinicServerClient;
let username: string;

beforeAll(async () => {
  database = await openDatabase({ memory: true });
  server = await startTestServer(database.db);
  const parsed = parseServerUrl(server.url);
  if (!parsed.ok) throw new Error(parsed.problem);
  client = new ClinicServerClient({ baseUrl: parsed.url, timeoutMs: 5_000 });
  username = (await createUser(database.db)).username;
}, 60_000);

afterAll(async () => {
  await server?.close();
  await database?.close();
});

describe('workstation ⇄ clinic server authentication', () => {
  it('signs in, registers the device and can refresh (rotating the refresh token)', async () => {
    const session = await client.signIn({ username, password: PASSWORD, deviceName: 'Clinic laptop 7' });
    expect(session.user.username).toBe(username);
    const renewed = await client.refresh(session.refreshToken);
    expect(renewed.deviceId).toBe(session.deviceId);
    expect(renewed.refreshToken).not.toBe(session.refreshToken);
    // The old refresh token was used once: using it again is reuse, and ends the session.
    expect((await rejectionOf(client.refresh(session.refreshToken), ClinicServerError)).code).toBe('REFRESH_REUSED');
  });

  it('a wrong password is INVALID_CREDENTIALS, with the server’s sentence and no detail', async () => {
    const error = await rejectionOf(
      client.signIn({ username, password: 'not the password', deviceName: 'Laptop' }),
      ClinicServerError,
    );
    expect(error).toMatchObject({ code: 'INVALID_CREDENTIALS', status: 401 });
    expect(error.message).not.toContain('not the password');
  });

  it('a revoked device learns it must erase its cache', async () => {
    const session = await client.signIn({ username, password: PASSWORD, deviceName: 'Lost laptop' });
    await database.db.update(devices).set({ revokedAt: new Date() }).where(eq(devices.id, session.deviceId));
    expect((await rejectionOf(client.refresh(session.refreshToken), ClinicServerError)).code).toBe('DEVICE_REVOKED');
  });

  it('no server at the address is OFFLINE, not an error screen', async () => {
    const parsed = parseServerUrl('http://127.0.0.1:9');
    if (!parsed.ok) throw new Error(parsed.problem);
    const nowhere = new ClinicServerClient({ baseUrl: parsed.url, timeoutMs: 2_000 });
    expect(
      (await rejectionOf(nowhere.signIn({ username, password: PASSWORD, deviceName: 'Laptop' }), ClinicServerError))
        .code,
    ).toBe('OFFLINE');
  });

  it('something that is not a clinic server is BAD_RESPONSE', async () => {
    // A web server that answers every request with a page, as a captive portal or a wrong address would.
    const other = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html><body>Welcome to the hotel Wi-Fi</body></html>');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const parsed = parseServerUrl(`http://127.0.0.1:${(other.address() as AddressInfo).port}`);
      if (!parsed.ok) throw new Error(parsed.problem);
      const wrong = new ClinicServerClient({ baseUrl: parsed.url });
      expect(
        (await rejectionOf(wrong.signIn({ username, password: PASSWORD, deviceName: 'Laptop' }), ClinicServerError))
          .code,
      ).toBe('BAD_RESPONSE');
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });
});

describe('server address rules', () => {
  it('accepts https anywhere and plain http only to this computer', () => {
    expect(parseServerUrl('https://clinic.example.org').ok).toBe(true);
    expect(parseServerUrl('http://127.0.0.1:8443').ok).toBe(true);
    expect(parseServerUrl('http://localhost:8443').ok).toBe(true);
    expect(parseServerUrl('http://[::1]:8443').ok).toBe(true);
    expect(parseServerUrl('http://clinic.example.org')).toEqual({ ok: false, problem: 'INSECURE_URL' });
    expect(parseServerUrl('http://192.168.1.20:8443')).toEqual({ ok: false, problem: 'INSECURE_URL' });
    expect(parseServerUrl('http://127.0.0.1.evil.example')).toEqual({ ok: false, problem: 'INSECURE_URL' });
    expect(parseServerUrl('ftp://clinic.example.org')).toEqual({ ok: false, problem: 'UNSUPPORTED_URL' });
    expect(parseServerUrl('https://user:pw@clinic.example.org')).toEqual({ ok: false, problem: 'UNSUPPORTED_URL' });
    expect(parseServerUrl('not a url')).toEqual({ ok: false, problem: 'INVALID_URL' });
  });
});
