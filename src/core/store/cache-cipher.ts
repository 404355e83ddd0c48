export type PageSize = 1024 | 4096 | 8192 | 16384 | 32768 | 65536;

/**
 * How the cache file is encrypted (SQLite3 Multiple Ciphers schemes). Every scheme encrypts every
 * page and authenticates it; none can be turned off.
 *
 * - `aegis`: AEGIS authenticated encryption (AEGIS-256 by default: 256-bit key, a random 256-bit
 *   nonce and a 256-bit tag per page). It runs on the CPU's AES instructions, so encrypting a
 *   page costs a fraction of AES-CBC plus a software HMAC-SHA512 (BENCHMARKS.md, "Encrypted
 *   caseload cache"). Opened by SQLite3 Multiple Ciphers builds only.
 * - `sqlcipher`: the SQLCipher 4 format (AES-256-CBC, per-page HMAC), which stock SQLCipher tools
 *   open given the raw key. Caches created before AEGIS became the default use it.
 */
export type CipherTuning =
  | {
      scheme: 'aegis';
      algorithm?: 'aegis-256' | 'aegis-256x2' | 'aegis-128l';
      pageSize?: PageSize;
    }
  | {
      scheme: 'sqlcipher';
      /** SQLCipher page size (`legacy_page_size`). 4096 is the SQLCipher 4 default. */
      pageSize?: PageSize;
      /** Per-page HMAC: 0 SHA1, 1 SHA256, 2 SHA512 (SQLCipher 4 default). */
      hmacAlgorithm?: 0 | 1 | 2;
    };

/**
 * The formats a workstation cache can be in, by the name its key file records (vault/key-vault.ts).
 * New caches are `aegis-256`; a key file without a name belongs to a `sqlcipher-4` cache (the only
 * format before names were recorded). A file never changes format.
 */
export const CACHE_CIPHERS = {
  'aegis-256': { scheme: 'aegis', algorithm: 'aegis-256', pageSize: 4096 },
  'sqlcipher-4': { scheme: 'sqlcipher', pageSize: 4096, hmacAlgorithm: 2 },
} as const satisfies Record<string, CipherTuning>;
export type CacheCipher = keyof typeof CACHE_CIPHERS;
export const DEFAULT_CACHE_CIPHER: CacheCipher = 'aegis-256';
/** What a key file that names no format belongs to. */
export const UNNAMED_CACHE_CIPHER: CacheCipher = 'sqlcipher-4';
export const isCacheCipher = (value: unknown): value is CacheCipher =>
  typeof value === 'string' && Object.hasOwn(CACHE_CIPHERS, value);
