/**
 * The reference stack's client, in its own process: the initial replication from express-pouchdb
 * into an empty pouchdb-node database (bench/sync/pouchdb-baseline.ts `pouchInitialSync`).
 *
 * Why a process of its own: run in the benchmark's process, each replication left its garbage
 * (the V8 heap of 30,000 documents) and LevelDB's threads behind in the process where our
 * workstation's next initial sync then ran, and paid for them: its CPU for the same work was
 * 5.1 s after a PouchDB row against 3.4 s without (the 2026-11-24 02:16 run, PGlite rows against
 * PostgreSQL rows). Each side's client now has a process that does nothing else. Started by
 * bench/sync-bench.ts.
 */
import { serveParent } from './child';
import { pouchInitialSync } from './pouchdb-baseline';

const handlers = {
  async initialSync(params: { url: string; remoteDb: string; dir: string; batchSize: number }) {
    return pouchInitialSync(params.url, params.remoteDb, params.dir, params.batchSize);
  },
};

export type PouchClientHandlers = typeof handlers;

serveParent(handlers);
