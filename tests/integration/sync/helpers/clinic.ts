import type { FastifyInstance } from 'fastify';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { buildServer } from '../../../../src/server/app';
import { commands, type AdminIo } from '../../../../src/server/admin/commands';
import { afterAll, beforeAll } from 'vitest';
import { openDatabase, type Database, type ServerDb } from '../../../../src/server/db/database';
import { createServerLogger } from '../../../../src/server/logger';

/**
 * The real clinic server on a loopback port that a test can kill (connections dropped at once,
 * as if the process died) and start again on the same port and data.
 */
export interface Clinic {
  url: string;
  port: number;
  /** Move the server's clock (not its HTTP Date header, which is the real clock). */
  offsetMs: number;
  app(): FastifyInstance;
  kill(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The test file's clinic server: an in-memory PGlite database and the real server on loopback,
 * started before the file's tests and closed after them (its `afterAll` runs after the ones the
 * file registers later). Read `.database` and `.clinic` inside the tests.
 */
export function useClinic(): { readonly database: Database; readonly clinic: Clinic } {
  let database: Database | undefined;
  let clinic: Clinic | undefined;
  beforeAll(async () => {
    database = await openDatabase({ memory: true });
    clinic = await startClinic(database.db);
  }, 60_000);
  afterAll(async () => {
    await clinic?.close();
    await database?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the clinic server starts in beforeAll: use it inside a test');
    return value;
  };
  return {
    get database() {
      return started(database);
    },
    get clinic() {
      return started(clinic);
    },
  };
}

export async function startClinic(db: ServerDb, options: { port?: number } = {}): Promise<Clinic> {
  let app: FastifyInstance | null = null;
  const clinic: Clinic = {
    url: '',
    port: options.port ?? 0,
    offsetMs: 0,
    app: () => {
      if (!app) throw new Error('the clinic server is not running');
      return app;
    },
    kill: async () => {
      const running = app;
      app = null;
      if (!running) return;
      running.server.closeAllConnections();
      await running.close();
    },
    restart: async () => {
      await clinic.kill();
      await listen();
    },
    close: () => clinic.kill(),
  };
  const listen = async () => {
    const next = await buildServer({
      db,
      logger: createServerLogger({ level: 'silent' }),
      now: () => new Date(Date.now() + clinic.offsetMs),
    });
    await next.listen({ port: clinic.port, host: '127.0.0.1' });
    const address = next.server.address();
    if (!address || typeof address !== 'object') throw new Error('no address');
    clinic.port = address.port;
    clinic.url = `http://127.0.0.1:${address.port}`;
    app = next;
  };
  await listen();
  return clinic;
}

const silentIo: AdminIo = { stdout: () => undefined, stderr: () => undefined, readStdin: async () => '' };

/** Run an admin command in-process, as `npm run admin -- <name> …` would. */
export async function admin(db: ServerDb, name: string, options: Record<string, string>): Promise<void> {
  const spec = commands[name];
  if (!spec) throw new Error(`no admin command ${name}`);
  await spec.run(db, options, silentIo);
}

/**
 * A loopback TCP proxy between a workstation and the clinic server, so a test can cut the
 * network: refuse new connections, drop every open one, or let a matching request through and
 * cut its answer after some bytes (the server did the work; the workstation never hears).
 */
export interface Proxy {
  url: string;
  /** New connections are refused (reset) and open ones dropped, until `restore`. */
  cut(): void;
  restore(): void;
  /**
   * The `nth` request whose head matches `match` (counted from now) reaches the server; its
   * answer is cut after `bytes` bytes. Resolves when that happened.
   */
  cutAnswer(match: RegExp, options?: { nth?: number; bytes?: number }): Promise<void>;
  /**
   * The `nth` request whose head matches reaches the server, but its answer is held back until
   * `release()`. `reached` resolves once the answer is being held.
   */
  holdAnswer(match: RegExp, nth?: number): { reached: Promise<void>; release(): void };
  /** Requests whose head matches are dropped (connection reset) until `allow`. */
  refuse(match: RegExp): void;
  allow(): void;
  /** Requests whose head matched, by pattern source. */
  seen(match: RegExp): number;
  close(): Promise<void>;
}

export async function startProxy(target: () => number): Promise<Proxy> {
  const sockets = new Set<Socket>();
  const heads: string[] = [];
  let down = false;
  let refused: RegExp | null = null;
  let trap: { match: RegExp; remaining: number; bytes: number; fired: () => void } | null = null;
  let hold: { match: RegExp; remaining: number; reached: () => void; gate: Promise<void> } | null = null;
  const server: Server = createServer((client) => {
    if (down) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(target(), '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    let cutAfter: number | null = null;
    let onCut: (() => void) | null = null;
    let held: { reached: () => void; gate: Promise<void> } | null = null;
    let heldChunks: Buffer[] | null = null;
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      const head = chunk.subarray(0, 200).toString('latin1');
      if (/^(GET|POST|PUT|DELETE) /.test(head)) {
        heads.push(head.split('\r\n')[0] ?? '');
        if (refused?.test(head)) {
          drop();
          return;
        }
        if (hold && hold.match.test(head)) {
          hold.remaining -= 1;
          if (hold.remaining === 0) {
            held = { reached: hold.reached, gate: hold.gate };
            hold = null;
          }
        }
        if (trap && trap.match.test(head)) {
          trap.remaining -= 1;
          if (trap.remaining === 0) {
            cutAfter = trap.bytes;
            onCut = trap.fired;
            trap = null;
          }
        }
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (held) {
        const { reached, gate } = held;
        held = null;
        heldChunks = [chunk];
        reached();
        void gate.then(() => {
          for (const part of heldChunks ?? []) client.write(part);
          heldChunks = null;
        });
        return;
      }
      if (heldChunks) {
        heldChunks.push(chunk);
        return;
      }
      if (cutAfter === null) {
        client.write(chunk);
        return;
      }
      if (chunk.length < cutAfter) {
        cutAfter -= chunk.length;
        client.write(chunk);
        return;
      }
      client.write(chunk.subarray(0, cutAfter), () => drop());
      cutAfter = null;
      const fired = onCut;
      onCut = null;
      fired?.();
    });
    const forget = () => {
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', () => {
      upstream.destroy();
      forget();
    });
    upstream.on('close', () => {
      client.destroy();
      forget();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    cut: () => {
      down = true;
      for (const socket of sockets) socket.destroy();
    },
    restore: () => {
      down = false;
    },
    cutAnswer: (match, options = {}) =>
      new Promise<void>((resolve) => {
        trap = { match, remaining: options.nth ?? 1, bytes: options.bytes ?? 0, fired: resolve };
      }),
    holdAnswer: (match, nth = 1) => {
      let release = () => undefined as void;
      let reached = () => undefined as void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
      hold = { match, remaining: nth, reached, gate };
      return { reached: reachedPromise, release };
    },
    refuse: (match) => {
      refused = match;
    },
    allow: () => {
      refused = null;
    },
    seen: (match) => heads.filter((head) => match.test(head)).length,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
