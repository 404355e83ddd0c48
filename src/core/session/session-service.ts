import { hostname } from 'node:os';
import type { SignInResponse } from '../../shared/auth/api';
import { RpcError } from '../../shared/rpc/errors';
import type { SessionStatus, SignInInput } from '../../shared/session/session';
import type { VaultStatus } from '../../shared/vault/status';
import type { Logger } from '../logging/logger';
import type { WorkstationStore } from '../store';
import { ClinicServerClient, ClinicServerError } from '../clinic/clinic-server-client';
import { ServerSession, type SessionEvent } from '../clinic/server-session';
import { parseServerUrl } from '../clinic/server-url';
import type { EngineStop } from '../sync/sync-engine';
import type { SyncService } from '../sync/sync-service';
import { clinicServerErrorToRpc } from './errors';
import { ownerOf, recordOwner } from './owner';

export interface SessionServiceOptions {
  vault: {
    readonly isUnlocked: boolean;
    readonly unlockedStore: WorkstationStore;
    status(): Promise<VaultStatus>;
    /** Erase the local cache without asking: the server revoked this device. */
    eraseRevoked(): Promise<VaultStatus>;
  };
  sync: SyncService;
  log: Logger;
  changed(status: SessionStatus): void;
  /** The name this device registers under (default: the OS host name). */
  deviceName?: () => string;
  fetch?: typeof fetch;
  now?: () => number;
}

/** Which account's data this cache holds: a cache never mixes two clinicians' caseloads. */
/** An initial sync begins during `vault.create` only with an access token good for this long yet. */
const EARLY_PULL_TOKEN_MARGIN_MS = 60_000;

/**
 * The workstation's account on the clinic server (RPC `session.*`).
 *
 * - First run: sign in before the vault exists. The answer (tokens included) is held in memory
 *   (`pendingPassphrase`) until `vault.create` unlocks a new cache, which keeps it from then on.
 * - Later: unlock works offline; the session renews its access token when it needs one.
 * - While unlocked and signed in, the sync engine runs; lock and sign-out stop it.
 * - The server ends the session (`signInRequired`): signed out, the badge says why.
 * - The server revoked the device (`deviceRevoked`): the local cache is erased (`revoked`).
 */
export class SessionService {
  private pending: { url: URL; response: SignInResponse } | null = null;
  private revoked = false;
  private server: { store: WorkstationStore; session: ServerSession } | null = null;
  private lastKnown: SessionStatus = { state: 'signedOut', serverUrl: null, user: null };
  private ending: Promise<void> | null = null;

  constructor(private readonly options: SessionServiceOptions) {}

  status(): SessionStatus {
    if (this.revoked) return { state: 'revoked', serverUrl: null, user: null };
    if (this.pending) {
      return {
        state: 'pendingPassphrase',
        serverUrl: this.pending.url.toString(),
        user: { ...this.pending.response.user },
      };
    }
    if (this.server && this.options.vault.isUnlocked) {
      const who = this.server.session.user();
      this.lastKnown = who
        ? { state: 'signedIn', serverUrl: who.serverUrl, user: { ...who.user } }
        : { state: 'signedOut', serverUrl: this.server.session.serverUrl()?.toString() ?? null, user: null };
    }
    // Locked: what this process last knew (nothing is readable until unlock).
    return this.lastKnown;
  }

  /** The signed-in clinician's id (the actor of local audit entries), if known. */
  userId(): string | null {
    return this.status().user?.id ?? null;
  }

  async signIn(input: SignInInput): Promise<SessionStatus> {
    const vault = await this.options.vault.status();
    const deviceName = this.deviceName();
    if (vault.state === 'locked') {
      throw new RpcError('LOCKED', 'Unlock the workstation before signing in to the clinic server.');
    }
    if (vault.state === 'unavailable') {
      throw new RpcError('UNAVAILABLE', 'The local cache cannot be opened on this profile.');
    }
    if (vault.state === 'uninitialised') {
      // First run: nothing can be kept yet. Hold the answer until the passphrase exists.
      const parsed = parseServerUrl(input.serverUrl);
      if (!parsed.ok) throw clinicServerErrorToRpc(new ClinicServerError(parsed.problem, 'rejected', null));
      try {
        const response = await this.client(parsed.url).signIn({
          username: input.username,
          password: input.password,
          deviceName,
        });
        this.pending = { url: parsed.url, response };
      } catch (error) {
        throw this.mapped(error, 'sign-in');
      }
      // The cache comes next, then a sync of the whole caseload: its worker loads meanwhile.
      this.options.sync.prepareInitialSync();
      this.revoked = false;
      this.options.log.info({ code: 'SIGNED_IN', pending: true }, 'signed in; waiting for the passphrase');
      return this.changed();
    }
    const { store, session } = this.attach();
    let answer: { url: URL; response: SignInResponse };
    try {
      answer = await session.requestSignIn({ ...input, deviceName });
    } catch (error) {
      throw this.mapped(error, 'sign-in');
    }
    const owner = this.owner(store);
    if (owner && owner !== answer.response.user.id) {
      // Another clinician's account: this cache holds someone else's caseload.
      await this.client(answer.url)
        .signOut(answer.response.refreshToken)
        .catch(() => undefined);
      this.options.log.warn({ code: 'OTHER_ACCOUNT' }, 'sign-in with another account refused');
      throw new RpcError(
        'FORBIDDEN',
        "This workstation's local cache belongs to another account. Sign in with that account, or erase the cache first.",
      );
    }
    await this.options.sync.stop();
    this.adopt(store, session, answer);
    this.revoked = false;
    this.options.log.info({ code: 'SIGNED_IN' }, 'signed in');
    this.startSync();
    return this.changed();
  }

