import { z } from 'zod';

/**
 * Severity bands as data. Every banded measure ships published defaults; a clinic may override
 * the cut-offs (e.g. a stricter PHQ-9 band for a program), and the override is validated here:
 * integer bounds, in ascending order, no gaps and no overlaps, covering exactly the score range.
 */
export interface ScoreRange {
  min: number;
  max: number;
}

export interface Band {
  /** Stable code (e.g. `moderately_severe`); the UI translates `measures.bands.<code>`. */
  code: string;
  /** Inclusive bounds. */
  min: number;
  max: number;
}

export const bandSchema = z
  .object({
    code: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'a band code is lower_snake_case, 1–40 characters'),
    min: z.int(),
    max: z.int(),
  })
  .strict();

/** Stable problem codes for a band set that does not fit its measure's range. */
export type BandProblemCode =
  | 'malformed'
  | 'empty'
  | 'min_above_max'
  | 'duplicate_code'
  | 'does_not_start_at_range_min'
  | 'does_not_end_at_range_max'
  | 'gap'
  | 'overlap_or_unordered';

export interface BandProblem {
  code: BandProblemCode;
  /** Index of the offending band in the list, when there is one. */
  index?: number;
  message: string;
}

/** The ordering/coverage rules, on bands that already have the right shape. */
export function bandProblems(bands: readonly Band[], range: ScoreRange): BandProblem[] {
  const problems: BandProblem[] = [];
  if (bands.length === 0) return [{ code: 'empty', message: 'at least one band is required' }];
  const seen = new Set<string>();
  bands.forEach((band, index) => {
    if (band.min > band.max)
      problems.push({ code: 'min_above_max', index, message: `band ${band.code}: min ${band.min} > max ${band.max}` });
    if (seen.has(band.code))
      problems.push({ code: 'duplicate_code', index, message: `band code ${band.code} is used twice` });
    seen.add(band.code);
  });
  const first = bands[0]!;
  const last = bands[bands.length - 1]!;
  if (first.min !== range.min)
    problems.push({
      code: 'does_not_start_at_range_min',
      index: 0,
      message: `the first band starts at ${first.min}, the score range at ${range.min}`,
    });
  if (last.max !== range.max)
    problems.push({
      code: 'does_not_end_at_range_max',
      index: bands.length - 1,
      message: `the last band ends at ${last.max}, the score range at ${range.max}`,
    });
  for (let i = 1; i < bands.length; i++) {
    const previous = bands[i - 1]!;
    const band = bands[i]!;
    if (band.min > previous.max + 1)
      problems.push({
        code: 'gap',
        index: i,
        message: `no band covers ${previous.max + 1}–${band.min - 1}`,
      });
    else if (band.min <= previous.max)
      problems.push({
        code: 'overlap_or_unordered',
        index: i,
        message: `band ${band.code} starts at ${band.min}, not after ${previous.code} ends (${previous.max})`,
      });
  }
  return problems;
}

export type BandValidation = { ok: true; bands: Band[] } | { ok: false; problems: BandProblem[] };

/** Validate a clinic's band configuration (untrusted JSON) for a measure's score range. */
export function validateBands(input: unknown, range: ScoreRange): BandValidation {
  const parsed = z.array(bandSchema).safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => {
        const index = typeof issue.path[0] === 'number' ? issue.path[0] : undefined;
        return {
          code: 'malformed' as const,
          ...(index === undefined ? {} : { index }),
          message: `${issue.path.join('.') || '(bands)'}: ${issue.message}`,
        };
      }),
    };
  }
  const problems = bandProblems(parsed.data, range);
  return problems.length === 0 ? { ok: true, bands: parsed.data } : { ok: false, problems };
}

export class InvalidBandsError extends Error {
  constructor(readonly problems: BandProblem[]) {
    super(`invalid severity bands: ${problems.map((p) => p.message).join('; ')}`);
    this.name = 'InvalidBandsError';
  }
}

/** Scorers call this on an override: a bad band set is a configuration error, never silently used. */
export function assertValidBands(bands: readonly Band[], range: ScoreRange): void {
  const result = validateBands(bands, range);
  if (!result.ok) throw new InvalidBandsError(result.problems);
}

/** The band a score falls in (bands are validated, so exactly one matches an in-range score). */
export function bandFor(score: number, bands: readonly Band[]): Band {
  const band = bands.find((b) => score >= b.min && score <= b.max);
  if (!band) throw new RangeError(`score ${score} is outside every band`);
  return band;
}
