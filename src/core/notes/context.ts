import { RpcError } from '../../shared/rpc/errors';
import type { AuditInput } from '../audit/audit-log';
import type { Logger } from '../logging/logger';
import type { WorkstationStore } from '../store';
import type { WorkstationDb } from '../store/db';
import type { SqliteDatabase } from '../store/open-database';
import { readMeta } from '../store/store-meta';
import { ownerOf } from '../session/owner';
import type { Outbox } from '../sync/outbox';

/** What every notes operation needs from the rest of the core. */
export interface NotesDeps {
  /** The unlocked store (throws LOCKED otherwise). */
  store: () => WorkstationStore;
  /** A local change and its outbox entries in one transaction, then a push soon. */
  record: <T>(work: (db: WorkstationDb, outbox: Outbox) => T) => T;
  /** The signed-in clinician (null before the first sign-in). */
  userId: () => string | null;
  /** Check the workstation passphrase again (signing): WRONG_PASSPHRASE / UNLOCK_THROTTLED. */
  verifyPassphrase: (passphrase: string) => Promise<void>;
  log: Logger;
  /** The clinician's language (printed notes). */
  language: () => 'en' | 'es';
  /** Where printed notes are written (inside the profile, readable only by this user). */
  exportsDir: string;
  now?: () => Date;
}

const DEVICE_KEY = 'server.deviceId';
const REPLICA_KEY = 'sync.replicaId';

/** The clinician whose notes these are: the signed-in user, else the cache's owner. */
export function currentUser(deps: NotesDeps, sqlite: SqliteDatabase): string | null {
  return deps.userId() ?? ownerOf(sqlite);
}

/** Same, for an action that needs a person: FORBIDDEN before the first sign-in. */
export function requireUser(deps: NotesDeps, sqlite: SqliteDatabase): string {
  const me = currentUser(deps, sqlite);
  if (!me) throw new RpcError('FORBIDDEN', 'Sign in to the clinic server before writing notes.');
  return me;
}

/** This device as the clinic server knows it (set at sign-in). */
export const deviceIdOf = (sqlite: SqliteDatabase): string | null => readMeta(sqlite, DEVICE_KEY);
export const replicaIdOf = (sqlite: SqliteDatabase): string | null => readMeta(sqlite, REPLICA_KEY);

/** Append to the local audit log: codes and ids only, never note text. */
export function audit(store: WorkstationStore, actorId: string | null, entry: Omit<AuditInput, 'actorId'>): void {
  store.audit.append({ ...entry, actorId });
}
