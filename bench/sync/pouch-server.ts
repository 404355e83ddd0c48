/**
 * The reference stack's server, in its own process: express-pouchdb over pouchdb-node
 * (LevelDB on disk through leveldown), listening on loopback. The parent loads documents from a
 * JSON file (not timed) and then replicates from it. Started by bench/sync-bench.ts.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import expressPouchDb from 'express-pouchdb';
import PouchDB from 'pouchdb-node';
import { serveParent } from './child';

let server: Server | null = null;
let Pouch: PouchDB.Static | null = null;
/** Bytes written to sockets (responses, as sent: express-pouchdb compresses when asked). */
let bytesOfClosedSockets = 0;
const liveSockets = new Set<Socket>();

const handlers = {
  /** Listen on a loopback port with databases under `dir`. */
  async start(params: { dir: string }): Promise<{ url: string }> {
    Pouch = PouchDB.defaults({ prefix: `${params.dir}/` });
    const app = expressPouchDb(Pouch, {
      mode: 'minimumForPouchDB',
      inMemoryConfig: true,
      logPath: join(params.dir, 'express-pouchdb.log'),
    });
    const listening = createServer(app);
    server = listening;
    listening.on('connection', (socket) => {
      liveSockets.add(socket);
      socket.once('close', () => {
        liveSockets.delete(socket);
        bytesOfClosedSockets += socket.bytesWritten;
      });
    });
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    const address = listening.address();
    if (!address || typeof address !== 'object') throw new Error('no address');
    return { url: `http://127.0.0.1:${address.port}` };
  },
  /** Write the documents in `file` (a JSON array) into database `name`, in batches. */
  async load(params: { name: string; file: string }): Promise<{ docs: number; ms: number }> {
    if (!Pouch) throw new Error('not started');
    const docs = JSON.parse(readFileSync(params.file, 'utf8')) as PouchDB.Doc[];
    const db = new Pouch(params.name);
    const t0 = performance.now();
    for (let i = 0; i < docs.length; i += 1000) {
      const results = await db.bulkDocs(docs.slice(i, i + 1000));
      const failed = results.filter((r) => 'error' in r && r.error);
      if (failed.length) throw new Error(`${failed.length} documents were not written`);
    }
    const ms = performance.now() - t0;
    await db.close();
    return { docs: docs.length, ms };
  },
  async bytesSent(): Promise<number> {
    let live = 0;
    for (const socket of liveSockets) live += socket.bytesWritten;
    return bytesOfClosedSockets + live;
  },
  async memory(): Promise<{ rssBytes: number; heapUsedBytes: number }> {
    const m = process.memoryUsage();
    return { rssBytes: m.rss, heapUsedBytes: m.heapUsed };
  },
  async stop(): Promise<void> {
    const open = server;
    server = null;
    if (!open) return;
    const closed = new Promise<void>((resolve) => open.close(() => resolve()));
    open.closeAllConnections();
    await closed;
  },
};

export type PouchServerHandlers = typeof handlers;

serveParent(handlers);
