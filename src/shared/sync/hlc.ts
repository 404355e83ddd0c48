/**
 * Hybrid logical clocks for merging profile-like fields per field (last writer wins by HLC).
 * A timestamp is wall-clock milliseconds, a counter for events in the same millisecond, and the
 * replica id that breaks ties, encoded so that string order is time order.
 *
 * Clocks drift. A remote timestamp further ahead of our wall clock than `maxDriftMs` is not
 * silently adopted (it would drag every later edit into the future): `receive` reports it.
 */
export interface Hlc {
  wallMs: number;
  counter: number;
  replicaId: string;
}

export const DEFAULT_MAX_DRIFT_MS = 60_000;

const WALL_DIGITS = 11; // base-36 milliseconds: good until the year 5188
const COUNTER_DIGITS = 4; // up to 1.6 million events in one millisecond

export function encodeHlc(hlc: Hlc): string {
  if (!Number.isSafeInteger(hlc.wallMs) || hlc.wallMs < 0)
    throw new RangeError('wallMs must be a non-negative integer');
  if (!Number.isSafeInteger(hlc.counter) || hlc.counter < 0 || hlc.counter >= 36 ** COUNTER_DIGITS) {
    throw new RangeError('counter out of range');
  }
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(hlc.replicaId)) throw new RangeError('replicaId must be 1–64 url-safe characters');
  return `${hlc.wallMs.toString(36).padStart(WALL_DIGITS, '0')}-${hlc.counter
    .toString(36)
    .padStart(COUNTER_DIGITS, '0')}-${hlc.replicaId}`;
}

export function decodeHlc(text: string): Hlc {
  const match = /^([0-9a-z]{11})-([0-9a-z]{4})-([A-Za-z0-9_-]{1,64})$/.exec(text);
  if (!match) throw new RangeError('not a hybrid logical clock timestamp');
  return { wallMs: Number.parseInt(match[1]!, 36), counter: Number.parseInt(match[2]!, 36), replicaId: match[3]! };
}

export function compareHlc(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class HybridLogicalClock {
  private last: Hlc;

  constructor(
    private readonly replicaId: string,
    private readonly now: () => number,
    private readonly maxDriftMs = DEFAULT_MAX_DRIFT_MS,
  ) {
    this.last = { wallMs: 0, counter: 0, replicaId };
  }

  /**
   * Continue after a restart from the last timestamp this replica issued (persisted by the
   * caller), so that a wall clock that went backwards cannot reorder our own events.
   */
  restore(lastIssued: string): void {
    const last = decodeHlc(lastIssued);
    if (compareHlc(lastIssued, encodeHlc(this.last)) > 0) this.last = { ...last, replicaId: this.replicaId };
  }

  /** A timestamp for a local event. */
  tick(): string {
    const wall = this.now();
    this.last =
      wall > this.last.wallMs
        ? { wallMs: wall, counter: 0, replicaId: this.replicaId }
        : { wallMs: this.last.wallMs, counter: this.last.counter + 1, replicaId: this.replicaId };
    return encodeHlc(this.last);
  }

  /**
   * Merge a remote timestamp. Returns the drift when the remote clock is ahead of ours by more
   * than the bound; the caller reports it, and the clock is not moved past the bound.
   */
  receive(remote: string): { driftMs: number; accepted: boolean } {
    const other = decodeHlc(remote);
    const wall = this.now();
    const driftMs = other.wallMs - wall;
    if (driftMs > this.maxDriftMs) return { driftMs, accepted: false };
    const wallMs = Math.max(wall, this.last.wallMs, other.wallMs);
    let counter = 0;
    if (wallMs === this.last.wallMs && wallMs === other.wallMs)
      counter = Math.max(this.last.counter, other.counter) + 1;
    else if (wallMs === this.last.wallMs) counter = this.last.counter + 1;
    else if (wallMs === other.wallMs) counter = other.counter + 1;
    this.last = { wallMs, counter, replicaId: this.replicaId };
    return { driftMs: Math.max(0, driftMs), accepted: true };
  }
}
