import { zonedToUtc } from '../sync/note-projection';

/** A note (or addendum) signed more than this long after its session is a late entry. */
export const LATE_ENTRY_MS = 24 * 60 * 60 * 1000;

/**
 * When the session a note documents ended: its encounter date and end time (else start time,
 * else the end of that day) in the encounter's time zone (UTC when absent or unknown). Null
 * without an encounter date. The clinic server applies the same rule to addenda it receives.
 */
export function sessionEndOf(content: unknown): Date | null {
  const encounter = (content as { encounter?: unknown } | null)?.encounter;
  if (typeof encounter !== 'object' || encounter === null) return null;
  const { date, startTime, endTime, timeZone } = encounter as Record<string, unknown>;
  if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return null;
  const time =
    [endTime, startTime].find((t): t is string => typeof t === 'string' && /^\d{2}:\d{2}$/.test(t)) ?? '23:59';
  const zoned = typeof timeZone === 'string' && timeZone !== '' ? zonedToUtc(date, time, timeZone) : null;
  const iso = zoned ?? zonedToUtc(date, time, 'UTC');
  return iso ? new Date(iso) : null;
}

/** Whether signing at `signedAt` is a late entry for a note with this content (created at `createdAt`). */
export function isLateEntry(signedAt: Date, content: unknown, fallback: string): boolean {
  const reference = sessionEndOf(content) ?? new Date(fallback);
  return signedAt.getTime() - reference.getTime() > LATE_ENTRY_MS;
}
