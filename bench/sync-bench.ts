/**
 * Sync benchmark (issue 4), side by side in one run on loopback:
 *
 * 1. Initial sync of a 60-client caseload (the demo clinic, 20,000 notes plus their measures,
 *    check-ins, appointments …) into an empty encrypted workstation cache through the real
 *    workstation sync engine (encrypted SQLite file, real HTTP pulls), against the real clinic server
 *    in its own process. Also the same pulls without a workstation (server + wire only).
 * 2. The reference: PouchDB replication of the same documents (one per record, same JSON
 *    bodies) from express-pouchdb (pouchdb-node, LevelDB) into an empty pouchdb-node database.
 * 3. Push-to-visible latency on a second device: ours (outbox → push → SSE poke → pull into
 *    device B's cache) and PouchDB live replication (A → server → B).
 * 4. A bounded load test: many simulated workstations against one server, and what the
 *    serialised push path costs (push throughput against concurrency).
 *
 *   npm run bench -- --sync [--quick] [--postgres] [--cpu-prof]
 *   npx tsx bench/sync-bench.ts [--quick] [--postgres] [--cpu-prof]
 *
 * `--postgres` repeats our side on a throwaway PostgreSQL 15 cluster (tests/server/helpers).
 * `--cpu-prof` writes CPU profiles of the server processes (one folder each) and of the workstation
 * side of each initial sync to bench/results/profiles/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Change } from '../src/shared/sync/protocol';
import { loadAverages, machineInfo, type MachineInfo } from './machine';
import { startChild, type Child } from './sync/child';
import type { ClinicServerHandlers, ClinicServerInfo, ClinicServerStart } from './sync/clinic-server';
import { draftContent } from './sync/draft';
import {
  pushSaturation,
  requestAnatomy,
  runLoadTest,
  warmUp,
  type LoadTestResult,
  type LoadWorkstation,
  type RequestAnatomy,
  type SaturationResult,
} from './sync/load-test';
import type { PouchClientHandlers } from './sync/pouch-client';
import type { PouchServerHandlers } from './sync/pouch-server';
import { profiled } from './sync/profiler';
import { pouchLiveLatency, type PouchDoc } from './sync/pouchdb-baseline';
import { ProtocolClient, signIn } from './sync/protocol-client';
import { latencyStats, median, round, type LatencyStats } from './sync/stats';
import { engineInitialSync, engineLatency, type EngineInitialSync, type EngineLatency } from './sync/workstation';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const HERE = dirname(fileURLToPath(import.meta.url));

export type Backend = 'pglite' | 'postgres';

export interface SyncBenchOptions {
  quick?: boolean;
  /** Also run our side on PostgreSQL. */
  postgres?: boolean;
  /** Write CPU profiles of the server processes here. */
  cpuProfileDir?: string;
  log?: (line: string) => void;
}

export interface Timed {
  runsMs: number[];
  medianMs: number;
}

export interface RawPullResult extends Timed {
  pages: number;
  changes: number;
  /** Response bodies (JSON) as the client read them. */
  bodyBytes: number;
  /** Bytes the server wrote to its sockets (headers included). */
  wireBytes: number;
}

export interface BackendResult {
  backend: Backend;
  seedMs: number;
  /** Our pull with no workstation behind it: server + wire + JSON.parse only. */
  rawPull: RawPullResult;
  /** The real workstation engine into an empty encrypted cache (with the server's CPU time meanwhile). */
  initialSync: Timed & { runs: Array<EngineInitialSync & { serverCpuMs?: number }> };
  latency: EngineLatency;
  /** One request at a time: what a pull and a push cost on the server, statement by statement. */
  anatomy: RequestAnatomy[];
  load: LoadTestResult;
  saturation: SaturationResult[];
}

export interface SyncBenchResult {
  kind: 'sync';
  date: string;
  quick: boolean;
  machine: MachineInfo;
  loadAverage: { before: number[]; after: number[] };
  dataset: {
    clients: number;
    notesPerClient: number;
    changes: number;
    byEntity: Record<string, number>;
    bodyBytes: number;
  };
  load: { workstations: number; users: number; seed: { clients: number; notesPerClient: number } };
  pouchdb: {
    versions: { pouchdbNode: string; expressPouchdb: string };
    adapter: string;
    docs: number;
    loadMs: number;
    wireBytes: number;
    /** PouchDB's default replication batch (100 documents) and batches of 1,000 like our pull pages. */
    initialSync: { batch100: Timed; batch1000: Timed };
    latency: LatencyStats & { samplesMs: number[] };
  };
  backends: BackendResult[];
  ratios: Array<{
    backend: Backend;
    initialSyncVsPouchBest: number;
    initialSyncVsPouchDefault: number;
    latencyP50VsPouch: number;
  }>;
}

interface Plan {
  seed: { clients: number; notesPerClient: number };
  runs: number;
  latencyRounds: number;
  anatomyRuns: number;
  load: {
    users: number;
    devicesPerUser: number;
    clientsEach: number;
    durationMs: number;
    seed: { clients: number; notesPerClient: number };
  };
  saturation: { concurrency: number[]; durationMs: number };
}

const FULL: Plan = {
  seed: { clients: 60, notesPerClient: 333 },
  runs: 3,
  latencyRounds: 50,
  anatomyRuns: 30,
  load: {
    users: 100,
    devicesPerUser: 2,
    clientsEach: 4,
    durationMs: 60_000,
    seed: { clients: 200, notesPerClient: 10 },
  },
  saturation: { concurrency: [1, 8, 32], durationMs: 5_000 },
};
const QUICK: Plan = {
  seed: { clients: 60, notesPerClient: 33 },
  runs: 1,
  latencyRounds: 10,
  anatomyRuns: 5,
  load: { users: 25, devicesPerUser: 2, clientsEach: 4, durationMs: 10_000, seed: { clients: 60, notesPerClient: 5 } },
  saturation: { concurrency: [1, 8], durationMs: 2_000 },
};

const version = (pkg: string): string => {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return 'unknown';
  }
};

