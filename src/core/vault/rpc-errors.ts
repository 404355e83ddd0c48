import { RpcError, type RpcErrorCode } from '../../shared/rpc/errors';
import type { VaultProblem } from '../../shared/vault/status';
import { StoreError, type StoreErrorCode } from '../store/errors';

const CODES: Record<StoreErrorCode, RpcErrorCode> = {
  VAULT_NOT_INITIALISED: 'CONFLICT',
  VAULT_EXISTS: 'CONFLICT',
  WRONG_PASSPHRASE: 'WRONG_PASSPHRASE',
  PASSPHRASE_TOO_WEAK: 'PASSPHRASE_TOO_WEAK',
  UNLOCK_THROTTLED: 'UNLOCK_THROTTLED',
  KEYCHAIN_ENTRY_MISSING: 'KEYCHAIN_ENTRY_MISSING',
  KEYCHAIN_UNAVAILABLE: 'KEYCHAIN_UNAVAILABLE',
  KEY_FILE_CORRUPT: 'STORE_DAMAGED',
  KEY_FILE_UNSUPPORTED_VERSION: 'STORE_DAMAGED',
  ORPHAN_DATABASE: 'STORE_DAMAGED',
  STORE_LOCKED: 'LOCKED',
  STORE_CORRUPT: 'STORE_DAMAGED',
  DISK_FULL: 'DISK_FULL',
  MIGRATION_FAILED: 'STORE_DAMAGED',
  PROFILE_LOCKED: 'PROFILE_IN_USE',
  STORE_IO: 'INTERNAL',
};

/** The store's typed errors, as the renderer should see them. Messages are PHI-free by design. */
export function storeErrorToRpc(error: unknown): unknown {
  if (!(error instanceof StoreError)) return error;
  return new RpcError(CODES[error.code], error.message);
}

/** Errors that make the cache unusable until something outside the app changes. */
export function problemOf(error: unknown): VaultProblem {
  if (!(error instanceof StoreError)) return 'STORE_IO';
  switch (error.code) {
    case 'PROFILE_LOCKED':
      return 'PROFILE_IN_USE';
    case 'KEYCHAIN_ENTRY_MISSING':
      return 'KEYCHAIN_ENTRY_MISSING';
    case 'KEYCHAIN_UNAVAILABLE':
      return 'KEYCHAIN_UNAVAILABLE';
    case 'DISK_FULL':
      return 'DISK_FULL';
    case 'KEY_FILE_CORRUPT':
    case 'KEY_FILE_UNSUPPORTED_VERSION':
    case 'STORE_CORRUPT':
    case 'ORPHAN_DATABASE':
    case 'MIGRATION_FAILED':
      return 'STORE_DAMAGED';
    default:
      return 'STORE_IO';
  }
}
