/**
 * Entry point of the core when Electron main runs it as a utility process. Main passes the
 * profile folder and version in the environment and hands over one MessagePort per window.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCore } from './core';
import { messagePortTransport, type MessagePortMainLike } from './rpc/message-port-transport';

interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown; ports: MessagePortMainLike[] }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
if (!parentPort) {
  throw new Error('src/core/entry.ts runs inside an Electron utility process; use startCore() elsewhere.');
}

const profileDir = process.env.CONTINUUM_PROFILE_DIR;
if (!profileDir) throw new Error('CONTINUUM_PROFILE_DIR is not set');

const here = dirname(fileURLToPath(import.meta.url));
const core = startCore({
  profileDir,
  appVersion: process.env.CONTINUUM_APP_VERSION ?? '0.0.0',
  runtime: 'electron',
  // The build copies src/core/store/migrations beside this bundle (electron.vite.config.ts).
  migrationsDir: join(here, 'migrations'),
  // Built from src/core/sync/pull-worker.ts beside this bundle (electron.vite.config.ts).
  pullWorker: { path: join(here, 'pull-worker.js') },
  // better-sqlite3 built for Electron's ABI (see docs/architecture.md, "Native modules").
  ...(process.env.CONTINUUM_SQLITE_BINDING ? { sqliteBinding: process.env.CONTINUUM_SQLITE_BINDING } : {}),
});

parentPort.on('message', (event) => {
  const data = event.data as { type?: unknown } | null;
  if (data?.type === 'connect-window' && event.ports[0]) {
    core.dispatcher.connect(messagePortTransport(event.ports[0]));
  } else if (data?.type === 'system-idle') {
    const idleSeconds = (data as { idleSeconds?: unknown }).idleSeconds;
    if (typeof idleSeconds === 'number' && Number.isFinite(idleSeconds) && idleSeconds >= 0) {
      core.vault.systemIdleFor(idleSeconds * 1000);
    }
  } else if (data?.type === 'lock-now') {
    void core.vault.lockSoon('idle');
  } else if (data?.type === 'shutdown') {
    void core.close().then(() => process.exit(0));
  }
});
parentPort.postMessage({ type: 'ready' });
