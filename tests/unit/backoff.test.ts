import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/core/sync/backoff';

describe('sync retry backoff', () => {
  const policy = { baseMs: 1_000, maxMs: 60_000 };

  it('grows exponentially up to the cap (upper bound, random at its maximum)', () => {
    const almostOne = () => 0.999_999;
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => backoffDelay(attempt, policy, almostOne))).toEqual([
      999, 1_999, 3_999, 7_999, 15_999, 31_999, 59_999, 59_999,
    ]);
  });

  it('spreads retries over the whole window (full jitter)', () => {
    expect(backoffDelay(5, policy, () => 0)).toBe(0);
    expect(backoffDelay(5, policy, () => 0.5)).toBe(8_000);
  });

  it('never overflows for very many attempts', () => {
    expect(backoffDelay(10_000, policy, () => 0.5)).toBe(30_000);
  });

  it('refuses attempt numbers below 1', () => {
    expect(() => backoffDelay(0, policy)).toThrow(RangeError);
  });
});
