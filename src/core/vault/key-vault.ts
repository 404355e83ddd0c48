import {
  createCipheriv,
  createDecipheriv,
  hkdfSync,
  randomBytes,
  randomUUID,
  scrypt as scryptCallback,
} from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { assessPassphrase } from '../../shared/vault/passphrase';
import { writeFileAtomic } from '../fs/atomic-write';
import type { Logger } from '../logging/logger';
import {
  KeychainEntryMissingError,
  KeychainUnavailableError,
  KeyFileCorruptError,
  KeyFileVersionError,
  PassphraseTooWeakError,
  StoreError,
  toStoreError,
  UnlockThrottledError,
  WrongPassphraseError,
} from '../store/errors';
import type { KeychainAdapter, KeychainStatus } from './keychain';
import { DEFAULT_CACHE_CIPHER, isCacheCipher, UNNAMED_CACHE_CIPHER, type CacheCipher } from '../store/cache-cipher';

export const KEY_FILE_NAME = 'vault.key.json';
export const ATTEMPTS_FILE_NAME = 'vault.attempts.json';
export const KEY_FILE_FORMAT = 'continuum.vault';
export const KEY_FILE_VERSION = 1;
/** Free attempts before the delay starts. */
export const FREE_ATTEMPTS = 5;

export interface ScryptParams {
  /** CPU/memory cost (power of two). 2^17 with r=8 uses 128 MiB. */
  N: number;
  r: number;
  p: number;
}

/** Memory-hard default: 128 MiB, about 0.3–0.6 s on a clinic laptop. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };

export type Protection = 'passphrase+device' | 'passphrase';

interface KeyFileV1 {
  format: typeof KEY_FILE_FORMAT;
  version: 1;
  vaultId: string;
  createdAt: string;
  protection: Protection;
  keychain: { service: string; account: string } | null;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  hkdf: { hash: 'sha256'; salt: string; info: string };
  /**
   * How the database this key opens is encrypted (store/cache-cipher.ts `CACHE_CIPHERS`).
   * Absent in key files written before it was recorded: their database is `sqlcipher-4`, and a
   * `sqlcipher-4` vault still writes none, so its additional data is what it always was.
   */
  database?: { cipher: CacheCipher };
  wrap: { alg: 'aes-256-gcm'; iv: string; tag: string; ciphertext: string };
}

interface AttemptsFile {
  version: 1;
  failures: number;
  lastFailureAt: string | null;
  /** Failures not yet written to the audit log (the log is inside the locked database). */
  unreported: number;
}

export interface KeyVaultOptions {
  /** Folder holding the wrapped-key and attempts files (the profile folder). */
  dir: string;
  keychain: KeychainAdapter;
  /** keytar service name; one entry per vault (account = vault id). */
  keychainService?: string;
  scrypt?: ScryptParams;
  logger?: Logger;
  /** Injected clock for the throttle (tests). */
  now?: () => number;
}

export interface UnlockResult {
  /** The raw 256-bit database key. The caller zeroes it (`key.fill(0)`) once used. */
  key: Buffer;
  /** Failed attempts since the previous successful unlock (for the audit log). */
  failedAttemptsBefore: number;
  protection: Protection;
  /** How the database is encrypted. */
  cipher: CacheCipher;
}

export interface VaultInfo {
  exists: boolean;
  protection: Protection | null;
  failedAttempts: number;
  /** 0 when an attempt is allowed now. */
  retryAfterMs: number;
}

/**
 * The key vault. The database key is random (256 bits) and exists on disk only wrapped with
 * AES-256-GCM under a key-encryption key:
 *
 *   KEK = HKDF-SHA256( scrypt(passphrase, salt, N, r, p) ‖ deviceSecret, hkdfSalt, info )
 *
 * where deviceSecret (256 bits) lives only in the OS keychain. Both are needed: a copied disk
 * without the keychain entry, or the keychain without the passphrase, opens nothing. Without
 * a keychain the vault is created passphrase-only, and says so (`protection`). The key file's
 * header (format, version, protection, KDF parameters, keychain reference) is the GCM
 * additional data, so it cannot be altered (e.g. to downgrade protection) without detection.
 */
export class KeyVault {
  readonly keyFile: string;
  private readonly attemptsFile: string;
  private readonly service: string;
  private readonly scryptParams: ScryptParams;
  private readonly now: () => number;

