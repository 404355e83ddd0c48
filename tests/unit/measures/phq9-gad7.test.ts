import { describe, expect, it } from 'vitest';
import {
  InvalidBandsError,
  PHQ9_DEFINITION,
  scoreGad7,
  scorePhq9,
  type Gad7Responses,
  type Phq9Responses,
} from '../../../src/shared/measures';

/** All nine PHQ-9 items set to one value, optionally overriding some. */
function phq9(value: 0 | 1 | 2 | 3, overrides: Partial<Phq9Responses> = {}): Phq9Responses {
  const out: Record<string, number> = {};
  for (let i = 1; i <= 9; i++) out[`q${i}`] = value;
  return { ...out, ...overrides } as Phq9Responses;
}

/** A complete PHQ-9 with the given total, spread over items 1–8 (item 9 stays 0). */
function phq9WithTotal(total: number): Phq9Responses {
  const out: Record<string, number> = { q9: 0 };
  let left = total;
  for (let i = 1; i <= 8; i++) {
    const value = Math.min(3, left);
    out[`q${i}`] = value;
    left -= value;
  }
  if (left !== 0) throw new Error('total too large for items 1–8');
  return out as Phq9Responses;
}

function gad7WithTotal(total: number): Gad7Responses {
  const out: Record<string, number> = {};
  let left = total;
  for (let i = 1; i <= 7; i++) {
    const value = Math.min(3, left);
    out[`q${i}`] = value;
    left -= value;
  }
  return out as Gad7Responses;
}

function band(result: ReturnType<typeof scorePhq9> | ReturnType<typeof scoreGad7>): string {
  if (result.score.status !== 'complete') throw new Error('expected a complete score');
  return result.score.band.code;
}

describe('PHQ-9 (Kroenke, Spitzer & Williams 2001)', () => {
  it('all zeros: total 0, minimal, no item-9 flag', () => {
    const result = scorePhq9(phq9(0));
    expect(result.score).toEqual({ status: 'complete', total: 0, band: { code: 'minimal', min: 0, max: 4 } });
    expect(result.suicideRiskItemPositive).toBe(false);
    expect(result.suicideRiskItemUnanswered).toBe(false);
  });

  it('all threes: total 27, severe, item-9 flag', () => {
    const result = scorePhq9(phq9(3));
    expect(result.score).toMatchObject({ status: 'complete', total: 27 });
    expect(band(result)).toBe('severe');
    expect(result.suicideRiskItemPositive).toBe(true);
  });

  it.each([
    [4, 'minimal'],
    [5, 'mild'],
    [9, 'mild'],
    [10, 'moderate'],
    [14, 'moderate'],
    [15, 'moderately_severe'],
    [19, 'moderately_severe'],
    [20, 'severe'],
    [24, 'severe'],
  ])('boundary: total %i is %s', (total, expected) => {
    const result = scorePhq9(phq9WithTotal(total));
    expect(result.score).toMatchObject({ status: 'complete', total });
    expect(band(result)).toBe(expected);
  });

  it('item 9 above 0 raises the flag even with a minimal total', () => {
    const result = scorePhq9(phq9(0, { q9: 1 }));
    expect(result.score).toMatchObject({ status: 'complete', total: 1 });
    expect(band(result)).toBe('minimal');
    expect(result.suicideRiskItemPositive).toBe(true);
  });

  it('item 9 above 0 raises the flag even when other items are missing', () => {
    const result = scorePhq9({ q9: 2 });
    expect(result.score.status).toBe('incomplete');
    expect(result.suicideRiskItemPositive).toBe(true);
  });

  it('an unanswered item 9 is reported, not read as "no"', () => {
    const { q9: _omit, ...rest } = phq9(0);
    const result = scorePhq9(rest);
    expect(result.suicideRiskItemPositive).toBe(false);
    expect(result.suicideRiskItemUnanswered).toBe(true);
  });

  it('missing items: no total, no band, no prorating; lists what is missing', () => {
    const { q3: _a, q7: _b, ...rest } = phq9(3);
    const result = scorePhq9(rest);
    expect(result.score).toEqual({ status: 'incomplete', missingItems: ['q3', 'q7'], answeredCount: 7 });
    expect(result.items).not.toHaveProperty('q3');
  });

  it('the functional-difficulty question is optional and never scored', () => {
    const without = scorePhq9(phq9(1));
    const withIt = scorePhq9(phq9(1, { difficulty: 3 }));
    expect(without.score).toMatchObject({ status: 'complete', total: 9 });
    expect(withIt.score).toMatchObject({ status: 'complete', total: 9 });
    expect(without.functionalDifficulty).toBeNull();
    expect(withIt.functionalDifficulty).toBe(3);
  });

  it.each([[{ q1: 4 }], [{ q1: -1 }], [{ q1: 1.5 }], [{ q10: 1 }], [{ q1: '2' }]])(
    'rejects out-of-range, fractional, unknown or non-number answers: %j',
    (bad) => {
      expect(() => scorePhq9(bad as unknown as Phq9Responses)).toThrow();
    },
  );

  it('a clinic band override is used', () => {
    const bands = [
      { code: 'minimal', min: 0, max: 7 },
      { code: 'moderate', min: 8, max: 14 },
      { code: 'severe', min: 15, max: 27 },
    ];
    expect(band(scorePhq9(phq9WithTotal(7), { bands }))).toBe('minimal');
    expect(band(scorePhq9(phq9WithTotal(8), { bands }))).toBe('moderate');
  });

  it('an invalid band override throws instead of being used', () => {
    const gap = [
      { code: 'low', min: 0, max: 9 },
      { code: 'high', min: 11, max: 27 },
    ];
    expect(() => scorePhq9(phq9(0), { bands: gap })).toThrow(InvalidBandsError);
  });

  it('the definition has 9 scored items with options 0–3 and versioned text keys', () => {
    const scored = PHQ9_DEFINITION.items.filter((item) => item.scored);
    expect(scored.map((item) => item.id)).toEqual(['q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q7', 'q8', 'q9']);
    for (const item of scored) {
      expect(item.kind).toBe('choice');
      if (item.kind === 'choice') expect(item.options.map((o) => o.value)).toEqual([0, 1, 2, 3]);
    }
    expect(PHQ9_DEFINITION.version).toBe(1);
  });
});

describe('GAD-7 (Spitzer et al. 2006)', () => {
  it('all zeros and all threes', () => {
    expect(scoreGad7(gad7WithTotal(0)).score).toMatchObject({ status: 'complete', total: 0 });
    const max = scoreGad7(gad7WithTotal(21));
    expect(max.score).toMatchObject({ status: 'complete', total: 21 });
    expect(band(max)).toBe('severe');
  });

  it.each([
    [0, 'minimal'],
    [4, 'minimal'],
    [5, 'mild'],
    [9, 'mild'],
    [10, 'moderate'],
    [14, 'moderate'],
    [15, 'severe'],
    [21, 'severe'],
  ])('boundary: total %i is %s', (total, expected) => {
    expect(band(scoreGad7(gad7WithTotal(total)))).toBe(expected);
  });

  it('missing items make it incomplete', () => {
    const { q1: _omit, ...rest } = gad7WithTotal(21);
    expect(scoreGad7(rest).score).toEqual({ status: 'incomplete', missingItems: ['q1'], answeredCount: 6 });
  });

  it('rejects an eighth scored item', () => {
    expect(() => scoreGad7({ ...gad7WithTotal(0), q8: 1 } as unknown as Gad7Responses)).toThrow();
  });
});
