/**
 * Retry delays for sync: exponential backoff with full jitter (a random delay between zero and
 * the exponential cap), so that 200 workstations coming back online after a server restart do
 * not retry in lockstep.
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const SYNC_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 5 * 60_000 };

/** Delay before retry number `attempt` (1 for the first retry). `random` returns [0, 1). */
export function backoffDelay(attempt: number, policy: BackoffPolicy = SYNC_BACKOFF, random = Math.random): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError('attempt starts at 1');
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.floor(random() * cap);
}
