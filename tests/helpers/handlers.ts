import type { Handlers } from '../../src/core/rpc/dispatcher';
import { RpcError } from '../../src/shared/rpc/errors';
import type { VaultStatus } from '../../src/shared/vault/status';
import { DEFAULT_PREFERENCES, preferencesSchema, type Preferences } from '../../src/shared/settings/preferences';

/**
 * A complete, in-memory handler set for driving RpcDispatcher directly. Tests replace the
 * methods they are about (a slow ping, a throwing ping) and keep the rest.
 */
const emptyDetails = {
  pending: [],
  rejected: [],
  conflicts: [],
  serverRestored: null,
  clockDriftMs: null,
  lastSyncedAt: null,
};
const signedOut = { state: 'signedOut' as const, serverUrl: null, user: null };

/** This handler set has no notes (the notes service is tested against the real core). */
const noNote = (): never => {
  throw new RpcError('NOT_FOUND', 'No such note.');
};

export function testHandlers(overrides: Partial<Handlers> = {}): Handlers {
  let preferences: Preferences = { ...DEFAULT_PREFERENCES };
  // This handler set stands for an unlocked workstation; vault tests use the real core.
  const vaultStatus: VaultStatus = {
    state: 'unlocked',
    protection: 'passphrase',
    keychain: 'unavailable',
    failedAttempts: 0,
    retryAfterMs: 0,
    unsyncedChanges: 0,
    autoLockSeconds: 600,
    lastLockReason: null,
    problem: null,
  };
  const base: Handlers = {
    'system.ping': ({ message }) => ({ message, receivedAt: new Date().toISOString() }),
    'system.info': () => ({
      appVersion: '0.0.0-test',
      runtime: 'node',
      runtimeVersion: process.versions.node,
      platform: process.platform,
      arch: process.arch,
      rpcProtocolVersion: 1,
      startedAt: new Date().toISOString(),
    }),
    'settings.get': () => preferences,
    'settings.update': (patch) => {
      preferences = preferencesSchema.parse({ ...preferences, ...patch });
      return preferences;
    },
    'sync.status': () => ({ state: 'signedOut', pending: 0, lastSyncedAt: null }),
    'vault.status': () => vaultStatus,
    'vault.create': () => vaultStatus,
    'vault.unlock': () => vaultStatus,
    'vault.lock': () => vaultStatus,
    'vault.changePassphrase': () => vaultStatus,
    'vault.erase': () => vaultStatus,
    'session.activity': () => ({ ok: true as const }),
    'sync.now': () => ({ state: 'signedOut', pending: 0, lastSyncedAt: null }),
    'sync.details': () => emptyDetails,
    'sync.dismissRejected': () => emptyDetails,
    'sync.dismissServerRestored': () => emptyDetails,
    'session.status': () => signedOut,
    'session.signIn': () => signedOut,
    'session.signOut': () => signedOut,
    'caseload.list': () => ({ rows: [], asOf: null }),
    'client.overview': () => {
      throw new RpcError('NOT_FOUND', 'No such client.');
    },
    'notes.templates': () => ({ templates: [] }),
    'notes.list': () => ({ notes: [] }),
    'notes.get': noNote,
    'notes.createDraft': noNote,
    'notes.saveDraft': noNote,
    'notes.sign': noNote,
    'notes.addAddendum': noNote,
    'notes.saveAddendumDraft': noNote,
    'notes.discardAddendumDraft': noNote,
    'notes.discardProposal': noNote,
    'notes.cosignQueue': () => ({ notes: [] }),
    'notes.cosign': noNote,
    'notes.returnForRevision': noNote,
    'notes.setSharing': noNote,
    'notes.resolveConflict': noNote,
    'notes.search': () => ({ hits: [], more: false }),
    'notes.exportPdf': noNote,
  };
  return { ...base, ...overrides };
}
