import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { CACHE_CIPHERS, DEFAULT_CACHE_CIPHER, type CipherTuning } from './cache-cipher';
import { StoreCorruptError, toStoreError } from './errors';
import { registerSchemaFunctions } from './schema-functions';

export type { CipherTuning } from './cache-cipher';

export type SqliteDatabase = Database.Database;

export interface OpenDatabaseOptions {
  /** The raw 256-bit key; `null` only for the plain-SQLite comparison in the benchmark. */
  key: Uint8Array | null;
  /** Create the file if it does not exist (first run). Otherwise a missing file is an error. */
  create?: boolean;
  /** Path to a better_sqlite3.node built for the current runtime (Electron vs Node). */
  nativeBinding?: string;
  /** The file's encryption (default: the format of new caches, `DEFAULT_CACHE_CIPHER`). */
  cipher?: CipherTuning;
  /**
   * EXCLUSIVE (default) holds the SQLite file lock for the connection's lifetime: a second
   * process cannot open the file at all, and WAL runs without a shared-memory (-shm) file.
   */
  lockingMode?: 'EXCLUSIVE' | 'NORMAL';
  /**
   * Page cache in KiB (decrypted pages kept in memory). Every cache miss on an encrypted
   * database costs a decrypt + HMAC check, so the cache matters more than for plain SQLite.
   */
  cacheSizeKiB?: number;
}

/** 64 MiB: most of a caseload's hot index pages stay decrypted in memory (see the benchmark). */
export const DEFAULT_CACHE_SIZE_KIB = 65_536;

/**
 * Open (or create) the encrypted database at `path` with a raw key (`x'…'`, no KDF at open),
 * then set the connection up: WAL, foreign keys, synchronous=FULL (anything a clinician typed
 * is on disk before a save returns), temp_store=MEMORY (temporary tables and sort spills never
 * reach the disk unencrypted). The key is passed as a Buffer and the copy is zeroed.
 *
 * Throws StoreCorruptError when the file cannot be decrypted (damaged file, or a key that does
 * not belong to it) and DiskFullError / StoreError otherwise. Never deletes or rewrites a file.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions): SqliteDatabase {
  if (!options.create && !existsSync(path)) {
    throw new StoreCorruptError('database file is missing');
  }
  let db: SqliteDatabase;
  try {
    db = new Database(path, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  } catch (error) {
    throw toStoreError(error, 'opening the database');
  }
  try {
    if (options.key) {
      applyKey(db, options.key, options.cipher ?? CACHE_CIPHERS[DEFAULT_CACHE_CIPHER]);
      // Deleted content is overwritten, not left in free pages: a purged client's records or a
      // replaced draft's text cannot be read back from the file even with the key. (The cipher
      // library turns this on when a database is keyed; said here so that no upgrade drops it.)
      db.pragma('secure_delete = ON');
    }
    registerSchemaFunctions(db);
    // Force a read of page 1: a wrong key or a damaged header fails here, not at first query.
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    db.pragma(`locking_mode = ${options.lockingMode ?? 'EXCLUSIVE'}`);
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`journal_mode is ${String(mode)}`);
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = FULL');
    db.pragma('temp_store = MEMORY');
    db.pragma('busy_timeout = 2000');
    db.pragma(`cache_size = -${Math.floor(options.cacheSizeKiB ?? DEFAULT_CACHE_SIZE_KIB)}`);
    return db;
  } catch (error) {
    try {
      db.close();
    } catch {
      // Already unusable.
    }
    throw toStoreError(error, 'opening the database');
  }
}

function applyKey(db: SqliteDatabase, key: Uint8Array, cipher: CipherTuning): void {
  if (key.length !== 32) throw new Error('the database key must be 32 bytes');
  if (cipher.scheme === 'aegis') {
    db.pragma(`cipher = 'aegis'`);
    db.pragma(`algorithm = '${cipher.algorithm ?? 'aegis-256'}'`);
    // Applies to a new file only; an existing file keeps the page size it was created with.
    db.pragma(`page_size = ${cipher.pageSize ?? 4096}`);
  } else {
    db.pragma(`cipher = 'sqlcipher'`);
    db.pragma('legacy = 4');
    db.pragma(`legacy_page_size = ${cipher.pageSize ?? 4096}`);
    db.pragma(`hmac_algorithm = ${cipher.hmacAlgorithm ?? 2}`);
  }
  // `x'<64 hex>'`: the raw-key form (SQLCipher's syntax, which every scheme takes): no key
  // derivation at open, the key comes from the vault. Built in a Buffer (not a JS
  // string, which could not be wiped) and zeroed after use.
  const keySpec = Buffer.alloc(67);
  keySpec.write("x'", 0, 'latin1');
  for (let i = 0; i < 32; i += 1) keySpec.write((key[i] ?? 0).toString(16).padStart(2, '0'), 2 + i * 2, 'latin1');
  keySpec.write("'", 66, 'latin1');
  try {
    db.key(keySpec);
  } finally {
    keySpec.fill(0);
  }
}

/** True when the file starts with the plaintext SQLite magic, i.e. it is NOT encrypted. */
export const SQLITE_PLAIN_MAGIC = 'SQLite format 3\u0000';
