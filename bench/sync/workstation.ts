/**
 * Real workstations for the sync benchmark: the core (src/core/core.ts startCore) with its
 * encrypted SQLCipher cache in a profile folder, signed in to the clinic server and created
 * through the same RPC calls the first-run screens make (`session.signIn`, `vault.create`), so
 * the sync engine runs exactly as in the app. Only the transport is wrapped, to count bytes and
 * the time spent waiting for the server.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startCore, type Core } from '../../src/core/core';
import { unavailableKeychain } from '../../src/core/store';
import { saveDraft } from '../../src/core/store/repositories/notes';
import { RpcClient } from '../../src/shared/rpc/client';
import { createRpcChannel } from '../../tests/helpers/message-channel-port';
import { createLogger } from '../../src/core/logging/logger';
import type { SyncTuning } from '../../src/core/sync/sync-engine';
import { draftContent } from './draft';
import { latencyStats, median, waitFor, type LatencyStats } from './stats';

const MIGRATIONS_DIR = join(import.meta.dirname, '../../src/core/store/migrations');
/**
 * A full pull prepares its pages on the pull worker's thread, as in the app. The app runs the
 * built worker (out/main/pull-worker.js); so does the benchmark when that build is newer than the
 * sources it is made of, otherwise it loads the source through tsx, whose start costs ~0.5 s of
 * CPU beside the first pages (`npm run build` first for the app's figures).
 */
export const PULL_WORKER = { path: pullWorkerPath() };

function pullWorkerPath(): string {
  const root = join(import.meta.dirname, '../..');
  const built = join(root, 'out/main/pull-worker.js');
  if (!existsSync(built)) return join(root, 'src/core/sync/pull-worker.ts');
  const builtAt = statSync(built).mtimeMs;
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true }).map((entry) =>
        entry.isDirectory() ? newest(join(dir, entry.name)) : statSync(join(dir, entry.name)).mtimeMs,
      ),
    );
  const stale = ['src/core/sync', 'src/shared'].some((dir) => newest(join(root, dir)) > builtAt);
  return stale ? join(root, 'src/core/sync/pull-worker.ts') : built;
}
/**
 * Between the sign-in and the passphrase: the time a clinician takes to type a new passphrase
 * twice, on the fast side. The first-run screens ask for the passphrase only after the sign-in
 * succeeded, and the product uses that time (the pull worker loads, SyncService
 * `prepareInitialSync`); calling `vault.create` the instant the sign-in returns measured a
 * workstation no clinician can produce, the worker still loading as the sync began. Not timed.
 */
export const PASSPHRASE_ENTRY_MS = 1000;
/** The product's KDF is memory-hard (~0.5 s); key derivation is not sync, so the bench lowers it. */
const BENCH_SCRYPT = { N: 2 ** 14, r: 8, p: 1 };
const PASSPHRASE = 'benchmark workstation passphrase';

/** What crossed the wire, with times (performance.now()), for splitting where time goes. */
export type TransportEvent =
  { type: 'request'; path: string; startedAt: number; endedAt: number } | { type: 'poke'; at: number };

interface Transport {
  requests: number;
  /** Request sent → response body fully read, summed (the engine pulls one page at a time). */
  fetchMs: number;
  bodyBytes: number;
  events: TransportEvent[];
}

/**
 * fetch that reads each answer's body before handing it over, so waiting and applying separate;
 * the event stream is passed through as it arrives, noting when each poke came in.
 */
function measuredFetch(transport: Transport): typeof fetch {
  return async (input, init) => {
    const t0 = performance.now();
    const response = await fetch(input, init);
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    if (url.pathname.endsWith('/sync/events') && response.body) {
      const decoder = new TextDecoder();
      const tapped = response.body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            if (decoder.decode(chunk, { stream: true }).includes('event: poke')) {
              transport.events.push({ type: 'poke', at: performance.now() });
            }
            controller.enqueue(chunk);
          },
        }),
      );
      return new Response(tapped, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    }
    const body = await response.arrayBuffer();
    const endedAt = performance.now();
    transport.fetchMs += endedAt - t0;
    transport.requests += 1;
    transport.bodyBytes += body.byteLength;
    transport.events.push({ type: 'request', path: url.pathname, startedAt: t0, endedAt });
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

