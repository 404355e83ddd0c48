import type { RejectionCode } from '../../shared/sync/protocol.js';
import type { RequestPrincipal } from '../context.js';
import type { ServerDb } from '../db/database.js';

/**
 * What applying one mutation came to, with the record type and ids for its audit entry (codes
 * and ids only). `changed` says whether anything was written that other devices must pull
 * (an idempotent replay or a merge that lost on every field is `applied` without a change).
 */
export type Outcome =
  | { status: 'applied'; changed: boolean; recordType?: string; recordIds?: string[] }
  | { status: 'conflict'; conflictId: string; recordType: string; recordIds: string[] }
  | {
      status: 'rejected';
      code: RejectionCode;
      message: string;
      recordType?: string;
      recordIds?: string[];
      /**
       * The refusal wrote something that must stay (an addendum proposal keeping the text of a
       * signature or edit refused because the note was signed elsewhere): the savepoint commits
       * and the clients concerned are poked.
       */
      keep?: boolean;
    };

export interface RecordRef {
  type: string;
  ids: string[];
}

export const applied = (changed: boolean, record?: RecordRef): Outcome => ({
  status: 'applied',
  changed,
  ...(record ? { recordType: record.type, recordIds: record.ids } : {}),
});

export const reject = (code: RejectionCode, message: string, record?: RecordRef): Outcome => ({
  status: 'rejected',
  code,
  message,
  ...(record ? { recordType: record.type, recordIds: record.ids } : {}),
});

/** A refusal whose writes stay (see `keep`). */
export const rejectKeeping = (code: RejectionCode, message: string, record?: RecordRef): Outcome => ({
  status: 'rejected',
  code,
  message,
  keep: true,
  ...(record ? { recordType: record.type, recordIds: record.ids } : {}),
});

/** One mutation being applied inside the push transaction. */
export interface ApplyContext {
  tx: ServerDb;
  principal: RequestPrincipal;
  replicaId: string;
  now: Date;
  /** The mutation's hybrid logical clock (per-field merges). */
  hlc: string;
}
