import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, type Logger } from './logging/logger';
import { RpcDispatcher, type Handlers } from './rpc/dispatcher';
import { PreferencesStore } from './settings/preferences-store';
import { SyncStatusService } from './sync/sync-status-service';
import { SystemService, type RuntimeDescription } from './system/system-service';

export interface CoreOptions extends RuntimeDescription {
  /** The workstation profile folder: preferences, logs and (later) the encrypted store. */
  profileDir: string;
  logger?: Logger;
}

export interface Core {
  dispatcher: RpcDispatcher;
  log: Logger;
  close(): Promise<void>;
}

/**
 * Assemble the workstation core. The same function runs inside Electron's utility process
 * (src/core/entry.ts) and inside plain Node (the browser harness and the tests); the host
 * only decides how connections arrive.
 */
export function startCore(options: CoreOptions): Core {
  mkdirSync(options.profileDir, { recursive: true, mode: 0o700 });
  const log = options.logger ?? createLogger({ dir: join(options.profileDir, 'logs') });

  const system = new SystemService(options);
  const preferences = new PreferencesStore(options.profileDir, log);
  const sync = new SyncStatusService();

  const handlers: Handlers = {
    'system.ping': ({ message }) => system.ping(message),
    'system.info': () => system.info(),
    'settings.get': () => preferences.get(),
    'settings.update': (patch) => preferences.update(patch),
    'sync.status': () => sync.get(),
  };
  const dispatcher = new RpcDispatcher(handlers, log);

  const unsubscribe = [
    preferences.onChange((value) => dispatcher.emit('settings.changed', value)),
    sync.onChange((value) => dispatcher.emit('sync.statusChanged', value)),
  ];

  log.info({ runtime: options.runtime, version: options.appVersion }, 'core started');

  return {
    dispatcher,
    log,
    close: async () => {
      for (const undo of unsubscribe) undo();
      dispatcher.close();
      log.info('core stopped');
      await new Promise<void>((resolve) => log.flush(() => resolve()));
    },
  };
}
