import { DEFAULT_MAX_DRIFT_MS, decodeHlc } from '../../shared/sync/hlc';
import { untilAborted } from '../abort';
import {
  MAX_MUTATIONS_PER_PUSH,
  MAX_PULL_PAGE,
  SYNC_PROTOCOL_VERSION,
  type Change,
  type Mutation,
  type PushResponse,
  type SyncProtocolVersion,
} from '../../shared/sync/protocol';
import type { SyncStatus } from '../../shared/sync/status';
import type { Logger } from '../logging/logger';
import type { WorkstationStore } from '../store';
import { beginBulkImport } from '../store/bulk-import';
import { withBulkNoteSearch } from '../store/bulk-note-search';
import { toStoreError } from '../store/errors';
import { ClinicServerClient, ClinicServerError, type ServerEvent } from '../clinic/clinic-server-client';
import type { ServerSession } from '../clinic/server-session';
import { applyChanges, applyDeferred, entityKey, type ApplyResult } from './apply-changes';
import { preparePullBody, type PreparedPullResponse } from './prepare-changes';
import {
  PullWorker,
  PullWorkerGone,
  type PullPageStream,
  type PullWorkerSpec,
  type PullWorkerStart,
} from './pull-worker-host';
import { hasUnqueuedAuditEntries, markAuditSynced, queueAuditEntries } from './audit-upload';
import { backoffDelay, SYNC_BACKOFF, type BackoffPolicy } from './backoff';
import { KEEP_APPLIED_MS, type Outbox, type SettledMutation } from './outbox';
import { replicaId } from './replica';
import { forgetServerVersions, noteServerRestored } from './server-restore';
import { deleteMeta, readMeta, writeMeta } from '../store/store-meta';

/**
 * The workstation's sync engine (docs/sync-protocol.md, "Workstation sync engine"). One
 * instance runs while the workstation is unlocked and signed in; lock, sign-out, revocation and
 * "sign in again" stop it. It does rounds — queue new audit entries, push the outbox, pull
 * changes — triggered on start, by the server's pokes, on a timer, on `sync.now` and shortly
 * after a local change; after a failure to reach the server it retries with exponential
 * backoff and full jitter. Everything it logs is a code, an id or a count.
 */

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface SyncTuning {
  /** Time between rounds when nothing else triggers one (default 60 s). */
  intervalMs?: number;
  /** Delay between a local change and the push that sends it (default 300 ms; changes coalesce). */
  localChangeDelayMs?: number;
  /** Retry policy after the server could not be reached (default 1 s doubling to 5 min, full jitter). */
  backoff?: BackoffPolicy;
  /** Reconnect policy of the event stream (default 1 s doubling to 60 s, full jitter). */
  eventsBackoff?: BackoffPolicy;
  /** Silence on the event stream after which it is considered dead (default 70 s; the server pings every 25 s). */
  eventsIdleMs?: number;
  /** Changes per pull page (default and maximum: the protocol's 1,000). */
  pageLimit?: number;
  /** Mutations per push (default and maximum: the protocol's 500). */
  pushLimit?: number;
  /** A full pull into a cache with no clients uses the rollback-journal bulk path (default true). */
  bulkInitialPull?: boolean;
  /** Changes written per transaction on that bulk path (default 3,000: a few pages). */
  bulkBatchChanges?: number;
  /**
   * The protocol version spoken (default `SYNC_PROTOCOL_VERSION`). An older one is for comparing
   * versions (bench/tools/initial-sync.ts) and for testing the server's compatibility.
   */
  protocolVersion?: SyncProtocolVersion;
  /**
   * The pull worker's module (./pull-worker-host.ts). With it, a full pull's pages are parsed,
   * validated and prepared on a second thread while this one writes; without it, here.
   */
  pullWorker?: PullWorkerSpec;
  fetch?: typeof fetch;
  timers?: Timers;
  random?: () => number;
}

export type EngineStop = 'signInRequired' | 'deviceRevoked';

export interface SyncEngineOptions extends SyncTuning {
  store: WorkstationStore;
  session: ServerSession;
  outbox: Outbox;
  log: Logger;
  now: () => number;
  /** The badge's state; `pending` is filled in by the engine. */
  publish(status: Omit<SyncStatus, 'pending'> & { pending?: number }): void;
  /** Records arrived: the renderer refreshes what shows them. */
  dataChanged(payload: { clientIds: string[]; all: boolean }): void;
  /** The server ended this session (the engine has stopped itself). */
  ended(reason: EngineStop): void;
  /** The latest measurement of this device's clock against the server's (ms ahead; negative: behind). */
  driftMeasured?(driftMs: number): void;
  /**
   * A pull worker already loading (SyncService.prepareInitialSync, at a first run's sign-in): the
   * engine uses it for its first full pull, or closes it. Either way the engine owns it.
   */
  pullWorkerStarted?: PullWorker;
}

const CURSOR_STREAM = 'main';
const LAST_SYNCED_KEY = 'sync.lastSyncedAt';
const DEFERRED_KEY = 'sync.deferredPuts';
/**
 * Changes are pushed in batches of under this many bytes; one larger change (a very long note)
 * goes alone, and the server takes a push of up to `MAX_PUSH_BODY_BYTES`, twice the largest note
 * a workstation saves (`MAX_NOTE_CONTENT_BYTES`).
 */
const PUSH_BATCH_BYTES = 900_000;
/** A push measurement of the clock is preferred over the Date header for this long (unless the clock changed). */
const PUSH_DRIFT_FRESH_MS = 15 * 60_000;
/** Margin for the Date header's one-second resolution when deciding to hold a push. */
const DRIFT_MARGIN_MS = 2_000;
const EVENTS_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 60_000 };
/** Changes written per transaction by the initial sync's bulk path: a few pages (measured in sync-protocol.md). */
const BULK_BATCH = 3_000;
/** Pull pages asked for ahead of the one being written (each up to ~2 MB while it waits). */
const PULL_LOOKAHEAD = 6;

