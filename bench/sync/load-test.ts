/**
 * Bounded load test: many simulated workstations (ProtocolClient: HTTP only, real access
 * tokens, one replica each) against one clinic server on loopback. Each workstation pulls on a
 * timer (every `cycleMs` ± 50 %), pushes a draft (new or an edit of its last one) plus an audit
 * upload on some cycles, and keeps a failed push in its outbox to send again (same mutation
 * ids). A few hold the SSE poke stream and also pull when poked.
 */
import { randomUUID } from 'node:crypto';
import { HybridLogicalClock } from '../../src/shared/sync/hlc';
import type { Mutation } from '../../src/shared/sync/protocol';
import { draftContent } from './draft';
import { HttpError, type ProtocolClient } from './protocol-client';
import { latencyStats, median, processMemory, round, sleep, type LatencyStats } from './stats';

export interface LoadWorkstation {
  client: ProtocolClient;
  /** Clients on this workstation's caseload (drafts are written for them). */
  clientIds: string[];
  /** Holds GET /sync/events and pulls on every poke. */
  sse: boolean;
}

export interface LoadTestOptions {
  durationMs: number;
  /** Mean time between two sync cycles of one workstation. */
  cycleMs: number;
  /** Share of cycles that push. */
  pushProbability: number;
  /** The server process, for its memory. */
  serverPid: number;
  /** Called once a second with progress (requests so far). */
  onProgress?: (done: number) => void;
}

export interface LoadTestResult {
  workstations: number;
  sseStreams: number;
  durationMs: number;
  cycleMs: number;
  pushProbability: number;
  requests: { total: number; push: number; pull: number; perSecond: number };
  latency: { push: LatencyStats; pull: LatencyStats };
  mutations: { sent: number; applied: number; rejected: number; conflicts: number };
  pokesReceived: number;
  errors: { count: number; byKind: Record<string, number> };
  serverMemory: { beforeRssBytes: number; peakRssBytes: number; afterRssBytes: number };
}

interface WorkstationState {
  ws: LoadWorkstation;
  clock: HybridLogicalClock;
  cursor: string | null;
  outbox: Mutation[];
  draft: { noteId: string; clientId: string; version: number } | null;
  pulling: Promise<void> | null;
  pullAgain: boolean;
}

/** Pull every workstation up to date first (not measured): the test is about steady-state sync. */
export async function warmUp(workstations: LoadWorkstation[], concurrency = 8): Promise<Map<LoadWorkstation, string>> {
  const cursors = new Map<LoadWorkstation, string>();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < workstations.length) {
        const ws = workstations[next++]!;
        cursors.set(ws, (await ws.client.pullAll(null)).cursor);
      }
    }),
  );
  return cursors;
}

