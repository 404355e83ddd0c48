import { type Band } from './bands';
import { BAM_DEFINITION, type BamCutoffs, type BamResult, bamResponsesSchema, scoreBam } from './bam';
import { CRAVING_DEFINITION, type CravingResult, cravingResponsesSchema, scoreCraving } from './craving';
import { type MeasureDefinition, type MeasureId } from './definition';
import { GAD7_DEFINITION, type Gad7Result, gad7ResponsesSchema, scoreGad7 } from './gad7';
import { PHQ9_DEFINITION, type Phq9Result, phq9ResponsesSchema, scorePhq9 } from './phq9';

export * from './bands';
export * from './bam';
export * from './craving';
export * from './definition';
export * from './gad7';
export * from './phq9';
export { type SumScore } from './sum-scale';

export const MEASURE_DEFINITIONS: Readonly<Record<MeasureId, MeasureDefinition>> = {
  phq9: PHQ9_DEFINITION,
  gad7: GAD7_DEFINITION,
  craving: CRAVING_DEFINITION,
  bam: BAM_DEFINITION,
};

export const MEASURE_RESPONSE_SCHEMAS = {
  phq9: phq9ResponsesSchema,
  gad7: gad7ResponsesSchema,
  craving: cravingResponsesSchema,
  bam: bamResponsesSchema,
} as const;

export type MeasureResult = Phq9Result | Gad7Result | CravingResult | BamResult;

/** A clinic's scoring configuration: band overrides per banded measure, BAM cut-offs. */
export interface MeasureConfig {
  bands?: Partial<Record<'phq9' | 'gad7' | 'craving', readonly Band[]>>;
  bamCutoffs?: BamCutoffs;
}

export type MeasureScoring = { ok: true; result: MeasureResult } | { ok: false; problems: Problems };

type Problems = { path: string; message: string }[];

function problemsOf(error: { issues: { path: PropertyKey[]; message: string }[] }): Problems {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

/** Score untrusted responses (e.g. from a note's measure slot): validates, never throws on bad input. */
export function scoreMeasure(measureId: MeasureId, responses: unknown, config: MeasureConfig = {}): MeasureScoring {
  const bandsFor = (id: 'phq9' | 'gad7' | 'craving') => {
    const bands = config.bands?.[id];
    return bands ? { bands } : {};
  };
  switch (measureId) {
    case 'phq9': {
      const parsed = phq9ResponsesSchema.safeParse(responses);
      return parsed.success
        ? { ok: true, result: scorePhq9(parsed.data, bandsFor('phq9')) }
        : { ok: false, problems: problemsOf(parsed.error) };
    }
    case 'gad7': {
      const parsed = gad7ResponsesSchema.safeParse(responses);
      return parsed.success
        ? { ok: true, result: scoreGad7(parsed.data, bandsFor('gad7')) }
        : { ok: false, problems: problemsOf(parsed.error) };
    }
    case 'craving': {
      const parsed = cravingResponsesSchema.safeParse(responses);
      return parsed.success
        ? { ok: true, result: scoreCraving(parsed.data, bandsFor('craving')) }
        : { ok: false, problems: problemsOf(parsed.error) };
    }
    case 'bam': {
      const parsed = bamResponsesSchema.safeParse(responses);
      return parsed.success
        ? { ok: true, result: scoreBam(parsed.data, config.bamCutoffs ? { cutoffs: config.bamCutoffs } : {}) }
        : { ok: false, problems: problemsOf(parsed.error) };
    }
  }
}

/**
 * Whether an administration is complete enough to sign: every required item answered (for the
 * BAM: every item of the three subscales, with item 5 implied by item 4 = 0).
 */
export function isMeasureComplete(result: MeasureResult): boolean {
  switch (result.measureId) {
    case 'phq9':
    case 'gad7':
      return result.score.status === 'complete';
    case 'craving':
      return result.status === 'complete';
    case 'bam':
      return (
        result.use.status === 'complete' && result.risk.status === 'complete' && result.protective.status === 'complete'
      );
  }
}
