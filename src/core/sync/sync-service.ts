import { RpcError } from '../../shared/rpc/errors';
import type { SyncDetails } from '../../shared/sync/details';
import type { SyncStatus } from '../../shared/sync/status';
import type { Logger } from '../logging/logger';
import type { WorkstationStore } from '../store';
import type { WorkstationDb } from '../store/db';
import type { ServerSession } from '../clinic/server-session';
import { countNeedingAttention, readSyncDetails } from './details';
import { Outbox, type NewMutation } from './outbox';
import { PullWorker } from './pull-worker-host';
import { newReplicaId, PersistentClock, replicaId } from './replica';
import { dismissServerRestored } from './server-restore';
import { pullWorkerStart, SyncEngine, type EngineStop, type SyncTuning } from './sync-engine';
import type { SyncStatusService } from './sync-status-service';

/** How long a pull worker started at a first run's sign-in waits for the cache to be created. */
const PREPARED_WORKER_MS = 10 * 60_000;

export interface SyncServiceOptions {
  /** The vault: the store while unlocked. */
  vault: { readonly isUnlocked: boolean; readonly unlockedStore: WorkstationStore };
  status: SyncStatusService;
  log: Logger;
  dataChanged(payload: { clientIds: string[]; all: boolean }): void;
  /** This device's clock (tests move it to produce clock skew). */
  now?: () => number;
  tuning?: SyncTuning;
}

/**
 * Sync as the rest of the core sees it: the outbox features write to, the engine's lifecycle
 * (started by the session service while unlocked and signed in), the badge's status, and the
 * sync panel (`sync.details`, `sync.dismissRejected`).
 *
 * Features record a local change and its mutation together:
 *
 *   core.sync.record((db, outbox) => {
 *     saveDraft(db, draft);
 *     outbox.enqueue({ name: 'note.saveDraft', clientId, args: { noteId, content, baseVersion } });
 *   });
 *
 * which runs in one transaction and asks the engine to push shortly.
 */
export class SyncService {
  private engine: SyncEngine | null = null;
  private current: { db: WorkstationDb; outbox: Outbox } | null = null;
  private signedOutReason: string | null = null;
  private signedIn = false;
  private lastDrift: number | null = null;
  private lastPending = 0;
  /** The last status that was not `syncing`: what a round ended with. */
  private settled: SyncStatus | null = null;
  /** Items of the sync panel waiting for the clinician, as last counted (see `countNeedingAttention`). */
  private lastAttention = 0;
  private readonly now: () => number;
  /** The pull worker loading for a first run's initial sync (`prepareInitialSync`), until the engine takes it. */
  private preparedWorker: { worker: PullWorker; expiry: ReturnType<typeof setTimeout> } | null = null;
  /** The replica id of the pull `beginInitialPull` began, for the cache being created. */
  private proposedReplicaId: string | null = null;