export async function runLoadTest(
  workstations: LoadWorkstation[],
  cursors: Map<LoadWorkstation, string>,
  options: LoadTestOptions,
): Promise<LoadTestResult> {
  const pushMs: number[] = [];
  const pullMs: number[] = [];
  const errors: Record<string, number> = {};
  const mutations = { sent: 0, applied: 0, rejected: 0, conflicts: 0 };
  let pokes = 0;
  let stopping = false;
  const fail = (kind: string, error: unknown) => {
    const key = `${kind}:${error instanceof HttpError ? error.status : error instanceof Error ? error.name : 'unknown'}`;
    errors[key] = (errors[key] ?? 0) + 1;
  };

  const states: WorkstationState[] = workstations.map((ws) => ({
    ws,
    clock: new HybridLogicalClock(ws.client.replicaId, Date.now),
    cursor: cursors.get(ws) ?? null,
    outbox: [],
    draft: null,
    pulling: null,
    pullAgain: false,
  }));

  const pullUntilDone = async (state: WorkstationState) => {
    for (;;) {
      try {
        const page = await state.ws.client.pull(state.cursor);
        pullMs.push(page.ms);
        if (page.response.status === 'resyncRequired') {
          state.cursor = null;
          continue;
        }
        state.cursor = page.response.cursor;
        if (!page.response.hasMore) return;
      } catch (error) {
        fail('pull', error);
        return;
      }
    }
  };
  /** One pull at a time per workstation; a poke during a pull pulls once more after it. */
  const pull = (state: WorkstationState): Promise<void> => {
    if (state.pulling) {
      state.pullAgain = true;
      return state.pulling;
    }
    state.pulling = (async () => {
      do {
        state.pullAgain = false;
        await pullUntilDone(state);
      } while (state.pullAgain && !stopping);
      state.pulling = null;
    })();
    return state.pulling;
  };

  const push = async (state: WorkstationState, seq: number) => {
    if (state.outbox.length === 0) {
      const clientId = state.ws.clientIds[seq % state.ws.clientIds.length]!;
      const edit = state.draft !== null && seq % 2 === 1;
      const noteId = edit && state.draft ? state.draft.noteId : randomUUID();
      const noteClient = edit && state.draft ? state.draft.clientId : clientId;
      const baseVersion = edit && state.draft ? state.draft.version : null;
      state.outbox = state.ws.client.number([
        {
          name: 'note.saveDraft',
          clientId: noteClient,
          args: { noteId, content: draftContent(seq), baseVersion },
          hlc: state.clock.tick(),
        },
        {
          name: 'audit.append',
          clientId: noteClient,
          args: {
            entries: [
              { action: 'chart.open', recordType: 'client', recordId: noteClient, at: new Date().toISOString() },
            ],
          },
          hlc: state.clock.tick(),
        },
      ]);
      state.draft = { noteId, clientId: noteClient, version: (baseVersion ?? 0) + 1 };
    }
    try {
      const { response, ms } = await state.ws.client.push(state.outbox);
      pushMs.push(ms);
      mutations.sent += state.outbox.length;
      for (const result of response.results) {
        if (result.status === 'applied' || result.status === 'duplicate') mutations.applied += 1;
        else if (result.status === 'conflict') mutations.conflicts += 1;
        else mutations.rejected += 1;
      }
      if (response.results.some((r) => r.status !== 'applied' && r.status !== 'duplicate')) state.draft = null;
      state.outbox = [];
    } catch (error) {
      fail('push', error);
    }
  };

  const streams = await Promise.all(
    states
      .filter((state) => state.ws.sse)
      .map((state) =>
        state.ws.client.subscribe(() => {
          pokes += 1;
          if (!stopping) void pull(state);
        }),
      ),
  );

  const before = await processMemory(options.serverPid);
  let peak = before?.rssBytes ?? 0;
  const sampler = setInterval(() => {
    void processMemory(options.serverPid).then((m) => {
      if (m) peak = Math.max(peak, m.rssBytes, m.peakRssBytes);
      options.onProgress?.(pushMs.length + pullMs.length);
    });
  }, 1000);

  const t0 = performance.now();
  const end = t0 + options.durationMs;
  const jittered = () => options.cycleMs * (0.5 + Math.random());
  await Promise.all(
    states.map(async (state, index) => {
      let seq = index;
      await sleep(Math.random() * options.cycleMs);
      while (performance.now() < end) {
        if (Math.random() < options.pushProbability) await push(state, seq++);
        await pull(state);
        const wait = Math.min(jittered(), end - performance.now());
        if (wait > 0) await sleep(wait);
      }
    }),
  );
  const elapsed = performance.now() - t0;
  stopping = true;
  clearInterval(sampler);
  await Promise.all(states.map((state) => state.pulling));
  for (const stream of streams) stream.close();
  await Promise.allSettled(streams.map((s) => s.done));
  const after = await processMemory(options.serverPid);

  const total = pushMs.length + pullMs.length;
  return {
    workstations: workstations.length,
    sseStreams: streams.length,
    durationMs: round(elapsed, 0),
    cycleMs: options.cycleMs,
    pushProbability: options.pushProbability,
    requests: { total, push: pushMs.length, pull: pullMs.length, perSecond: round(total / (elapsed / 1000), 1) },
    latency: { push: latencyStats(pushMs), pull: latencyStats(pullMs) },
    mutations,
    pokesReceived: pokes,
    errors: { count: Object.values(errors).reduce((n, x) => n + x, 0), byKind: errors },
    serverMemory: {
      beforeRssBytes: before?.rssBytes ?? 0,
      peakRssBytes: Math.max(peak, after?.peakRssBytes ?? 0),
      afterRssBytes: after?.rssBytes ?? 0,
    },
  };
}

export interface SaturationResult {
  concurrency: number;
  pushes: number;
  pushesPerSecond: number;
  latency: LatencyStats;
  errors: number;
}

/**
 * What the push path's serialisation costs: `concurrency` workstations push one draft each,
 * back to back, for `durationMs`. If pushes/s stays flat as concurrency grows, pushes are
 * serialised (the advisory lock; on PGlite also its single connection) and latency grows with
 * the queue.
 */