export interface BenchWorkstation {
  core: Core;
  rpc: RpcClient;
  transport: Transport;
  profileDir: string;
  /** First run: sign in, then create the encrypted cache (the engine starts its first sync). */
  firstRun(url: string, username: string, password: string): Promise<void>;
  waitUntilSynced(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export function startWorkstation(
  profileDir: string,
  deviceName: string,
  tuning: SyncTuning = {},
  { measureFetch = true }: { measureFetch?: boolean } = {},
): BenchWorkstation {
  const transport: Transport = { requests: 0, fetchMs: 0, bodyBytes: 0, events: [] };
  const core = startCore({
    profileDir,
    appVersion: 'bench',
    runtime: 'node',
    migrationsDir: MIGRATIONS_DIR,
    pullWorker: PULL_WORKER,
    keychain: unavailableKeychain(),
    scrypt: BENCH_SCRYPT,
    deviceName,
    logger: createLogger({ dir: join(profileDir, 'logs') }),
    sync: measureFetch ? { ...tuning, fetch: measuredFetch(transport) } : tuning,
  });
  const channel = createRpcChannel();
  core.dispatcher.connect(channel.corePort);
  const rpc = new RpcClient(channel.clientPort);
  const workstation: BenchWorkstation = {
    core,
    rpc,
    transport,
    profileDir,
    async firstRun(url, username, password) {
      const signedIn = await rpc.call('session.signIn', { serverUrl: url, username, password });
      if (signedIn.state !== 'pendingPassphrase') throw new Error(`sign-in ended in state ${signedIn.state}`);
      await rpc.call('vault.create', { passphrase: PASSPHRASE });
    },
    async waitUntilSynced(timeoutMs) {
      await waitFor(() => core.sync.status().state === 'synced', timeoutMs, 2);
    },
    async close() {
      rpc.close();
      channel.close();
      await core.close();
    },
  };
  return workstation;
}

export interface EngineInitialSync {
  /** `vault.create` called → badge says Synced (the cache is created empty, then filled). */
  totalMs: number;
  /**
   * Of which the core's thread was busy (event-loop utilisation: writing the encrypted cache,
   * taking the prepared pages from the pull worker) …
   */
  busyMs: number;
  /** … and idle, i.e. waiting for the next page (the server and the pull worker's thread work on it). */
  idleMs: number;
  /** CPU time of the workstation's process (user + system, all threads: the pull worker's too) meanwhile. */
  cpuMs: number;
  /** Requests the server answered meanwhile (sign-in excluded) and the bytes it sent. */
  requests: number;
  wireBytes: number;
  /** Rows in the cache afterwards: notes, and all synced records. */
  notes: number;
  cacheFileBytes: number;
}

/** One initial sync into an empty encrypted cache, through the product's first-run calls. */
export async function engineInitialSync(params: {
  url: string;
  username: string;
  password: string;
  dir: string;
  serverBytes: () => Promise<number>;
  /** Requests the server has answered so far. */
  serverRequests: () => Promise<number>;
  /** Engine settings other than the product defaults (for experiments: bench/tools/initial-sync.ts). */
  tuning?: SyncTuning;
}): Promise<EngineInitialSync> {
  // The product's own fetch, on the pull worker's thread: counted at the server, not here.
  const ws = startWorkstation(params.dir, 'Bench initial sync', params.tuning, { measureFetch: false });
  try {
    const signedIn = await ws.rpc.call('session.signIn', {
      serverUrl: params.url,
      username: params.username,
      password: params.password,
    });
    if (signedIn.state !== 'pendingPassphrase') throw new Error(`sign-in ended in state ${signedIn.state}`);
    // The clinician now chooses the cache's passphrase (typed twice) before the sync can begin.
    await new Promise((resolve) => setTimeout(resolve, PASSPHRASE_ENTRY_MS));
    const wire0 = await params.serverBytes();
    const requests0 = await params.serverRequests();
    const elu0 = performance.eventLoopUtilization();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await ws.rpc.call('vault.create', { passphrase: PASSPHRASE });
    await ws.waitUntilSynced(600_000);
    const totalMs = performance.now() - t0;
    const elu = performance.eventLoopUtilization(elu0);
    const cpu = process.cpuUsage(cpu0);
    const wireBytes = (await params.serverBytes()) - wire0;
    const requests = (await params.serverRequests()) - requests0;
    const sqlite = ws.core.vault.unlockedStore.sqlite;
    const notes = Number(sqlite.prepare('SELECT count(*) FROM session_notes').pluck().get());
    return {
      totalMs,
      busyMs: elu.active,
      idleMs: elu.idle,
      cpuMs: (cpu.user + cpu.system) / 1000,
      requests,
      wireBytes,
      notes,
      cacheFileBytes: statSync(join(params.dir, 'caseload.db')).size,
    };
  } finally {
    await ws.close();
  }
}

/** One round of push-to-visible, cut where the wire shows it (ms; NaN where a step was not seen). */
export interface LatencyPhases {
  /** Draft saved on A → A's push request starts (the engine's local-change delay, then the outbox read). */
  untilPushSent: number;
  /** A's push request → its answer read. */
  push: number;
  /** A's push answered → the poke arrives on B's event stream. */
  pushToPoke: number;
  /** Poke on B → B's pull request starts. */
  pokeToPull: number;
  /** B's pull request(s) → the last answer read. */
  pull: number;
  /** Last pull answer read → the note is in B's cache (validate + write). */
  apply: number;
}

export type EngineLatency = LatencyStats & { samplesMs: number[]; medianPhasesMs: LatencyPhases };

function phasesOf(saved: number, visible: number, aEvents: TransportEvent[], bEvents: TransportEvent[]): LatencyPhases {
  const push = aEvents.find((e) => e.type === 'request' && e.path.endsWith('/sync/push') && e.startedAt >= saved);
  const pushEnd = push?.type === 'request' ? push.endedAt : Number.NaN;
  const poke = bEvents.find((e) => e.type === 'poke' && e.at >= saved);
  const pokeAt = poke?.type === 'poke' ? poke.at : Number.NaN;
  const pulls = bEvents.filter(
    (e): e is Extract<TransportEvent, { type: 'request' }> =>
      e.type === 'request' && e.path.endsWith('/sync/pull') && e.startedAt >= pokeAt && e.endedAt <= visible,
  );
  const pullStart = pulls[0]?.startedAt ?? Number.NaN;
  const pullEnd = pulls.at(-1)?.endedAt ?? Number.NaN;
  return {
    untilPushSent: (push?.type === 'request' ? push.startedAt : Number.NaN) - saved,
    push: push?.type === 'request' ? push.endedAt - push.startedAt : Number.NaN,
    pushToPoke: pokeAt - pushEnd,
    pokeToPull: pullStart - pokeAt,
    pull: pullEnd - pullStart,
    apply: visible - pullEnd,
  };
}

/**
 * Push-to-visible latency: workstation A saves a draft (the local write and its outbox entry in
 * one transaction, as features do through `core.sync.record`); its engine pushes, the server
 * pokes B over SSE, B's engine pulls and applies. Measured from A's save to the note being in
 * B's encrypted cache. Both start with a full initial sync (not timed).
 */
export async function engineLatency(params: {
  url: string;
  username: string;
  password: string;
  dir: string;
  rounds: number;
  pauseMs?: number;
}): Promise<EngineLatency> {
  const a = startWorkstation(join(params.dir, 'a'), 'Bench device A');
  const b = startWorkstation(join(params.dir, 'b'), 'Bench device B');
  try {
    await a.firstRun(params.url, params.username, params.password);
    await b.firstRun(params.url, params.username, params.password);
    await a.waitUntilSynced(600_000);
    await b.waitUntilSynced(600_000);
    const userId = a.core.session.userId();
    if (!userId) throw new Error('device A is not signed in');
    const aDb = a.core.vault.unlockedStore.db;
    const clientIds = aDb.$client.prepare('SELECT id FROM clients ORDER BY id').pluck().all() as string[];
    const seen = b.core.vault.unlockedStore.sqlite.prepare('SELECT 1 FROM session_notes WHERE id = ?').pluck();
    const samples: number[] = [];
    const phases: LatencyPhases[] = [];
    for (let round = 0; round < params.rounds; round += 1) {
      a.transport.events = [];
      b.transport.events = [];
      const noteId = randomUUID();
      const clientId = clientIds[round % clientIds.length]!;
      const content = draftContent(round);
      const t0 = performance.now();
      a.core.sync.record((db, outbox) => {
        saveDraft(db, {
          id: noteId,
          clientId,
          authorId: userId,
          noteType: 'progress',
          template: 'DAP',
          content,
        });
        outbox.enqueue({
          name: 'note.saveDraft',
          clientId,
          args: { noteId, content, baseVersion: null },
          entity: { type: 'note', id: noteId },
        });
      });
      await waitFor(() => seen.get(noteId) !== undefined, 10_000, 1);
      const visible = performance.now();
      samples.push(visible - t0);
      phases.push(phasesOf(t0, visible, a.transport.events, b.transport.events));
      await new Promise((resolve) => setTimeout(resolve, params.pauseMs ?? 200));
    }
    const phase = (key: keyof LatencyPhases) => median(phases.map((p) => p[key]).filter((x) => !Number.isNaN(x)));
    return {
      ...latencyStats(samples),
      samplesMs: samples,
      medianPhasesMs: {
        untilPushSent: phase('untilPushSent'),
        push: phase('push'),
        pushToPoke: phase('pushToPoke'),
        pokeToPull: phase('pokeToPull'),
        pull: phase('pull'),
        apply: phase('apply'),
      },
    };
  } finally {
    await a.close();
    await b.close();
  }
}