  constructor(private readonly options: SyncServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The outbox of the unlocked cache (throws LOCKED otherwise). */
  outbox(): Outbox {
    const store = this.options.vault.unlockedStore;
    if (this.current?.db !== store.db) {
      const db = store.db;
      // The cache just created for a pull that began meanwhile takes that pull's replica id.
      if (this.proposedReplicaId) replicaId(db, this.proposedReplicaId);
      this.current = { db, outbox: new Outbox(db, new PersistentClock(db, this.now)) };
    }
    return this.current.outbox;
  }

  /**
   * Make a local change and queue its mutation(s) in one transaction, then push soon. `work`
   * gets the drizzle instance and the outbox; whatever it returns is returned.
   */
  record<T>(work: (db: WorkstationDb, outbox: Outbox) => T): T {
    const outbox = this.outbox();
    const db = this.options.vault.unlockedStore.db;
    const result = db.$client.transaction(() => work(db, outbox))();
    this.localChange();
    return result;
  }

  /** Queue one mutation on its own (its local change is already written) and push soon. */
  queue(mutation: NewMutation): number {
    const id = this.outbox().enqueue(mutation);
    this.localChange();
    return id;
  }

  /** Something was queued in the outbox: update the badge's count and push shortly. */
  localChange(): void {
    this.publish(this.options.status.get());
    this.engine?.localChange();
  }

  /**
   * A first run has signed in and the cache is about to be created (the clinician is choosing a
   * passphrase): its initial sync will pull everything, so the pull worker starts loading now
   * (~150 ms, mostly its validation library) instead of after the cache exists. Kept for
   * `PREPARED_WORKER_MS`; the engine takes it when it starts, `stop` closes it.
   */
  prepareInitialSync(): void {
    const spec = this.options.tuning?.pullWorker;
    if (!spec || this.preparedWorker || this.running) return;
    const expiry = setTimeout(() => this.dropPreparedWorker(), PREPARED_WORKER_MS);
    expiry.unref();
    this.preparedWorker = { worker: new PullWorker(spec), expiry };
  }

  /**
   * The clinician has chosen the passphrase and the cache is being created (the key derivation,
   * ~0.5 s, then the file and its tables): the initial sync's first pages are downloaded and
   * prepared meanwhile, on the worker started at sign-in, with the sign-in's access token and
   * the replica id the new cache will keep (`start`). At most the engine's lookahead of pages is
   * held, in memory only, until the engine takes the pull over; if making the cache fails they
   * are dropped at once (`cancelInitialPull`), and if it is never tried they go with the worker
   * (`stop`, or its expiry).
   */
  beginInitialPull(serverUrl: URL, accessToken: string): void {
    // An engine given its own fetch never pulls through the worker's.
    if (this.options.tuning?.fetch) return;
    this.prepareInitialSync();
    const prepared = this.preparedWorker;
    if (!prepared || this.proposedReplicaId) return;
    this.proposedReplicaId = newReplicaId();
    prepared.worker.begin(
      pullWorkerStart({
        tuning: this.options.tuning,
        baseUrl: serverUrl,
        token: accessToken,
        replicaId: this.proposedReplicaId,
        cursor: null,
      }),
    );
  }

  /**
   * The cache `beginInitialPull` downloaded for was not made (`vault.create` failed): its pages
   * are dropped, the worker stays loaded, and the next attempt begins a pull of its own.
   */
  cancelInitialPull(): void {
    this.proposedReplicaId = null;
    this.preparedWorker?.worker.cancelEarly();
  }

  private takePreparedWorker(): PullWorker | undefined {
    const prepared = this.preparedWorker;
    if (!prepared) return undefined;
    this.preparedWorker = null;
    clearTimeout(prepared.expiry);
    return prepared.worker;
  }

  private async dropPreparedWorker(): Promise<void> {
    this.proposedReplicaId = null;
    await this.takePreparedWorker()?.close();
  }

  /** Start syncing the unlocked cache with the signed-in session. */
  start(session: ServerSession, ended: (reason: EngineStop) => void): void {
    if (this.engine && !this.engine.isStopped) return;
    const store = this.options.vault.unlockedStore;
    const pullWorkerStarted = this.takePreparedWorker();
    // The outbox's clock makes the cache's replica id (the proposed one, for a new cache), which
    // the engine then reads.
    const outbox = this.outbox();
    this.proposedReplicaId = null;
    this.signedIn = true;
    this.signedOutReason = null;
    this.engine = new SyncEngine({
      ...this.options.tuning,
      store,
      session,
      outbox,
      log: this.options.log,
      now: this.now,
      publish: (status) => this.publish(status),
      dataChanged: (payload) => this.options.dataChanged(payload),
      ended: (reason) => ended(reason),
      driftMeasured: (drift) => {
        this.lastDrift = drift;
      },
      ...(pullWorkerStarted ? { pullWorkerStarted } : {}),
    });
    this.engine.start();
  }

  /** Stop at once without waiting (before the store locks: nothing may touch it after). */
  halt(): void {
    void this.engine?.stop();
    this.unstick();
  }

  /** Stop the engine and wait until its round has unwound. */
  async stop(): Promise<void> {
    const engine = this.engine;
    this.engine = null;
    await Promise.all([engine?.stop(), this.dropPreparedWorker()]);
    // An engine started meanwhile (an unlock right after a lock, before the locked round had
    // unwound) owns the badge now: its "Syncing" must not turn into the old round's "Synced".
    if (!this.running) this.unstick();
  }

  /** A round cut short by a stop never said how it ended: the badge goes back to the last state it settled on. */
  private unstick(): void {
    const current = this.options.status.get();
    if (current.state === 'syncing')
      this.publish(this.settled ?? { state: 'synced', lastSyncedAt: current.lastSyncedAt });
  }

  /** What the badge shows now. */
  status(): SyncStatus {
    return this.options.status.get();
  }

  get running(): boolean {
    return this.engine !== null && !this.engine.isStopped;
  }

  /** No session: the badge says signed out (with why, when the server ended it). */
  signedOut(reason: string | null = null): void {
    this.signedIn = false;
    this.signedOutReason = reason;
    this.publish({ state: 'signedOut', lastSyncedAt: this.options.status.get().lastSyncedAt });
  }

  /** `sync.now`: a round (when signed in) and the status after it. */
  async syncNow(): Promise<SyncStatus> {
    if (!this.engine || this.engine.isStopped) return this.options.status.get();
    await this.engine.requestRound();
    // Another round may have begun since (a poke); answer with how this one ended.
    const status = this.settled ?? this.options.status.get();
    return { ...status, pending: this.lastPending };
  }

  details(): SyncDetails {
    const store = this.options.vault.unlockedStore;
    return readSyncDetails(store.sqlite, this.engine?.clockDriftMs ?? this.lastDrift);
  }

  dismissRejected(mutationId: number): SyncDetails {
    const store = this.options.vault.unlockedStore;
    if (!this.outbox().dismissRejected(mutationId)) {
      throw new RpcError('NOT_FOUND', 'There is no refused change with this number.');
    }
    store.audit.append({ action: 'sync.rejected_dismissed', detail: { mutationId } });
    this.publish(this.options.status.get());
    return this.details();
  }

  dismissServerRestored(): SyncDetails {
    const store = this.options.vault.unlockedStore;
    if (!dismissServerRestored(store.sqlite)) {
      throw new RpcError('NOT_FOUND', 'There is no notice about a restored clinic server.');
    }
    store.audit.append({ action: 'sync.server_restore_dismissed' });
    this.publish(this.options.status.get());
    return this.details();
  }

  private publish(status: Omit<SyncStatus, 'pending'> & { pending?: number }): void {
    if (this.options.vault.isUnlocked) {
      try {
        this.lastPending = this.outbox().counts().pending;
        this.lastAttention = countNeedingAttention(this.options.vault.unlockedStore.sqlite);
      } catch {
        // Locking right now: keep the last count.
      }
    } else {
      // Locked, signed out, erased: no panel to point to (its items are counted again at unlock).
      this.lastAttention = 0;
    }
    const next: SyncStatus = {
      state: this.signedIn ? status.state : 'signedOut',
      pending: this.lastPending,
      lastSyncedAt: status.lastSyncedAt,
    };
    const reason = this.signedIn ? status.reason : (this.signedOutReason ?? undefined);
    if (reason) next.reason = reason;
    if (this.lastAttention > 0) next.attention = this.lastAttention;
    if (next.state !== 'syncing') this.settled = next;
    const previous = this.options.status.get();
    if (
      previous.state !== next.state ||
      previous.pending !== next.pending ||
      previous.lastSyncedAt !== next.lastSyncedAt ||
      previous.reason !== next.reason ||
      previous.attention !== next.attention
    ) {
      this.options.status.set(next);
    }
  }
}