  constructor(private readonly options: KeyVaultOptions) {
    this.keyFile = join(options.dir, KEY_FILE_NAME);
    this.attemptsFile = join(options.dir, ATTEMPTS_FILE_NAME);
    this.service = options.keychainService ?? 'Continuum Workstation';
    this.scryptParams = options.scrypt ?? DEFAULT_SCRYPT;
    this.now = options.now ?? Date.now;
  }

  exists(): boolean {
    return existsSync(this.keyFile);
  }

  /** Whether the OS keychain can hold the device secret in this session. */
  keychainStatus(): Promise<KeychainStatus> {
    return this.options.keychain.probe(this.service);
  }

  info(): VaultInfo {
    const attempts = this.readAttempts();
    let protection: Protection | null = null;
    if (this.exists()) {
      try {
        protection = this.readKeyFile().protection;
      } catch {
        protection = null;
      }
    }
    return {
      exists: this.exists(),
      protection,
      failedAttempts: attempts.failures,
      retryAfterMs: this.retryAfter(attempts),
    };
  }

  /** The keychain entry this vault uses (null for passphrase-only). */
  keychainEntry(): { service: string; account: string } | null {
    return this.readKeyFile().keychain;
  }

  /**
   * Create the vault: a fresh random database key wrapped under the passphrase (+ device
   * secret when a keychain is available). `beforeCommit` runs with the key before the key
   * file is written (the store creates the database there); if it throws, no key file and no
   * keychain entry remain. `cipher` is recorded as the database's format. Returns the key; the
   * caller zeroes it.
   */
  async create(
    passphrase: string,
    beforeCommit?: (key: Buffer, protection: Protection) => void | Promise<void>,
    cipher: CacheCipher = DEFAULT_CACHE_CIPHER,
  ): Promise<{ key: Buffer; protection: Protection }> {
    if (this.exists()) throw new StoreError('VAULT_EXISTS', 'A workstation passphrase already exists on this profile.');
    requireAcceptable(passphrase);
    const vaultId = randomUUID();
    let keychain: KeyFileV1['keychain'] = null;
    let deviceSecret: Buffer | null = null;
    if ((await this.keychainStatus()) === 'available') {
      keychain = { service: this.service, account: `vault-${vaultId}` };
      deviceSecret = randomBytes(32);
      await this.options.keychain.set(keychain.service, keychain.account, deviceSecret.toString('base64'));
    }
    const key = randomBytes(32);
    const protection: Protection = keychain ? 'passphrase+device' : 'passphrase';
    try {
      const file = await this.wrap(key, passphrase, deviceSecret, {
        vaultId,
        keychain,
        createdAt: new Date(this.now()).toISOString(),
        cipher,
      });
      // The caller creates the database with the key first; only then does the key file exist.
      if (beforeCommit) await beforeCommit(key, protection);
      this.writeJson(this.keyFile, file);
      this.writeAttempts({ version: 1, failures: 0, lastFailureAt: null, unreported: 0 });
    } catch (error) {
      key.fill(0);
      if (keychain) await this.options.keychain.delete(keychain.service, keychain.account).catch(() => false);
      throw error;
    } finally {
      deviceSecret?.fill(0);
    }
    this.options.logger?.info({ code: 'VAULT_CREATED', protection }, 'vault created');
    return { key, protection };
  }

  /**
   * Unwrap the database key. Errors: UnlockThrottledError (wait), WrongPassphraseError,
   * KeychainEntryMissingError, KeychainUnavailableError, KeyFileCorruptError,
   * KeyFileVersionError, StoreError VAULT_NOT_INITIALISED. Failed attempts are persisted.
   */
  async unlock(passphrase: string): Promise<UnlockResult> {
    const file = this.readKeyFile();
    const attempts = this.readAttempts();
    const wait = this.retryAfter(attempts);
    if (wait > 0) throw new UnlockThrottledError(wait, attempts.failures);
    const deviceSecret = await this.readDeviceSecret(file);
    try {
      const key = await this.unwrap(file, passphrase, deviceSecret);
      if (!key) {
        const next: AttemptsFile = {
          version: 1,
          failures: attempts.failures + 1,
          lastFailureAt: new Date(this.now()).toISOString(),
          unreported: attempts.unreported + 1,
        };
        this.writeAttempts(next);
        this.options.logger?.warn({ code: 'WRONG_PASSPHRASE', failures: next.failures }, 'unlock failed');
        throw new WrongPassphraseError(next.failures);
      }
      if (attempts.failures > 0 || attempts.unreported > 0) {
        this.writeAttempts({ version: 1, failures: 0, lastFailureAt: null, unreported: 0 });
      }
      return {
        key,
        failedAttemptsBefore: attempts.unreported,
        protection: file.protection,
        cipher: databaseCipher(file),
      };
    } finally {
      deviceSecret?.fill(0);
    }
  }

