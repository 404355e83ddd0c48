import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PullAhead, type AheadPage, type PageBasis } from '../../../src/server/sync/pull-ahead';

/**
 * On PGlite (one connection) a page being read ahead makes every request wait until it is done,
 * so reading ahead starts only once requests have paused (the workstation is busy writing), not
 * between a workstation's requests. Fake timers: what is read, and when.
 */
const basis = (replicaId: string, afterSeq = 0): PageBasis => ({
  userId: 'u',
  deviceId: 'd',
  replicaId,
  afterSeq,
  limit: 10,
  noteContent: 'text',
  scopeIds: ['c'],
  assignmentsUs: 0,
});

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('reading ahead waits for a pause in requests', () => {
  it('starts only after quietMs without a request, and the page read is then served', async () => {
    let clock = 0;
    const ahead = new PullAhead<AheadPage>({ depth: 1, ttlMs: 30_000, maxChains: 8, quietMs: 100, now: () => clock });
    const reads: number[] = [];
    const read = (afterSeq: number) => {
      reads.push(afterSeq);
      return Promise.resolve({ read: 5, lastSeq: String(afterSeq + 5) });
    };
    ahead.ahead(basis('a'), 50, 10, read);
    // Other requests keep coming (another workstation): nothing is read meanwhile.
    for (let i = 0; i < 4; i += 1) {
      clock += 60;
      await vi.advanceTimersByTimeAsync(60);
      ahead.take(basis('b'), 50);
    }
    expect(reads).toEqual([]);
    clock += 100;
    await vi.advanceTimersByTimeAsync(100);
    expect(reads).toEqual([10]);
    await ahead.settled();
    await expect(ahead.take(basis('a', 10), 50)).resolves.toEqual({ read: 5, lastSeq: '15' });
  });

  it('a page asked for before the pause is read at the request: nothing waits for reading ahead', async () => {
    let clock = 0;
    const ahead = new PullAhead<AheadPage>({ depth: 1, ttlMs: 30_000, maxChains: 8, quietMs: 100, now: () => clock });
    const reads: number[] = [];
    ahead.ahead(basis('a'), 50, 10, (afterSeq) => {
      reads.push(afterSeq);
      return Promise.resolve({ read: 5, lastSeq: null });
    });
    clock += 20;
    await vi.advanceTimersByTimeAsync(20);
    expect(ahead.take(basis('a', 10), 50)).toBeNull();
    clock += 500;
    await vi.advanceTimersByTimeAsync(500);
    await ahead.settled();
    expect(reads).toEqual([]);
  });
});
