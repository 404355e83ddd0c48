import { RpcError } from '../../shared/rpc/errors';
import type { VaultStatus } from '../../shared/vault/status';
import type { Logger } from '../logging/logger';
import type { LockReason, WorkstationStore } from '../store';
import { IdleLock } from './idle-lock';
import { requireAcceptable } from './key-vault';
import { problemOf, storeErrorToRpc } from './rpc-errors';

export interface VaultServiceOptions {
  /** The store, once opened; a rejection means the cache cannot be used on this profile. */
  store: Promise<WorkstationStore>;
  autoLockMs: () => number;
  /** Time the renderer gets to flush typed text after `vault.locking`, before an idle lock. */
  flushGraceMs?: number;
  log: Logger;
  onChange(status: VaultStatus): void;
  onLocking(reason: LockReason, graceMs: number): void;
  /** A new cache is about to be made (`create`, before the key derivation): work that needs none of it may begin. */
  onCreating?(): void;
  /** Making the cache failed after `onCreating`: what began for it is dropped. */
  onCreateFailed?(): void;
}

/**
 * The lock screen's service: create, unlock, lock (now or when idle), change passphrase and
 * erase, on top of the encrypted store. Store errors reach the renderer as stable RPC codes.
 */
export class VaultService {
  private store: WorkstationStore | undefined;
  private openError: unknown;
  private readonly ready: Promise<void>;
  private lastLockReason: LockReason | null = null;
  private readonly idle: IdleLock;
  private locking = false;

  constructor(private readonly options: VaultServiceOptions) {
    this.idle = new IdleLock(options.autoLockMs(), () => void this.lockSoon('idle'));
    this.ready = options.store.then(
      (store) => {
        this.store = store;
      },
      (error: unknown) => {
        this.openError = error;
        options.log.error({ code: problemOf(error) }, 'the encrypted cache cannot be opened');
      },
    );
  }

  get isUnlocked(): boolean {
    return this.store?.isUnlocked ?? false;
  }

  /** The open store; only while unlocked. */
  get unlockedStore(): WorkstationStore {
    if (!this.store?.isUnlocked) throw new RpcError('LOCKED', 'The workstation is locked.');
    return this.store;
  }

  async status(): Promise<VaultStatus> {
    await this.ready;
    const autoLockSeconds = Math.max(1, Math.round(this.options.autoLockMs() / 1000));
    if (!this.store) return this.unavailable(this.openError, autoLockSeconds);
    let status;
    try {
      status = await this.store.vault.status();
    } catch (error) {
      this.options.log.error({ code: problemOf(error) }, 'reading the vault status failed');
      return this.unavailable(error, autoLockSeconds);
    }
    return {
      ...status,
      retryAfterMs: Math.ceil(status.retryAfterMs),
      autoLockSeconds,
      lastLockReason: status.state === 'locked' ? this.lastLockReason : null,
      problem: null,
    };
  }

  private unavailable(error: unknown, autoLockSeconds: number): VaultStatus {
    return {
      state: 'unavailable',
      protection: null,
      keychain: 'unavailable',
      failedAttempts: 0,
      retryAfterMs: 0,
      unsyncedChanges: 0,
      autoLockSeconds,
      lastLockReason: null,
      problem: problemOf(error),
    };
  }

  async create(passphrase: string): Promise<VaultStatus> {
    const store = await this.requireStore();
    // A passphrase the rules refuse begins nothing (no download for a cache that is not made).
    await this.run(async () => requireAcceptable(passphrase));
    this.options.onCreating?.();
    try {
      await this.run(() => store.vault.create(passphrase));
    } catch (error) {
      this.options.onCreateFailed?.();
      throw error;
    }
    return this.unlocked();
  }

  async unlock(passphrase: string): Promise<VaultStatus> {
    const store = await this.requireStore();
    try {
      await this.run(() => store.vault.unlock(passphrase));
    } catch (error) {
      // Failed attempts and the delay are part of the status the lock screen shows.
      this.options.onChange(await this.status());
      throw error;
    }
    return this.unlocked();
  }

  async lock(reason: LockReason = 'manual'): Promise<VaultStatus> {
    const store = await this.requireStore();
    this.idle.stop();
    if (store.isUnlocked) {
      store.vault.lock(reason);
      this.lastLockReason = reason;
    }
    const status = await this.status();
    this.options.onChange(status);
    return status;
  }

  /**
   * Signing asks for the passphrase again: check it against the vault without locking or
   * unlocking (WRONG_PASSPHRASE, UNLOCK_THROTTLED). Only while unlocked.
   */
  async verifyPassphrase(passphrase: string): Promise<void> {
    const store = this.unlockedStore;
    try {
      await this.run(() => store.vault.verifyPassphrase(passphrase));
    } catch (error) {
      // The failed-attempt count and delay are part of the status.
      this.options.onChange(await this.status());
      throw error;
    }
  }

  async changePassphrase(current: string, next: string): Promise<VaultStatus> {
    const store = await this.requireStore();
    await this.run(() => store.vault.changePassphrase(current, next));
    const status = await this.status();
    this.options.onChange(status);
    return status;
  }

  async erase(acknowledgedUnsyncedChanges: number): Promise<VaultStatus> {
    const store = await this.requireStore();
    const before = await this.status();
    if (before.unsyncedChanges !== acknowledgedUnsyncedChanges) {
      throw new RpcError(
        'CONFLICT',
        `The number of unsynced changes is now ${before.unsyncedChanges}; review it before erasing.`,
      );
    }
    this.idle.stop();
    await this.run(() => store.vault.erase());
    this.lastLockReason = null;
    const status = await this.status();
    this.options.onChange(status);
    return status;
  }

  /**
   * The clinic server revoked this device: erase the local cache without the "Forgot
   * passphrase" acknowledgement (nothing on a revoked device may be kept or sent).
   */
  async eraseRevoked(): Promise<VaultStatus> {
    const store = await this.requireStore();
    this.idle.stop();
    await this.run(() => store.vault.erase());
    this.lastLockReason = null;
    const status = await this.status();
    this.options.onChange(status);
    return status;
  }

  activity(): void {
    this.idle.activity();
  }

  systemIdleFor(idleMs: number): void {
    this.idle.systemIdleFor(idleMs);
  }

  autoLockChanged(): void {
    this.idle.setTimeout(this.options.autoLockMs());
  }

  async close(): Promise<void> {
    await this.ready;
    this.idle.stop();
    this.store?.close();
  }

  /**
   * Lock without the clinician pressing Lock (idle, or the OS locked the screen): ask every
   * window to save what is typed but not yet saved, give it a moment, then lock.
   */
  async lockSoon(reason: LockReason): Promise<void> {
    if (this.locking || !this.store?.isUnlocked) return;
    this.locking = true;
    try {
      const graceMs = this.options.flushGraceMs ?? 1_000;
      this.options.onLocking(reason, graceMs);
      await new Promise((resolve) => setTimeout(resolve, graceMs));
      await this.lock(reason);
      this.options.log.info({ code: 'AUTO_LOCKED', reason }, 'workstation locked without the clinician');
    } finally {
      this.locking = false;
    }
  }

  private async unlocked(): Promise<VaultStatus> {
    this.lastLockReason = null;
    this.idle.setTimeout(this.options.autoLockMs());
    this.idle.start();
    const status = await this.status();
    this.options.onChange(status);
    return status;
  }

  private async requireStore(): Promise<WorkstationStore> {
    await this.ready;
    if (!this.store) throw storeErrorToRpc(this.openError);
    return this.store;
  }

  private async run<T>(action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      throw storeErrorToRpc(error);
    }
  }
}