export async function pushSaturation(
  workstations: LoadWorkstation[],
  concurrency: number,
  durationMs: number,
): Promise<SaturationResult> {
  const samples: number[] = [];
  let errors = 0;
  const end = performance.now() + durationMs;
  const t0 = performance.now();
  await Promise.all(
    workstations.slice(0, concurrency).map(async (ws, index) => {
      const clock = new HybridLogicalClock(ws.client.replicaId, Date.now);
      let seq = index;
      while (performance.now() < end) {
        const clientId = ws.clientIds[seq % ws.clientIds.length]!;
        const batch = ws.client.number([
          {
            name: 'note.saveDraft',
            clientId,
            args: { noteId: randomUUID(), content: draftContent(seq), baseVersion: null },
            hlc: clock.tick(),
          },
        ]);
        seq += 1;
        try {
          const { response, ms } = await ws.client.push(batch);
          samples.push(ms);
          if (response.results.some((r) => r.status !== 'applied')) errors += 1;
        } catch {
          errors += 1;
        }
      }
    }),
  );
  const elapsed = performance.now() - t0;
  return {
    concurrency,
    pushes: samples.length,
    pushesPerSecond: round(samples.length / (elapsed / 1000), 1),
    latency: latencyStats(samples),
    errors,
  };
}

export interface RequestAnatomy {
  request: string;
  runs: number;
  /** Client-side time per request (loopback, one at a time). */
  medianMs: number;
  /** Statements per request and their time in the database client (PGlite), per request. */
  statements: number;
  sqlMs: number;
  top: Array<{ sql: string; perRequest: number; msPerRequest: number }>;
}

/**
 * One request at a time, to see what each costs on the server: a pull with nothing new, a push
 * of one draft, a pull that brings one change. `takeSqlStats` returns (and resets) the
 * server's per-statement counters.
 */
export async function requestAnatomy(
  a: LoadWorkstation,
  b: LoadWorkstation,
  cursor: string,
  takeSqlStats: () => Promise<Array<{ sql: string; count: number; totalMs: number }>>,
  runs: number,
): Promise<RequestAnatomy[]> {
  const clock = new HybridLogicalClock(a.client.replicaId, Date.now);
  const otherClock = new HybridLogicalClock(b.client.replicaId, Date.now);
  let current = cursor;
  type Stat = { sql: string; count: number; totalMs: number };
  const summarise = (request: string, samples: number[], stats: Stat[]): RequestAnatomy => ({
    request,
    runs: samples.length,
    medianMs: round(median(samples)),
    statements: round(stats.reduce((n, s) => n + s.count, 0) / samples.length, 1),
    sqlMs: round(stats.reduce((n, s) => n + s.totalMs, 0) / samples.length),
    top: [...stats]
      .sort((x, y) => y.totalMs - x.totalMs)
      .slice(0, 6)
      .map((s) => ({
        sql: s.sql,
        perRequest: round(s.count / samples.length, 1),
        msPerRequest: round(s.totalMs / samples.length),
      })),
  });
  const merge = (into: Map<string, Stat>, stats: Stat[]) => {
    for (const s of stats) {
      const seen = into.get(s.sql) ?? { sql: s.sql, count: 0, totalMs: 0 };
      seen.count += s.count;
      seen.totalMs += s.totalMs;
      into.set(s.sql, seen);
    }
  };
  const pullOnce = async () => {
    const page = await a.client.pull(current);
    if (page.response.status !== 'ok') throw new Error('resync during the anatomy run');
    current = page.response.cursor;
    return page.ms;
  };
  const draft = (ws: LoadWorkstation, hlc: HybridLogicalClock, seq: number) =>
    ws.client.number([
      {
        name: 'note.saveDraft',
        clientId: ws.clientIds[0]!,
        args: { noteId: randomUUID(), content: draftContent(seq), baseVersion: null },
        hlc: hlc.tick(),
      },
    ]);

  const out: RequestAnatomy[] = [];
  await takeSqlStats();
  const idle: number[] = [];
  for (let i = 0; i < runs; i += 1) idle.push(await pullOnce());
  out.push(summarise('pull, nothing new', idle, await takeSqlStats()));

  const pushes: number[] = [];
  for (let i = 0; i < runs; i += 1) pushes.push((await a.client.push(draft(a, clock, i))).ms);
  out.push(summarise('push, one draft note', pushes, await takeSqlStats()));
  await pullOnce(); // our own drafts

  const oneChange: number[] = [];
  const merged = new Map<string, Stat>();
  for (let i = 0; i < runs; i += 1) {
    await b.client.push(draft(b, otherClock, i));
    await takeSqlStats();
    oneChange.push(await pullOnce());
    merge(merged, await takeSqlStats());
  }
  out.push(summarise('pull, one new note', oneChange, [...merged.values()]));
  return out;
}
