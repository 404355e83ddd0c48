import type { CaseloadList, ClientOverview } from '../../shared/caseload/caseload';
import { RpcError } from '../../shared/rpc/errors';
import type { Logger } from '../logging/logger';
import type { WorkstationStore } from '../store';
import { listCaseload } from './caseload-list';
import { loadClientOverview } from './client-overview';

export interface CaseloadServiceOptions {
  /** The unlocked store (throws LOCKED otherwise). */
  store: () => WorkstationStore;
  /** The signed-in clinician's id, recorded as the actor of audit entries (null before sign-in). */
  actorId: () => string | null;
  log: Logger;
  now?: () => Date;
}

/** The audit action of opening a client's chart (the overview). */
export const CHART_OPEN_ACTION = 'chart.opened';

/**
 * RPC `caseload.list` and `client.overview`: read models over the encrypted cache. Opening an
 * overview is an access to the chart and is written to the local audit log first (it reaches
 * the clinic server with the next push); if it cannot be recorded, nothing is shown.
 */
export class CaseloadService {
  private readonly now: () => Date;

  constructor(private readonly options: CaseloadServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  list(): CaseloadList {
    return listCaseload(this.options.store().sqlite, this.now());
  }

  overview(clientId: string): ClientOverview {
    const store = this.options.store();
    const overview = loadClientOverview(store.sqlite, clientId, this.now(), this.options.actorId());
    if (!overview) {
      this.options.log.info({ code: 'CLIENT_NOT_FOUND' }, 'overview of a client not in the cache');
      throw new RpcError('NOT_FOUND', 'This client is not on this workstation.');
    }
    store.audit.append({
      action: CHART_OPEN_ACTION,
      actorId: this.options.actorId(),
      recordType: 'client',
      recordId: clientId,
      clientId,
    });
    return overview;
  }
}
