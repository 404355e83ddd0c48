import { describe, expect, it } from 'vitest';
import { compareHlc, decodeHlc, encodeHlc, HybridLogicalClock } from '../../src/shared/sync/hlc';

describe('hybrid logical clock', () => {
  it('encodes so that string order is time order, and decodes back', () => {
    const earlier = encodeHlc({ wallMs: 1_700_000_000_000, counter: 5, replicaId: 'laptop-a' });
    const later = encodeHlc({ wallMs: 1_700_000_000_001, counter: 0, replicaId: 'laptop-a' });
    const sameMsNextEvent = encodeHlc({ wallMs: 1_700_000_000_000, counter: 6, replicaId: 'laptop-a' });
    expect(compareHlc(earlier, later)).toBe(-1);
    expect(compareHlc(earlier, sameMsNextEvent)).toBe(-1);
    expect(decodeHlc(sameMsNextEvent)).toEqual({ wallMs: 1_700_000_000_000, counter: 6, replicaId: 'laptop-a' });
  });

  it('breaks exact ties by replica id, deterministically on every device', () => {
    const a = encodeHlc({ wallMs: 10, counter: 0, replicaId: 'replica-a' });
    const b = encodeHlc({ wallMs: 10, counter: 0, replicaId: 'replica-b' });
    expect([b, a].sort(compareHlc)).toEqual([a, b]);
  });

  it('ticks monotonically even when the wall clock stands still or steps back', () => {
    let now = 1_000;
    const clock = new HybridLogicalClock('replica-a', () => now);
    const first = clock.tick();
    const second = clock.tick();
    now = 900; // the OS clock was corrected backwards
    const third = clock.tick();
    expect(compareHlc(first, second)).toBe(-1);
    expect(compareHlc(second, third)).toBe(-1);
  });

  it('adopts a remote clock within the drift bound, so later local events sort after it', () => {
    let now = 1_000_000;
    const clock = new HybridLogicalClock('replica-a', () => now, 60_000);
    const remote = encodeHlc({ wallMs: now + 30_000, counter: 3, replicaId: 'replica-b' });
    expect(clock.receive(remote)).toEqual({ driftMs: 30_000, accepted: true });
    expect(compareHlc(remote, clock.tick())).toBe(-1);
    now += 1;
    expect(compareHlc(remote, clock.tick())).toBe(-1);
  });

  it('reports a remote clock beyond the bound instead of jumping into the future', () => {
    const now = 1_000_000;
    const clock = new HybridLogicalClock('replica-a', () => now, 60_000);
    const remote = encodeHlc({ wallMs: now + 3_600_000, counter: 0, replicaId: 'replica-b' });
    expect(clock.receive(remote)).toEqual({ driftMs: 3_600_000, accepted: false });
    expect(decodeHlc(clock.tick()).wallMs).toBe(now);
  });

  it('refuses malformed timestamps', () => {
    expect(() => decodeHlc('yesterday')).toThrow(RangeError);
    expect(() => encodeHlc({ wallMs: -1, counter: 0, replicaId: 'a' })).toThrow(RangeError);
    expect(() => encodeHlc({ wallMs: 1, counter: 0, replicaId: 'has space' })).toThrow(RangeError);
  });
});

describe('hybrid logical clock restore', () => {
  it('continues after the last issued timestamp even if the wall clock is now earlier', () => {
    const before = new HybridLogicalClock('replica-a', () => 5_000);
    const last = before.tick();
    const after = new HybridLogicalClock('replica-a', () => 1_000);
    after.restore(last);
    expect(compareHlc(last, after.tick())).toBe(-1);
  });
});