export async function runSyncBench(options: SyncBenchOptions = {}): Promise<SyncBenchResult> {
  const quick = options.quick ?? false;
  const plan = quick ? QUICK : FULL;
  const log = options.log ?? ((line: string) => process.stderr.write(`sync bench: ${line}\n`));
  const loadBefore = loadAverages();
  const dir = mkdtempSync(join(process.env['BENCH_DIR'] ?? tmpdir(), 'continuum-sync-bench-'));
  const nodeFlags = (name: string) =>
    options.cpuProfileDir
      ? // One folder per process: tsx's loader thread writes a profile too (the main thread's has tid 0).
        ['--cpu-prof', `--cpu-prof-dir=${join(options.cpuProfileDir, name)}`]
      : [];
  const children: Array<Child<never>> = [];

  const startClinic = async (backend: Backend, params: Omit<ClinicServerStart, 'dir' | 'databaseUrl'>, tag: string) => {
    const child = startChild<ClinicServerHandlers>(join(HERE, 'sync/clinic-server.ts'), {
      nodeFlags: nodeFlags(`server-${backend}-${tag}`),
    });
    children.push(child as unknown as Child<never>);
    const databaseUrl = backend === 'postgres' ? await postgresDatabase(`bench_${tag}`) : undefined;
    const serverDir = join(dir, `${backend}-${tag}`);
    mkdirSync(serverDir, { recursive: true });
    const info = await child.call('start', { dir: serverDir, ...params, ...(databaseUrl ? { databaseUrl } : {}) });
    return { child, info };
  };

  let cluster: { createDatabase(name: string): Promise<string>; stop(): Promise<void> } | null = null;
  const postgresDatabase = async (name: string) => {
    if (!cluster) {
      // The test helper's throwaway cluster (fsync off: a benchmark, not a durability test).
      const { startPostgres } = await import('../tests/server/helpers/postgres');
      cluster = await startPostgres();
    }
    return cluster.createDatabase(name);
  };

  try {
    const backends: Backend[] = options.postgres ? ['pglite', 'postgres'] : ['pglite'];
    const results: BackendResult[] = [];
    let pouch: SyncBenchResult['pouchdb'] | null = null;
    let dataset: SyncBenchResult['dataset'] | null = null;

    for (const backend of backends) {
      log(
        `${backend}: starting the clinic server and seeding ${plan.seed.clients} clients × ${plan.seed.notesPerClient} notes…`,
      );
      const { child: server, info } = await startClinic(backend, { seed: plan.seed }, 'caseload');
      log(`${backend}: seeded in ${Math.round(info.seedMs)} ms (${JSON.stringify(info.counts)})`);

      // The documents, and a warm-up of the server (JIT, caches) before anything is timed.
      const rawClient = await protocolClient(info);
      const byEntity: Record<string, number> = {};
      const docs: PouchDoc[] = [];
      const warm = await rawClient.pullAll(null, (changes: Change[]) => {
        for (const change of changes) {
          if (change.op !== 'put') continue;
          byEntity[change.entity] = (byEntity[change.entity] ?? 0) + 1;
          docs.push({
            _id: change.id,
            entity: change.entity,
            clientId: change.clientId,
            version: change.version,
            data: change.data,
          });
        }
      });
      dataset ??= { ...plan.seed, changes: warm.changes, byEntity, bodyBytes: warm.bytes };

      let pouchServer: Child<PouchServerHandlers> | null = null;
      let pouchClient: Child<PouchClientHandlers> | null = null;
      let pouchUrl = '';
      if (!pouch) {
        log(`PouchDB: loading ${docs.length} documents into express-pouchdb…`);
        pouchServer = startChild<PouchServerHandlers>(join(HERE, 'sync/pouch-server.ts'), {
          nodeFlags: nodeFlags('pouchdb-server'),
        });
        const pouchDir = join(dir, 'pouch-server');
        mkdirSync(pouchDir, { recursive: true });
        pouchUrl = (await pouchServer.call('start', { dir: pouchDir })).url;
        const docsFile = join(dir, 'docs.json');
        writeFileSync(docsFile, JSON.stringify(docs));
        // Nothing in this process keeps the documents: its heap is the workstation's.
        docs.length = 0;
        const loaded = await pouchServer.call('load', { name: 'caseload', file: docsFile });
        rmSync(docsFile);
        pouchClient = startChild<PouchClientHandlers>(join(HERE, 'sync/pouch-client.ts'), {
          nodeFlags: nodeFlags('pouchdb-client'),
        });
        pouch = {
          versions: { pouchdbNode: version('pouchdb-node'), expressPouchdb: version('express-pouchdb') },
          adapter: 'leveldb (leveldown) on both ends',
          docs: loaded.docs,
          loadMs: round(loaded.ms, 0),
          wireBytes: 0,
          initialSync: { batch100: { runsMs: [], medianMs: 0 }, batch1000: { runsMs: [], medianMs: 0 } },
          latency: { ...latencyStats([]), samplesMs: [] },
        };
        log('PouchDB: warm-up replication…');
        await pouchClient.call('initialSync', {
          url: pouchUrl,
          remoteDb: 'caseload',
          dir: join(dir, 'pouch-client'),
          batchSize: 100,
        });
      }

      const raw: RawPullResult = { runsMs: [], medianMs: 0, pages: 0, changes: 0, bodyBytes: 0, wireBytes: 0 };
      const initial: BackendResult['initialSync'] = { runs: [], runsMs: [], medianMs: 0 };
      for (let run = 0; run < plan.runs; run += 1) {
        await settle();
        const wire0 = await server.call('bytesSent', undefined);
        const t0 = performance.now();
        const pulled = await rawClient.pullAll(null);
        raw.runsMs.push(round(performance.now() - t0));
        raw.wireBytes = (await server.call('bytesSent', undefined)) - wire0;
        Object.assign(raw, { pages: pulled.pages, changes: pulled.changes, bodyBytes: pulled.bytes });
        log(`${backend}: raw pull ${run + 1}/${plan.runs}: ${Math.round(raw.runsMs.at(-1)!)} ms`);

        const serverCpu0 = await server.call('cpuMs', undefined);
        const engineRun = await profiled(options.cpuProfileDir, `workstation-initial-sync-${backend}-${run}`, () =>
          engineInitialSync({
            url: info.url,
            username: info.caseloadUser.username,
            password: info.caseloadUser.password,
            dir: join(dir, `ws-${backend}-${run}`),
            serverBytes: () => server.call('bytesSent', undefined),
            serverRequests: () => server.call('requestsAnswered', undefined),
          }),
        );
        initial.runs.push({ ...engineRun, serverCpuMs: (await server.call('cpuMs', undefined)) - serverCpu0 });
        initial.runsMs.push(engineRun.totalMs);
        log(`${backend}: engine initial sync ${run + 1}/${plan.runs}: ${Math.round(engineRun.totalMs)} ms`);

        if (pouchServer && pouchClient && pouch) {
          for (const batch of [100, 1000] as const) {
            const wire1 = await pouchServer.call('bytesSent', undefined);
            const replicated = await pouchClient.call('initialSync', {
              url: pouchUrl,
              remoteDb: 'caseload',
              dir: join(dir, 'pouch-client'),
              batchSize: batch,
            });
            if (batch === 100) pouch.wireBytes = (await pouchServer.call('bytesSent', undefined)) - wire1;
            pouch.initialSync[`batch${batch}`].runsMs.push(round(replicated.ms));
            log(`PouchDB: replication (batch ${batch}) ${run + 1}/${plan.runs}: ${Math.round(replicated.ms)} ms`);
          }
        }
      }
      raw.medianMs = round(median(raw.runsMs));
      initial.medianMs = round(median(initial.runsMs));

      log(`${backend}: push-to-visible latency, ${plan.latencyRounds} rounds…`);
      const latency = await engineLatency({
        url: info.url,
        username: info.caseloadUser.username,
        password: info.caseloadUser.password,
        dir: join(dir, `latency-${backend}`),
        rounds: plan.latencyRounds,
      });

      if (pouchServer && pouch) {
        for (const key of ['batch100', 'batch1000'] as const) {
          pouch.initialSync[key].medianMs = round(median(pouch.initialSync[key].runsMs));
        }
        log(`PouchDB: live replication latency, ${plan.latencyRounds} rounds…`);
        pouch.latency = await pouchLiveLatency(pouchUrl, 'latency', join(dir, 'pouch-live'), {
          rounds: plan.latencyRounds,
          pauseMs: 200,
          makeDoc: (id) => ({
            _id: id,
            entity: 'note',
            clientId: null,
            version: 1,
            data: { content: draftContent(1) },
          }),
        });
        await pouchServer.call('stop', undefined);
        await pouchServer.stop();
        await pouchClient?.stop();
      }
      await server.call('stop', undefined);
      await server.stop();

      log(
        `${backend}: load test, ${plan.load.users * plan.load.devicesPerUser} workstations for ${plan.load.durationMs / 1000} s…`,
      );
      const { child: loadServer, info: loadInfo } = await startClinic(
        backend,
        { seed: plan.load.seed, loadUsers: { count: plan.load.users, clientsEach: plan.load.clientsEach } },
        'load',
      );
      const workstations = await loadWorkstations(loadInfo, plan.load.devicesPerUser);
      const cursors = await warmUp(workstations);
      // Devices 1 and 2 of the first load clinician: same caseload.
      const anatomy = await requestAnatomy(
        workstations[0]!,
        workstations[1]!,
        cursors.get(workstations[0]!)!,
        () => loadServer.call('takeSqlStats', undefined),
        plan.anatomyRuns,
      );
      cursors.set(workstations[0]!, (await workstations[0]!.client.pullAll(cursors.get(workstations[0]!)!)).cursor);
      const load = await runLoadTest(workstations, cursors, {
        durationMs: plan.load.durationMs,
        cycleMs: 5_000,
        pushProbability: 0.5,
        serverPid: loadServer.pid,
      });
      log(
        `${backend}: load test: ${load.requests.total} requests, push p95 ${load.latency.push.p95Ms} ms, pull p95 ${load.latency.pull.p95Ms} ms, errors ${load.errors.count}`,
      );
      const saturation: SaturationResult[] = [];
      for (const concurrency of plan.saturation.concurrency) {
        saturation.push(await pushSaturation(workstations, concurrency, plan.saturation.durationMs));
        log(`${backend}: push saturation ×${concurrency}: ${saturation.at(-1)!.pushesPerSecond} pushes/s`);
      }
      await loadServer.call('stop', undefined);
      await loadServer.stop();

      results.push({
        backend,
        seedMs: round(info.seedMs, 0),
        rawPull: raw,
        initialSync: initial,
        latency,
        anatomy,
        load,
        saturation,
      });
    }

    if (!pouch || !dataset) throw new Error('nothing measured');
    const pouchBest = Math.min(pouch.initialSync.batch100.medianMs, pouch.initialSync.batch1000.medianMs);
    return {
      kind: 'sync',
      date: new Date().toISOString(),
      quick,
      machine: machineInfo(),
      loadAverage: { before: loadBefore, after: loadAverages() },
      dataset,
      load: {
        workstations: plan.load.users * plan.load.devicesPerUser,
        users: plan.load.users,
        seed: plan.load.seed,
      },
      pouchdb: pouch,
      backends: results,
      ratios: results.map((r) => ({
        backend: r.backend,
        initialSyncVsPouchBest: round(r.initialSync.medianMs / pouchBest),
        initialSyncVsPouchDefault: round(r.initialSync.medianMs / pouch!.initialSync.batch100.medianMs),
        latencyP50VsPouch: round(r.latency.p50Ms / pouch!.latency.p50Ms),
      })),
    };
  } finally {
    for (const child of children) await child.stop().catch(() => undefined);
    await (cluster as { stop(): Promise<void> } | null)?.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function protocolClient(info: ClinicServerInfo): Promise<ProtocolClient> {
  const session = await signIn(info.url, info.caseloadUser.username, info.caseloadUser.password, 'Bench raw pull');
  return new ProtocolClient(info.url, session.accessToken);
}

/** Sign every load-test device in (a few at a time: argon2id on the server). */
async function loadWorkstations(info: ClinicServerInfo, devicesPerUser: number): Promise<LoadWorkstation[]> {
  const jobs = info.loadUsers.flatMap((user) =>
    Array.from({ length: devicesPerUser }, (_, device) => ({ user, device })),
  );
  const out: LoadWorkstation[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < jobs.length) {
        const index = next++;
        const { user, device } = jobs[index]!;
        const session = await signIn(info.url, user.username, user.password, `Load device ${device + 1}`);
        out[index] = {
          client: new ProtocolClient(info.url, session.accessToken),
          clientIds: user.clientIds,
          // One in ten holds the poke stream open, as an online workstation does.
          sse: index % 10 === 0,
        };
      }
    }),
  );
  return out;
}

