import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AuditLog, type AuditEntry, type AuditInput, type AuditVerification } from '../audit/audit-log';
import { writeFileAtomic } from '../fs/atomic-write';
import { startIdleCheckpoints, type IdleCheckpoints } from './idle-checkpoint';
import type { Logger } from '../logging/logger';
import { keytarKeychain, type KeychainAdapter, type KeychainStatus } from '../vault/keychain';
import { KeyVault, type Protection, type ScryptParams } from '../vault/key-vault';
import { createDrizzle, type WorkstationDb } from './db';
import { StoreError, toStoreError } from './errors';
import { migrateDatabase } from './migrate';
import { CACHE_CIPHERS, DEFAULT_CACHE_CIPHER, type CacheCipher } from './cache-cipher';
import { openDatabase, type SqliteDatabase } from './open-database';
import { acquireProfileLock, type ProfileLock } from './profile-lock';

export const DATABASE_FILE_NAME = 'caseload.db';
const CREATING_SUFFIX = '.creating';
const STATE_FILE_NAME = 'store.state.json';

export interface WorkstationStoreOptions {
  /** The workstation profile folder (created 0700 if missing). */
  profileDir: string;
  /**
   * Folder with the drizzle-kit migrations. From source: `src/core/store/migrations`; in the
   * built app: the copy shipped beside out/main/core.js (see the issue-3 report).
   */
  migrationsDir: string;
  /** Defaults to the OS keychain through keytar. */
  keychain?: KeychainAdapter;
  /** keytar service name (tests use a unique one). */
  keychainService?: string;
  logger?: Logger;
  /** better_sqlite3.node for the current runtime (Electron's ABI differs from Node's). */
  nativeBinding?: string;
  /** KDF cost for new/changed passphrases (tests lower it; stored in the key file). */
  scrypt?: ScryptParams;
  /**
   * The format of a cache created here (default `DEFAULT_CACHE_CIPHER`); tests make caches in the
   * format of earlier versions with it. An existing cache opens in the format its key file records.
   */
  cacheCipher?: CacheCipher;
  now?: () => number;
}

export type VaultState = 'uninitialised' | 'locked' | 'unlocked';
export type LockReason = 'manual' | 'idle' | 'shutdown';

export interface VaultStatus {
  state: VaultState;
  /** How the key is protected: null until created. */
  protection: Protection | null;
  /** Whether the OS keychain is usable in this session ('unavailable' → passphrase only). */
  keychain: KeychainStatus;
  failedAttempts: number;
  /** Milliseconds until the next unlock attempt is allowed (0 = now). */
  retryAfterMs: number;
  /**
   * Local changes not yet acknowledged by the clinic server. Live when unlocked; the count
   * recorded at the last lock otherwise (what "Forgot passphrase" would lose).
   */
  unsyncedChanges: number;
}

/**
 * The encrypted workstation store: key vault + SQLCipher database + audit log, for one
 * profile. Created once per core process; it takes the profile lock at once.
 *
 *   const store = await openWorkstationStore({ profileDir, migrationsDir, logger });
 *   await store.vault.status();                // {state:'uninitialised'|'locked'|'unlocked', …}
 *   await store.vault.create(passphrase);      // first run → unlocked
 *   await store.vault.unlock(passphrase);      // later runs → unlocked (migrations applied)
 *   store.db                                   // drizzle instance (throws STORE_LOCKED if locked)
 *   store.audit.append({ action: 'chart.opened', recordType: 'client', recordId, clientId });
 *   store.onBeforeLock(() => flushDrafts());   // runs synchronously before every lock
 *   store.vault.lock('idle');                  // flush hooks → audit → close DB
 *   await store.vault.changePassphrase(old, new);
 *   await store.vault.erase();                 // "forgot passphrase": deletes cache + key
 *   store.close();                             // lock + release the profile lock
 *
 * All failures are StoreError subclasses with a `code` (see ./errors.ts); nothing is ever
 * reset or overwritten silently. Logs carry codes and counts only.
 */
export interface WorkstationStore {
  readonly vault: {
    status(): Promise<VaultStatus>;
    create(passphrase: string): Promise<VaultStatus>;
    unlock(passphrase: string): Promise<VaultStatus>;
    lock(reason?: LockReason): void;
    changePassphrase(oldPassphrase: string, newPassphrase: string): Promise<VaultStatus>;
    /**
     * Check the passphrase again while unlocked (signing asks for it) without locking or
     * reopening anything. A wrong one counts as a failed attempt (same delay as the lock
     * screen) and is audited; WrongPassphraseError / UnlockThrottledError.
     */
    verifyPassphrase(passphrase: string): Promise<void>;
    /** Lock, then delete the database, its WAL, the key file and the keychain entry. */
    erase(): Promise<void>;
  };
  readonly isUnlocked: boolean;
  /** The drizzle instance over the unlocked database. */
  readonly db: WorkstationDb;
  /** The raw better-sqlite3 connection (FTS queries, pragmas). */
  readonly sqlite: SqliteDatabase;
  readonly audit: {
    append(input: AuditInput): AuditEntry;
    verify(): AuditVerification;
    recent(limit?: number): AuditEntry[];
  };
  readonly paths: { database: string; keyFile: string; profileLock: string };
  /** Register a hook run before every lock (flush open drafts). Returns an unsubscribe. */
  onBeforeLock(hook: (reason: LockReason) => void): () => void;
  /** Lock (if unlocked) and release the profile lock. */
  close(): void;
}