  async signOut(): Promise<SessionStatus> {
    await this.options.sync.stop();
    if (this.server && this.options.vault.isUnlocked) {
      await this.server.session.signOut();
      this.options.log.info({ code: 'SIGNED_OUT' }, 'signed out');
    }
    this.options.sync.signedOut();
    return this.changed();
  }

  /**
   * `vault.create` has begun (VaultService's onCreating): with a sign-in waiting for this cache,
   * its initial sync starts downloading now, while the key is derived and the cache made. Only
   * with an access token that will still be good for a while (the engine renews otherwise).
   */
  vaultCreating(): void {
    const pending = this.pending;
    if (!pending) return;
    if (Date.parse(pending.response.accessTokenExpiresAt) - EARLY_PULL_TOKEN_MARGIN_MS <= Date.now()) return;
    this.options.sync.beginInitialPull(pending.url, pending.response.accessToken);
  }

  /**
   * `vault.create` failed (VaultService's onCreateFailed): the pages downloaded for that cache
   * are dropped now instead of waiting in memory; trying again downloads afresh.
   */
  vaultCreateFailed(): void {
    this.options.sync.cancelInitialPull();
  }

  /** The vault changed state (VaultService's onChange): keep a pending sign-in, start or stop sync. */
  vaultChanged(state: VaultStatus['state']): void {
    if (state !== 'unlocked') {
      this.options.sync.halt();
      void this.options.sync.stop();
      this.server = null;
      // The cache was erased ("Forgot passphrase"): the session kept in it is gone too, so the
      // workstation starts over like a first run (sign in, then a new passphrase).
      if (state === 'uninitialised' && !this.pending && !this.revoked) {
        this.lastKnown = { state: 'signedOut', serverUrl: null, user: null };
      }
      this.changed();
      return;
    }
    const { store, session } = this.attach();
    if (this.pending) {
      const pending = this.pending;
      this.pending = null;
      const owner = this.owner(store);
      if (!owner || owner === pending.response.user.id) {
        this.adopt(store, session, pending);
        this.options.log.info({ code: 'SESSION_KEPT' }, 'sign-in kept in the encrypted cache');
      } else {
        this.options.log.warn({ code: 'OTHER_ACCOUNT' }, 'held sign-in belongs to another account; dropped');
      }
    }
    this.startSync();
    this.changed();
  }

  /** Before the store locks: stop touching it. */
  beforeLock(): void {
    this.options.sync.halt();
  }

  async close(): Promise<void> {
    await this.options.sync.stop();
    await this.ending;
  }

  private startSync(): void {
    const server = this.server;
    if (!server || !this.options.vault.isUnlocked) return;
    if (server.session.user()) {
      this.options.sync.start(server.session, (reason) => this.ended(reason));
    } else {
      this.options.sync.signedOut();
    }
  }

  /** The ServerSession over the unlocked store (one per unlock). */
  private attach(): { store: WorkstationStore; session: ServerSession } {
    const store = this.options.vault.unlockedStore;
    if (this.server?.store !== store || !this.server) {
      const session = new ServerSession(
        () => this.options.vault.unlockedStore.db,
        (event) => this.sessionEvent(event),
        this.options.now ?? Date.now,
        (url) => this.client(url),
      );
      this.server = { store, session };
    }
    return this.server;
  }

  private adopt(store: WorkstationStore, session: ServerSession, answer: { url: URL; response: SignInResponse }) {
    session.adopt(answer.url, answer.response);
    recordOwner(store.db.$client, answer.response.user.id);
  }

  private owner(store: WorkstationStore): string | null {
    return ownerOf(store.db.$client);
  }

  /** ServerSession noticed the end of the session while renewing a token. */
  private sessionEvent(event: SessionEvent): void {
    this.ended(event);
  }

  private ended(reason: EngineStop): void {
    if (this.ending) return;
    this.ending = (reason === 'deviceRevoked' ? this.erase() : this.signInRequired()).finally(() => {
      this.ending = null;
    });
  }

  private async signInRequired(): Promise<void> {
    await this.options.sync.stop();
    this.options.log.warn({ code: 'SIGN_IN_REQUIRED' }, 'the clinic server session ended');
    this.options.sync.signedOut('SIGN_IN_REQUIRED');
    this.changed();
  }

  private async erase(): Promise<void> {
    await this.options.sync.stop();
    this.revoked = true;
    this.pending = null;
    this.server = null;
    this.options.log.warn({ code: 'DEVICE_REVOKED' }, 'this device was revoked: erasing the local cache');
    try {
      await this.options.vault.eraseRevoked();
    } catch (error) {
      this.options.log.error({ code: 'ERASE_FAILED', errorClass: (error as Error)?.name }, 'erasing the cache failed');
    }
    this.options.sync.signedOut('DEVICE_REVOKED');
    this.changed();
  }

  private changed(): SessionStatus {
    const status = this.status();
    this.options.changed(status);
    return status;
  }

  private client(url: URL): ClinicServerClient {
    return new ClinicServerClient({ baseUrl: url, ...(this.options.fetch ? { fetch: this.options.fetch } : {}) });
  }

  private deviceName(): string {
    const name = (this.options.deviceName ?? hostname)().trim().slice(0, 100);
    return name === '' ? 'Workstation' : name;
  }

  private mapped(error: unknown, what: string): unknown {
    if (error instanceof ClinicServerError) {
      this.options.log.info(
        { code: 'SERVER_REFUSED', reason: error.code, status: error.status, what },
        'server call failed',
      );
      return clinicServerErrorToRpc(error);
    }
    return error;
  }
}