// ---------------------------------------------------------------------------------------------
// Report

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
const ms = (value: number) =>
  Number.isNaN(value)
    ? '—'
    : value >= 1000
      ? `${(value / 1000).toFixed(2)} s`
      : `${value.toFixed(value >= 10 ? 0 : 1)} ms`;
const label: Record<Backend, string> = { pglite: 'PGlite (embedded, data dir on disk)', postgres: 'PostgreSQL 15' };

/** Each target checked against this run's numbers (never hard-coded). */
export function syncTargets(
  result: SyncBenchResult,
): Array<{ what: string; value: string; target: string; met: boolean }> {
  const out: Array<{ what: string; value: string; target: string; met: boolean }> = [];
  for (const r of result.backends) {
    const ratio = result.ratios.find((x) => x.backend === r.backend)!;
    const on = result.backends.length > 1 ? ` (${r.backend})` : '';
    out.push(
      {
        what: `Initial sync, 60-client caseload${on}`,
        value: ms(r.initialSync.medianMs),
        target: '< 3 s',
        met: r.initialSync.medianMs < 3000,
      },
      {
        what: `Initial sync ÷ PouchDB (its faster batch size)${on}`,
        value: `${ratio.initialSyncVsPouchBest.toFixed(2)}×`,
        target: '≤ 0.5×',
        met: ratio.initialSyncVsPouchBest <= 0.5,
      },
      {
        what: `Push → visible on a second device, p95${on}`,
        value: ms(r.latency.p95Ms),
        target: '< 1 s',
        met: r.latency.p95Ms < 1000,
      },
      {
        what: `Load test errors${on}`,
        value: String(r.load.errors.count),
        target: '0',
        met: r.load.errors.count === 0,
      },
    );
  }
  return out;
}