/** Requests of a pull may take this long (a page is up to ~2 MB). */
const PULL_TIMEOUT_MS = 30_000;

/**
 * What the pull worker is asked for to run a pull from `cursor`: the engine's request, built in
 * one place for the engine and for a first run's pull begun before the engine exists
 * (SyncService.beginInitialPull), which the engine takes over only when the two are the same.
 */
export function pullWorkerStart(params: {
  tuning: Pick<SyncTuning, 'pageLimit' | 'protocolVersion'> | undefined;
  baseUrl: URL;
  token: string;
  replicaId: string;
  cursor: string | null;
}): Omit<PullWorkerStart, 'type' | 'pull'> {
  return {
    baseUrl: params.baseUrl.toString(),
    token: params.token,
    timeoutMs: PULL_TIMEOUT_MS,
    request: {
      protocolVersion: params.tuning?.protocolVersion ?? SYNC_PROTOCOL_VERSION,
      replicaId: params.replicaId,
      cursor: params.cursor,
      limit: Math.min(params.tuning?.pageLimit ?? MAX_PULL_PAGE, MAX_PULL_PAGE),
    },
    lookahead: PULL_LOOKAHEAD,
  };
}

/** The pages of one pull, in order (fetched here or by the pull worker). */
interface PageSource {
  next(): Promise<PreparedPullResponse>;
  /** Whether `next` would answer without waiting (its page, or its failure, is here). */
  ready(): boolean;
  close(): void;
}

/** A pull page asked for (`SyncEngine.fetchPage`). */
interface PageFetch {
  next: Promise<{ cursor: string; hasMore: boolean } | null>;
  page: Promise<PreparedPullResponse>;
  /** The page (or its failure) has arrived. */
  settled: () => boolean;
}

type RoundResult =
  | { kind: 'ok' }
  | { kind: 'transient'; retryAfterMs: number | null }
  | { kind: 'error'; reason: string }
  | { kind: 'stopped' };

class StopRound extends Error {
  override readonly name = 'StopRound';
}

export class SyncEngine {
  private readonly timers: Timers;
  private readonly random: () => number;
  private readonly intervalMs: number;
  private readonly localChangeDelayMs: number;
  private readonly backoff: BackoffPolicy;
  private readonly abort = new AbortController();
  private readonly client: ClinicServerClient;
  private readonly replica: string;
  private readonly protocolVersion: SyncProtocolVersion;

  private stopped = false;
  /** The pull worker started ahead of the first full pull (see `start`). */
  private warmWorker: PullWorker | null = null;
  private running: Promise<void> | null = null;
  private rerun = false;
  private waiters: Array<() => void> = [];
  private timer: { handle: unknown; due: number } | null = null;
  private failures = 0;
  private online: boolean | null = null;
  private lastError: string | null = null;
  private heldForClock = false;
  private pushDrift: { ms: number; at: number } | null = null;
  private headerDrift: { ms: number; at: number } | null = null;
  private resyncNeeded = false;
  /**
   * Pulled copies of records with a pending local change (the local change wins until the
   * server has answered it). `applied`: the server applied a change to the record; `settled`:
   * no change is pending any more and the next pull's end decides (a newer version replaces
   * the copy; otherwise the copy is the server's state and is written).
   */
  private readonly deferred = new Map<string, { change: Change; applied: boolean; settled: boolean }>();
  private listening: Promise<void> | null = null;

  constructor(private readonly options: SyncEngineOptions) {
    this.timers = options.timers ?? realTimers;
    this.random = options.random ?? Math.random;
    this.intervalMs = options.intervalMs ?? 60_000;
    this.localChangeDelayMs = options.localChangeDelayMs ?? 300;
    this.backoff = options.backoff ?? SYNC_BACKOFF;
    this.protocolVersion = options.protocolVersion ?? SYNC_PROTOCOL_VERSION;
    const url = options.session.serverUrl();
    if (!url) throw new Error('the sync engine needs a signed-in session');
    this.client = new ClinicServerClient({
      baseUrl: url,
      now: options.now,
      timeoutMs: 30_000,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      observeServerTime: (serverMs, sentAt, receivedAt) => this.observeServerTime(serverMs, sentAt, receivedAt),
    });
    this.replica = replicaId(options.store.db);
  }

  /** Begin: a first round now and the event stream. */
  start(): void {
    const started = this.options.pullWorkerStarted;
    if (this.stopped) {
      void started?.close();
      return;
    }
    // A cache that never pulled is about to pull everything: the worker loads meanwhile (or has
    // been loading since the sign-in).
    if (this.options.pullWorker && this.readCursor() === null) {
      this.warmWorker = started ? this.adoptPullWorker(started) : this.startPullWorker(this.options.pullWorker);
    } else if (started) void started.close();
    this.listening = this.listen();
    void this.requestRound();
  }