interface Session {
  sqlite: SqliteDatabase;
  db: WorkstationDb;
  audit: AuditLog;
  /** WAL checkpoints while the clinician pauses, not inside a save (idle-checkpoint.ts). */
  checkpoints: IdleCheckpoints;
}

export async function openWorkstationStore(options: WorkstationStoreOptions): Promise<WorkstationStore> {
  mkdirSync(options.profileDir, { recursive: true, mode: 0o700 });
  const profileLock: ProfileLock = acquireProfileLock(options.profileDir);
  const log = options.logger;
  const keychain = options.keychain ?? keytarKeychain();
  const vault = new KeyVault({
    dir: options.profileDir,
    keychain,
    ...(options.keychainService ? { keychainService: options.keychainService } : {}),
    ...(options.scrypt ? { scrypt: options.scrypt } : {}),
    ...(log ? { logger: log } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const dbPath = join(options.profileDir, DATABASE_FILE_NAME);
  const statePath = join(options.profileDir, STATE_FILE_NAME);
  const hooks = new Set<(reason: LockReason) => void>();
  let session: Session | null = null;
  let keychainStatus: KeychainStatus | null = null;
  let closed = false;

  const openOptions = (key: Uint8Array, create: boolean, cipher: CacheCipher) => ({
    key,
    create,
    cipher: CACHE_CIPHERS[cipher],
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  });
  const newCacheCipher = options.cacheCipher ?? DEFAULT_CACHE_CIPHER;

  const probeKeychain = async (refresh = false): Promise<KeychainStatus> => {
    if (keychainStatus === null || refresh) keychainStatus = await vault.keychainStatus();
    return keychainStatus;
  };

  const requireOpen = () => {
    if (closed) throw new StoreError('STORE_LOCKED', 'The store has been closed.');
  };

  const requireSession = (): Session => {
    if (!session) throw new StoreError('STORE_LOCKED', 'The local cache is locked.');
    return session;
  };

  const unsyncedLive = (s: Session): number =>
    (s.sqlite.prepare('SELECT count(*) AS n FROM sync_outbox WHERE acked_at IS NULL').get() as { n: number }).n;

  const readState = (): { unsyncedChanges: number } => {
    try {
      const parsed = JSON.parse(readFileSync(statePath, 'utf8')) as { unsyncedChanges?: unknown };
      return { unsyncedChanges: typeof parsed.unsyncedChanges === 'number' ? parsed.unsyncedChanges : 0 };
    } catch {
      return { unsyncedChanges: 0 };
    }
  };

  const status = async (): Promise<VaultStatus> => {
    const info = vault.info();
    return {
      state: session ? 'unlocked' : info.exists ? 'locked' : 'uninitialised',
      protection: info.protection,
      keychain: await probeKeychain(),
      failedAttempts: info.failedAttempts,
      retryAfterMs: info.retryAfterMs,
      unsyncedChanges: session ? unsyncedLive(session) : readState().unsyncedChanges,
    };
  };

  const startSession = (sqlite: SqliteDatabase): Session => ({
    sqlite,
    db: createDrizzle(sqlite),
    audit: new AuditLog(sqlite),
    checkpoints: startIdleCheckpoints(sqlite),
  });

  /** Open + migrate with a key; zeroes the key. */
  const openWithKey = (key: Buffer, create: boolean, cipher: CacheCipher): Session => {
    try {
      const sqlite = openDatabase(create ? dbPath + CREATING_SUFFIX : dbPath, openOptions(key, create, cipher));
      try {
        migrateDatabase(sqlite, {
          migrationsDir: options.migrationsDir,
          dbPath: create ? dbPath + CREATING_SUFFIX : dbPath,
          ...(log ? { logger: log } : {}),
        });
      } catch (error) {
        if (sqlite.open) sqlite.close();
        throw error;
      }
      return startSession(sqlite);
    } finally {
      key.fill(0);
    }
  };

  const store: WorkstationStore = {
    vault: {
      status,

      async create(passphrase) {
        requireOpen();
        if (vault.exists())
          throw new StoreError('VAULT_EXISTS', 'A workstation passphrase already exists on this profile.');
        if (existsSync(dbPath)) {
          throw new StoreError(
            'ORPHAN_DATABASE',
            'A local cache exists without its key file; erase it before creating a new passphrase.',
          );
        }
        // Leftovers of a creation that crashed before its key file was written hold no
        // clinician data (nothing is written before create() returns) and can never be opened.
        removeDatabaseFiles(dbPath + CREATING_SUFFIX);
        await probeKeychain(true);
        const { key } = await vault.create(
          passphrase,
          (k, protection) => {
            const s = openWithKey(Buffer.from(k), true, newCacheCipher);
            s.audit.append({ action: 'vault.created', detail: { protection, cipher: newCacheCipher } });
            s.checkpoints.stop();
            s.sqlite.close();
          },
          newCacheCipher,
        );
        // Key file written: publish the database under its final name.
        renameSync(dbPath + CREATING_SUFFIX, dbPath);
        syncDirectory(options.profileDir);
        session = openWithKey(key, false, newCacheCipher);
        session.audit.append({ action: 'vault.unlocked' });
        log?.info({ code: 'STORE_CREATED' }, 'store created');
        return status();
      },

      async unlock(passphrase) {
        requireOpen();
        if (session) return status();
        let result;
        try {
          result = await vault.unlock(passphrase);
        } catch (error) {
          log?.warn({ code: error instanceof StoreError ? error.code : 'UNKNOWN' }, 'unlock refused');
          throw error;
        }
        if (!existsSync(dbPath) && existsSync(dbPath + CREATING_SUFFIX)) {
          // Crash between writing the key file and publishing the database: finish creation.
          renameSync(dbPath + CREATING_SUFFIX, dbPath);
          syncDirectory(options.profileDir);
        }
        try {
          session = openWithKey(result.key, false, result.cipher);
        } catch (error) {
          log?.error({ code: error instanceof StoreError ? error.code : 'UNKNOWN' }, 'opening the cache failed');
          throw error;
        }
        if (result.failedAttemptsBefore > 0) {
          session.audit.append({ action: 'vault.unlock_failed', detail: { count: result.failedAttemptsBefore } });
        }
        session.audit.append({ action: 'vault.unlocked', detail: { protection: result.protection } });
        vault.markFailuresReported();
        log?.info({ code: 'STORE_UNLOCKED', cipher: result.cipher }, 'store unlocked');
        return status();
      },

      lock(reason = 'manual') {
        if (!session) return;
        const s = session;
        for (const hook of hooks) {
          try {
            hook(reason);
          } catch (error) {
            log?.error(
              { code: error instanceof StoreError ? error.code : 'LOCK_HOOK_FAILED' },
              'before-lock hook failed',
            );
          }
        }
        try {
          s.audit.append({ action: reason === 'idle' ? 'vault.auto_locked' : 'vault.locked', detail: { reason } });
          writeFileAtomic(
            statePath,
            JSON.stringify({ unsyncedChanges: unsyncedLive(s), at: new Date().toISOString() }),
          );
        } catch (error) {
          log?.error({ code: toStoreError(error, 'lock').code }, 'recording the lock failed');
        } finally {
          session = null;
          s.checkpoints.stop();
          s.sqlite.close();
          log?.info({ code: 'STORE_LOCKED', reason }, 'store locked');
        }
      },

      async verifyPassphrase(passphrase) {
        requireOpen();
        requireSession();
        let result;
        try {
          result = await vault.unlock(passphrase);
        } catch (error) {
          const code = error instanceof StoreError ? error.code : 'UNKNOWN';
          log?.warn({ code }, 'passphrase check refused');
          if (code === 'WRONG_PASSPHRASE') session?.audit.append({ action: 'vault.passphrase_check_failed' });
          throw error;
        }
        result.key.fill(0);
        vault.markFailuresReported();
      },

      async changePassphrase(oldPassphrase, newPassphrase) {
        requireOpen();
        await probeKeychain(true);
        const { protection } = await vault.changePassphrase(oldPassphrase, newPassphrase);
        session?.audit.append({ action: 'vault.passphrase_changed', detail: { protection } });
        return status();
      },

      async erase() {
        requireOpen();
        store.vault.lock('manual');
        removeDatabaseFiles(dbPath);
        removeDatabaseFiles(dbPath + CREATING_SUFFIX);
        rmSync(statePath, { force: true });
        await vault.erase();
        log?.warn({ code: 'STORE_ERASED' }, 'local cache erased');
      },
    },

    get isUnlocked() {
      return session !== null;
    },
    get db() {
      return requireSession().db;
    },
    get sqlite() {
      return requireSession().sqlite;
    },
    audit: {
      append: (input) => requireSession().audit.append(input),
      verify: () => requireSession().audit.verify(),
      recent: (limit) => requireSession().audit.recent(limit),
    },
    paths: { database: dbPath, keyFile: vault.keyFile, profileLock: profileLock.path },
    onBeforeLock(hook) {
      hooks.add(hook);
      return () => hooks.delete(hook);
    },
    close() {
      if (closed) return;
      try {
        store.vault.lock('shutdown');
      } finally {
        closed = true;
        profileLock.release();
      }
    },
  };
  return store;
}

function removeDatabaseFiles(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal', '.pre-migration']) rmSync(path + suffix, { force: true });
}

function syncDirectory(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
