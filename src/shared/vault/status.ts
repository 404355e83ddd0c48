import { z } from 'zod';
import { PASSPHRASE_MAX_LENGTH } from './passphrase';

/**
 * What the lock screen and Settings know about the workstation's key vault.
 * - `unavailable`: the encrypted cache cannot be used at all on this profile (`problem` says
 *   why: another Continuum process has it open, a damaged file…); nothing was changed.
 */
export const VAULT_STATES = ['uninitialised', 'locked', 'unlocked', 'unavailable'] as const;

export const VAULT_PROBLEMS = [
  'PROFILE_IN_USE',
  'STORE_DAMAGED',
  'KEYCHAIN_ENTRY_MISSING',
  'KEYCHAIN_UNAVAILABLE',
  'DISK_FULL',
  'STORE_IO',
] as const;
export type VaultProblem = (typeof VAULT_PROBLEMS)[number];

export const vaultStatusSchema = z.object({
  state: z.enum(VAULT_STATES),
  /** How the database key is protected; null until a passphrase exists. */
  protection: z.enum(['passphrase+device', 'passphrase']).nullable(),
  /** Whether the operating system keychain can hold the device secret in this session. */
  keychain: z.enum(['available', 'unavailable']),
  failedAttempts: z.number().int().nonnegative(),
  /** Milliseconds before another unlock attempt is allowed. */
  retryAfterMs: z.number().int().nonnegative(),
  /** Local changes the clinic server has not acknowledged (what erasing would lose). */
  unsyncedChanges: z.number().int().nonnegative(),
  /** Idle time after which the workstation locks itself. */
  autoLockSeconds: z.number().int().positive(),
  /** Why the workstation last locked, for the lock screen's message. */
  lastLockReason: z.enum(['manual', 'idle', 'shutdown']).nullable(),
  problem: z.enum(VAULT_PROBLEMS).nullable(),
});
export type VaultStatus = z.infer<typeof vaultStatusSchema>;

export const passphraseInput = z.string().min(1, 'required').max(PASSPHRASE_MAX_LENGTH);
