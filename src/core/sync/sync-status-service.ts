import type { SyncStatus } from '../../shared/sync/status';

/**
 * The sync state the header badge shows. Until the clinic-server sync engine exists this
 * workstation has no server account, so it reports `signedOut` with nothing pending.
 */
export class SyncStatusService {
  private status: SyncStatus = { state: 'signedOut', pending: 0, lastSyncedAt: null };
  private readonly listeners = new Set<(status: SyncStatus) => void>();

  get(): SyncStatus {
    return { ...this.status };
  }

  set(status: SyncStatus): void {
    this.status = { ...status };
    for (const listener of this.listeners) listener(this.get());
  }

  onChange(listener: (status: SyncStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
