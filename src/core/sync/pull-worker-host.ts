import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PullRequest } from '../../shared/sync/protocol';
import { ClinicServerError } from '../clinic/clinic-server-client';
import { preparePullBody, type PreparedPullResponse } from './prepare-changes';
import { type PackedPage, unpackPreparedPage } from './prepared-page-transfer';

/**
 * Where the pull worker's module is (./pull-worker.ts): the built `pull-worker.js` beside the
 * core's bundle in the app (src/core/entry.ts), the TypeScript source when the core runs from
 * source in plain Node (tests, the browser harness), which is loaded through tsx.
 */
export interface PullWorkerSpec {
  path: string;
}

export interface PullWorkerOptions {
  /** The server's clock seen in an answer, with the local `Date.now` before and after it. */
  observeServerTime?: (serverMs: number, sentAtMs: number, receivedAtMs: number) => void;
}

export interface PullWorkerStart {
  type: 'pull';
  pull: number;
  baseUrl: string;
  token: string;
  timeoutMs: number;
  request: PullRequest;
  /** Pages asked for and not yet taken by the core, at most. */
  lookahead: number;
}

export type PullWorkerRequest =
  | { type: 'prepare'; id: number; body: Uint8Array }
  | PullWorkerStart
  | { type: 'taken'; pull: number }
  | { type: 'stop'; pull: number };

export type PullWorkerReply =
  | { type: 'ready' }
  /** A `Date` header seen (times on this process's `Date.now` clock). */
  | { type: 'serverTime'; serverMs: number; sentAtMs: number; receivedAtMs: number }
  /** Pages cross packed (./prepared-page-transfer.ts): cheaper for the core's thread to receive. */
  | { type: 'prepared'; id: number; page: PackedPage | null }
  | { type: 'prepared'; id: number; failed: true }
  | { type: 'page'; pull: number; page: PackedPage }
  | {
      type: 'failed';
      pull: number;
      error: { code: string; message: string; status: number | null; retryAfter: number | null };
    };

/** Server times kept for an engine that has not taken its worker yet. */
const UNHEARD_TIMES = 8;

/** The worker thread is gone (it failed to start or died): the caller goes on without it. */
export class PullWorkerGone extends Error {
  override readonly name = 'PullWorkerGone';
}

/** The pages of one pull, in order, as the worker fetches and prepares them. */
export interface PullPageStream {
  /** The next page; rejects with the request's ClinicServerError, or PullWorkerGone. */
  next(): Promise<PreparedPullResponse>;
  /** Whether `next` has an answer here already (a page or a failure), so it would not wait. */
  ready(): boolean;
  close(): void;
}

/**
 * The core's side of the pull worker, started for one full pull and closed after it.
 *
 * - `pages` runs the pull's requests on the worker's thread (the chain of cursors does not stop
 *   while the core's thread is busy writing) and hands the prepared pages over in order.
 * - `prepare` prepares one body the core fetched itself (when the engine was given its own
 *   `fetch`). It never fails because of the worker: the body is copied to the thread, not moved,
 *   so when the worker cannot start, dies, or fails on a page, that page (and every later one)
 *   is prepared on the calling thread instead, with the same code. Until the thread has loaded,
 *   pages are prepared on the calling thread too. Null means the body is not a pull answer.
 */
export class PullWorker {
  private worker: Worker | null;
  private ready = false;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { body: Uint8Array; resolve: (page: PreparedPullResponse | null) => void }
  >();
  private readonly streams = new Map<number, (reply: Extract<PullWorkerReply, { pull: number }> | null) => void>();
  /** Why the worker stopped helping (for the log), or null while it works. */
  failure: string | null = null;
  /** Server times seen while nobody observed them (the latest few), for `observe`. */
  private readonly unheardTimes: Array<[number, number, number]> = [];
  /** A pull begun before anyone asked for its pages (`begin`), until `pages` takes it. */
  private early: { start: Omit<PullWorkerStart, 'type' | 'pull'>; stream: PullPageStream } | null = null;

  constructor(
    spec: PullWorkerSpec,
    private options: PullWorkerOptions = {},
  ) {
    try {
      this.worker = spec.path.endsWith('.ts')
        ? // From source: register tsx's loader in the thread, then load the module.
          new Worker(
            `import('tsx/esm/api').then((tsx) => tsx.register()).then(() => import(${JSON.stringify(pathToFileURL(spec.path).href)}));`,
            { eval: true, name: 'continuum-pull' },
          )
        : new Worker(spec.path, { name: 'continuum-pull' });
    } catch (error) {
      this.worker = null;
      this.failure = error instanceof Error ? error.name : 'start';
      return;
    }
    this.worker.unref();
    this.worker.on('message', (reply: PullWorkerReply) => {
      if (reply.type === 'ready') {
        this.ready = true;
      } else if (reply.type === 'serverTime') {
        if (this.options.observeServerTime)
          this.options.observeServerTime(reply.serverMs, reply.sentAtMs, reply.receivedAtMs);
        else {
          // Nobody listens yet (a pull begun before its engine): kept for the engine (`observe`).
          this.unheardTimes.push([reply.serverMs, reply.sentAtMs, reply.receivedAtMs]);
          if (this.unheardTimes.length > UNHEARD_TIMES) this.unheardTimes.shift();
        }
      } else if (reply.type === 'prepared') {
        const call = this.pending.get(reply.id);
        if (!call) return;
        this.pending.delete(reply.id);
        call.resolve('failed' in reply ? preparePullBody(call.body) : reply.page && unpackPreparedPage(reply.page));
      } else {
        this.streams.get(reply.pull)?.(reply);
      }
    });
    this.worker.on('error', (error) => this.fail(error.name));
    this.worker.on('exit', (code) => this.fail(`exit ${code}`));
  }

