import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { MIGRATIONS_DIR, PULL_WORKER } from '../store/seed';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startHarness, type Harness } from '../../../src/harness/harness-server';
import { RpcClient } from '../../../src/shared/rpc/client';
import { contentSecurityPolicyHeader } from '../../../src/shared/security/csp';
import { waitFor } from '../../helpers/async';
import { createTempDir, type TempDir } from '../../helpers/temp-dir';
import { closed, openSocket, websocketClientPort } from '../../helpers/websocket-port';

const INDEX_HTML = '<!doctype html><html><head><title>Continuum test shell</title></head><body>shell</body></html>';
const SECRET = 'profile secret that must never be served';

let folder: TempDir;
let harness: Harness;
let port: number;

beforeAll(async () => {
  folder = createTempDir('continuum-harness-');
  const rendererDir = join(folder.path, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), INDEX_HTML);
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log("app");\n');
  // Files beside the renderer folder: what a traversal would be after.
  writeFileSync(join(folder.path, 'secret.txt'), SECRET);
  mkdirSync(join(folder.path, 'renderer-evil'));
  writeFileSync(join(folder.path, 'renderer-evil', 'secret.txt'), SECRET);
  harness = await startHarness({
    profileDir: join(folder.path, 'profile'),
    rendererDir,
    appVersion: '9.9.9-test',
    migrationsDir: MIGRATIONS_DIR,
    pullWorkerPath: PULL_WORKER.path,
  });
  port = Number(new URL(harness.origin).port);
});

