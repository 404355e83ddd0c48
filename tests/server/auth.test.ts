import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devices, refreshTokens } from '../../src/server/db/schema.js';
import { BACKENDS, useBackends, type TestDatabase } from './helpers/backends.js';
import { createUser, errorOf, PASSWORD, startTestServer, type TestServer } from './helpers/fixtures.js';

const backends = useBackends();

describe.each(BACKENDS)('auth over HTTP on loopback (%s)', (backend) => {
  let database: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    database = await backends.open(backend);
    server = await startTestServer(database.db, { signInMaxFailures: 3, accessTokenTtlSeconds: 600 });
  });
  afterAll(async () => server?.close());

  it('signs in: access token, refresh token, registered device; /me answers', async () => {
    const user = await createUser(database.db);
    const session = await server.signIn(user.username.toUpperCase());
    expect(session.user).toMatchObject({ id: user.id, username: user.username, role: 'clinician' });
    expect(session.accessToken.split('.')).toHaveLength(3);
    expect(session.refreshToken.length).toBeGreaterThanOrEqual(40);
    const ttl = Date.parse(session.accessTokenExpiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(590_000);
    expect(ttl).toBeLessThanOrEqual(600_000);

    const [device] = await database.db.select().from(devices).where(eq(devices.id, session.deviceId));
    expect(device).toMatchObject({ userId: user.id, name: 'Test laptop', revokedAt: null });
    // The refresh token is stored only as a hash.
    const stored = await database.db.select().from(refreshTokens).where(eq(refreshTokens.deviceId, session.deviceId));
    expect(stored).toHaveLength(1);
    expect(stored[0]?.tokenHash).not.toContain(session.refreshToken);
    expect(JSON.stringify(stored)).not.toContain(session.refreshToken);

    const me = await server.get('/me', session.accessToken);
    expect(me.status).toBe(200);
    const body = (await me.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      user: { id: user.id, role: 'clinician' },
      device: { id: session.deviceId },
      scope: { clients: 0 },
    });
    expect(JSON.stringify(body)).not.toMatch(/argon2|password/i);

    // Signing in again with the device id reuses the device.
    const again = await server.signIn(user.username, { deviceId: session.deviceId });
    expect(again.deviceId).toBe(session.deviceId);
  });

  it('answers a wrong password and an unknown user with the same 401', async () => {
    const user = await createUser(database.db);
    const wrong = await errorOf(
      await server.post('/auth/sign-in', { username: user.username, password: 'not it at all', deviceName: 'x' }),
    );
    const unknown = await errorOf(
      await server.post('/auth/sign-in', { username: 'nobody-here', password: PASSWORD, deviceName: 'x' }),
    );
    expect(wrong).toEqual({ status: 401, code: 'INVALID_CREDENTIALS', message: 'Wrong username or password.' });
    expect(unknown).toEqual(wrong);
  });

  it('rate-limits repeated failures per username with 429 and Retry-After, even for the right password', async () => {
    const user = await createUser(database.db);
    for (let i = 0; i < 3; i += 1) {
      const response = await server.post('/auth/sign-in', {
        username: user.username,
        password: 'wrong',
        deviceName: 'x',
      });
      expect(response.status).toBe(401);
    }
    const limited = await server.post('/auth/sign-in', {
      username: user.username,
      password: PASSWORD,
      deviceName: 'x',
    });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await errorOf(limited)).code).toBe('RATE_LIMITED');
    // Another user from the same address is not affected.
    const other = await createUser(database.db);
    await expect(server.signIn(other.username)).resolves.toMatchObject({ user: { id: other.id } });
    // After the window the right password works again.
    server.advance(16 * 60_000);
    await expect(server.signIn(user.username)).resolves.toMatchObject({ user: { id: user.id } });
    server.advance(-16 * 60_000);
  });

  it('believes X-Forwarded-For only from the proxies it is told to trust', async () => {
    const user = await createUser(database.db);
    const signInFrom = (target: TestServer, username: string, password: string, address: string) =>
      target.post('/auth/sign-in', { username, password, deviceName: 'x' }, { 'x-forwarded-for': address });
    // Behind a trusted proxy (this test's loopback), each workstation's own address counts:
    // one locked out by its failures does not lock out another.
    const behindProxy = await startTestServer(database.db, { signInMaxFailures: 3, trustProxy: '127.0.0.1' });
    try {
      for (let i = 0; i < 3; i += 1) {
        expect((await signInFrom(behindProxy, user.username, 'wrong', '203.0.113.7')).status).toBe(401);
      }
      expect((await signInFrom(behindProxy, user.username, PASSWORD, '203.0.113.7')).status).toBe(429);
      expect((await signInFrom(behindProxy, user.username, PASSWORD, '203.0.113.8')).status).toBe(200);
    } finally {
      await behindProxy.close();
    }
    // Trusting no proxy (the default), the header is the client's word and is ignored: a client
    // cannot step out of its lockout by naming another address.
    const other = await createUser(database.db);
    for (let i = 0; i < 3; i += 1) {
      expect((await signInFrom(server, other.username, 'wrong', `198.51.100.${i + 1}`)).status).toBe(401);
    }
    const spoofed = await signInFrom(server, other.username, PASSWORD, '198.51.100.99');
    expect(spoofed.status).toBe(429);
  });

  it('rotates refresh tokens; reusing an old one revokes the whole family', async () => {
    const user = await createUser(database.db);
    const session = await server.signIn(user.username);
    const first = await server.post('/auth/refresh', { refreshToken: session.refreshToken });
    expect(first.status).toBe(200);
    const rotated = (await first.json()) as { accessToken: string; refreshToken: string; deviceId: string };
    expect(rotated.refreshToken).not.toBe(session.refreshToken);
    expect(rotated.deviceId).toBe(session.deviceId);
    expect((await server.get('/me', rotated.accessToken)).status).toBe(200);

    const second = await server.post('/auth/refresh', { refreshToken: rotated.refreshToken });
    expect(second.status).toBe(200);
    const latest = (await second.json()) as { refreshToken: string };

    // The first token comes back (stolen copy): refused, and the family is revoked.
    const reuse = await errorOf(await server.post('/auth/refresh', { refreshToken: session.refreshToken }));
    expect(reuse).toMatchObject({ status: 401, code: 'REFRESH_REUSED' });
    const afterReuse = await errorOf(await server.post('/auth/refresh', { refreshToken: latest.refreshToken }));
    expect(afterReuse).toMatchObject({ status: 401, code: 'REFRESH_INVALID' });

    const unknown = await errorOf(await server.post('/auth/refresh', { refreshToken: 'x'.repeat(43) }));
    expect(unknown).toMatchObject({ status: 401, code: 'REFRESH_INVALID' });
  });

  it('signs out: the refresh token stops working', async () => {
    const user = await createUser(database.db);
    const session = await server.signIn(user.username);
    const out = await server.post('/auth/sign-out', { refreshToken: session.refreshToken });
    expect(out.status).toBe(204);
    const refresh = await errorOf(await server.post('/auth/refresh', { refreshToken: session.refreshToken }));
    expect(refresh.code).toBe('REFRESH_INVALID');
  });

  it('answers DEVICE_REVOKED to access, refresh and sign-in once the device is revoked', async () => {
    const user = await createUser(database.db);
    const session = await server.signIn(user.username);
    const other = await server.signIn(user.username); // a second device stays usable
    await database.db.update(devices).set({ revokedAt: new Date() }).where(eq(devices.id, session.deviceId));

    expect(await errorOf(await server.get('/me', session.accessToken))).toMatchObject({
      status: 401,
      code: 'DEVICE_REVOKED',
    });
    expect(await errorOf(await server.post('/auth/refresh', { refreshToken: session.refreshToken }))).toMatchObject({
      status: 401,
      code: 'DEVICE_REVOKED',
    });
    const signIn = await server.post('/auth/sign-in', {
      username: user.username,
      password: PASSWORD,
      deviceName: 'Test laptop',
      deviceId: session.deviceId,
    });
    expect(await errorOf(signIn)).toMatchObject({ status: 401, code: 'DEVICE_REVOKED' });
    expect((await server.get('/me', other.accessToken)).status).toBe(200);
  });

  it('refuses expired, forged and missing access tokens with 401', async () => {
    const user = await createUser(database.db);
    const session = await server.signIn(user.username);
    server.advance(601_000);
    try {
      expect(await errorOf(await server.get('/me', session.accessToken))).toMatchObject({
        status: 401,
        code: 'TOKEN_EXPIRED',
      });
      // The refresh token still renews the session.
      const renewed = await server.post('/auth/refresh', { refreshToken: session.refreshToken });
      expect(renewed.status).toBe(200);
      const { accessToken } = (await renewed.json()) as { accessToken: string };
      expect((await server.get('/me', accessToken)).status).toBe(200);
    } finally {
      server.advance(-601_000);
    }
    const [header, payload] = session.accessToken.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(43)}`;
    expect(await errorOf(await server.get('/me', forged))).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(await errorOf(await server.get('/me'))).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(await errorOf(await server.get('/clients', 'not-a-jwt'))).toMatchObject({ status: 401 });
  });

  it('answers /health and 404 in the error format', async () => {
    expect(await (await server.get('/health')).json()).toEqual({ status: 'ok' });
    expect(await errorOf(await server.get('/nope'))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });
});