  /**
   * Re-wrap the same database key under a new passphrase (new salts and IV). The database is
   * not rewritten. A passphrase-only vault is upgraded to passphrase+device when a keychain
   * has become available.
   */
  async changePassphrase(oldPassphrase: string, newPassphrase: string): Promise<{ protection: Protection }> {
    requireAcceptable(newPassphrase);
    const { key } = await this.unlock(oldPassphrase);
    try {
      const current = this.readKeyFile();
      let keychain = current.keychain;
      let deviceSecret = await this.readDeviceSecret(current);
      if (!keychain && (await this.keychainStatus()) === 'available') {
        keychain = { service: this.service, account: `vault-${current.vaultId}` };
        deviceSecret = randomBytes(32);
        await this.options.keychain.set(keychain.service, keychain.account, deviceSecret.toString('base64'));
      }
      try {
        const file = await this.wrap(key, newPassphrase, deviceSecret, {
          vaultId: current.vaultId,
          keychain,
          createdAt: current.createdAt,
          cipher: databaseCipher(current),
        });
        this.writeJson(this.keyFile, file);
      } finally {
        deviceSecret?.fill(0);
      }
      this.options.logger?.info(
        { code: 'VAULT_PASSPHRASE_CHANGED', protection: keychain ? 'passphrase+device' : 'passphrase' },
        'passphrase changed',
      );
      return { protection: keychain ? 'passphrase+device' : 'passphrase' };
    } finally {
      key.fill(0);
    }
  }

  /** Remove the wrapped key, the attempt counter and the keychain entry ("forgot passphrase"). */
  async erase(): Promise<void> {
    let entry: KeyFileV1['keychain'];
    try {
      entry = this.readKeyFile().keychain;
    } catch {
      entry = null;
    }
    if (entry) {
      try {
        await this.options.keychain.delete(entry.service, entry.account);
      } catch {
        // The keychain may be gone; the wrapped key below is what makes the data unreadable.
      }
    }
    rmSync(this.keyFile, { force: true });
    rmSync(this.attemptsFile, { force: true });
    this.options.logger?.warn({ code: 'VAULT_ERASED' }, 'vault erased');
  }

  /** Mark persisted failed attempts as written to the audit log. */
  markFailuresReported(): void {
    const attempts = this.readAttempts();
    if (attempts.unreported > 0) this.writeAttempts({ ...attempts, unreported: 0 });
  }

  // ---------------------------------------------------------------------------------------

  private retryAfter(attempts: AttemptsFile): number {
    if (attempts.failures < FREE_ATTEMPTS || !attempts.lastFailureAt) return 0;
    const delay = throttleDelayMs(attempts.failures);
    const until = Date.parse(attempts.lastFailureAt) + delay;
    return Math.max(0, until - this.now());
  }

  private async readDeviceSecret(file: KeyFileV1): Promise<Buffer | null> {
    if (!file.keychain) return null;
    let stored: string | null;
    try {
      stored = await this.options.keychain.get(file.keychain.service, file.keychain.account);
    } catch (error) {
      this.options.logger?.error({ code: 'KEYCHAIN_UNAVAILABLE' }, 'keychain unavailable');
      throw new KeychainUnavailableError(error);
    }
    if (stored === null) {
      this.options.logger?.error({ code: 'KEYCHAIN_ENTRY_MISSING' }, 'keychain entry missing');
      throw new KeychainEntryMissingError();
    }
    const secret = Buffer.from(stored, 'base64');
    if (secret.length !== 32) throw new KeychainEntryMissingError();
    return secret;
  }

