/**
 * The initial sync of the sync benchmark on its own, for working on its speed: the clinic server
 * in its own process (PGlite on disk, or the test helper's PostgreSQL 15), seeded with the demo
 * clinic, then `--runs` initial syncs of the real workstation engine into empty SQLCipher caches
 * (bench/sync/workstation.ts, as `npm run bench:sync` does), each preceded by a raw pull (server
 * + wire + JSON.parse, no workstation). Prints total, busy and idle time per run and the medians.
 *
 *   npx tsx bench/tools/initial-sync.ts [--backend pglite|postgres] [--runs 3] [--notes-per-client 333] [--cpu-prof]
 *     [--bulk-batch <changes per bulk transaction>[,<another>…]] [--protocol <sync protocol version>[,<another>…]]
 *
 * `--cpu-prof` writes CPU profiles of the workstation side (per run) and of the server process
 * to bench/results/profiles/initial-sync-<time>/ (summarise with bench/tools/cpuprofile-summary.ts).
 * Several `--bulk-batch` or `--protocol` values are taken in turn, run by run (an interleaved A/B
 * on one seeded server: `--runs 8 --protocol 1,2`), with medians per variant at the end.
 * No PouchDB here: the ratios are measured by `npm run bench:sync`.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadAverages } from '../machine';
import { startChild } from '../sync/child';
import type { ClinicServerHandlers } from '../sync/clinic-server';
import { profiled } from '../sync/profiler';
import { ProtocolClient, signIn } from '../sync/protocol-client';
import { median } from '../sync/stats';
import { engineInitialSync, type EngineInitialSync } from '../sync/workstation';
import type { SyncTuning } from '../../src/core/sync/sync-engine';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'pglite' },
    runs: { type: 'string', default: '3' },
    'notes-per-client': { type: 'string', default: '333' },
    'cpu-prof': { type: 'boolean', default: false },
    /** Changes per bulk transaction (the engine's default otherwise); a comma list: in turn. */
    'bulk-batch': { type: 'string' },
    /** The sync protocol version the workstation speaks (its default otherwise); a comma list: in turn. */
    protocol: { type: 'string' },
    /** The server's pull read-ahead in pages (its default otherwise). */
    'pull-ahead': { type: 'string' },
  },
});
const backend = values.backend === 'postgres' ? 'postgres' : 'pglite';
/** The variants run in turn: each a tuning of the engine, and its name. */
const variants: Array<{ name: string; tuning: SyncTuning }> = (() => {
  const list = (option: string | undefined) => (option ? option.split(',').map(Number) : [undefined]);
  const out: Array<{ name: string; tuning: SyncTuning }> = [];
  for (const batch of list(values['bulk-batch'])) {
    for (const protocol of list(values.protocol)) {
      const tuning: SyncTuning = {};
      const name: string[] = [];
      if (batch) {
        tuning.bulkBatchChanges = batch;
        name.push(`bulk batch ${batch}`);
      }
      if (protocol) {
        if (protocol !== 1 && protocol !== 2) throw new Error(`unknown protocol version ${protocol}`);
        tuning.protocolVersion = protocol;
        name.push(`protocol ${protocol}`);
      }
      out.push({ name: name.join(', '), tuning });
    }
  }
  return out;
})();
const runs = Number(values.runs);
const root = join(import.meta.dirname, '../..');
const profileDir = values['cpu-prof']
  ? join(root, 'bench/results/profiles', `initial-sync-${new Date().toISOString().replace(/[:.]/g, '-')}`)
  : undefined;
if (profileDir) mkdirSync(profileDir, { recursive: true });
const dir = mkdtempSync(join(process.env['BENCH_DIR'] ?? tmpdir(), 'continuum-initial-sync-'));
const log = (line: string) => process.stderr.write(`initial sync: ${line}\n`);

