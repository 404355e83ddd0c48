import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CaseloadService } from './caseload/caseload-service';
import { createLogger, type Logger } from './logging/logger';
import { RpcError } from '../shared/rpc/errors';
import { RpcDispatcher, type Handlers } from './rpc/dispatcher';
import { PreferencesStore } from './settings/preferences-store';
import { openWorkstationStore, type KeychainAdapter } from './store';
import type { CipherTuning } from './store/open-database';
import { SyncStatusService } from './sync/sync-status-service';
import { SystemService, type RuntimeDescription } from './system/system-service';
import type { ScryptParams } from './vault/key-vault';
import { VaultService } from './vault/vault-service';

export interface CoreOptions extends RuntimeDescription {
  /** The workstation profile folder: preferences, logs, the key file and the encrypted cache. */
  profileDir: string;
  /** The SQL migrations of the encrypted cache (src/core/store/migrations, shipped beside the core). */
  migrationsDir: string;
  logger?: Logger;
  /** The OS keychain; the default is keytar. */
  keychain?: KeychainAdapter;
  /** keytar service name (tests give each profile its own). */
  keychainService?: string;
  /** better_sqlite3.node built for this runtime (Electron's ABI differs from Node's). */
  sqliteBinding?: string;
  /** KDF cost for new passphrases (tests lower it; the default is memory-hard). */
  scrypt?: ScryptParams;
  cipher?: CipherTuning;
  /** Overrides the preference, in seconds (harness and tests only). */
  autoLockSeconds?: number;
}

const notYet = (): never => {
  throw new RpcError('UNAVAILABLE', 'This part of the workstation is not available yet.');
};

export interface Core {
  dispatcher: RpcDispatcher;
  vault: VaultService;
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
  // Filled in below; events need the dispatcher, the dispatcher needs the vault's lock state.
  let emit: RpcDispatcher['emit'] = () => undefined;

  const vault = new VaultService({
    store: openWorkstationStore({
      profileDir: options.profileDir,
      migrationsDir: options.migrationsDir,
      logger: log,
      ...(options.keychain ? { keychain: options.keychain } : {}),
      ...(options.keychainService ? { keychainService: options.keychainService } : {}),
      ...(options.sqliteBinding ? { nativeBinding: options.sqliteBinding } : {}),
      ...(options.scrypt ? { scrypt: options.scrypt } : {}),
      ...(options.cipher ? { cipher: options.cipher } : {}),
    }),
    autoLockMs: () => (options.autoLockSeconds ?? preferences.get().autoLockMinutes * 60) * 1000,
    log,
    onChange: (status) => emit('vault.stateChanged', status),
    onLocking: (reason, graceMs) => emit('vault.locking', { reason, graceMs }),
  });

  const caseload = new CaseloadService({ store: () => vault.unlockedStore, actorId: () => null, log });

  const handlers: Handlers = {
    'system.ping': ({ message }) => system.ping(message),
    'system.info': () => system.info(),
    'settings.get': () => preferences.get(),
    'settings.update': (patch) => preferences.update(patch),
    'sync.status': () => sync.get(),
    'vault.status': () => vault.status(),
    'vault.create': ({ passphrase }) => vault.create(passphrase),
    'vault.unlock': ({ passphrase }) => vault.unlock(passphrase),
    'vault.lock': () => vault.lock('manual'),
    'vault.changePassphrase': ({ current, next }) => vault.changePassphrase(current, next),
    'vault.erase': ({ acknowledgedUnsyncedChanges }) => vault.erase(acknowledgedUnsyncedChanges),
    'session.activity': () => {
      vault.activity();
      return { ok: true as const };
    },
    // Being built (issue 4): the sync engine and the caseload read models replace these.
    'sync.now': () => sync.get(),
    'sync.details': notYet,
    'sync.dismissRejected': notYet,
    'session.status': () => ({ state: 'signedOut', serverUrl: null, user: null }),
    'session.signIn': notYet,
    'session.signOut': notYet,
    'caseload.list': () => caseload.list(),
    'client.overview': ({ clientId }) => caseload.overview(clientId),
  };
  const dispatcher = new RpcDispatcher(handlers, log, () => vault.isUnlocked);
  emit = (event, payload) => dispatcher.emit(event, payload);

  const unsubscribe = [
    preferences.onChange((value) => {
      vault.autoLockChanged();
      dispatcher.emit('settings.changed', value);
    }),
    sync.onChange((value) => dispatcher.emit('sync.statusChanged', value)),
  ];

  log.info({ runtime: options.runtime, version: options.appVersion }, 'core started');

  return {
    dispatcher,
    vault,
    log,
    close: async () => {
      for (const undo of unsubscribe) undo();
      dispatcher.close();
      await vault.close();
      log.info('core stopped');
      await new Promise<void>((resolve) => log.flush(() => resolve()));
    },
  };
}