  private async wrap(
    key: Buffer,
    passphrase: string,
    deviceSecret: Buffer | null,
    meta: { vaultId: string; keychain: KeyFileV1['keychain']; createdAt: string; cipher: CacheCipher },
  ): Promise<KeyFileV1> {
    const header: Omit<KeyFileV1, 'wrap'> = {
      format: KEY_FILE_FORMAT,
      version: KEY_FILE_VERSION,
      vaultId: meta.vaultId,
      createdAt: meta.createdAt,
      protection: meta.keychain ? 'passphrase+device' : 'passphrase',
      keychain: meta.keychain,
      kdf: { name: 'scrypt', ...this.scryptParams, salt: randomBytes(16).toString('base64') },
      hkdf: { hash: 'sha256', salt: randomBytes(16).toString('base64'), info: 'continuum/vault/kek/v1' },
      ...(meta.cipher === UNNAMED_CACHE_CIPHER ? {} : { database: { cipher: meta.cipher } }),
    };
    const kek = await deriveKek(header, passphrase, deviceSecret);
    try {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', kek, iv);
      cipher.setAAD(additionalData(header));
      const ciphertext = Buffer.concat([cipher.update(key), cipher.final()]);
      return {
        ...header,
        wrap: {
          alg: 'aes-256-gcm',
          iv: iv.toString('base64'),
          tag: cipher.getAuthTag().toString('base64'),
          ciphertext: ciphertext.toString('base64'),
        },
      };
    } finally {
      kek.fill(0);
    }
  }

  /** The key, or null when authentication fails (wrong passphrase or altered file). */
  private async unwrap(file: KeyFileV1, passphrase: string, deviceSecret: Buffer | null): Promise<Buffer | null> {
    const kek = await deriveKek(file, passphrase, deviceSecret);
    try {
      const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(file.wrap.iv, 'base64'));
      decipher.setAAD(additionalData(file));
      decipher.setAuthTag(Buffer.from(file.wrap.tag, 'base64'));
      const key = Buffer.concat([decipher.update(Buffer.from(file.wrap.ciphertext, 'base64')), decipher.final()]);
      if (key.length !== 32) {
        key.fill(0);
        throw new KeyFileCorruptError('wrapped key has the wrong length');
      }
      return key;
    } catch (error) {
      if (error instanceof StoreError) throw error;
      return null;
    } finally {
      kek.fill(0);
    }
  }

  private readKeyFile(): KeyFileV1 {
    let raw: Buffer;
    try {
      raw = readFileSync(this.keyFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new StoreError('VAULT_NOT_INITIALISED', 'No workstation passphrase has been created on this profile.');
      }
      throw toStoreError(error, 'reading the key file');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch (error) {
      throw new KeyFileCorruptError(raw.length === 0 ? 'empty file' : 'not readable (truncated?)', error);
    }
    return validateKeyFile(parsed);
  }

  private readAttempts(): AttemptsFile {
    try {
      const parsed = JSON.parse(readFileSync(this.attemptsFile, 'utf8')) as Partial<AttemptsFile>;
      return {
        version: 1,
        failures: nonNegative(parsed.failures),
        lastFailureAt: typeof parsed.lastFailureAt === 'string' ? parsed.lastFailureAt : null,
        unreported: nonNegative(parsed.unreported),
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return { version: 1, failures: 0, lastFailureAt: null, unreported: 0 };
      }
      // A damaged counter must not reset the throttle: treat it as at the threshold.
      return { version: 1, failures: FREE_ATTEMPTS, lastFailureAt: new Date(this.now()).toISOString(), unreported: 0 };
    }
  }

  private writeAttempts(attempts: AttemptsFile): void {
    this.writeJson(this.attemptsFile, attempts);
  }

  private writeJson(path: string, value: unknown): void {
    try {
      writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
    } catch (error) {
      throw toStoreError(error, 'writing the vault file');
    }
  }
}

/** Delay before the next attempt after `failures` failed ones: 30 s doubling, at most 15 min. */
export function throttleDelayMs(failures: number): number {
  if (failures < FREE_ATTEMPTS) return 0;
  return Math.min(30_000 * 2 ** (failures - FREE_ATTEMPTS), 15 * 60_000);
}

/** Refuse a passphrase the rules do not accept (PASSPHRASE_TOO_WEAK), before anything is made. */
export function requireAcceptable(passphrase: string): void {
  const assessment = assessPassphrase(passphrase);
  if (!assessment.acceptable) {
    throw new PassphraseTooWeakError(
      assessment.problems.includes('too_long')
        ? 'The passphrase is too long.'
        : 'The passphrase must have at least 10 characters.',
    );
  }
}

