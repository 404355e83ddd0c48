/**
 * The reference offline-first stack, client side: pouchdb-node (LevelDB on disk) replicating
 * from express-pouchdb (bench/sync/pouch-server.ts) on loopback. Same documents as our sync:
 * one document per record, `{ _id, entity, clientId, version, data }` with the record's JSON body.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import PouchDB from 'pouchdb-node';
import { latencyStats, sleep, type LatencyStats } from './stats';

export type PouchDoc = {
  _id: string;
  entity: string;
  clientId: string | null;
  version: number;
  data: Record<string, unknown>;
};

export interface PouchInitialSync {
  batchSize: number;
  ms: number;
  docsWritten: number;
}

/** Replicate database `remoteDb` at `url` into a new, empty LevelDB database under `dir`. */
export async function pouchInitialSync(
  url: string,
  remoteDb: string,
  dir: string,
  batchSize: number,
): Promise<PouchInitialSync> {
  mkdirSync(dir, { recursive: true });
  const local = new PouchDB(join(dir, `initial-${randomUUID()}`));
  const remote = new PouchDB(`${url}/${remoteDb}`);
  try {
    const t0 = performance.now();
    const result = await PouchDB.replicate(remote, local, { batch_size: batchSize });
    const ms = performance.now() - t0;
    if (!result.ok) throw new Error(`PouchDB replication failed: ${result.errors.length} errors`);
    return { batchSize, ms, docsWritten: result.docs_written };
  } finally {
    await remote.close();
    await local.destroy();
  }
}

export interface LiveLatencyOptions {
  rounds: number;
  /** Pause between rounds (ms), so that each change is replicated on its own. */
  pauseMs: number;
  /** A document like the ones our workstation pushes (a draft note). */
  makeDoc: (id: string) => PouchDoc;
}

/**
 * Live replication latency: device A writes a document locally, its live push replication sends
 * it to the server, device B's live pull replication brings it into B's database. Measured from
 * A's `put` to B's changes feed reporting the document.
 */
export async function pouchLiveLatency(
  url: string,
  remoteDb: string,
  dir: string,
  options: LiveLatencyOptions,
): Promise<LatencyStats & { samplesMs: number[] }> {
  mkdirSync(dir, { recursive: true });
  const a = new PouchDB(join(dir, `device-a-${randomUUID()}`));
  const b = new PouchDB(join(dir, `device-b-${randomUUID()}`));
  const remote = `${url}/${remoteDb}`;
  const push = a.replicate.to(remote, { live: true, retry: true });
  const pull = b.replicate.from(remote, { live: true, retry: true });
  const waiting = new Map<string, () => void>();
  const feed = b.changes({ live: true, since: 'now' }).on('change', (change) => {
    waiting.get(change.id)?.();
  });
  try {
    // Let both replications reach their live phase before the first round.
    await sleep(500);
    const samples: number[] = [];
    for (let round = 0; round < options.rounds; round += 1) {
      const doc = options.makeDoc(randomUUID());
      const seen = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('PouchDB change not seen on device B within 10 s')), 10_000);
        waiting.set(doc._id, () => {
          clearTimeout(timer);
          resolve();
        });
      });
      const t0 = performance.now();
      await a.put(doc);
      await seen;
      samples.push(performance.now() - t0);
      waiting.delete(doc._id);
      await sleep(options.pauseMs);
    }
    return { ...latencyStats(samples), samplesMs: samples };
  } finally {
    feed.cancel();
    push.cancel();
    pull.cancel();
    await a.destroy();
    await b.destroy();
  }
}
