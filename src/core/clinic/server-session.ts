import { eq, inArray } from 'drizzle-orm';
import type { SignInResponse, TokenResponse } from '../../shared/auth/api';
import type { WorkstationDb } from '../store/db';
import { storeMeta } from '../store/schema';
import { ClinicServerClient, ClinicServerError } from './clinic-server-client';
import { parseServerUrl } from './server-url';

const KEYS = {
  url: 'server.url',
  deviceId: 'server.deviceId',
  user: 'server.user',
  refreshToken: 'server.refreshToken',
  refreshTokenExpiresAt: 'server.refreshTokenExpiresAt',
} as const;

export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  role: 'clinician' | 'supervisor' | 'admin';
}

export type SessionEvent = 'signInRequired' | 'deviceRevoked';

export interface SignInInput {
  serverUrl: string;
  username: string;
  password: string;
  deviceName: string;
}

/** How early an access token is renewed before it expires. */
const RENEW_BEFORE_MS = 60_000;

/**
 * The workstation's session with the clinic server. The refresh token, the device id and the
 * server address live in the encrypted store (they are credentials); the short-lived access
 * token lives in memory only and is renewed on demand. Offline, nothing here blocks work: the
 * caller gets OFFLINE and keeps going on the local cache.
 */
export class ServerSession {
  private access: { token: string; expiresAt: number } | null = null;
  private renewing: Promise<string> | null = null;

  constructor(
    private readonly db: () => WorkstationDb,
    private readonly onEvent: (event: SessionEvent) => void,
    private readonly now: () => number = Date.now,
    private readonly clientFor: (url: URL) => ClinicServerClient = (url) => new ClinicServerClient({ baseUrl: url }),
  ) {}

  /** First sign-in on this workstation (or after the session ended): saved at once. */
  async signIn(input: SignInInput): Promise<SessionUser> {
    const { url, response } = await this.requestSignIn(input);
    this.adopt(url, response);
    return response.user;
  }

  /**
   * Sign in without saving anything: on first run the encrypted cache does not exist yet, so
   * the caller holds the answer in memory and hands it to `adopt` once the cache is created.
   */
  async requestSignIn(input: SignInInput): Promise<{ url: URL; response: SignInResponse }> {
    const parsed = parseServerUrl(input.serverUrl);
    if (!parsed.ok) throw new ClinicServerError(parsed.problem, 'The clinic server address is not acceptable.', null);
    const deviceId = this.read(KEYS.deviceId) ?? undefined;
    const response = await this.clientFor(parsed.url).signIn({
      username: input.username,
      password: input.password,
      deviceName: input.deviceName,
      ...(deviceId ? { deviceId } : {}),
    });
    return { url: parsed.url, response };
  }

  /** Keep a sign-in's tokens in the encrypted cache (and the access token in memory). */
  adopt(url: URL, response: SignInResponse): void {
    this.save(url, response);
  }

  /** The server refused the access token (expired early, server restarted with a new key): renew on next use. */
  invalidateAccessToken(): void {
    this.access = null;
  }

  /** The clinic server's address, if this cache has one. */
  serverUrl(): URL | null {
    const url = this.read(KEYS.url);
    const parsed = url ? parseServerUrl(url) : null;
    return parsed?.ok ? parsed.url : null;
  }

  /** Who is signed in on this workstation, if anyone (no network needed). */
  user(): { serverUrl: string; user: SessionUser } | null {
    const url = this.read(KEYS.url);
    const user = this.read(KEYS.user);
    if (!url || !user || !this.read(KEYS.refreshToken)) return null;
    return { serverUrl: url, user: JSON.parse(user) as SessionUser };
  }

  /** A valid access token, renewing it with the refresh token when needed. */
  async accessToken(): Promise<string> {
    if (this.access && this.access.expiresAt - RENEW_BEFORE_MS > this.now()) return this.access.token;
    this.renewing ??= this.renew().finally(() => {
      this.renewing = null;
    });
    return this.renewing;
  }

  async signOut(): Promise<void> {
    const url = this.read(KEYS.url);
    const refreshToken = this.read(KEYS.refreshToken);
    this.forget();
    if (url && refreshToken) {
      const parsed = parseServerUrl(url);
      if (parsed.ok)
        await this.clientFor(parsed.url)
          .signOut(refreshToken)
          .catch(() => undefined);
    }
  }

  private async renew(): Promise<string> {
    const url = this.read(KEYS.url);
    const refreshToken = this.read(KEYS.refreshToken);
    const parsed = url ? parseServerUrl(url) : null;
    if (!parsed?.ok || !refreshToken) {
      this.onEvent('signInRequired');
      throw new ClinicServerError('SIGN_IN_REQUIRED', 'Sign in to the clinic server again.', null);
    }
    let tokens: TokenResponse;
    try {
      tokens = await this.clientFor(parsed.url).refresh(refreshToken);
    } catch (error) {
      if (error instanceof ClinicServerError) {
        if (error.code === 'DEVICE_REVOKED') {
          this.forget();
          this.onEvent('deviceRevoked');
        } else if (error.code === 'REFRESH_INVALID' || error.code === 'REFRESH_REUSED') {
          this.forget();
          this.onEvent('signInRequired');
        }
      }
      throw error;
    }
    this.save(parsed.url, tokens);
    return tokens.accessToken;
  }

  /** The rotated refresh token is on disk (encrypted, fsync'd) before the access token is used. */
  private save(url: URL, tokens: TokenResponse | SignInResponse): void {
    const values: Array<[string, string]> = [
      [KEYS.url, url.toString()],
      [KEYS.deviceId, tokens.deviceId],
      [KEYS.refreshToken, tokens.refreshToken],
      [KEYS.refreshTokenExpiresAt, tokens.refreshTokenExpiresAt],
    ];
    if ('user' in tokens) values.push([KEYS.user, JSON.stringify(tokens.user)]);
    const db = this.db();
    db.transaction((tx) => {
      for (const [key, value] of values) {
        tx.insert(storeMeta).values({ key, value }).onConflictDoUpdate({ target: storeMeta.key, set: { value } }).run();
      }
    });
    this.access = { token: tokens.accessToken, expiresAt: Date.parse(tokens.accessTokenExpiresAt) };
  }

  /** End the session locally; the device id stays, so the next sign-in reuses this device. */
  private forget(): void {
    this.access = null;
    this.db()
      .delete(storeMeta)
      .where(inArray(storeMeta.key, [KEYS.refreshToken, KEYS.refreshTokenExpiresAt, KEYS.user]))
      .run();
  }

  /** The device id this cache registered with the server (kept across sign-outs). */
  deviceId(): string | null {
    return this.read(KEYS.deviceId);
  }

  private read(key: string): string | null {
    return this.db().select().from(storeMeta).where(eq(storeMeta.key, key)).get()?.value ?? null;
  }
}
