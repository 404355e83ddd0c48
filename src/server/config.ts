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
  /** Trust X-Forwarded-For (only behind a reverse proxy you control). */
  trustProxy: boolean;
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
