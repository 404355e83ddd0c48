/**
 * Typed errors of the encrypted store, the key vault and the profile lock. Every failure the
 * clinician can meet ends in one of these, with a stable `code` the UI maps to a message and
 * the log records (messages here never contain PHI, passphrases or key material).
 */
export type StoreErrorCode =
  | 'VAULT_NOT_INITIALISED'
  | 'VAULT_EXISTS'
  | 'WRONG_PASSPHRASE'
  | 'PASSPHRASE_TOO_WEAK'
  | 'UNLOCK_THROTTLED'
  | 'KEYCHAIN_ENTRY_MISSING'
  | 'KEYCHAIN_UNAVAILABLE'
  | 'KEY_FILE_CORRUPT'
  | 'KEY_FILE_UNSUPPORTED_VERSION'
  | 'ORPHAN_DATABASE'
  | 'STORE_LOCKED'
  | 'STORE_CORRUPT'
  | 'DISK_FULL'
  | 'MIGRATION_FAILED'
  | 'PROFILE_LOCKED'
  | 'STORE_IO';

export class StoreError extends Error {
  override readonly name: string = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class WrongPassphraseError extends StoreError {
  override readonly name = 'WrongPassphraseError';
  constructor(readonly failedAttempts: number) {
    super('WRONG_PASSPHRASE', 'The passphrase is not correct.');
  }
}

export class UnlockThrottledError extends StoreError {
  override readonly name = 'UnlockThrottledError';
  constructor(
    readonly retryAfterMs: number,
    readonly failedAttempts: number,
  ) {
    super('UNLOCK_THROTTLED', `Too many failed attempts; try again in ${Math.ceil(retryAfterMs / 1000)} s.`);
  }
}

export class KeychainEntryMissingError extends StoreError {
  override readonly name = 'KeychainEntryMissingError';
  constructor() {
    super(
      'KEYCHAIN_ENTRY_MISSING',
      "This workstation's device secret is missing from the system keychain; the local cache cannot be opened on this device.",
    );
  }
}

export class KeychainUnavailableError extends StoreError {
  override readonly name = 'KeychainUnavailableError';
  constructor(cause?: unknown) {
    super(
      'KEYCHAIN_UNAVAILABLE',
      'The system keychain is not available, but this cache was protected with a device secret kept there.',
      { cause },
    );
  }
}

export class KeyFileCorruptError extends StoreError {
  override readonly name = 'KeyFileCorruptError';
  constructor(detail: string, cause?: unknown) {
    super('KEY_FILE_CORRUPT', `The wrapped-key file is damaged (${detail}).`, { cause });
  }
}

export class KeyFileVersionError extends StoreError {
  override readonly name = 'KeyFileVersionError';
  constructor(readonly version: unknown) {
    super(
      'KEY_FILE_UNSUPPORTED_VERSION',
      `The wrapped-key file has an unsupported format version (${String(version)}).`,
    );
  }
}

export class PassphraseTooWeakError extends StoreError {
  override readonly name = 'PassphraseTooWeakError';
  constructor(readonly reason: string) {
    super('PASSPHRASE_TOO_WEAK', reason);
  }
}

export class StoreCorruptError extends StoreError {
  override readonly name = 'StoreCorruptError';
  constructor(detail: string, cause?: unknown) {
    super('STORE_CORRUPT', `The encrypted cache file is damaged or does not match its key (${detail}).`, { cause });
  }
}

export class DiskFullError extends StoreError {
  override readonly name = 'DiskFullError';
  constructor(cause?: unknown) {
    super('DISK_FULL', 'The disk is full: the change was not saved. Free some space and try again.', { cause });
  }
}

export class MigrationError extends StoreError {
  override readonly name = 'MigrationError';
  constructor(
    readonly migration: string,
    readonly restored: boolean,
    cause?: unknown,
  ) {
    super(
      'MIGRATION_FAILED',
      `Updating the cache to this version failed at migration ${migration}; ${
        restored ? 'the previous copy was restored' : 'the previous copy could NOT be restored'
      }.`,
      { cause },
    );
  }
}

export class ProfileLockedError extends StoreError {
  override readonly name = 'ProfileLockedError';
  constructor(
    readonly holderPid: number,
    readonly holderHost: string,
  ) {
    super('PROFILE_LOCKED', `Continuum is already running with this profile (process ${holderPid} on ${holderHost}).`);
  }
}

const SQLITE_FULL = new Set(['SQLITE_FULL', 'SQLITE_IOERR_WRITE', 'SQLITE_IOERR_FSYNC']);
const SQLITE_CORRUPT = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT', 'SQLITE_CORRUPT_VTAB', 'SQLITE_CORRUPT_INDEX']);

/**
 * Map a low-level error (better-sqlite3's SqliteError, a Node fs error) to a typed StoreError.
 * Unknown errors are wrapped as STORE_IO so that no raw SQL or path text reaches the UI.
 */
export function toStoreError(error: unknown, context: string): StoreError {
  if (error instanceof StoreError) return error;
  const code =
    typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL') return new DiskFullError(error);
  // SQLITE_IOERR_* writes fail with ENOSPC underneath when the disk is full; keep them as full.
  if (SQLITE_FULL.has(code) && /full|space/i.test(messageOf(error))) return new DiskFullError(error);
  if (SQLITE_CORRUPT.has(code) || code.startsWith('SQLITE_CORRUPT')) return new StoreCorruptError(code, error);
  return new StoreError('STORE_IO', `${context} failed (${code || 'unknown error'}).`, { cause: error });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
