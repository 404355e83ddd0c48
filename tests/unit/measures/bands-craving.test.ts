import { describe, expect, it } from 'vitest';
import {
  bandFor,
  GAD7_DEFINITION,
  InvalidBandsError,
  isMeasureComplete,
  MEASURE_DEFINITIONS,
  PHQ9_DEFINITION,
  scoreCraving,
  scoreMeasure,
  validateBands,
} from '../../../src/shared/measures';

const RANGE = { min: 0, max: 27 };

describe('clinic-configurable bands', () => {
  it('the published defaults are valid for their ranges', () => {
    expect(validateBands(PHQ9_DEFINITION.defaultBands, RANGE)).toMatchObject({ ok: true });
    expect(validateBands(GAD7_DEFINITION.defaultBands, { min: 0, max: 21 })).toMatchObject({ ok: true });
  });

  it.each([
    ['empty', [], 'empty'],
    [
      'gap',
      [
        { code: 'a', min: 0, max: 4 },
        { code: 'b', min: 6, max: 27 },
      ],
      'gap',
    ],
    [
      'overlap',
      [
        { code: 'a', min: 0, max: 5 },
        { code: 'b', min: 5, max: 27 },
      ],
      'overlap_or_unordered',
    ],
    [
      'unordered',
      [
        { code: 'b', min: 10, max: 27 },
        { code: 'a', min: 0, max: 9 },
      ],
      'does_not_start_at_range_min',
    ],
    [
      'short of the top',
      [
        { code: 'a', min: 0, max: 9 },
        { code: 'b', min: 10, max: 26 },
      ],
      'does_not_end_at_range_max',
    ],
    [
      'past the bottom',
      [
        { code: 'a', min: -1, max: 9 },
        { code: 'b', min: 10, max: 27 },
      ],
      'does_not_start_at_range_min',
    ],
    [
      'min above max',
      [
        { code: 'a', min: 0, max: 9 },
        { code: 'b', min: 10, max: 8 },
        { code: 'c', min: 9, max: 27 },
      ],
      'min_above_max',
    ],
    [
      'duplicate code',
      [
        { code: 'a', min: 0, max: 9 },
        { code: 'a', min: 10, max: 27 },
      ],
      'duplicate_code',
    ],
    ['fractional bound', [{ code: 'a', min: 0, max: 26.5 }], 'malformed'],
    ['bad code', [{ code: 'Not OK', min: 0, max: 27 }], 'malformed'],
    ['extra key', [{ code: 'a', min: 0, max: 27, colour: 'red' }], 'malformed'],
    ['not a list', { code: 'a', min: 0, max: 27 }, 'malformed'],
  ])('rejects %s', (_name, bands, code) => {
    const result = validateBands(bands, RANGE);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => p.code)).toContain(code);
  });

  it('accepts a single band covering the range', () => {
    expect(validateBands([{ code: 'any', min: 0, max: 27 }], RANGE)).toEqual({
      ok: true,
      bands: [{ code: 'any', min: 0, max: 27 }],
    });
  });

  it('bandFor refuses a score outside every band', () => {
    expect(() => bandFor(28, PHQ9_DEFINITION.defaultBands ?? [])).toThrow(RangeError);
  });
});

describe('craving 0–10', () => {
  it.each([0, 5, 10])('reports %i as is, with no default band', (level) => {
    expect(scoreCraving({ level })).toEqual({
      measureId: 'craving',
      version: 1,
      status: 'complete',
      level,
      band: null,
    });
  });

  it('unanswered is incomplete', () => {
    expect(scoreCraving({})).toEqual({
      measureId: 'craving',
      version: 1,
      status: 'incomplete',
      missingItems: ['level'],
    });
  });

  it.each([-1, 11, 3.5])('rejects %s', (level) => {
    expect(() => scoreCraving({ level })).toThrow();
  });

  it('a clinic may band it; a band set that misses 10 is refused', () => {
    const bands = [
      { code: 'low', min: 0, max: 3 },
      { code: 'high', min: 4, max: 10 },
    ];
    const result = scoreCraving({ level: 4 }, { bands });
    expect(result.status === 'complete' && result.band?.code).toBe('high');
    expect(() => scoreCraving({ level: 4 }, { bands: [{ code: 'low', min: 0, max: 9 }] })).toThrow(InvalidBandsError);
  });
});

describe('scoreMeasure (untrusted input from a note)', () => {
  it('validates instead of throwing', () => {
    const result = scoreMeasure('phq9', { q1: 9 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]?.path).toBe('q1');
    expect(scoreMeasure('gad7', 'not an object').ok).toBe(false);
  });

  it('applies clinic bands from the configuration', () => {
    const bands = [
      { code: 'low', min: 0, max: 9 },
      { code: 'high', min: 10, max: 21 },
    ];
    const answers = { q1: 3, q2: 3, q3: 3, q4: 1, q5: 0, q6: 0, q7: 0 };
    const result = scoreMeasure('gad7', answers, { bands: { gad7: bands } });
    expect(result.ok && result.result.measureId === 'gad7' && result.result.score).toMatchObject({
      status: 'complete',
      total: 10,
      band: { code: 'high' },
    });
  });

  it('isMeasureComplete follows each measure\u2019s missing-item rule', () => {
    const complete = (id: 'phq9' | 'gad7' | 'craving' | 'bam', responses: unknown) => {
      const scored = scoreMeasure(id, responses);
      if (!scored.ok) throw new Error('invalid');
      return isMeasureComplete(scored.result);
    };
    expect(complete('craving', { level: 0 })).toBe(true);
    expect(complete('craving', {})).toBe(false);
    expect(complete('phq9', { q1: 0 })).toBe(false);
    expect(complete('gad7', { q1: 0, q2: 0, q3: 0, q4: 0, q5: 0, q6: 0, q7: 0 })).toBe(true);
  });

  it('every definition has unique item ids and a source', () => {
    for (const definition of Object.values(MEASURE_DEFINITIONS)) {
      const ids = definition.items.map((item) => item.id);
      expect(new Set(ids).size, definition.id).toBe(ids.length);
      expect(definition.source.length).toBeGreaterThan(10);
    }
  });
});
