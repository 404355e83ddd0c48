/**
 * The pull worker: a worker thread of the core that runs a full pull's requests and turns each
 * page into prepared changes (./prepare-changes.ts: decode, parse, validate, project each note)
 * while the core's thread writes the pages before them into the encrypted cache. It holds no
 * key, opens no file and sees only the access token and what the clinic server sends;
 * ./pull-worker-host.ts starts it and docs/sync-protocol.md ("Full pull") describes the flow.
 *
 * Why the requests run here too: the next page's cursor arrives in the headers of the page
 * before it, so the requests form a chain. On the core's thread that chain stops whenever a
 * write blocks the thread (most of an initial sync); here it keeps going.
 */
import { parentPort } from 'node:worker_threads';
import { ClinicServerClient, ClinicServerError } from '../clinic/clinic-server-client';
import { preparePullBody, type PreparedPullResponse } from './prepare-changes';
import { packPreparedPage } from './prepared-page-transfer';
import type { PullWorkerReply, PullWorkerRequest, PullWorkerStart } from './pull-worker-host';

const port = parentPort;
if (!port) throw new Error('src/core/sync/pull-worker.ts runs as a worker thread (see pull-worker-host.ts)');
const post = (reply: PullWorkerReply) => port.postMessage(reply);

/** Pages sent and not yet taken by the core, per pull (the core's lookahead). */
const pulls = new Map<
  number,
  { outstanding: number; wake: (() => void) | null; stopped: boolean; abort: AbortController }
>();

port.on('message', (request: PullWorkerRequest) => {
  switch (request.type) {
    case 'prepare': {
      let page: PreparedPullResponse | null = null;
      let failed = false;
      try {
        page = preparePullBody(request.body);
      } catch {
        // Nothing the server sends should throw here; if it does, the host prepares the page itself.
        failed = true;
      }
      post(
        failed
          ? { type: 'prepared', id: request.id, failed: true }
          : { type: 'prepared', id: request.id, page: page && packPreparedPage(page) },
      );
      return;
    }
    case 'pull':
      void run(request);
      return;
    case 'taken': {
      const pull = pulls.get(request.pull);
      if (!pull) return;
      pull.outstanding -= 1;
      pull.wake?.();
      return;
    }
    case 'stop': {
      const pull = pulls.get(request.pull);
      if (!pull) return;
      pull.stopped = true;
      pull.abort.abort();
      pull.wake?.();
      pulls.delete(request.pull);
      return;
    }
  }
});

async function run(start: PullWorkerStart): Promise<void> {
  const abort = new AbortController();
  const state = { outstanding: 0, wake: null as (() => void) | null, stopped: false, abort };
  pulls.set(start.pull, state);
  const client = new ClinicServerClient({
    baseUrl: new URL(start.baseUrl),
    timeoutMs: start.timeoutMs,
    // The server's clock as its answers tell it: the engine measures this device's drift with it.
    observeServerTime: (serverMs, sentAtMs, receivedAtMs) =>
      post({ type: 'serverTime', serverMs, sentAtMs, receivedAtMs }),
  });
  let cursor = start.request.cursor;
  // Pages, and a failure, are posted in order: each waits for what was asked for before it.
  let posted: Promise<void> = Promise.resolve();
  let failed = false;
  const fail = (error: unknown) => {
    if (failed || state.stopped) return;
    failed = true;
    abort.abort();
    post({ type: 'failed', pull: start.pull, error: describe(error) });
  };
  try {
    for (;;) {
      // At most `lookahead` pages asked for and not yet written by the core.
      while (state.outstanding >= start.lookahead && !state.stopped) {
        await new Promise<void>((resolve) => (state.wake = resolve));
        state.wake = null;
      }
      if (state.stopped || failed) break;
      state.outstanding += 1;
      const answer = await client.pullPage(start.token, { ...start.request, cursor }, abort.signal);
      const page = answer.body.then((bytes) => {
        const prepared = preparePullBody(bytes);
        const agrees =
          prepared !== null &&
          (answer.next === null ||
            (prepared.status === 'ok' &&
              prepared.cursor === answer.next.cursor &&
              prepared.hasMore === answer.next.hasMore));
        if (!agrees) throw new ClinicServerError('BAD_RESPONSE', 'The clinic server sent an unexpected answer.', 200);
        return prepared;
      });
      page.catch(() => undefined);
      posted = posted.then(async () => {
        if (failed || state.stopped) return;
        try {
          post({ type: 'page', pull: start.pull, page: packPreparedPage(await page) });
        } catch (error) {
          fail(error);
        }
      });
      // The next cursor: from the headers at once, else (a server that does not send them) from the page.
      const next =
        answer.next ??
        (await page.then(
          (prepared) => (prepared.status === 'ok' ? { cursor: prepared.cursor, hasMore: prepared.hasMore } : null),
          () => null,
        ));
      if (!next?.hasMore) break;
      cursor = next.cursor;
    }
  } catch (error) {
    posted = posted.then(() => fail(error));
  }
  await posted;
  pulls.delete(start.pull);
}

function describe(error: unknown): Extract<PullWorkerReply, { type: 'failed' }>['error'] {
  if (error instanceof ClinicServerError) {
    return { code: error.code, message: error.message, status: error.status, retryAfter: error.retryAfterSeconds };
  }
  return { code: 'OFFLINE', message: 'The clinic server cannot be reached.', status: null, retryAfter: null };
}

// Loaded: from now on the host sends it work (until then it does the work itself).
post({ type: 'ready' });
// Node loads its HTTP client (undici) at the first request: load it now, while nothing waits
// (a worker is started ahead of its pull, sync-service.ts `prepareInitialSync`).
setImmediate(() => void new Headers());
