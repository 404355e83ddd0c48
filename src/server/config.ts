import { isIP } from 'node:net';
import { MAX_PUSH_BODY_BYTES } from '../shared/sync/protocol.js';

/** Tunables of the clinic server. Every field has a safe default (`resolveServerConfig`). */
export interface ServerConfig {
  /** Lifetime of an access token (JWT); 10–15 minutes in production. */
  accessTokenTtlSeconds: number;
  /** Lifetime of each refresh token; every refresh issues a new one. */
  refreshTokenTtlSeconds: number;
  /** Largest accepted request body; larger bodies get 413. */
  bodyLimitBytes: number;
  /**
   * Largest accepted push (POST /sync/push): one change may carry a whole note, up to
   * `MAX_NOTE_CONTENT_BYTES` (src/shared/notes/content.ts), which the workstation sends alone.
   */
  pushBodyLimitBytes: number;
  /** Failed sign-ins allowed per username and address within the window before 429. */
  signInMaxFailures: number;
  signInWindowSeconds: number;
  /** Requests per address per minute on the /auth routes (all outcomes). */
  authRequestsPerMinute: number;
  /**
   * HS256 signing key (base64url, at least 32 bytes). When absent the key is generated once and
   * kept in the database (`server_keys`), so every instance on one database shares it.
   */
  jwtSecret?: string;
  /**
   * Whose X-Forwarded-For to believe: false (nobody, the default), or the addresses of the
   * reverse proxies in front of this server, as IP addresses and CIDR ranges separated by commas
   * (`parseTrustedProxies`; Fastify's `trustProxy`). Behind a proxy without it, every workstation
   * has the proxy's address, so they all share one sign-in limit (`authRequestsPerMinute`).
   * `true` believes anyone, which lets a client choose its own address: tests only.
   */
  trustProxy: boolean | string;
  /**
   * Pull pages read ahead for a workstation in a long pull (src/server/sync/pull-ahead.ts);
   * 0 turns reading ahead off.
   */
  pullAheadPages: number;
  /**
   * Reading ahead starts after this long without a pull request to the server. On PGlite (one
   * connection) a page being read ahead holds up every request, so it is read while the
   * workstation writes, not between its requests; on PostgreSQL (a pool) nothing waits for it:
   * `configForDatabase('postgres')` sets 0.
   */
  pullAheadQuietMs: number;
}

export const defaultServerConfig: ServerConfig = {
  accessTokenTtlSeconds: 15 * 60,
  refreshTokenTtlSeconds: 30 * 24 * 60 * 60,
  bodyLimitBytes: 1024 * 1024,
  pushBodyLimitBytes: MAX_PUSH_BODY_BYTES,
  signInMaxFailures: 5,
  signInWindowSeconds: 15 * 60,
  authRequestsPerMinute: 60,
  trustProxy: false,
  pullAheadPages: 3,
  pullAheadQuietMs: 100,
};

/** The settings that depend on the database the server runs on. */
export function configForDatabase(kind: 'pglite' | 'postgres'): Partial<ServerConfig> {
  return kind === 'postgres' ? { pullAheadQuietMs: 0 } : {};
}

export function resolveServerConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  const config = { ...defaultServerConfig, ...overrides };
  if (config.accessTokenTtlSeconds <= 0 || config.refreshTokenTtlSeconds <= 0) {
    throw new Error('Token lifetimes must be positive');
  }
  return config;
}

/**
 * The `--trust-proxy` value: IP addresses and CIDR ranges (e.g. `10.0.0.5,10.1.0.0/16`), checked
 * and given back in Fastify's form. Throws an Error that names the entry it cannot read.
 */
export function parseTrustedProxies(text: string): string {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) throw new Error('--trust-proxy needs at least one address or CIDR range');
  for (const entry of entries) {
    const [address = '', prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^[0-9]{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || rest.length > 0 || !prefixOk) {
      throw new Error(`--trust-proxy: "${entry}" is not an IP address or CIDR range`);
    }
  }
  return entries.join(',');
}