afterAll(async () => {
  await harness.close();
  folder.remove();
});

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A raw HTTP request: the path goes out exactly as written (no client-side normalising). */
function get(path: string, options: { host?: string; method?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: { host: options.host ?? `127.0.0.1:${port}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function rpcUrl(token = harness.token): string {
  return `ws://127.0.0.1:${port}/rpc?token=${encodeURIComponent(token)}`;
}

async function connectClient(): Promise<{ socket: WebSocket; client: RpcClient }> {
  const socket = await openSocket(rpcUrl(), { origin: harness.origin });
  const client = new RpcClient(websocketClientPort(socket));
  onTestFinished(() => client.close());
  return { socket, client };
}

describe('browser harness: static files', () => {
  it('prints a loopback URL that carries the token', () => {
    expect(harness.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(harness.url).toBe(`${harness.origin}/?token=${harness.token}`);
    expect(harness.token.length).toBeGreaterThanOrEqual(32);
  });

  it('serves index.html at / with the CSP header', async () => {
    const reply = await get('/');
    expect(reply.status).toBe(200);
    expect(reply.body).toBe(INDEX_HTML);
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(reply.headers['content-security-policy']).toBe(contentSecurityPolicyHeader());
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves assets with their type and the same CSP', async () => {
    const reply = await get('/assets/app.js');
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('console.log("app");\n');
    expect(reply.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(reply.headers['content-security-policy']).toBe(contentSecurityPolicyHeader());
  });

  it('answers a missing file with 404', async () => {
    expect((await get('/nothing-here.js')).status).toBe(404);
  });

  it.each([
    '/../secret.txt',
    '/../../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/secret.txt',
    '/..%2fsecret.txt',
    '/%2e%2e%2fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/..%5csecret.txt',
    '/%252e%252e/secret.txt',
    '/..%2frenderer-evil%2fsecret.txt',
    '/../renderer-evil/secret.txt',
    '/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
  ])('refuses path traversal %s with 404', async (path) => {
    const reply = await get(path);
    expect(reply.status).toBe(404);
    expect(reply.body).not.toContain(SECRET);
  });

  it('answers a malformed escape with 400', async () => {
    expect((await get('/%E0%A4%A')).status).toBe(400);
  });

  it.each([
    ['evil.example', (): string => 'evil.example'],
    ['evil.example:<port> (DNS rebinding)', (): string => `evil.example:${port}`],
    ['localhost:<port>', (): string => `localhost:${port}`],
    ['127.0.0.1 without the port', (): string => '127.0.0.1'],
  ] as const)('refuses Host %s with 421', async (_label, host) => {
    const reply = await get('/', { host: host() });
    expect(reply.status).toBe(421);
    expect(reply.body).not.toContain('Continuum test shell');
  });

  it('refuses methods other than GET and HEAD', async () => {
    expect((await get('/', { method: 'POST' })).status).toBe(405);
    const head = await get('/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });
});

describe('browser harness: RPC WebSocket', () => {
  it('runs a system.ping round trip through the RpcClient', async () => {
    const { client } = await connectClient();
    const result = await client.call('system.ping', { message: 'through the harness' });
    expect(result.message).toBe('through the harness');
    expect(Number.isNaN(Date.parse(result.receivedAt))).toBe(false);
    const info = await client.call('system.info', {});
    expect(info).toMatchObject({ appVersion: '9.9.9-test', runtime: 'node' });
  });

  it('delivers settings.changed to a subscribed browser tab', async () => {
    const { client } = await connectClient();
    const seen: unknown[] = [];
    client.subscribe('settings.changed', (payload) => seen.push(payload));
    await client.call('system.ping', { message: 'subscribed' });
    await client.call('settings.update', { colorScheme: 'dark' });
    await waitFor(() => seen.length === 1);
    expect(seen[0]).toMatchObject({ colorScheme: 'dark' });
  });

  it.each([
    ['a wrong token', () => rpcUrl('not-the-token'), () => ({ origin: harness.origin })],
    ['no token', () => `ws://127.0.0.1:${port}/rpc`, () => ({ origin: harness.origin })],
    ['the right token but a foreign Origin', () => rpcUrl(), () => ({ origin: 'http://evil.example' })],
    ['the right token but a localhost Origin', () => rpcUrl(), () => ({ origin: `http://localhost:${port}` })],
    ['the right token but no Origin', () => rpcUrl(), () => ({})],
    ['the right token on another path', () => rpcUrl().replace('/rpc', '/other'), () => ({ origin: harness.origin })],
    [
      'the right token but a wrong Host',
      () => rpcUrl(),
      () => ({ origin: harness.origin, headers: { host: 'evil.example' } }),
    ],
  ] as const)('refuses a socket with %s', async (_label, url, options) => {
    await waitFor(() => harness.core.dispatcher.connectionCount === 0);
    await expect(openSocket(url(), options())).rejects.toThrow(/403/);
    expect(harness.core.dispatcher.connectionCount).toBe(0);
  });

  it('closes the socket on a frame that is not JSON', async () => {
    const socket = await openSocket(rpcUrl(), { origin: harness.origin });
    await waitFor(() => harness.core.dispatcher.connectionCount > 0);
    const code = closed(socket);
    socket.send('this is not { json');
    expect(await code).toBe(1007);
  });

  it('closes the socket on a binary frame', async () => {
    const socket = await openSocket(rpcUrl(), { origin: harness.origin });
    const code = closed(socket);
    socket.send(Buffer.from([1, 2, 3]));
    expect(await code).toBe(1003);
  });

  it('forgets the connection when the tab goes away', async () => {
    await waitFor(() => harness.core.dispatcher.connectionCount === 0);
    const { socket, client } = await connectClient();
    await client.call('system.ping', { message: 'hi' });
    expect(harness.core.dispatcher.connectionCount).toBe(1);
    socket.close();
    await waitFor(() => harness.core.dispatcher.connectionCount === 0);
  });
});

describe('browser harness: network exposure', () => {
  function reachable(host: string): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = netConnect({ host, port, timeout: 1_000 });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
  }

  it('listens on 127.0.0.1 only', async () => {
    expect(await reachable('127.0.0.1')).toBe(true);
    // Another loopback address and every other interface must not answer.
    const others = ['127.0.0.2', '::1'];
    for (const addresses of Object.values(networkInterfaces())) {
      for (const address of addresses ?? []) {
        if (address.address !== '127.0.0.1') others.push(address.address.split('%')[0] ?? address.address);
      }
    }
    for (const host of new Set(others)) {
      expect({ host, reachable: await reachable(host) }).toEqual({ host, reachable: false });
    }
  });
});