let cluster: { createDatabase(name: string): Promise<string>; stop(): Promise<void> } | null = null;
const server = startChild<ClinicServerHandlers>(join(import.meta.dirname, '../sync/clinic-server.ts'), {
  nodeFlags: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, `server-${backend}`)}`] : [],
});
try {
  let databaseUrl: string | undefined;
  if (backend === 'postgres') {
    const { startPostgres } = await import('../../tests/server/helpers/postgres');
    cluster = await startPostgres();
    databaseUrl = await cluster.createDatabase('initial_sync');
  }
  const serverDir = join(dir, 'server');
  mkdirSync(serverDir, { recursive: true });
  log(`${backend}: seeding 60 clients × ${values['notes-per-client']} notes…`);
  const info = await server.call('start', {
    dir: serverDir,
    seed: { clients: 60, notesPerClient: Number(values['notes-per-client']) },
    ...(values['pull-ahead'] ? { config: { pullAheadPages: Number(values['pull-ahead']) } } : {}),
    ...(databaseUrl ? { databaseUrl } : {}),
  });
  const session = await signIn(info.url, info.caseloadUser.username, info.caseloadUser.password, 'Raw pull');
  const raw = new ProtocolClient(info.url, session.accessToken);
  const warm = await raw.pullAll(null);
  log(`warm-up pull: ${warm.changes} changes, ${(warm.bytes / 1e6).toFixed(1)} MB in ${warm.pages} pages`);
  const load0 = loadAverages();
  const rawMs: number[] = [];
  const results: EngineInitialSync[] = [];
  const serverCpu: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const variant = variants[run % variants.length]!;
    const t0 = performance.now();
    await raw.pullAll(null);
    rawMs.push(performance.now() - t0);
    const serverCpu0 = await server.call('cpuMs', undefined);
    const ahead0 = await server.call('pullAheadStats', undefined);
    const result = await profiled(profileDir, `workstation-${backend}-${run}`, () =>
      engineInitialSync({
        url: info.url,
        username: info.caseloadUser.username,
        password: info.caseloadUser.password,
        dir: join(dir, `ws-${run}`),
        serverBytes: () => server.call('bytesSent', undefined),
        serverRequests: () => server.call('requestsAnswered', undefined),
        tuning: variant.tuning,
      }),
    );
    results.push(result);
    serverCpu.push((await server.call('cpuMs', undefined)) - serverCpu0);
    const ahead1 = await server.call('pullAheadStats', undefined);
    log(
      `run ${run + 1}: pages read ahead and used ${ahead1.hits - ahead0.hits}, read at the request ${ahead1.misses - ahead0.misses}`,
    );
    log(
      `run ${run + 1}/${runs}${variant.name ? ` (${variant.name})` : ''}: raw pull ${rawMs.at(-1)!.toFixed(0)} ms; initial sync ${result.totalMs.toFixed(0)} ms ` +
        `(busy ${result.busyMs.toFixed(0)}, idle ${result.idleMs.toFixed(0)}, CPU ${result.cpuMs.toFixed(0)}; server CPU ${serverCpu.at(-1)!.toFixed(0)}; ` +
        `${result.requests} requests, ${result.notes} notes)`,
    );
  }
  const m = (xs: number[]) => `${median(xs).toFixed(0)} ms`;
  if (variants.length > 1) {
    for (const [i, variant] of variants.entries()) {
      const of = <T>(xs: T[]) => xs.filter((_, run) => run % variants.length === i);
      console.log(
        `${backend}, ${variant.name}: initial sync ${m(of(results).map((r) => r.totalMs))} ` +
          `(busy ${m(of(results).map((r) => r.busyMs))}, idle ${m(of(results).map((r) => r.idleMs))}); ${of(results).length} runs`,
      );
    }
  }
  console.log(
    `${backend}: initial sync ${m(results.map((r) => r.totalMs))} (busy ${m(results.map((r) => r.busyMs))}, idle ${m(results.map((r) => r.idleMs))}, ` +
      `workstation CPU ${m(results.map((r) => r.cpuMs))}, server CPU ${m(serverCpu)}); raw pull ${m(rawMs)}; medians of ${runs}; ` +
      `load ${load0.join(', ')} → ${loadAverages().join(', ')}`,
  );
  if (profileDir) console.log(`profiles: ${profileDir}`);
} finally {
  await server.call('stop', undefined).catch(() => undefined);
  await server.stop();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
}
