import { z } from 'zod';

/**
 * What the header badge shows about synchronisation with the clinic server.
 * - `signedOut`: no clinic server account on this workstation yet.
 * - `offline`: the server cannot be reached; work continues locally.
 * - `syncing` / `synced`: self-explanatory; `pending` counts unsent local changes.
 * - `error`: sync stopped for a reason the clinician must see (`reason` is a stable code).
 * `attention` counts what waits in the sync panel for the clinician, whatever the state: changes
 * the server refused, conflicts to resolve, the notice that the clinic server was restored.
 * Absent when nothing waits.
 */
export const SYNC_STATES = ['signedOut', 'offline', 'syncing', 'synced', 'error'] as const;

export const syncStatusSchema = z.object({
  state: z.enum(SYNC_STATES),
  pending: z.number().int().nonnegative(),
  lastSyncedAt: z.iso.datetime().nullable(),
  reason: z.string().max(200).optional(),
  attention: z.number().int().positive().optional(),
});
export type SyncStatus = z.infer<typeof syncStatusSchema>;
