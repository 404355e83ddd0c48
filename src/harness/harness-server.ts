import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { startCore, type Core } from '../core/core';
import type { Logger } from '../core/logging/logger';
import { MAX_MESSAGE_BYTES } from '../shared/rpc/wire';
import { contentSecurityPolicyHeader } from '../shared/security/csp';
import { contentTypeFor } from '../shared/web/content-types';
import { websocketTransport } from './websocket-transport';

/**
 * The browser harness: the workstation core in plain Node, its RPC bridged over a
 * loopback-only WebSocket guarded by a random token, and the built renderer served beside it.
 * Development and test tooling only; never part of the packaged app.
 */
export interface HarnessOptions {
  profileDir: string;
  /** Built renderer (out/renderer). */
  rendererDir: string;
  /** The encrypted cache's SQL migrations (src/core/store/migrations). */
  migrationsDir: string;
  /** src/core/sync/pull-worker.ts (the core runs from source here). */
  pullWorkerPath: string;
  port?: number;
  appVersion?: string;
  /** Lock after this many idle seconds instead of the preference (tests). */
  autoLockSeconds?: number;
  /** keytar service name, so that parallel harnesses do not share a device secret. */
  keychainService?: string;
  token?: string;
  logger?: Logger;
}

export interface Harness {
  /** The URL to open, token included. */
  url: string;
  origin: string;
  token: string;
  core: Core;
  close(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const core = startCore({
    profileDir: options.profileDir,
    appVersion: options.appVersion ?? '0.0.0-dev',
    runtime: 'node',
    migrationsDir: options.migrationsDir,
    pullWorker: { path: options.pullWorkerPath },
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.autoLockSeconds ? { autoLockSeconds: options.autoLockSeconds } : {}),
    ...(options.keychainService ? { keychainService: options.keychainService } : {}),
  });
  const root = normalize(options.rendererDir + sep);
  let origin = '';

  const server = createServer((request, response) => {
    if (!isExpectedHost(request, origin)) return reply(response, 421, 'Misdirected request');
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply(response, 405, 'Method not allowed');
    void serveStatic(root, request, response);
  });
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', origin);
    const allowed =
      url.pathname === '/rpc' &&
      isExpectedHost(request, origin) &&
      request.headers.origin === origin &&
      tokensMatch(url.searchParams.get('token') ?? '', token);
    if (!allowed) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => {
      core.dispatcher.connect(websocketTransport(ws));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, LOOPBACK, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://${LOOPBACK}:${port}`;

  return {
    url: `${origin}/?token=${token}`,
    origin,
    token,
    core,
    close: async () => {
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await core.close();
    },
  };
}

/** Reject requests whose Host is not our loopback address (DNS rebinding). */
function isExpectedHost(request: IncomingMessage, origin: string): boolean {
  return origin !== '' && request.headers.host === new URL(origin).host;
}

function tokensMatch(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function serveStatic(root: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
  let relative: string;
  try {
    relative = decodeURIComponent(pathname === '/' ? '/index.html' : pathname);
  } catch {
    return reply(response, 400, 'Bad request');
  }
  const file = normalize(join(root, relative));
  if (!file.startsWith(root)) return reply(response, 404, 'Not found');
  try {
    const body = await readFile(file);
    response.writeHead(200, {
      'content-type': contentTypeFor(extname(file)),
      'content-security-policy': contentSecurityPolicyHeader(),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  } catch {
    reply(response, 404, 'Not found');
  }
}

function reply(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  response.end(text);
}
