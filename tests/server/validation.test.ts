import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, useBackends, type TestDatabase } from './helpers/backends.js';
import { createUser, errorOf, PASSWORD, startTestServer, type TestServer } from './helpers/fixtures.js';

const backends = useBackends();

/** Rows in every table a sign-in writes. */
async function counts(database: TestDatabase) {
  const rows = await database.raw(
    `select (select count(*) from devices)::int as devices,
            (select count(*) from refresh_tokens)::int as tokens,
            (select count(*) from users)::int as users`,
  );
  return rows[0];
}

describe.each(BACKENDS)('request validation (%s)', (backend) => {
  let database: TestDatabase;
  let server: TestServer;
  let username: string;

  beforeAll(async () => {
    database = await backends.open(backend);
    server = await startTestServer(database.db, { bodyLimitBytes: 4096 });
    username = (await createUser(database.db)).username;
  });
  afterAll(async () => server?.close());

  const valid = () => ({ username, password: PASSWORD, deviceName: 'Laptop' });

  const cases: [string, () => Promise<Response>, number, string][] = [
    ['malformed JSON', () => server.post('/auth/sign-in', '{"username": "a",'), 400, 'MALFORMED_JSON'],
    ['an empty body', () => server.post('/auth/sign-in', ''), 400, 'MALFORMED_JSON'],
    ['a JSON array', () => server.post('/auth/sign-in', '[1,2]'), 400, 'VALIDATION_FAILED'],
    ['a missing field', () => server.post('/auth/sign-in', { username, password: PASSWORD }), 400, 'VALIDATION_FAILED'],
    ['an extra field', () => server.post('/auth/sign-in', { ...valid(), admin: true }), 400, 'VALIDATION_FAILED'],
    ['a wrong type', () => server.post('/auth/sign-in', { ...valid(), deviceId: 12 }), 400, 'VALIDATION_FAILED'],
    [
      'a device id that is not a UUID',
      () => server.post('/auth/sign-in', { ...valid(), deviceId: 'laptop-1' }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'an oversized body',
      () => server.post('/auth/sign-in', { ...valid(), deviceName: 'x'.repeat(10_000) }),
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    [
      'a non-JSON content type',
      () => server.post('/auth/sign-in', 'username=a', { 'content-type': 'text/plain' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'prototype poisoning',
      () =>
        server.post('/auth/sign-in', `{"username":"${username}","password":"x","deviceName":"y","__proto__":{"a":1}}`),
      400,
      'MALFORMED_JSON',
    ],
    ['a malformed refresh', () => server.post('/auth/refresh', { token: 'abc' }), 400, 'VALIDATION_FAILED'],
    ['a malformed client id', () => server.get('/clients/not-a-uuid', 'x'), 401, 'UNAUTHENTICATED'],
  ];

  it.each(cases)('refuses %s with the right status and writes nothing', async (_name, send, status, code) => {
    const before = await counts(database);
    const response = await send();
    const text = await response.text();
    expect(response.status).toBe(status);
    const body = JSON.parse(text) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    expect(body.error.message.length).toBeGreaterThan(0);
    // No stack traces, SQL or echoed secrets in the answer.
    expect(text).not.toMatch(/ at |\.ts:|select |insert |stack/i);
    expect(text).not.toContain(PASSWORD);
    expect(await counts(database)).toEqual(before);
  });

  it('names the offending fields in the message', async () => {
    const missing = await errorOf(await server.post('/auth/sign-in', { username }));
    expect(missing.message).toMatch(/password/);
    expect(missing.message).toMatch(/deviceName/);
    const extra = await errorOf(await server.post('/auth/sign-in', { ...valid(), admin: true }));
    expect(extra.message).toMatch(/admin/);
  });

  it('still accepts the valid request afterwards', async () => {
    const before = await counts(database);
    const response = await server.post('/auth/sign-in', valid());
    expect(response.status).toBe(200);
    const after = await counts(database);
    expect(after?.['devices']).toBe(Number(before?.['devices']) + 1);
  });
});