  /** Stop everything now; resolves once a running round has unwound. Safe to call twice. */
  async stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      this.abort.abort();
      this.clearTimer();
    }
    await this.running?.catch(() => undefined);
    await this.listening?.catch(() => undefined);
    await this.warmWorker?.close();
    this.warmWorker = null;
    this.release();
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  private observeServerTime(serverMs: number, sentAt: number, receivedAt: number): void {
    // The Date header is truncated to the second: its expected midpoint is +500 ms.
    this.headerDrift = { ms: (sentAt + receivedAt) / 2 - (serverMs + 500), at: receivedAt };
    this.reportDrift();
  }

  private startPullWorker(spec: PullWorkerSpec): PullWorker {
    return this.adoptPullWorker(new PullWorker(spec));
  }

  private adoptPullWorker(worker: PullWorker): PullWorker {
    worker.observe({
      // The worker's times are on Date.now; this device's clock for sync is `options.now`.
      observeServerTime: (serverMs, sentAt, receivedAt) => {
        const shift = this.options.now() - Date.now();
        this.observeServerTime(serverMs, sentAt + shift, receivedAt + shift);
      },
    });
    return worker;
  }

  /** Run a round (or wait for the one after the current one) and resolve when it has ended. */
  requestRound(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.running) this.rerun = true;
    else this.startRound();
    return done;
  }

  /** A local change was queued: push it shortly (changes made together go in one push). */
  localChange(): void {
    if (this.stopped) return;
    // While the server is unreachable the backoff timer decides when to try again.
    if (this.online === false) return;
    // During a round its push may have gone already, and the timer set below would be replaced
    // by the next periodic one when the round ends: one more round after it sends the change.
    if (this.running) this.rerun = true;
    this.schedule(this.localChangeDelayMs);
  }

  /** What sync.details shows about the clock. */
  get clockDriftMs(): number | null {
    const drift = this.currentDrift();
    return drift === null ? null : Math.round(drift);
  }

  private release(): void {
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  private startRound(): void {
    this.clearTimer();
    const waiters = this.waiters.splice(0);
    this.running = this.round()
      .then((result) => this.afterRound(result))
      .catch((error: unknown) => {
        this.options.log.error({ code: 'SYNC_ROUND_FAILED', errorClass: (error as Error)?.name }, 'sync round failed');
      })
      .finally(() => {
        this.running = null;
        for (const resolve of waiters) resolve();
        if (this.stopped) {
          this.release();
          return;
        }
        if (this.rerun) {
          this.rerun = false;
          this.startRound();
        }
      });
  }

  private afterRound(result: RoundResult): void {
    if (this.stopped || result.kind === 'stopped') return;
    if (result.kind === 'transient') {
      this.failures += 1;
      const delay = Math.max(backoffDelay(this.failures, this.backoff, this.random), result.retryAfterMs ?? 0);
      this.schedule(delay, true);
      return;
    }
    this.failures = 0;
    if (result.kind === 'error') {
      // Something a person must fix (or a server answer we do not understand): try again slowly.
      this.schedule(Math.max(this.intervalMs, backoffDelay(6, this.backoff, this.random)), true);
      return;
    }
    this.schedule(this.intervalMs, true);
  }

  /** Arrange a round in `ms` unless one is already due sooner (or `replace`: exactly then). */
  private schedule(ms: number, replace = false): void {
    if (this.stopped) return;
    const due = this.options.now() + ms;
    if (this.timer && !replace && this.timer.due <= due) return;
    this.clearTimer();
    const handle = this.timers.setTimeout(() => {
      this.timer = null;
      void this.requestRound();
    }, ms);
    this.timer = { handle, due };
  }

  private clearTimer(): void {
    if (this.timer) this.timers.clearTimeout(this.timer.handle);
    this.timer = null;
  }

  // ---------------------------------------------------------------- a round

  private async round(): Promise<RoundResult> {
    const started = this.options.now();
    const counts = { pushed: 0, pulled: 0 };
    this.options.publish({ state: 'syncing', lastSyncedAt: this.lastSyncedAt() });
    try {
      while (hasUnqueuedAuditEntries(this.db)) queueAuditEntries(this.db, this.options.outbox);
      // Pull first: acknowledgements and the server's clock come before sending, and a change
      // that cannot be sent never keeps the clinician from receiving the others' changes.
      counts.pulled += await this.pullAll();
      counts.pushed += await this.pushAll();
      // What was just pushed comes back with its server version (and any conflict record).
      if (counts.pushed > 0) counts.pulled += await this.pullAll();
      this.options.outbox.pruneApplied(new Date(this.options.now() - KEEP_APPLIED_MS).toISOString());
      this.online = true;
      this.lastError = null;
      const at = new Date(this.options.now()).toISOString();
      writeMeta(this.db.$client, LAST_SYNCED_KEY, at);
      this.options.log.info(
        { code: 'SYNC_ROUND', pushed: counts.pushed, pulled: counts.pulled, ms: this.options.now() - started },
        'sync round',
      );
      this.publishIdle();
      return { kind: 'ok' };
    } catch (error) {
      return this.failed(error);
    }
  }

  private failed(error: unknown): RoundResult {
    if (this.stopped || error instanceof StopRound) return { kind: 'stopped' };
    if (error instanceof ClinicServerError) {
      if (error.code === 'ABORTED') return { kind: 'stopped' };
      if (error.code === 'DEVICE_REVOKED') return this.end('deviceRevoked');
      if (isSignInRequired(error)) return this.end('signInRequired');
      if (error.transient) {
        this.online = false;
        this.lastError = null;
        this.options.log.info({ code: 'SYNC_OFFLINE', status: error.status }, 'clinic server not reachable');
        this.publishIdle();
        return {
          kind: 'transient',
          retryAfterMs: error.retryAfterSeconds === null ? null : error.retryAfterSeconds * 1000,
        };
      }
      this.online = true;
      const reason =
        error.code === 'BAD_RESPONSE' || error.code === 'VALIDATION_FAILED' ? 'SERVER_INCOMPATIBLE' : error.code;
      this.lastError = reason;
      this.options.log.warn({ code: 'SYNC_REFUSED', reason, status: error.status }, 'sync refused by the server');
      this.publishIdle();
      return { kind: 'error', reason };
    }
    if (error instanceof EngineError) {
      this.lastError = error.reason;
      this.options.log.warn({ code: error.reason }, 'sync stopped');
      this.publishIdle();
      return { kind: 'error', reason: error.reason };
    }
    // A locked store, a closed connection: the engine is being stopped.
    if (!this.options.store.isUnlocked) return { kind: 'stopped' };
    // The cache could not be written: a full disk says so; anything else is ours to look into.
    const store = toStoreError(error, 'sync');
    const reason = store.code === 'DISK_FULL' || store.code === 'STORE_CORRUPT' ? store.code : 'INTERNAL';
    this.lastError = reason;
    this.options.log.error({ code: 'SYNC_FAILED', reason, errorClass: (error as Error)?.name }, 'sync failed');
    this.publishIdle();
    return { kind: 'error', reason };
  }

  private end(reason: EngineStop): RoundResult {
    if (!this.stopped) {
      this.stopped = true;
      this.abort.abort();
      this.clearTimer();
      // After this round has unwound: the owner erases the cache or asks to sign in again.
      queueMicrotask(() => this.options.ended(reason));
    }
    return { kind: 'stopped' };
  }

  private get db() {
    if (this.stopped) throw new StopRound();
    return this.options.store.db;
  }

  // ---------------------------------------------------------------- push

  /** Push the outbox in id order until nothing is pending (or a push must wait). Returns mutations sent. */
  private async pushAll(): Promise<number> {
    this.heldForClock = false;
    let sent = 0;
    for (;;) {
      const batch = this.nextBatch();
      if (batch.length === 0) return sent;
      if (this.mustHold(batch[0]!)) {
        this.heldForClock = true;
        this.options.log.warn({ code: 'CLOCK_SKEW', mutationId: batch[0]!.mutationId }, 'push held: clock ahead');
        return sent;
      }
      const ids = batch.map((mutation) => mutation.mutationId);
      const sentAt = this.options.now();
      let response: PushResponse;
      try {
        response = await this.authed((token) =>
          this.client.push(
            token,
            { protocolVersion: this.protocolVersion, replicaId: this.replica, mutations: batch },
            this.abort.signal,
          ),
        );
      } catch (error) {
        if (!this.stopped && error instanceof ClinicServerError && error.code !== 'ABORTED') {
          this.options.outbox.markAttempt(ids, error.code);
        }
        throw error;
      }
      const receivedAt = this.options.now();
      const serverMs = Date.parse(response.serverTime);
      if (Number.isFinite(serverMs)) {
        this.pushDrift = { ms: (sentAt + receivedAt) / 2 - serverMs, at: receivedAt };
        this.reportDrift();
      }
      this.options.outbox.markAttempt(ids, null);
      if (!this.options.outbox.observeServerLast(response.lastMutationId)) {
        // Nothing of this batch was processed (its ids follow ones the server no longer has):
        // the next batch is the outbox as renumbered.
        this.serverForgot(response.lastMutationId);
        continue;
      }
      const processed = response.results.filter((result) => result.mutationId <= response.lastMutationId);
      const settled = this.settle(() => this.options.outbox.applyResults(processed));
      for (const row of settled) {
        if (row.outcome === 'rejected') {
          this.options.log.warn(
            {
              code: 'MUTATION_REJECTED',
              mutationId: row.mutationId,
              mutation: row.name,
              reason: row.result.status === 'rejected' ? row.result.code : null,
            },
            'the server refused a change',
          );
        }
      }
      sent += settled.length;
      if (settled.length === 0) {
        // Nothing of the batch was processed: the server is behind this outbox (a gap). Its last
        // id below what this outbox still has to send means it forgot changes it had acknowledged
        // (restored from a backup; this outbox had not heard its higher number).
        const first = batch[0]!.mutationId;
        if (response.lastMutationId < first - 1 && this.serverForgot(response.lastMutationId)) continue;
        throw new EngineError('OUTBOX_GAP');
      }
    }
  }

  /**
   * The clinic server has forgotten changes it had acknowledged (`lastMutationId` went back: its
   * database was restored from an older backup). In one transaction: the changes it forgot that
   * the outbox keeps, and every pending one, are queued again under ids that follow on from its
   * last (`Outbox.replayForgotten`), and the cache takes the server's copy of every record again
   * (`forgetServerVersions`: versions forgotten, the next pull a full one). Returns whether the
   * outbox was renumbered.
   */
  private serverForgot(serverLast: number): boolean {
    const sqlite = this.db.$client;
    let replay: ReturnType<Outbox['replayForgotten']> = null;
    sqlite.transaction(() => {
      replay = this.options.outbox.replayForgotten(serverLast);
      forgetServerVersions(sqlite, CURSOR_STREAM);
      noteServerRestored(sqlite, new Date(this.options.now()).toISOString(), replay?.replayed ?? 0);
    })();
    this.resyncNeeded = true;
    const { replayed, pending } = replay ?? { replayed: 0, pending: 0 };
    this.options.log.warn(
      { code: 'SERVER_FORGOT_CHANGES', serverLastMutationId: serverLast, replayed, pending },
      'the clinic server has forgotten acknowledged changes: they are sent again, and every record pulled again',
    );
    return replay !== null;
  }

  private nextBatch(): Mutation[] {
    const candidates = this.options.outbox.nextBatch(
      Math.min(this.options.pushLimit ?? MAX_MUTATIONS_PER_PUSH, MAX_MUTATIONS_PER_PUSH),
    );
    const batch: Mutation[] = [];
    let bytes = 200;
    for (const mutation of candidates) {
      const size = JSON.stringify(mutation).length + 1;
      if (batch.length > 0 && bytes + size > PUSH_BATCH_BYTES) break;
      batch.push(mutation);
      bytes += size;
    }
    return batch;
  }

  /** Hold a mutation the server would refuse for clock skew: its clock is too far ahead of the server's. */
  private mustHold(mutation: Mutation): boolean {
    const drift = this.currentDrift();
    if (drift === null) return false;
    const serverNow = this.options.now() - drift;
    return decodeHlc(mutation.hlc).wallMs - serverNow > DEFAULT_MAX_DRIFT_MS - DRIFT_MARGIN_MS;
  }

  /**
   * Bookkeeping after mutations settled, in one transaction with `work`: audit entries stamped,
   * and pulled copies held back for their records (see `Held`) resolved: refused changes let the
   * server's copy in at once; applied ones wait for the pull that follows.
   */
  private settle(work: () => SettledMutation[]): SettledMutation[] {
    const db = this.db;
    const at = new Date(this.options.now()).toISOString();
    let settled: SettledMutation[] = [];
    const touched = new Set<string>();
    let refusedWithoutCopy = false;
    const resolved: string[] = [];
    const waiting: string[] = [];
    withForeignKeysOff(db.$client, () =>
      db.$client.transaction(() => {
        settled = work();
        markAuditSynced(db, settled, at);
        const pending = this.options.outbox.pendingEntityKeys();
        const decided = new Map<string, boolean>();
        for (const row of settled) {
          if (!row.entityType || !row.entityId) continue;
          const key = entityKey(row.entityType, row.entityId);
          decided.set(key, (decided.get(key) ?? false) || row.outcome === 'applied');
        }
        const persisted = this.persistedDeferred();
        for (const [key, applied] of decided) {
          const held = this.deferred.get(key);
          if (applied && held) held.applied = true;
          if (pending.has(key) || (!held && !persisted.has(key))) continue;
          if (held?.applied) {
            // The server changed the record (a newer version is on its way) or kept its own
            // (a field lost its merge): the pull after this push decides.
            waiting.push(key);
          } else if (held) {
            applyDeferred(db.$client, held.change, at);
            if (held.change.op !== 'purgeClient' && held.change.clientId) touched.add(held.change.clientId);
            resolved.push(key);
            persisted.delete(key);
          } else {
            persisted.delete(key);
            if (!applied) refusedWithoutCopy = true;
          }
        }
        this.writeDeferred(persisted);
      })(),
    );
    for (const key of resolved) this.deferred.delete(key);
    for (const key of waiting) {
      const held = this.deferred.get(key);
      if (held) held.settled = true;
    }
    if (refusedWithoutCopy) {
      // The held-back copy was lost with a restart: pull everything again to restore it.
      this.resyncNeeded = true;
    }
    if (touched.size > 0) this.options.dataChanged({ clientIds: [...touched], all: false });
    return settled;
  }

  /**
   * After a pull: copies held back for changes the server applied, which no newer version from
   * this pull replaced, are the server's current state (the change did not alter the record,
   * e.g. a field whose newer value was elsewhere): write them now.
   */
  private resolveSettled(): string[] {
    const ready = [...this.deferred].filter(([, held]) => held.settled);
    if (ready.length === 0) return [];
    const db = this.db;
    const at = new Date(this.options.now()).toISOString();
    const touched = new Set<string>();
    withForeignKeysOff(db.$client, () =>
      db.$client.transaction(() => {
        const persisted = this.persistedDeferred();
        for (const [key, held] of ready) {
          applyDeferred(db.$client, held.change, at);
          if (held.change.op !== 'purgeClient' && held.change.clientId) touched.add(held.change.clientId);
          persisted.delete(key);
        }
        this.writeDeferred(persisted);
      })(),
    );
    for (const [key] of ready) this.deferred.delete(key);
    return [...touched];
  }

  // ---------------------------------------------------------------- pull

  /** Pull every page after the stored cursor. Returns the number of changes received. */
  private async pullAll(): Promise<number> {
    const cursor = this.resyncNeeded ? null : this.readCursor();
    this.resyncNeeded = false;
    const full = cursor === null;
    const bulk = full && this.options.bulkInitialPull !== false && this.cacheIsEmpty();
    // A full pull is long: its pages are prepared on the pull worker's thread beside this one.
    let worker: PullWorker | null = null;
    if (full && this.options.pullWorker) {
      worker = this.warmWorker ?? this.startPullWorker(this.options.pullWorker);
      this.warmWorker = null;
    }
    try {
      const received = await this.pullPages(cursor, full, bulk, worker);
      if (full) {
        const thread = worker && !worker.failure ? 'pullWorker' : 'core';
        this.options.log.info({ code: 'FULL_PULL', changes: received, preparedOn: thread }, 'full pull');
      }
      return received;
    } finally {
      if (worker) {
        if (worker.failure)
          this.options.log.warn({ code: 'PULL_WORKER_FAILED', reason: worker.failure }, 'pull worker');
        await worker.close();
      }
    }
  }

  /**
   * One page asked for: `next` resolves when its headers arrive (the cursor to ask for the page
   * after it; from the page itself when the headers do not say), `page` when it is prepared.
   */
  private fetchPage(from: string | null, worker: PullWorker | null): PageFetch {
    const limit = Math.min(this.options.pageLimit ?? MAX_PULL_PAGE, MAX_PULL_PAGE);
    const request = { protocolVersion: this.protocolVersion, replicaId: this.replica, cursor: from, limit } as const;
    const answer = this.authed((token) => this.client.pullPage(token, request, this.abort.signal));
    const page = answer.then(async ({ next, body }) => {
      const bytes = await body;
      const prepared = worker ? await worker.prepare(bytes) : preparePullBody(bytes);
      const agrees =
        prepared !== null &&
        (next === null ||
          (prepared.status === 'ok' && prepared.cursor === next.cursor && prepared.hasMore === next.hasMore));
      if (!agrees) throw new ClinicServerError('BAD_RESPONSE', 'The clinic server sent an unexpected answer.', 200);
      return prepared;
    });
    const next = answer.then(
      ({ next: fromHeaders }) =>
        fromHeaders ??
        page.then((prepared) =>
          prepared.status === 'ok' ? { cursor: prepared.cursor, hasMore: prepared.hasMore } : null,
        ),
    );
    // Awaited later (or dropped when the pull ends early): never an unhandled rejection.
    let settled = false;
    page.then(
      () => (settled = true),
      () => (settled = true),
    );
    next.catch(() => undefined);
    return { page, next, settled: () => settled };
  }

  /**
   * The pages of a pull from `from`, in order, fetched on the core's thread: the next page is
   * asked for as soon as the headers of the one before arrive, up to PULL_LOOKAHEAD pages ahead
   * of the one being written, so the server works on them while this thread writes.
   */
  private localPages(from: string | null, worker: PullWorker | null): PageSource {
    let ahead: PageFetch[] = [];
    let parked: string | null = null;
    let open = true;
    const ask = (at: string | null) => {
      const fetch = this.fetchPage(at, worker);
      ahead.push(fetch);
      void fetch.next.then(
        (next) => {
          if (!open || !next?.hasMore) return;
          if (ahead.length < PULL_LOOKAHEAD) ask(next.cursor);
          else parked = next.cursor;
        },
        () => undefined,
      );
    };
    ask(from);
    return {
      next: async () => {
        const fetch = ahead.shift();
        if (!fetch) throw new EngineError('PULL_ENDED');
        if (parked !== null && ahead.length < PULL_LOOKAHEAD) {
          const at = parked;
          parked = null;
          ask(at);
        }
        return fetch.page;
      },
      ready: () => ahead[0]?.settled() ?? false,
      close: () => {
        // Pages still out belong to a pull that ended: nobody asks for more after them.
        open = false;
        ahead = [];
      },
    };
  }

  /**
   * The pages of a full pull from `from`, fetched and prepared on the pull worker's thread
   * (./pull-worker.ts), whose chain of requests does not stop while this thread writes. An
   * expired access token is renewed once; if the worker is gone, the pull goes on here.
   */
  private workerPages(from: string | null, worker: PullWorker): PageSource {
    let cursor = from;
    let renewed = false;
    let stream: PullPageStream | null = null;
    let local: PageSource | null = null;
    const signal = this.abort.signal;
    const open = async (): Promise<PullPageStream> => {
      if (this.stopped) throw new StopRound();
      const token = await this.options.session.accessToken();
      return worker.pages(
        pullWorkerStart({
          tuning: { ...this.options, protocolVersion: this.protocolVersion },
          baseUrl: this.client.baseUrl,
          token,
          replicaId: this.replica,
          cursor,
        }),
      );
    };
    const next = async (): Promise<PreparedPullResponse> => {
      if (local) return local.next();
      stream ??= await open();
      try {
        // The engine stops (a lock, a sign-out): stop waiting for the worker's page.
        const page = await untilAborted(
          stream.next(),
          signal,
          () => new ClinicServerError('ABORTED', 'The request was cancelled.', null),
        );
        if (page.status === 'ok') cursor = page.cursor;
        return page;
      } catch (error) {
        stream.close();
        stream = null;
        if (error instanceof PullWorkerGone) {
          local = this.localPages(cursor, null);
          return local.next();
        }
        if (
          !renewed &&
          error instanceof ClinicServerError &&
          error.status === 401 &&
          (error.code === 'TOKEN_EXPIRED' || error.code === 'UNAUTHENTICATED')
        ) {
          renewed = true;
          this.options.session.invalidateAccessToken();
          return next();
        }
        throw error;
      }
    };
    return {
      next,
      ready: () => (local ? local.ready() : (stream?.ready() ?? false)),
      close: () => {
        stream?.close();
        local?.close();
      },
    };
  }

  private async pullPages(
    from: string | null,
    isFull: boolean,
    isBulk: boolean,
    worker: PullWorker | null,
  ): Promise<number> {
    let cursor = from;
    let full = isFull;
    let bulk = isBulk;
    let received = 0;
    let resyncs = 0;
    const clientIds = new Set<string>();
    let clinicWide = false;
    // The worker fetches too unless the engine was given its own fetch (which only this thread has).
    const open = (at: string | null): PageSource =>
      worker?.available && !this.options.fetch ? this.workerPages(at, worker) : this.localPages(at, worker);
    let source = open(cursor);
    const batch: Array<Extract<PreparedPullResponse, { status: 'ok' }>> = [];
    let batched = 0;
    // The initial sync writes with the rollback journal (bulk-import.ts) from its first page to
    // its last, switching once instead of for every transaction.
    let endBulk = bulk ? beginBulkImport(this.db.$client) : null;
    const leaveBulk = (options?: { quiet: boolean }) => {
      const end = endBulk;
      endBulk = null;
      end?.(options);
    };
    // Pull everything again, from the start (nothing of this pull is kept that was not written).
    const restartFull = (reason: string) => {
      resyncs += 1;
      this.options.log.info({ code: 'SYNC_RESYNC', reason }, 'full pull required');
      if (resyncs > 3) throw new EngineError('RESYNC_LOOP');
      this.resyncNeeded = false;
      cursor = null;
      full = true;
      bulk = false;
      batch.length = 0;
      batched = 0;
      leaveBulk();
      source.close();
      source = open(cursor);
    };
    try {
      for (;;) {
        const response = await source.next();
        if (response.status === 'resyncRequired') {
          if (cursor === null) throw new EngineError('RESYNC_LOOP');
          // The server does not know the cursor it gave: its feed went back (a restored backup).
          if (response.reason === 'CURSOR_UNKNOWN') {
            const sqlite = this.db.$client;
            sqlite.transaction(() => {
              forgetServerVersions(sqlite, CURSOR_STREAM);
              noteServerRestored(sqlite, new Date(this.options.now()).toISOString(), 0);
            })();
          }
          restartFull(response.reason);
          continue;
        }
        if (!this.options.outbox.observeServerLast(response.lastMutationId)) {
          this.serverForgot(response.lastMutationId);
          restartFull('SERVER_FORGOT_CHANGES');
          continue;
        }
        received += response.changes.length;
        batch.push(response);
        batched += response.changes.length;
        // The initial sync writes several pages per transaction (fewer, larger commits through
        // the rollback journal), but does not wait for pages while it could be writing: when the
        // next page has not arrived, it writes what it has (at the start, the first page alone).
        // Otherwise each page is written as it comes.
        if (response.hasMore) {
          // Writing blocks this thread: let the requests for the next pages leave first, and the
          // pages that arrived meanwhile come in.
          await new Promise<void>((resolve) => setImmediate(resolve));
          if (bulk && batched < (this.options.bulkBatchChanges ?? BULK_BATCH) && source.ready()) {
            cursor = response.cursor;
            continue;
          }
        }
        const result = this.applyPages(batch.splice(0), bulk);
        batched = 0;
        for (const id of result.clientIds) clientIds.add(id);
        clinicWide ||= result.clinicWide;
        cursor = response.cursor;
        if (!response.hasMore) break;
      }
    } catch (error) {
      // Back to WAL; the failure is what the caller sees.
      leaveBulk({ quiet: true });
      throw error;
    } finally {
      source.close();
    }
    leaveBulk();
    for (const id of this.resolveSettled()) clientIds.add(id);
    if (clientIds.size > 0 || clinicWide || (full && received > 0)) {
      this.options.dataChanged({ clientIds: [...clientIds], all: full || clinicWide });
    }
    return received;
  }

  /**
   * Pages (in order): their acknowledgements, changes and the last cursor in one transaction,
   * so a crash or a failure repeats them, never half-applies them. Usually one page; the
   * initial sync writes several together (`BULK_BATCH`).
   */
  private applyPages(
    pages: ReadonlyArray<Extract<PreparedPullResponse, { status: 'ok' }>>,
    bulk: boolean,
  ): ApplyResult {
    const db = this.db;
    const sqlite = db.$client;
    const at = new Date(this.options.now()).toISOString();
    const total: ApplyResult = {
      clientIds: new Set(),
      clinicWide: false,
      applied: 0,
      skipped: [],
      deferred: 0,
      purged: 0,
    };
    // What happened to the held-back copies, page by page, applied to memory once committed.
    const effects: Array<{
      page: (typeof pages)[number];
      pendingKeys: Set<string>;
      held: Map<string, Change>;
    }> = [];
    const write = () => {
      effects.length = 0;
      const persisted = this.persistedDeferred();
      for (const page of pages) {
        // `page.lastMutationId` says the server processed changes up to there, not how: pending
        // rows stay pending and the next push learns each outcome (the server repeats refusals
        // and conflicts for replays), so a refusal whose push answer was lost is still shown.
        const pendingKeys = this.options.outbox.pendingEntityKeys();
        const held = new Map<string, Change>();
        const result = applyChanges(sqlite, page.changes, {
          pendingKeys,
          now: at,
          defer: (change) => {
            if (change.op === 'purgeClient') return;
            const key = entityKey(change.entity, change.id);
            held.set(key, change);
            persisted.add(key);
          },
        });
        // A copy this page replaced (no change pending any more).
        for (const change of page.changes) {
          const key = change.op === 'purgeClient' ? null : entityKey(change.entity, change.id);
          if (key && !pendingKeys.has(key)) persisted.delete(key);
        }
        for (const id of result.clientIds) total.clientIds.add(id);
        total.clinicWide ||= result.clinicWide;
        total.applied += result.applied;
        total.skipped.push(...result.skipped);
        total.deferred += result.deferred;
        total.purged += result.purged;
        effects.push({
          page,
          pendingKeys,
          held,
        });
      }
      this.writeDeferred(persisted);
      sqlite
        .prepare(
          'INSERT INTO sync_cursors (stream, cursor, updated_at) VALUES (?, ?, ?) ' +
            'ON CONFLICT(stream) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at',
        )
        .run(CURSOR_STREAM, pages[pages.length - 1]!.cursor, at);
    };
    // The bulk path (in the rollback-journal mode pullPages set) indexes the notes for search
    // once per transaction, not one by one (withBulkNoteSearch: same transaction, so the index
    // always agrees with the notes).
    const transaction = sqlite.transaction(() => (bulk ? withBulkNoteSearch(sqlite, write) : write()));
    withForeignKeysOff(sqlite, () => transaction());
    for (const { page, pendingKeys, held } of effects) {
      const purged = new Set(page.changes.flatMap((change) => (change.op === 'purgeClient' ? [change.clientId] : [])));
      for (const [key, copy] of this.deferred) {
        const change = copy.change;
        if (change.op !== 'purgeClient' && change.clientId && purged.has(change.clientId)) this.deferred.delete(key);
      }
      for (const change of page.changes) {
        if (change.op === 'purgeClient') continue;
        const key = entityKey(change.entity, change.id);
        if (!pendingKeys.has(key)) this.deferred.delete(key);
      }
      for (const [key, change] of held) this.deferred.set(key, { change, applied: false, settled: false });
    }
    for (const skipped of total.skipped) {
      this.options.log.warn({ code: skipped.reason, entity: skipped.entity, id: skipped.id }, 'pulled record skipped');
    }
    if (total.purged > 0) this.options.log.info({ code: 'CLIENTS_PURGED', count: total.purged }, 'clients purged');
    return total;
  }

  private readCursor(): string | null {
    return (
      (this.db.$client.prepare('SELECT cursor FROM sync_cursors WHERE stream = ?').pluck().get(CURSOR_STREAM) as
        string | undefined) ?? null
    );
  }

  private cacheIsEmpty(): boolean {
    const sqlite = this.db.$client;
    return (
      sqlite.prepare('SELECT 1 FROM clients LIMIT 1').get() === undefined &&
      sqlite.prepare('SELECT 1 FROM session_notes LIMIT 1').get() === undefined
    );
  }

  private persistedDeferred(): Set<string> {
    const value = readMeta(this.db.$client, DEFERRED_KEY);
    try {
      const parsed = value ? (JSON.parse(value) as unknown) : [];
      return new Set(Array.isArray(parsed) ? parsed.filter((item): item is string => typeof item === 'string') : []);
    } catch {
      return new Set();
    }
  }

  private writeDeferred(keys: Set<string>): void {
    const sqlite = this.db.$client;
    if (keys.size === 0) deleteMeta(sqlite, DEFERRED_KEY);
    else writeMeta(sqlite, DEFERRED_KEY, JSON.stringify([...keys]));
  }

  // ---------------------------------------------------------------- the server

  /** Call with a valid access token; one renewal and retry when the server refuses the token. */
  private async authed<T>(call: (token: string) => Promise<T>): Promise<T> {
    if (this.stopped) throw new StopRound();
    const token = await this.options.session.accessToken();
    try {
      return await call(token);
    } catch (error) {
      if (
        error instanceof ClinicServerError &&
        error.status === 401 &&
        (error.code === 'TOKEN_EXPIRED' || error.code === 'UNAUTHENTICATED')
      ) {
        this.options.session.invalidateAccessToken();
        if (this.stopped) throw new StopRound();
        return call(await this.options.session.accessToken());
      }
      throw error;
    }
  }

  /** The event stream: pokes trigger a pull; reconnects with backoff; ends on stop. */
  private async listen(): Promise<void> {
    let failures = 0;
    let connections = 0;
    const idleMs = this.options.eventsIdleMs ?? 70_000;
    while (!this.stopped) {
      const stream = new AbortController();
      const signal = AbortSignal.any([this.abort.signal, stream.signal]);
      let watchdog: unknown = null;
      const feed = () => {
        if (watchdog !== null) this.timers.clearTimeout(watchdog);
        watchdog = this.timers.setTimeout(() => stream.abort(), idleMs);
      };
      let ended: 'normal' | 'failed' = 'normal';
      try {
        // Also bounds opening the stream: a server that accepts the connection and never answers.
        feed();
        const events: AsyncIterable<ServerEvent> = await this.authed((token) => this.client.events(token, signal));
        failures = 0;
        // Pokes sent while the stream was down are lost: catch up after every reconnection.
        if (connections > 0 || this.online === false) {
          this.failures = 0;
          void this.requestRound();
        }
        connections += 1;
        feed();
        for await (const event of events) {
          feed();
          if (event.type === 'poke') void this.requestRound();
          else if (event.type === 'deviceRevoked') {
            this.end('deviceRevoked');
            return;
          }
        }
      } catch (error) {
        if (this.stopped || error instanceof StopRound) return;
        if (error instanceof ClinicServerError) {
          if (error.code === 'DEVICE_REVOKED') {
            this.end('deviceRevoked');
            return;
          }
          if (isSignInRequired(error)) {
            this.end('signInRequired');
            return;
          }
          if (error.code === 'OFFLINE' && this.online !== false && !this.running) {
            // The stream cannot be opened: the next round finds out whether the server is down.
            this.schedule(0);
          }
        }
        ended = 'failed';
      } finally {
        if (watchdog !== null) this.timers.clearTimeout(watchdog);
      }
      if (this.stopped) return;
      if (ended === 'failed') failures += 1;
      const delay =
        ended === 'failed'
          ? backoffDelay(failures, this.options.eventsBackoff ?? EVENTS_BACKOFF, this.random)
          : 500 + Math.floor(this.random() * 1_000);
      await this.sleep(delay);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopped) return resolve();
      const handle = this.timers.setTimeout(() => {
        this.abort.signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        this.timers.clearTimeout(handle);
        resolve();
      };
      this.abort.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  // ---------------------------------------------------------------- status

  private currentDrift(): number | null {
    const push = this.pushDrift;
    const header = this.headerDrift;
    if (push && this.options.now() - push.at < PUSH_DRIFT_FRESH_MS) {
      // The push's figure is more precise, unless a later Date header disagrees by more than its
      // resolution: then the device clock was changed (corrected, usually) since that push.
      const clockChanged = header !== null && header.at > push.at && Math.abs(header.ms - push.ms) > DRIFT_MARGIN_MS;
      if (!clockChanged) return push.ms;
    }
    return header?.ms ?? null;
  }

  private reportDrift(): void {
    const drift = this.currentDrift();
    if (drift !== null) this.options.driftMeasured?.(Math.round(drift));
  }

  private lastSyncedAt(): string | null {
    try {
      return readMeta(this.db.$client, LAST_SYNCED_KEY);
    } catch {
      return null;
    }
  }

  /** The badge between rounds: error (with its reason) › offline › synced. */
  private publishIdle(): void {
    if (this.stopped) return;
    const lastSyncedAt = this.lastSyncedAt();
    const drift = this.currentDrift();
    const skewed = this.heldForClock || (drift !== null && Math.abs(drift) > DEFAULT_MAX_DRIFT_MS);
    const reason = this.lastError ?? (skewed ? 'CLOCK_SKEW' : null);
    if (reason) this.options.publish({ state: 'error', lastSyncedAt, reason });
    else if (this.online === false)
      this.options.publish({ state: 'offline', lastSyncedAt, reason: 'SERVER_UNREACHABLE' });
    else this.options.publish({ state: 'synced', lastSyncedAt });
  }
}

/** A condition that stops sync until something changes (shown as the badge's reason). */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(readonly reason: string) {
    super(reason);
  }
}

export function isSignInRequired(error: ClinicServerError): boolean {
  return (
    error.code === 'SIGN_IN_REQUIRED' ||
    error.code === 'REFRESH_INVALID' ||
    error.code === 'REFRESH_REUSED' ||
    (error.status === 401 && error.code !== 'DEVICE_REVOKED')
  );
}

/**
 * Run `work` with foreign keys unchecked (the pragma cannot change inside a transaction, so the
 * caller must not be in one). Pulled pages may reference records of later pages.
 */
function withForeignKeysOff<T>(sqlite: WorkstationStore['sqlite'], work: () => T): T {
  if (sqlite.inTransaction) return work();
  sqlite.pragma('foreign_keys = OFF');
  try {
    return work();
  } finally {
    sqlite.pragma('foreign_keys = ON');
  }
}
