import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CaseloadService } from './caseload/caseload-service';
import { createLogger, type Logger } from './logging/logger';
import { NotesService } from './notes/notes-service';
import { RpcDispatcher, type Handlers } from './rpc/dispatcher';
import { PreferencesStore } from './settings/preferences-store';
import { openWorkstationStore, type KeychainAdapter } from './store';
import { SessionService } from './session/session-service';
import type { PullWorkerSpec } from './sync/pull-worker-host';
import type { SyncTuning } from './sync/sync-engine';
import { SyncService } from './sync/sync-service';
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
  /** Overrides the preference, in seconds (harness and tests only). */
  autoLockSeconds?: number;
  /** Sync engine timing and transport (tests shorten intervals and backoff). */
  sync?: SyncTuning;
  /**
   * The pull worker's module (src/core/sync/pull-worker.ts, built as pull-worker.js beside the
   * core): a full pull prepares its pages on that thread. Without it (or null), on the core's thread.
   */
  pullWorker?: PullWorkerSpec | null;
  /** This device's clock for sync (tests put it ahead to produce clock skew); default Date.now. */
  clock?: () => number;
  /** The name this device registers under with the clinic server; default the OS host name. */
  deviceName?: string;
}

export interface Core {
  dispatcher: RpcDispatcher;
  vault: VaultService;
  /** The outbox and the sync engine: features record local changes through `sync.record`. */
  sync: SyncService;
  session: SessionService;
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
  // The session service follows the vault's state (it needs the vault, so it comes after it).
  let vaultChanged: (state: 'uninitialised' | 'locked' | 'unlocked' | 'unavailable') => void = () => undefined;
  let vaultCreating: () => void = () => undefined;
  let vaultCreateFailed: () => void = () => undefined;
  const storeReady = openWorkstationStore({
    profileDir: options.profileDir,
    migrationsDir: options.migrationsDir,
    logger: log,
    ...(options.keychain ? { keychain: options.keychain } : {}),
    ...(options.keychainService ? { keychainService: options.keychainService } : {}),
    ...(options.sqliteBinding ? { nativeBinding: options.sqliteBinding } : {}),
    ...(options.scrypt ? { scrypt: options.scrypt } : {}),
  });

  const vault = new VaultService({
    store: storeReady,
    autoLockMs: () => (options.autoLockSeconds ?? preferences.get().autoLockMinutes * 60) * 1000,
    log,
    onChange: (status) => {
      vaultChanged(status.state);
      emit('vault.stateChanged', status);
    },
    onLocking: (reason, graceMs) => emit('vault.locking', { reason, graceMs }),
    onCreating: () => vaultCreating(),
    onCreateFailed: () => vaultCreateFailed(),
  });

  const syncService = new SyncService({
    vault,
    status: sync,
    log,
    dataChanged: (payload) => emit('sync.dataChanged', payload),
    ...(options.clock ? { now: options.clock } : {}),
    ...(options.sync || options.pullWorker
      ? { tuning: { ...options.sync, ...(options.pullWorker ? { pullWorker: options.pullWorker } : {}) } }
      : {}),
  });
  const session = new SessionService({
    vault,
    sync: syncService,
    log,
    changed: (status) => emit('session.changed', status),
    ...(options.deviceName !== undefined ? { deviceName: () => options.deviceName ?? '' } : {}),
    ...(options.sync?.fetch ? { fetch: options.sync.fetch } : {}),
  });
  vaultChanged = (state) => session.vaultChanged(state);
  vaultCreating = () => session.vaultCreating();
  vaultCreateFailed = () => session.vaultCreateFailed();
  // Nothing may touch the cache once it starts locking: the engine stops first.
  void storeReady.then((store) => store.onBeforeLock(() => session.beforeLock())).catch(() => undefined);

  const caseload = new CaseloadService({ store: () => vault.unlockedStore, actorId: () => session.userId(), log });
  const notes = new NotesService({
    store: () => vault.unlockedStore,
    record: (work) => syncService.record(work),
    userId: () => session.userId(),
    verifyPassphrase: (passphrase) => vault.verifyPassphrase(passphrase),
    language: () => preferences.get().language,
    exportsDir: join(options.profileDir, 'exports'),
    log,
  });

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
    'sync.now': () => syncService.syncNow(),
    'sync.details': () => syncService.details(),
    'sync.dismissRejected': ({ mutationId }) => syncService.dismissRejected(mutationId),
    'sync.dismissServerRestored': () => syncService.dismissServerRestored(),
    'session.status': () => session.status(),
    'session.signIn': (input) => session.signIn(input),
    'session.signOut': () => session.signOut(),
    'caseload.list': () => caseload.list(),
    'client.overview': ({ clientId }) => caseload.overview(clientId),
    'notes.templates': () => notes.templates(),
    'notes.list': (filter) => notes.list(filter),
    'notes.get': ({ noteId }) => notes.get(noteId),
    'notes.createDraft': (input) => notes.createDraft(input),
    'notes.saveDraft': (input) => notes.saveDraft(input),
    'notes.sign': ({ noteId, passphrase }) => notes.sign(noteId, passphrase),
    'notes.addAddendum': ({ noteId, ...input }) => notes.addAddendum(noteId, input),
    'notes.saveAddendumDraft': (input) => notes.saveAddendumDraft(input),
    'notes.discardAddendumDraft': ({ noteId, addendumId }) => notes.discardAddendumDraft(noteId, addendumId),
    'notes.discardProposal': ({ noteId, proposalId }) => notes.discardProposal(noteId, proposalId),
    'notes.cosignQueue': () => notes.cosignQueue(),
    'notes.cosign': ({ noteId, passphrase }) => notes.cosign(noteId, passphrase),
    'notes.returnForRevision': ({ noteId, comment }) => notes.returnForRevision(noteId, comment),
    'notes.setSharing': ({ noteId, sharedWithCareTeam }) => notes.setSharing(noteId, sharedWithCareTeam),
    'notes.resolveConflict': ({ noteId, content }) => notes.resolveConflict(noteId, content),
    'notes.search': (input) => notes.search(input),
    'notes.exportPdf': ({ noteId }) => notes.exportPdf(noteId),
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
    sync: syncService,
    session,
    log,
    close: async () => {
      for (const undo of unsubscribe) undo();
      dispatcher.close();
      await session.close();
      await vault.close();
      log.info('core stopped');
      await new Promise<void>((resolve) => log.flush(() => resolve()));
    },
  };
}
