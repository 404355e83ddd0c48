import { z } from 'zod';
import { MUTATION_NAMES, REJECTION_CODES } from './protocol';

/**
 * What the sync panel lists (RPC `sync.details`): changes waiting to be sent, changes the
 * server refused (kept until the clinician dismisses them: never dropped silently), and
 * conflicts to resolve. Names of clients are included so the clinician recognises the change;
 * the panel is only reachable while the workstation is unlocked.
 */
const outboxItem = z.object({
  mutationId: z.number().int().positive(),
  name: z.enum(MUTATION_NAMES),
  clientId: z.string().nullable(),
  clientName: z.string().nullable(),
  entityType: z.string().nullable(),
  entityId: z.string().nullable(),
  createdAt: z.iso.datetime(),
  attempts: z.number().int().nonnegative(),
  lastErrorCode: z.string().nullable(),
});

export const syncDetailsSchema = z.object({
  pending: z.array(outboxItem),
  rejected: z.array(
    outboxItem.extend({
      code: z.enum(REJECTION_CODES).or(z.string()),
      message: z.string(),
    }),
  ),
  conflicts: z.array(
    z.object({
      id: z.string(),
      entityType: z.string(),
      entityId: z.string(),
      clientId: z.string().nullable(),
      clientName: z.string().nullable(),
      detectedAt: z.iso.datetime(),
    }),
  ),
  /**
   * The clinic server was restored from an older backup (docs/sync-protocol.md, "A restored clinic
   * server"): when this workstation noticed, and how many of its changes the server had lost and
   * it sent again. Shown until the clinician dismisses it (`sync.dismissServerRestored`).
   */
  serverRestored: z.object({ at: z.iso.datetime(), replayed: z.number().int().nonnegative() }).nullable(),
  /** How far this device's clock is ahead of the server's (ms), when it was last measured. */
  clockDriftMs: z.number().int().nullable(),
  lastSyncedAt: z.iso.datetime().nullable(),
});
export type SyncDetails = z.infer<typeof syncDetailsSchema>;
