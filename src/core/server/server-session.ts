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

  /** First sign-in on this workstation (or after the session ended). */
  async signIn(input: {
    serverUrl: string;
    username: string;
    password: string;
    deviceName: string;
  }): Promise<SessionUser> {
    const parsed = parseServerUrl(input.serverUrl);
    if (!parsed.ok) throw new ClinicServerError(parsed.problem, 'The clinic server address is not acceptable.', null);
    const deviceId = this.read(KEYS.deviceId) ?? undefined;
    const response = await this.clientFor(parsed.url).signIn({
      username: input.username,
      password: input.password,
      deviceName: input.deviceName,
      ...(deviceId ? { deviceId } : {}),
    });
    this.save(parsed.url, response);
    return response.user;
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

  private read(key: string): string | null {
    return this.db().select().from(storeMeta).where(eq(storeMeta.key, key)).get()?.value ?? null;
  }
}
