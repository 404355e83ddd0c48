/** Public surface of the encrypted workstation store (issue 3). */
export { openWorkstationStore, DATABASE_FILE_NAME } from './workstation-store';
export type {
  WorkstationStore,
  WorkstationStoreOptions,
  VaultStatus,
  VaultState,
  LockReason,
} from './workstation-store';
export * from './errors';
export type { WorkstationDb } from './db';
export {
  saveDraft,
  searchNotes,
  recentNotes,
  rebuildNoteSearch,
  type DraftInput,
  type SavedDraft,
} from './repositories/notes';
export { loadChart, type Chart } from './repositories/chart';
export { keytarKeychain, unavailableKeychain, type KeychainAdapter, type KeychainStatus } from '../vault/keychain';
export type { AuditEntry, AuditInput, AuditVerification, AuditAction } from '../audit/audit-log';