async function deriveKek(
  header: Omit<KeyFileV1, 'wrap'>,
  passphrase: string,
  deviceSecret: Buffer | null,
): Promise<Buffer> {
  const { N, r, p, salt } = header.kdf;
  const secret = Buffer.from(passphrase.normalize('NFKC'), 'utf8');
  let stretched: Buffer | null = null;
  let ikm: Buffer | null = null;
  try {
    stretched = await scrypt(secret, Buffer.from(salt, 'base64'), { N, r, p, maxmem: 256 * N * r + 16 * 1024 * 1024 });
    ikm = deviceSecret ? Buffer.concat([stretched, deviceSecret]) : Buffer.from(stretched);
    const info = `${header.hkdf.info}/${header.protection}`;
    return Buffer.from(hkdfSync('sha256', ikm, Buffer.from(header.hkdf.salt, 'base64'), info, 32));
  } finally {
    secret.fill(0);
    stretched?.fill(0);
    ikm?.fill(0);
  }
}

function scrypt(
  secret: Buffer,
  salt: Buffer,
  options: { N: number; r: number; p: number; maxmem: number },
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(secret, salt, 32, options, (error, derived) => (error ? reject(error) : resolve(derived)));
  });
}

/** The format of the database a key file belongs to (none recorded: the format before names were). */
function databaseCipher(file: KeyFileV1): CacheCipher {
  return file.database?.cipher ?? UNNAMED_CACHE_CIPHER;
}

function additionalData(header: Omit<KeyFileV1, 'wrap'>): Buffer {
  return Buffer.from(
    JSON.stringify([
      header.format,
      header.version,
      header.vaultId,
      header.protection,
      header.keychain,
      header.kdf,
      header.hkdf,
      // Only when present: the additional data of key files written before it is unchanged.
      ...(header.database ? [header.database] : []),
    ]),
    'utf8',
  );
}

function validateKeyFile(value: unknown): KeyFileV1 {
  if (typeof value !== 'object' || value === null) throw new KeyFileCorruptError('not an object');
  const v = value as Record<string, unknown>;
  if (v.format !== KEY_FILE_FORMAT) throw new KeyFileCorruptError('unknown format');
  if (v.version !== KEY_FILE_VERSION) throw new KeyFileVersionError(v.version);
  const kdf = v.kdf as Record<string, unknown> | undefined;
  const hkdf = v.hkdf as Record<string, unknown> | undefined;
  const wrap = v.wrap as Record<string, unknown> | undefined;
  const keychain = v.keychain as Record<string, unknown> | null | undefined;
  const database = v.database as Record<string, unknown> | undefined;
  if (database !== undefined) {
    if (typeof database !== 'object' || database === null || typeof database.cipher !== 'string')
      throw new KeyFileCorruptError('missing or malformed fields');
    // A format this version does not know: the file was written by a newer Continuum.
    if (!isCacheCipher(database.cipher)) throw new KeyFileVersionError(`${String(v.version)} (${database.cipher})`);
  }
  const ok =
    typeof v.vaultId === 'string' &&
    typeof v.createdAt === 'string' &&
    (v.protection === 'passphrase+device' || v.protection === 'passphrase') &&
    (keychain === null || (typeof keychain?.service === 'string' && typeof keychain.account === 'string')) &&
    (v.protection === 'passphrase') === (keychain === null) &&
    kdf?.name === 'scrypt' &&
    isPowerOfTwo(kdf.N) &&
    isPositiveInt(kdf.r) &&
    isPositiveInt(kdf.p) &&
    isBase64(kdf.salt, 16) &&
    hkdf?.hash === 'sha256' &&
    isBase64(hkdf.salt, 16) &&
    typeof hkdf.info === 'string' &&
    wrap?.alg === 'aes-256-gcm' &&
    isBase64(wrap.iv, 12) &&
    isBase64(wrap.tag, 16) &&
    isBase64(wrap.ciphertext, 32);
  if (!ok) throw new KeyFileCorruptError('missing or malformed fields');
  return value as KeyFileV1;
}

function isBase64(value: unknown, bytes: number): boolean {
  return typeof value === 'string' && /^[A-Za-z0-9+/]+=*$/.test(value) && Buffer.from(value, 'base64').length === bytes;
}
function isPositiveInt(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value < 1024;
}
function isPowerOfTwo(value: unknown): boolean {
  return (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= 2 ** 10 &&
    value <= 2 ** 22 &&
    (value & (value - 1)) === 0
  );
}
function nonNegative(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : 0;
}