export function toMarkdown(result: SyncBenchResult): string {
  const m = result.machine;
  const d = result.dataset;
  const p = result.pouchdb;
  const pouchBest = Math.min(p.initialSync.batch100.medianMs, p.initialSync.batch1000.medianMs);
  const entities = Object.entries(d.byEntity)
    .sort((a, b) => b[1] - a[1])
    .map(([entity, n]) => `${n.toLocaleString('en-US')} ${entity}`)
    .join(', ');
  const runs = result.backends[0]?.initialSync.runsMs.length ?? 0;
  const lines = [
    `Sync benchmark ${result.date.slice(0, 10)} — ${m.cpu} (${m.cores} cores), Node ${m.node}${result.quick ? ' — **quick run: smaller data set, not for the record**' : ''}.`,
    `Load average before / after: ${result.loadAverage.before.join(', ')} / ${result.loadAverage.after.join(', ')}.`,
    `Data: the demo clinic, ${d.clients} clients × ${d.notesPerClient} notes, all on one clinician's caseload: ${d.changes.toLocaleString('en-US')} records (${entities}), ${mb(d.bodyBytes)} MB of JSON.`,
    `Everything on loopback; each server in its own process, and PouchDB's client too (our workstation runs in the benchmark's); medians of ${runs} run${runs === 1 ? '' : 's'} after one warm-up.`,
    '',
    '### Initial sync into an empty workstation',
    '',
    '| | time | requests | MB sent by the server | ÷ PouchDB (faster batch) |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const r of result.backends) {
    const run = r.initialSync.runs[0];
    const busyMs = median(r.initialSync.runs.map((x) => x.busyMs));
    const idleMs = median(r.initialSync.runs.map((x) => x.idleMs));
    const cpuMs = median(r.initialSync.runs.map((x) => x.cpuMs ?? Number.NaN));
    const serverCpuMs = median(r.initialSync.runs.map((x) => x.serverCpuMs ?? Number.NaN));
    lines.push(
      `| **Ours**: sync engine → encrypted cache (AEGIS-256), server on ${label[r.backend]} | **${ms(r.initialSync.medianMs)}** | ${run?.requests ?? 0} | ${mb(run?.wireBytes ?? 0)} | **${(r.initialSync.medianMs / pouchBest).toFixed(2)}×** |`,
      `| — the core's thread busy (writing the encrypted cache) | ${ms(busyMs)} | | | |`,
      `| — the core's thread idle, waiting for the next page (server, pull worker) | ${ms(idleMs)} | | | |`,
      `| — CPU time used meanwhile: workstation process, both threads / clinic server process | ${ms(cpuMs)} / ${ms(serverCpuMs)} | | | |`,
      `| Our pull alone, no workstation (server + wire + JSON.parse) | ${ms(r.rawPull.medianMs)} | ${r.rawPull.pages} | ${mb(r.rawPull.wireBytes)} | ${(r.rawPull.medianMs / pouchBest).toFixed(2)}× |`,
    );
  }
  lines.push(
    `| PouchDB replication, default batch of 100 | ${ms(p.initialSync.batch100.medianMs)} | | ${mb(p.wireBytes)} | ${(p.initialSync.batch100.medianMs / pouchBest).toFixed(2)}× |`,
    `| PouchDB replication, batch of 1,000 (like our pages) | ${ms(p.initialSync.batch1000.medianMs)} | | | ${(p.initialSync.batch1000.medianMs / pouchBest).toFixed(2)}× |`,
    '',
    `PouchDB: pouchdb-node ${p.versions.pouchdbNode} → express-pouchdb ${p.versions.expressPouchdb} (minimumForPouchDB), ${p.adapter}; ${p.docs.toLocaleString('en-US')} documents, one per record with the same JSON body (\`{ _id, entity, clientId, version, data }\`), loaded beforehand in ${ms(p.loadMs)} (not timed).`,
    '',
    '### Push → visible on a second device',
    '',
    '| | p50 | p95 | max | rounds |',
    '|---|---:|---:|---:|---:|',
  );
  for (const r of result.backends) {
    lines.push(
      `| **Ours** (${r.backend}): draft saved on A → outbox → push → SSE poke → B pulls → in B's cache | ${ms(r.latency.p50Ms)} | ${ms(r.latency.p95Ms)} | ${ms(r.latency.maxMs)} | ${r.latency.count} |`,
    );
  }
  lines.push(
    `| PouchDB live replication: A put → A's push replication → server → B's live pull | ${ms(p.latency.p50Ms)} | ${ms(p.latency.p95Ms)} | ${ms(p.latency.maxMs)} | ${p.latency.count} |`,
    '',
    'Where our round trip goes (medians per step, from the wire as the workstations saw it):',
    '',
    '| server | save → push sent | push | push answered → poke on B | poke → B pulls | pull | apply on B |',
    '|---|---:|---:|---:|---:|---:|---:|',
  );
  for (const r of result.backends) {
    const f = r.latency.medianPhasesMs;
    lines.push(
      `| ${r.backend} | ${ms(f.untilPushSent)} | ${ms(f.push)} | ${ms(f.pushToPoke)} | ${ms(f.pokeToPull)} | ${ms(f.pull)} | ${ms(f.apply)} |`,
    );
  }
  lines.push(
    '',
    '### Load test',
    '',
    `${result.load.workstations} simulated workstations (${result.load.users} clinicians × ${result.load.workstations / result.load.users} devices, 4 clients each; clinic of ${result.load.seed.clients} clients) speaking the protocol over HTTP with real access tokens: each pulls every ${(result.backends[0]?.load.cycleMs ?? 0) / 1000} s ± 50 %, pushes a draft note plus an audit upload on half of its cycles, one in ten holds the SSE stream and also pulls on every poke.`,
    '',
    '| server | duration | requests (push / pull) | req/s | push p50 / p95 / p99 | pull p50 / p95 / p99 | mutations applied | rejected | errors | pokes | server RSS before → peak |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const r of result.backends) {
    const l = r.load;
    const lat = (s: LatencyStats) => `${s.p50Ms.toFixed(0)} / ${s.p95Ms.toFixed(0)} / ${s.p99Ms.toFixed(0)} ms`;
    lines.push(
      `| ${r.backend} | ${(l.durationMs / 1000).toFixed(0)} s | ${l.requests.total} (${l.requests.push} / ${l.requests.pull}) | ${l.requests.perSecond} | ${lat(l.latency.push)} | ${lat(l.latency.pull)} | ${l.mutations.applied} | ${l.mutations.rejected + l.mutations.conflicts} | **${l.errors.count}**${
        l.errors.count
          ? ` (${Object.entries(l.errors.byKind)
              .map(([k, n]) => `${k} ×${n}`)
              .join(', ')})`
          : ''
      } | ${l.pokesReceived} | ${mb(l.serverMemory.beforeRssBytes)} → ${mb(l.serverMemory.peakRssBytes)} MB |`,
    );
  }
  lines.push(
    '',
    '#### What the serialised push path costs',
    '',
    'Pushes take one transaction-scoped advisory lock (src/server/sync/push.ts), so they run one at a time. Here `n` workstations push one draft each, back to back:',
    '',
    '| server | concurrent pushers | pushes/s | push p50 | push p95 |',
    '|---|---:|---:|---:|---:|',
  );
  for (const r of result.backends) {
    for (const s of r.saturation) {
      lines.push(
        `| ${r.backend} | ${s.concurrency} | ${s.pushesPerSecond} | ${ms(s.latency.p50Ms)} | ${ms(s.latency.p95Ms)} |`,
      );
    }
  }
  lines.push(
    '',
    '#### One request at a time',
    '',
    'What single requests cost on the load-test server when nothing else runs: time seen by the client, statements run and their time in the database client (PGlite only: PostgreSQL is not instrumented), and the most expensive statements.',
    '',
    '| server | request | median | statements | SQL time | most expensive statements (per request) |',
    '|---|---|---:|---:|---:|---|',
  );
  for (const r of result.backends) {
    for (const a of r.anatomy) {
      const top = a.top
        .slice(0, 3)
        .map((t) => `\`${t.sql.slice(0, 70)}…\` ${t.msPerRequest.toFixed(1)} ms`)
        .join('; ');
      lines.push(
        `| ${r.backend} | ${a.request} | ${ms(a.medianMs)} | ${a.statements || 'n/a'} | ${a.statements ? ms(a.sqlMs) : 'n/a'} | ${top || 'n/a'} |`,
      );
    }
  }
  lines.push('', '### Against the targets', '', '| measure | this run | target | |', '|---|---:|---:|---|');
  for (const t of syncTargets(result))
    lines.push(`| ${t.what} | ${t.value} | ${t.target} | ${t.met ? 'met' : '**not met**'} |`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const cpuProfileDir = argv.includes('--cpu-prof') ? join(ROOT, 'bench/results/profiles') : undefined;
  if (cpuProfileDir) mkdirSync(cpuProfileDir, { recursive: true });
  const result = await runSyncBench({
    quick,
    postgres: argv.includes('--postgres'),
    ...(cpuProfileDir ? { cpuProfileDir } : {}),
  });
  const outDir = join(ROOT, 'bench/results');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `sync-${result.date.slice(0, 10)}${quick ? '-quick' : ''}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${toMarkdown(result)}\n\nRaw numbers: ${file}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}

// ---------------------------------------------------------------------------------------------
// Notes: where the time goes. Figures from this run are computed; figures from the profiles and
// the experiment tools (bench/tools/) are from the recorded run's day and say so.

/**
 * Before each round: the disk writes the last one left behind (a PouchDB replication writes and
 * deletes ~100 MB of LevelDB files) flushed, and a second of quiet, so that they do not land in
 * the next row's fsyncs and CPU (our cache commits with `synchronous=FULL`).
 */
async function settle(): Promise<void> {
  execFileSync('sync');
  await new Promise((resolve) => setTimeout(resolve, 1000));
}

export function syncNotes(result: SyncBenchResult): string[] {
  const pglite = result.backends.find((b) => b.backend === 'pglite');
  const postgres = result.backends.find((b) => b.backend === 'postgres');
  const p = result.pouchdb;
  const pouchBest = Math.min(p.initialSync.batch100.medianMs, p.initialSync.batch1000.medianMs);
  const s = (value: number) => `${(value / 1000).toFixed(1)} s`;
  const s2 = (value: number) => `${(value / 1000).toFixed(2)} s`;
  const busy = (b: BackendResult) => median(b.initialSync.runs.map((r) => r.busyMs));
  const idle = (b: BackendResult) => median(b.initialSync.runs.map((r) => r.idleMs));
  const cpu = (b: BackendResult) => median(b.initialSync.runs.map((r) => r.cpuMs ?? Number.NaN));
  const serverCpu = (b: BackendResult) => median(b.initialSync.runs.map((r) => r.serverCpuMs ?? Number.NaN));
  const pouchRuns =
    p.initialSync.batch100.medianMs <= p.initialSync.batch1000.medianMs
      ? p.initialSync.batch100.runsMs
      : p.initialSync.batch1000.runsMs;
  const pouchSamples = pouchRuns.map((x) => s(x)).join(', ');
  const notes: string[] = ['### Notes', ''];
  notes.push(
    `- **What is compared.** Both stacks move the same ${result.dataset.changes.toLocaleString('en-US')} records (${mb(result.dataset.bodyBytes)} MB of JSON) over loopback, each server in its own process. Ours validates every record against the shared schemas (zod) and writes it into the encrypted cache (every page encrypted and authenticated, AEGIS-256), the FTS5 index of note text, each note projected into the chart columns, in bulk-import transactions. PouchDB stores the documents as they come in plaintext LevelDB, with no validation and no search index, and its server gzips its answers (${mb(p.wireBytes)} MB on the wire against our ${mb(result.dataset.bodyBytes)} MB; on loopback that costs it CPU and saves it nothing). The workstation's key derivation (scrypt) is lowered for the benchmark: it is not part of sync.`,
  );
  if (pglite) {
    notes.push(
      `- **Initial sync: where the time goes** (PGlite server, ${s(pglite.initialSync.medianMs)}). The core's thread was busy ${s(busy(pglite))} writing the encrypted cache and idle ${s(idle(pglite))}, waiting for the next page; the workstation's process (the core's thread and the pull worker's) used ${s(cpu(pglite))} of CPU and the clinic server's ${s(serverCpu(pglite))}. The server alone serves the 31 pages in ${s(pglite.rawPull.medianMs)} on PGlite${postgres ? ` and ${s(postgres.rawPull.medianMs)} on PostgreSQL, where the whole sync takes ${s(postgres.initialSync.medianMs)} (busy ${s(busy(postgres))}, idle ${s(idle(postgres))}; CPU ${s(cpu(postgres))} on the workstation, ${s(serverCpu(postgres))} on the server)` : ''}; a client that only reads (this row) never pauses, so on PGlite it gets no page read ahead (they wait for a pause: \`pullAheadQuietMs\`). Three parties share the 2 cores (the core's thread, the pull worker, the server), so each runs slower than alone: the same writes take ~1.5× as long as on a machine with nothing beside them.`,
      "  - *What changed on 2026-11-23* (the morning's run: 11.8 s on PGlite, 8.6 s on PostgreSQL, against PouchDB's 11.3 s). (1) The workstation indexes the notes of each bulk transaction for search once, at its end, instead of through the per-row FTS5 triggers (src/core/store/bulk-note-search.ts). (2) The server builds each page's JSON in the database, one statement per page, and forwards the text. (3) The server reads the next pages of a long pull ahead (3, `pullAheadPages`) while the workstation writes; on PGlite only after 100 ms without a request (`pullAheadQuietMs`). (4) The answer's envelope no longer copies each record's data during validation. By the evening: PGlite 4.57 s, PostgreSQL 4.01 s (0.62× and 0.55× of PouchDB's 7.32 s).",
      "  - *The pull worker* (2026-11-23, later). A full pull now runs on a worker thread of the core (src/core/sync/pull-worker.ts): it fetches the pages, each as soon as the headers of the one before give its cursor (`Continuum-Pull-Cursor`), up to 6 ahead of the one being written, and decodes, parses, validates and projects them (src/core/sync/prepare-changes.ts), handing each note over as strings. The core's thread only writes. Before, the core's thread did all of it, and the chain of requests stopped whenever a write blocked it. Measured with `bench/tools/initial-sync.ts`, 3 runs, PostgreSQL, the same minutes: everything on the core's thread 4.13 s (busy 3.64 s); the worker preparing only, the core fetching 3.84 s (busy 2.66 s, idle 1.21 s: the chain stalled during writes); the worker fetching and preparing 3.82–3.87 s (busy 2.73–2.97 s). What the core's thread does now is SQLite alone (profile: inserting the note rows and their indexes, committing, indexing for search). Interleaved A/B against the previous version (commit 173e4da, `bench/tools/initial-sync.ts` from each checkout, 3 runs each, alternating), later, with the machine slower (the raw pull took 1.6–2.1 s on PostgreSQL instead of 1.28 s): PostgreSQL 5.01 and 5.86 s (this version) against 6.48 and 6.03 s (before); PGlite 5.10 and 4.76 s against 5.14 and 6.18 s. The worker costs CPU of its own: handing the 31 prepared pages between threads costs ~0.2 s to serialise and ~0.2 s to deserialise, and preparing them ~2.1 s (measured on the same pages in one process), so the workstation process used 5.7 s of CPU against 4.1–5.1 s before on PGlite; where the server needs the second core (PGlite) the gain is small.",
      "  - *The cache's cipher and the first write* (2026-11-23, afternoon). New caches are encrypted with AEGIS-256 instead of SQLCipher 4 (src/core/store/cache-cipher.ts; the store section above: the bulk insert went from 1.43× to 0.98× plain SQLite): with `bench/tools/initial-sync.ts` on PostgreSQL, 3 runs each, the same minutes, the initial sync took 3.39–3.43 s against 4.00 s with SQLCipher 4 (the core's thread busy 2.5 s against 3.1 s). And the initial sync no longer waits for four pages before its first write, or for a full 3,000-change batch while nothing else has arrived: it writes the pages it has whenever the next one is not there yet (src/core/sync/sync-engine.ts `pullPages`); a trace showed the core's thread idle until 1.0 s into the sync before, until 0.5 s after. Both together, interleaved A/B against the session's start (commit f0b0f6f, each checkout's own tool, 3 runs each, alternating): 3.80 s and 3.98 s before, 3.36 s and 3.64 s after.",
      "  - *Note content as text* (2026-11-23, evening). Sync protocol 2: a pulled note's content is the JSON text the server keeps (`notes.content` is now a `json` column, text as written; migration 0010), which the pull worker parses to validate and project and then stores as received, instead of serialising 20,000 parsed notes again (docs/sync-protocol.md, \"Versions\"). On the 31 pages of this caseload, warm, in one process: preparing them 0.81 s against 1.29 s. On PGlite the server no longer turns jsonb values back into text (a full pull in memory with protocol 1: 1.90 s → 1.38 s), but escaping each content into the protocol-2 answer costs ~0.3 s of that back, in SQL as in the server's JavaScript (both tried). Interleaved A/B on one seeded server, the workstation speaking protocol 1 or 2 in turn (`bench/tools/initial-sync.ts --protocol 1,2`), in slow hours (the same code took 3.3 s on PostgreSQL in the morning and ~5 s then): PGlite 5.40 s against 5.67 s (4 runs each; workstation CPU ~6.2 s against ~6.7 s), PostgreSQL 4.83 s against 5.01 s (3 runs each; CPU 5.6 s against 6.3 s). That evening's run gave PGlite 5.04 s (samples 4.26, 5.23, 5.04 s), above the morning's 4.16 s on a slower machine: the server's CPU for the same pull was 2.71 s against 2.43 s.",
      "  - *Each change's pull text kept ready; one journal switch* (2026-11-23, night). The clinic server keeps every note's and record's `put` change as a pull sends it (protocol 2) in its row, `pull_json`, rebuilt by a trigger at every insert and update (migration 0011); a page query only joins those texts instead of building 30,000 changes' JSON per initial sync (docs/sync-protocol.md, \"Pull\"). Page queries for the demo caseload on PGlite on disk, one process: 1.21 s → 0.65 s. Interleaved A/B against the version before (each checkout's `bench/tools/initial-sync.ts` in turn, 6 runs each): PGlite 4.60 s against 5.05 s, the server's CPU ~2.3 s against 2.6–3.5 s; PostgreSQL (4 runs each, slow hours) 4.5 s against 5.2 s. And the workstation now switches its cache to the rollback journal once for the whole initial sync instead of for each of its ~25 transactions (src/core/store/bulk-import.ts `beginBulkImport`): 163 ms of the core's thread in those switches, gone, though lost in the noise end to end (6 runs each: samples 3.1–5.5 s on both sides).",
      "  - *The pull worker loads at sign-in; a slow run* (2026-11-23, late night; the 21:18 run). A first run now starts the pull worker when the sign-in succeeds, while the clinician chooses the passphrase, instead of when the cache exists: a trace of the initial sync showed the first request waiting ~180 ms for the worker to load (~150 ms alone, most of it zod). Converted session times are kept (bench/tools/prepare-pages.ts, the worker's part alone: ~0.85 s a pass, of which parsing the notes' content ~230 ms, the pages' JSON ~135 ms, UTF-8 decoding ~100 ms; ~40 ms less). That run met a slow machine: the same code's controls were slower too (PouchDB batch 1,000 8.8 s against 7.9 s at 18:11, our raw pull on PostgreSQL 1.60 s against 1.09 s, the workstation's CPU for the same work 6.5 s against 5.2 s on PGlite). An interleaved A/B against the version before, minutes later, gave 3.1–4.3 s for either (PGlite, medians of 2 per round). Tried and measured without gain, so not changed: dropping the notes' four secondary indexes for the bulk write and building them after (2.19 s either way), turning FTS5 automerge off and optimising once at the end (the index work 0.28–0.45 s against 0.23–0.32 s), positional instead of named parameters (~45 ms per 20,000 rows). `perf` of the write alone: SQLite 38 % of the samples, V8's API for binding 27 %, libc (copies, malloc) 17 %, the kernel (writes) 15 %, the JavaScript itself 2 %.",
      "  - *Pull answers as bytes, in ASCII* (2026-11-23, before midnight; the 23:45 run). On PGlite the server now reads each page through the wire protocol with binary results (src/server/db/pglite-raw-fields.ts): the page's JSON stays bytes from the database to the socket, where `query()` decoded ~57 MB of it into strings and the HTTP answer encoded them back (a CPU profile of the server during an initial sync: ~0.7 s in PGlite's UTF-8 decoding, ~0.6 s writing the strings out, profiler overhead included). And every answer goes out in ASCII, characters beyond it as JSON escapes (src/server/sync/ascii-json.ts): 58 curly quotes in the demo notes made 20 of the 31 pages two-byte strings, decoded at ~100–200 MB/s and parsed more slowly; the pull worker reads an ASCII page as Latin-1, without decoding (escaping them took 0.10 s of the server's CPU in this run, walking every byte; 7 ms since, skipping all-ASCII 4 KiB spans with `isAscii`). Measured: the 31 pages read in one process (PGlite in memory, 4 interleaved passes) 1.08–1.25 s → 0.83–1.03 s; the worker's part alone (bench/tools/prepare-pages.ts, medians of 10) 0.99 s → 0.76 s (`--utf8`, interleaved in one process: the same pages in UTF-8 1.21 s); `bench/tools/initial-sync.ts` on PGlite, quiet minutes: 3.55 s before (5 runs; the server's CPU 2.35 s), 3.16–3.25 s after (medians of 5 and of 3 runs; 1.84–1.97 s). An interleaved A/B on PGlite in a slow phase gave 3.9 s and 5.1 s before against 4.2 s after: too noisy to read. On PostgreSQL, interleaved against the version before (2 rounds, medians of 2 runs each): 3.90 s and 3.64 s before, 3.85 s and 3.56 s after; the server process's CPU 1.58 s → 0.97 s (it sends bytes instead of encoding strings that one ’ made two-byte), our raw pull 2.13 s and 1.99 s → 2.00 s and 1.84 s. That run met a busy machine too (load 2.2 at its start; PouchDB batch 1,000 7.96 s as at 18:11): PGlite 4.23 s (0.53×), PostgreSQL 3.67 s (0.46×). A trace of the first page in this back-to-back bench (sign-in, then the passphrase ~0.2 s later; a clinician takes seconds): the pull worker started at sign-in was still loading when the sync began (45–80 ms), and its first request waited ~50 ms more for Node to load its HTTP client, which the worker now loads as soon as it is up.",
      "  - *Bytes all the way on both servers; the first pages during the passphrase* (2026-11-24, night; the 02:41 run, `bench/results/sync-2026-11-24-0241.json`: PGlite 3.01 s, PostgreSQL 3.24 s, 0.39× and 0.42× of PouchDB's 7.7 s). (1) On PGlite the page read used `execProtocolRaw`, which also runs the reply through PGlite's own protocol parser, and that parser decoded every field into a string all the same (641 ms of the server's CPU in `TextDecoder` in a profile of one initial sync); it now uses `execProtocolRawStream` (src/server/db/pglite-raw-fields.ts): the 31 pages pulled in one process, 4 interleaved passes, 1.02–1.08 s → 0.69–0.72 s. (2) On PostgreSQL node-postgres decodes every field of a query (~290 MB/s even for ASCII here, half that with one ’ in a page), so the page is now read with `COPY (…) TO STDOUT (FORMAT binary)` through pg-copy-streams (src/server/db/postgres-copy-fields.ts), whose bytes go out as they are: the 31 pages in one process, 4 interleaved passes, 2.04–2.39 s → 1.58–1.82 s, the Node process's CPU 0.73–1.01 s → 0.24–0.44 s (the rest is the PostgreSQL backend's own). (3) A first run's initial sync begins when the passphrase is submitted: the worker loaded at sign-in fetches and prepares the first pages (up to its lookahead of 6) while the key is derived and the cache made, and the engine takes that pull over (`SyncService.beginInitialPull`, docs/sync-protocol.md); with the product's key derivation (~0.5 s) that is about half a second of download a clinician no longer waits for, here the ~0.2 s `vault.create` takes with the benchmark's lowered one. (4) The benchmark now waits 1 s between the sign-in and `vault.create`, a clinician typing a new passphrase twice (not timed; bench/sync/workstation.ts `PASSPHRASE_ENTRY_MS`): called back to back, the worker the product loads at sign-in was still loading when the sync began (a trace: the first request 57–187 ms after the cache existed), which no clinician can produce. (5) PouchDB's client now replicates in a process of its own (bench/sync/pouch-client.ts): in the benchmark's process, where our workstation runs, each PouchDB row left its garbage and LevelDB's threads to the next of our rows, whose workstation CPU for the same work was 5.1 s after a PouchDB row against 3.4 s without (a run at 02:16, PGlite rows against PostgreSQL rows: 3.92 s against 3.09 s); with the client in its own process the PGlite rows still used 4.1 s against 3.5 s (02:40), so each round now also begins with the disk writes the round before left flushed (`sync`) and a second of quiet (`settle`), the PouchDB rows writing and deleting ~100 MB of LevelDB files per round where our cache commits with fsync. `bench/tools/initial-sync.ts` on PGlite, 4 runs each, one after the other in the same hour: 3.22 s at the session's start, 3.15 s with (1), 2.95 s with (4) (the core's thread idle 0.76 s → 0.58 s), 2.68 s with (3) (idle 0.42 s). On PostgreSQL 3.34 s at the start and 3.09 s with (3); after (2) two sets of 4 runs gave 3.38 s and 3.90 s in slower minutes (the workstation's CPU for the same work 3.6–4.2 s against 3.3 s), so (2) shows in the server's CPU and the raw pull, not yet end to end. Tried and not kept: compressing each note's content in the cache (deflate costs ~42 µs a note, 0.83 s for the caseload on the worker, more than the smaller rows would save; a preset dictionary shrinks the synthetic notes 10:1, which real notes would not do); binding notes as bytes instead of strings (29 ms against 36 ms per 20,000 rows); `synchronous=OFF` for the bulk transactions (commits 0.13–0.19 s instead of 0.37–0.45 s alone, but a power loss in the middle of one could corrupt pages that hold a draft saved before it: not traded).",
      "  - *Later on 2026-11-24* (from the 05:33 run on). (1) The pull worker hands each note to the core's thread as a flat array of its fields instead of an object with nested ones (src/core/sync/prepared-page-transfer.ts): reading the 31 pages back on the core's thread 162 ms → 109 ms (one process, medians of 20 interleaved passes; the worker's side 167 ms → 173 ms). An interleaved A/B of the whole initial sync (PGlite, 3 rounds of 3 runs) could not see it: 2.80, 2.95 and 2.94 s before, 3.28, 2.91 and 3.09 s after. (2) Why the second core gives the sync so little, measured part by part, each alone in one process: writing the prepared caseload into the cache ~1.1 s, handing it between the threads ~0.28 s (both sides), preparing it on the worker ~0.78 s, serving its 31 pages from PGlite ~0.73 s: ~2.9 s of work, which the sync on two cores finishes in ~2.8–3.0 s. The parts hardly overlap: beside the others the core's thread takes ~2.4 s for its ~1.2 s (the two virtual cores share memory bandwidth and caches, and may be one physical core's two threads), so on this machine only less work in total shortens the sync; on a clinician's laptop with cores of its own the same design overlaps the parts. (3) Measured and not kept: positional instead of named parameters for the note insert (apply and index alone 705 → 690 ms), validating a note's fields and its content separately instead of in a copy of its data (the worker's part 784 → 777 ms), PGlite rows kept inline instead of out of line (`toast_tuple_target`: the 31 pages 0.98–1.11 s either way), pages of 3,000 changes instead of 1,000 (11 pages instead of 31: 730 → 665 ms on PGlite, ~3 ms a page, not worth a protocol change), a larger young generation for the worker (its GC 171 ms → 152–185 ms), zlib for each note's content at any level and window (58–115 µs a note through Node's synchronous zlib, 1.2–2.3 s for the caseload). (4) The 05:33 run (`bench/results/sync-2026-11-24-0533.json`) met a slow machine, its controls slower too (PouchDB batch 1,000 8.8 s against 7.7 s at 02:41; our raw pull from PGlite 2.5 s against 2.1 s): PGlite 3.46 s (samples 3.60, 3.07, 3.46 s), PostgreSQL 3.90 s (3.90, 3.83, 4.01 s), 0.39× and 0.44× of PouchDB. A run at 05:47 does not count: a type check and a lint ran beside its first PGlite rows (7.19 and 5.63 s; kept as `bench/results/sync-2026-11-24-0547-disturbed.json`). The 06:25 run (`bench/results/sync-2026-11-24-0625.json`) had PouchDB back at 7.5 s and gave PGlite 3.42 s (3.88, 3.42, 3.02 s) and PostgreSQL 3.60 s (3.35, 3.60, 3.64 s), 0.46× and 0.48×: the first of each backend's three runs the slowest, as if the machine warmed up. The 09:01 run (the tables above; nothing on the initial sync's path changed since 06:25) gave PGlite 3.20 s (3.20, 3.08, 3.25 s) and PostgreSQL 3.73 s (3.65, 4.05, 3.73 s) against PouchDB's 7.9 s. (5) Looked at again and not acted on (09:00): the clinic server's process used 2.1–2.5 s of CPU per initial sync on PGlite (`bench/tools/initial-sync.ts --cpu-prof`), per pull of the 31 pages ~0.57 s in PGlite's Postgres itself (WASM), ~0.23 s of garbage collection and ~43 ms in the planner asking each table's size (an `lseek` PGlite turns into `fstat`); the worker alone prepares the 31 pages in 568 ms (`bench/tools/prepare-pages.ts`, median of 8: each note's content parsed ~175 ms, the page bodies parsed ~88 ms, zod ~115 ms, projecting notes ~86 ms, GC ~84 ms). A note row in the cache is 2,240 / 2,733 / 2,986 B at p10 / p50 / p90; two share a 4 KiB page only under ~1,950 B, and moving the search text (666 B) out of the row would bring just 5,967 of the 19,959 notes under it: most of a row is the content's ProseMirror JSON (1,642 B), so a smaller row still needs compression cheaper than Node 20's zlib. Starting the initial sync at the sign-in instead of at **Create** would give a clinician the caseload sooner, but here it would move up to a second of work into the 1 s passphrase pause this benchmark itself chooses, out of the measured time: not done.",
      "  - *One statement before the page* (2026-11-24, noon; the 12:32 run, `bench/results/sync-2026-11-24-1232.json`). A profile of the clinic server during an initial sync on PGlite showed ~0.44 s (profiler included) in statements other than the page; timed in-process over the 31 pages of the demo caseload, the four that a pull ran before its page (the replica, feed mark and watermarks; scope growth; the scope; the purges) took 70 + 34 + 55 + 56 ms, and the audit entry 116 ms. Those four are now one statement (src/server/sync/pull.ts; one snapshot instead of two): 127 ms, a pass of the 31 pages 0.98–1.14 s → 0.75–0.91 s, the process's CPU 1.14–1.32 s → 0.96–1.09 s. In the 12:32 run the server's CPU per initial sync on PGlite was 1.64–1.86 s against 1.87–1.94 s at 09:01, and the initial sync 3.06 s (3.34, 3.06, 3.01 s) against 3.20 s, PouchDB 7.8 s against 7.9 s; PostgreSQL 3.70 s (4.26, 3.70, 3.69 s) against 3.73 s. The core's thread was idle 0.52–0.61 s of it, waiting for pages; the 09:01 run is kept as `bench/results/sync-2026-11-24-0901.json`. Looked at and not done: a `PERSIST` journal instead of `DELETE` for the bulk transactions (the caseload written alone, 2 rounds of 4 runs: 1.08 and 1.26 s against 1.13 and 1.21 s); compressing each note's content in the cache with a native compressor, the lever these notes pointed to: measured on the demo caseload's 19,980 contents (1,642 B on average) with snappy 7.4 and lz4-napi 2.1 (N-API, from npm; not added to the project), a note's content shrinks only 1.49:1 and 1.45:1 (raw deflate at level 1: 2.15:1 at 42 µs a note), at ~12 µs a note either way (~250 ms of the pull worker's time for the caseload; the call, not the compression, dominates at this size). 1,642 B → ~1,100 B leaves a row at ~2.2 KB, still one note per 4 KiB page, so it would cost the worker time and save the core's thread little; and the notes' list and search read `json_extract(content, '$.encounter.date')` in SQL, so it would also change the cache's format. Not pursued. With it goes the last lever these notes named for the core's thread that does not change what the cache holds.",
      "  - *The page as rows* (2026-11-24, afternoon; the 14:59 run, the tables above). PostgreSQL's own log (`log_min_duration_statement = 0`, `bench/tools/postgres-pull-statements.ts`) showed where its time went in an initial sync's pull: the 31 page statements took 1.56 s, where `EXPLAIN ANALYZE` of one page gives 12–16 ms. The difference was sending the answer: a page's changes were joined into one text field of ~2.6 MB, and PostgreSQL 15 sends one field of megabytes far more slowly than the same bytes in many rows (31 reads: one 2.6 MB field 1.6–1.9 s, a thousand 2.6 KB rows 0.2 s, over TCP or a Unix socket, through psql as through node-postgres; computing the 2.6 MB text without sending it ~0.3 s; `bench/tools/large-field-experiment.ts`). The page statement now answers with a summary row and then one row per change, which the server puts together with commas, copying each once (src/server/sync/pull.ts): the 31 page statements 1.56 s → 0.59 s of PostgreSQL's time, an in-process pass 2.2–2.7 s → 1.2 s. PGlite gains nothing measurable (a pass 847 ms against 893 ms, its control 1.41 s against 1.48 s). `bench/tools/initial-sync.ts`, 4 runs each at 14:40: PostgreSQL 2.83 s (the raw pull 1.20 s), PGlite 2.91 s. In the 14:59 run PostgreSQL took 2.75 s (2.81, 2.74, 2.75 s) against 3.70 s at 12:32, its raw pull 1.38 s against 1.85 s, 0.34× of PouchDB; PGlite 3.34 s (3.80, 3.34, 3.00 s) against 3.06 s, in a slower run (PouchDB's batch of 1,000 8.1 s against 7.8 s, its samples 9.1, 7.7, 8.1 s; our raw pull from PGlite 2.22 s against 2.10 s), the first of its runs the slowest again. JIT (Debian's PostgreSQL 15 ships llvmjit) never starts on these statements (the page's estimated cost is ~2,100, the threshold 100,000): passes with it on and off differ within noise. Also measured and not kept: glibc's allocator tuned to keep freed memory (`MALLOC_MMAP_THRESHOLD_`, `MALLOC_TRIM_THRESHOLD_`, `MALLOC_TOP_PAD_`: PGlite 3.18 s against 2.91 s, 4 runs each) and a 64 MiB young generation for every process (3.30 s against 3.31 s).",
      "  - *A feed with history* (2026-11-24, evening; `bench/tools/feed-history.ts`). The demo clinic writes one feed row per record, but a clinic's feed had a row for every write: a draft autosaved online left one per save, and every initial sync and resync read them all and skipped all but the last (the page statement is a range of the feed). With each of the 20,000 notes saved 20 times (430,334 rows), a full pull in process on PGlite took 8.4 s in 431 pages against 1.05 s in 31 pages for the same 56.7 MB once only each record's latest row is kept (the same changes pulled, checked by digest). The feed now keeps only that row (migration 0012: a row trigger deletes what a new row supersedes, one index probe; the migration cleared the rows already there). Single-save pushes cost the same with the trigger (p50 8.31 ms, p95 13.8 ms against 8.25 ms and 15.0 ms, 300 each); a statement-level trigger joining the transition table was tried first and cost 25 ms more a push (p50 33 ms). The tables above use the demo clinic, so they do not change.",
      "  - *What the core's thread writes* (`bench/tools/initial-write.ts`: the caseload's prepared pages written alone, as the bulk path writes them). A note row is 2.7 KB on average (content 1,642 B, text 666 B), so each fills a 4 KiB page alone: `session_notes` is 20,007 pages (81.9 MB) of a 98.9 MB file, and writing it all takes ~1.6 s alone, ~0.6 s of which in COMMIT (encrypting the pages and syncing them to the disk). Larger pages do not help (4, 8, 16 KiB: 1.67, 1.65, 1.71 s; the file 98.9, 91.2, 77.6 MB). With each note's content cut to a third of its length (what compressing it 3:1 would give), two notes fit a page: 57.7 MB and 1.26 s against 1.67 s. A smaller note row (content compressed in the cache, or its text kept only in the search index) is the next lever for the core's thread.",
      "  - *A slower machine, and what did not help on it* (2026-11-25; the tables above). From this day the runs are on another machine, slower for the same code: `bench/tools/initial-sync.ts` on PGlite 3.9–4.8 s (medians of 2–4 runs) where it gave 2.9–3.3 s the day before. The work of one initial sync there: the clinic server 2.1–2.7 s of CPU, the workstation 5.0–5.9 s, of which the core's thread writing the caseload alone takes 2.1–2.2 s (`bench/tools/initial-write.ts`, ~0.5 s of it waiting for fsync at the commits): ~7.5 s of CPU, more than two cores give in 3 s. Measured there and not kept: (1) `synchronous=OFF` for the bulk transactions again, now with each one's pages flushed by an `fdatasync` on libuv's thread pool while the next is written and the last one `FULL`: alone the writes took 1.66–1.68 s instead of 2.13–2.19 s, but in the sync the core's thread, busy 3.1–3.4 s instead of 3.4–3.8 s, then waited for pages 0.9 s instead of 0.5–0.8 s (2 interleaved rounds of 3 runs: 4.29 and 4.04 s against 4.36 and 3.91 s): the pages, not the fsyncs, set the pace, and the power-loss risk named above stays; (2) PGlite rows inline again (`toast_tuple_target = 8160`, the tables rewritten): the 31 pages in one process 1.11–1.20 s before, 1.09–1.22 s after; (3) the page statement prepared once under a name instead of parsed and planned for every page: 1.16–1.22 s against 1.12–1.20 s; (4) zone offsets found once per zone and day instead of per session time: 40,000 conversions 78–93 ms either way, most of it the first use of ICU's time-zone data. The load test's PGlite latencies rose in this run (push p50 443 ms against 54 ms) with this machine, not with the code: one pusher got 46.1 pushes/s against 64.4, and an interleaved A/B of pushes against the commit before migration 0012 (the last change to the push path; 40 signed-in devices, 5 s per measure, 2 rounds of 3) gave 30.5–35.0 pushes/s for one pusher before it and 32.3–37.6 at this version.",
      '  - *Why two cores do not give twice the speed here.* The same SQLite writes take 1.4–1.5 s in a process alone and about twice that inside the sync. Beside a memory-heavy thread on the other core (a JSON.parse loop), writing the 31 prepared pages took 1.96 s against 1.42 s alone, and preparing them 1.84 s against 1.17 s: the two virtual cores share memory bandwidth and cache, so work split over threads overlaps less than the core count suggests, and less work anywhere is what shortens the sync. Measured and not kept: 8,000 instead of 3,000 changes per bulk transaction (4.40 s against 4.44 s, 4 runs each; alone, 6 pages per transaction wrote 10 % faster, fewer commits re-write the indexes less), building the note indexes and search index once at the end instead of per transaction (1.34 s against 1.44 s alone, with the cache unindexed during the sync), FTS5 `automerge=0` and `detail=column`, 8 KiB pages.',
      `  - *Targets.* PouchDB's faster configuration took ${s(pouchBest)} in this run (samples: ${pouchSamples}), so ≤ 0.5× means ≤ ${s(pouchBest / 2)}. ${
        pglite.initialSync.medianMs < 3000
          ? `The < 3 s target is met on PGlite (${s(pglite.initialSync.medianMs)})${postgres ? (postgres.initialSync.medianMs < 3000 ? ` and on PostgreSQL (${s(postgres.initialSync.medianMs)})` : `, not on PostgreSQL (${s(postgres.initialSync.medianMs)}), where the database server is a fourth process on the two cores (the raw pull alone: ${s(postgres.rawPull.medianMs)})`) : ''}.`
          : cpu(pglite) >= 3000
            ? `< 3 s is ${postgres && postgres.initialSync.medianMs < 3000 ? 'met on PostgreSQL, not on PGlite' : 'not met'}: PGlite ${s2(pglite.initialSync.medianMs)} (samples ${pglite.initialSync.runsMs.map((x) => s2(x)).join(', ')})${postgres ? `, PostgreSQL ${s2(postgres.initialSync.medianMs)} (samples ${postgres.initialSync.runsMs.map((x) => s2(x)).join(', ')})` : ''}. The work on PGlite is ${s(cpu(pglite))} of the workstation's CPU${postgres ? ` (${s(cpu(postgres))} beside PostgreSQL)` : ''} over two threads, to parse and validate ${mb(result.dataset.bodyBytes)} MB and write 30,000 records with 20,000 notes and their search index into the encrypted cache, plus the server's ${s(serverCpu(pglite))} (PGlite): ${cpu(pglite) + serverCpu(pglite) >= 6000 ? 'more than' : 'close to'} the 6 s of CPU two cores give in 3 s, so the sync runs at this machine's limit and its time moves with the machine's load, and the writes alone keep the core's thread busy ${s(busy(pglite))}. A margin needs less work per note: on the core's thread, SQLite (a note row of ~2.0 KB, since migration 0007, still fills a 4 KiB page alone as a rule: 20,000 notes are ~15,900 encrypted pages, plus five B-trees and the search index: ~1.1–1.6 s alone on the earlier machine, 2.1–2.2 s on this one, more beside the other threads; rows under ~1.95 KB would share pages two by two), on the pull worker's (parsing, validating and projecting each note: ~0.7 s alone), and on the server's (on PGlite, reading and sending 56.7 MB); or a different goal: the recent months first, usable at once, and the history after it.`
            : `< 3 s is not met on PGlite although the workstation used ${s(cpu(pglite))} of CPU: the rest is waiting, for the server and for a core.`
      }`,
    );
    const f = pglite.latency.medianPhasesMs;
    notes.push(
      `- **Push → visible.** Of the ${ms(pglite.latency.p50Ms)} median (PGlite), ${ms(f.untilPushSent)} pass before A's push leaves: the engine waits \`localChangeDelayMs\` (default 300 ms, src/core/sync/sync-engine.ts) after a local change so that keystrokes and autosaves coalesce into one push. Then the push (${ms(f.push)}), the poke reaching B (${ms(f.pushToPoke)}), B's pull (${ms(f.pull)}) and writing the note into B's cache (${ms(f.apply)}). PouchDB's live replication sends each write at once (${ms(p.latency.p50Ms)} median). The < 1 s target is met with room; a 50–100 ms delay would still coalesce typing and take ~250 ms off.`,
    );
    const l = pglite.load;
    const pullAnatomy = pglite.anatomy.find((a) => a.request.startsWith('pull, nothing'));
    const pushAnatomy = pglite.anatomy.find((a) => a.request.startsWith('push'));
    notes.push(
      `- **Load test.** On PGlite the server answered ${l.requests.perSecond} requests/s and the rest waited (pull p50 ${ms(l.latency.pull.p50Ms)}): ${l.workstations} workstations pulling every ${l.cycleMs / 1000} s ask for ~${Math.round(l.workstations / (l.cycleMs / 1000))} pulls/s plus ~${Math.round((l.workstations * l.pushProbability) / (l.cycleMs / 1000))} pushes/s plus a pull per poke, more than one PGlite thread serves at ~${ms(pullAnatomy?.medianMs ?? Number.NaN)} per pull and ~${ms(pushAnatomy?.medianMs ?? Number.NaN)} per push. No request failed and no mutation was refused. A pull runs ${pullAnatomy?.statements ?? '?'} statements (~1 ms each on PGlite: the device check; the replica, feed mark, watermarks, scope growth, scope and purges in one; the page; and the audit entry's lock, chain head and insert); a push runs ${pushAnatomy?.statements ?? '?'} (three advisory locks, three savepoints, two audit appends).${postgres ? ` On PostgreSQL the same load was served (${postgres.load.requests.perSecond} requests/s) with pull p50/p95 ${ms(postgres.load.latency.pull.p50Ms)} / ${ms(postgres.load.latency.pull.p95Ms)}.` : ''} So the embedded PGlite default suits a small clinic (tens of workstations); 200 busy workstations need \`DATABASE_URL\` (PostgreSQL). PGlite's ceiling would rise further with a device check cached for the token's life (src/server/routes/auth.ts \`authenticate\`; revocation would then need the \`continuum_device_revoked\` notification to drop it) and an audit append in fewer round trips (src/server/audit/chain.ts: a transaction, an advisory lock, the chain's head and the insert).`,
    );
    const sat = (b: BackendResult) =>
      `${b.backend} ${b.saturation.map((x) => x.pushesPerSecond).join(' → ')} pushes/s (p50 ${b.saturation.map((x) => ms(x.latency.p50Ms)).join(' → ')})`;
    notes.push(
      `- **What the push lock costs.** Throughput stays flat as concurrent pushers grow (${[pglite, postgres]
        .filter((b): b is BackendResult => b !== undefined)
        .map(sat)
        .join(
          '; ',
        )} for ${pglite.saturation.map((x) => x.concurrency).join(' → ')} pushers): the advisory lock in src/server/sync/push.ts admits one push at a time, so each push costs its own service time plus everyone ahead of it. (On PGlite the single connection serialises everything anyway.) The load test offers ~${Math.round((l.workstations * l.pushProbability) / (l.cycleMs / 1000))} pushes/s, well under the ceiling, but a push's tail latency is the queue. If clinics outgrow it, hold the lock only around the \`changes\` inserts (validation, scope checks and audit outside it).`,
    );
  }
  if (postgres) {
    notes.push(
      "- PostgreSQL is the test helper's throwaway cluster (tests/server/helpers/postgres.ts: fsync and synchronous_commit off); a durable production server adds commit latency to pushes.",
    );
  }
  notes.push(
    `- Noise: a 2-core virtual machine shared with other work; load averages before and after are in the header. Initial-sync samples varied by up to 16 % between the three runs on a quiet machine, and by far more on a busy one.`,
  );
  return notes;
}