  /**
   * Who hears the server's clock from now on (a worker started before its engine gets the
   * engine's), first the times seen while nobody listened: an engine that takes over a pull
   * begun early knows this device's clock drift before its first push, as it would had it
   * fetched those pages itself.
   */
  observe(options: PullWorkerOptions): void {
    this.options = options;
    const unheard = this.unheardTimes.splice(0);
    for (const [serverMs, sentAtMs, receivedAtMs] of unheard)
      options.observeServerTime?.(serverMs, sentAtMs, receivedAtMs);
  }

  /** Whether the thread has loaded: pages are prepared there from now on. */
  get loaded(): boolean {
    return this.ready;
  }

  get available(): boolean {
    return this.worker !== null;
  }

  prepare(body: Uint8Array): Promise<PreparedPullResponse | null> {
    if (!this.worker || !this.ready) return Promise.resolve(preparePullBody(body));
    const id = this.nextId;
    this.nextId += 1;
    return new Promise((resolve) => {
      this.pending.set(id, { body, resolve });
      this.worker!.postMessage({ type: 'prepare', id, body } satisfies PullWorkerRequest);
    });
  }

  /**
   * Start a pull before its pages are wanted: the first run's initial sync begins downloading
   * while the cache is being created (SyncService `beginInitialPull`). At most `lookahead` pages
   * are fetched and held; `pages` with the same server and request takes the pull over, anything
   * else (or `close`) drops it.
   */
  begin(start: Omit<PullWorkerStart, 'type' | 'pull'>): void {
    this.early?.stream.close();
    this.early = { start, stream: this.pages(start) };
  }

  /** Drop a pull begun early (`begin`) and the pages it holds; the thread stays. */
  cancelEarly(): void {
    this.early?.stream.close();
    this.early = null;
  }

  /** Run a pull from `request.cursor` on the worker (a thread still loading starts it when loaded). */
  pages(start: Omit<PullWorkerStart, 'type' | 'pull'>): PullPageStream {
    const early = this.early;
    this.early = null;
    if (early) {
      // The token may have been renewed since: the same pull is the same server and request.
      if (early.start.baseUrl === start.baseUrl && samePullRequest(early.start.request, start.request))
        return early.stream;
      early.stream.close();
    }
    const pull = this.nextId;
    this.nextId += 1;
    const arrived: Array<Extract<PullWorkerReply, { pull: number }> | null> = [];
    let waiting: ((reply: Extract<PullWorkerReply, { pull: number }> | null) => void) | null = null;
    let closed = false;
    this.streams.set(pull, (reply) => {
      if (waiting) {
        const wake = waiting;
        waiting = null;
        wake(reply);
      } else arrived.push(reply);
    });
    if (this.worker) this.worker.postMessage({ type: 'pull', pull, ...start } satisfies PullWorkerRequest);
    else arrived.push(null);
    return {
      next: async () => {
        const reply =
          arrived.length > 0
            ? arrived.shift()!
            : await new Promise<Extract<PullWorkerReply, { pull: number }> | null>((resolve) => (waiting = resolve));
        if (reply === null) throw new PullWorkerGone(this.failure ?? 'closed');
        if (reply.type === 'failed') {
          const { code, message, status, retryAfter } = reply.error;
          throw new ClinicServerError(code, message, status, retryAfter);
        }
        this.worker?.postMessage({ type: 'taken', pull } satisfies PullWorkerRequest);
        return unpackPreparedPage(reply.page);
      },
      ready: () => arrived.length > 0,
      close: () => {
        if (closed) return;
        closed = true;
        this.streams.delete(pull);
        this.worker?.postMessage({ type: 'stop', pull } satisfies PullWorkerRequest);
      },
    };
  }

  /** After the pull: nobody waits for a page still out (the pull ended without it). */
  async close(): Promise<void> {
    this.early?.stream.close();
    this.early = null;
    const worker = this.worker;
    this.worker = null;
    for (const call of this.pending.values()) call.resolve(null);
    this.pending.clear();
    this.endStreams();
    if (worker) await worker.terminate();
  }

  private fail(reason: string): void {
    if (!this.worker) return;
    this.failure ??= reason;
    this.worker = null;
    // Pages sent to a worker that is gone: prepared here.
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const call of calls) call.resolve(preparePullBody(call.body));
    this.endStreams();
  }

  private endStreams(): void {
    const streams = [...this.streams.values()];
    this.streams.clear();
    for (const deliver of streams) deliver(null);
  }
}

function samePullRequest(a: PullRequest, b: PullRequest): boolean {
  return (
    a.protocolVersion === b.protocolVersion &&
    a.replicaId === b.replicaId &&
    a.cursor === b.cursor &&
    a.limit === b.limit
  );
}
