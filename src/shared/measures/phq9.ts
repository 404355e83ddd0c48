import { z } from 'zod';
import { type Band } from './bands';
import { frequencyScaleItems, type ItemValues, type MeasureDefinition } from './definition';
import { definedValues, type SumScore, sumScore } from './sum-scale';

/**
 * PHQ-9 (Patient Health Questionnaire, depression module).
 *
 * Scoring, as published by the authors (Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity
 * of a brief depression severity measure. J Gen Intern Med 2001;16:606–613; and the PHQ
 * instruction manual, "PHQ-9 Depression Severity"): each of the 9 items is scored 0 "not at
 * all", 1 "several days", 2 "more than half the days", 3 "nearly every day"; the total is 0–27;
 * totals of 5, 10, 15 and 20 are the cut points for mild, moderate, moderately severe and severe
 * depression (0–4 minimal). The closing question on functional difficulty is not scored. Any
 * answer above 0 on item 9 (thoughts of being better off dead or of self-harm) needs follow-up
 * whatever the total: it raises `suicideRiskItemPositive`, which the editor turns into the
 * C-SSRS screener prompt. Checked against https://www.calcipedia.org/calculators/phq-9-calculator
 * and https://mindsanctuary.net/surveys/PHQ-9 (both restate the published bands).
 */
const K = 'measures.phq9';

export const PHQ9_DEFINITION: MeasureDefinition = {
  id: 'phq9',
  version: 1,
  titleKey: `${K}.title`,
  instructionsKey: `${K}.instructions`,
  items: frequencyScaleItems(K, 9),
  totalRange: { min: 0, max: 27 },
  defaultBands: [
    { code: 'minimal', min: 0, max: 4 },
    { code: 'mild', min: 5, max: 9 },
    { code: 'moderate', min: 10, max: 14 },
    { code: 'moderately_severe', min: 15, max: 19 },
    { code: 'severe', min: 20, max: 27 },
  ],
  source: 'Kroenke, Spitzer & Williams, J Gen Intern Med 2001;16:606–613 (PHQ-9 Depression Severity)',
};

const item = z.int().min(0).max(3);

/** One administration; an absent item is unanswered. Unknown keys are rejected. */
export const phq9ResponsesSchema = z
  .object({
    q1: item.optional(),
    q2: item.optional(),
    q3: item.optional(),
    q4: item.optional(),
    q5: item.optional(),
    q6: item.optional(),
    q7: item.optional(),
    q8: item.optional(),
    q9: item.optional(),
    /** "How difficult have these problems made it…": 0 not difficult at all … 3 extremely. Not scored. */
    difficulty: item.optional(),
  })
  .strict();
export type Phq9Responses = z.infer<typeof phq9ResponsesSchema>;

export interface Phq9Result {
  measureId: 'phq9';
  version: number;
  items: ItemValues;
  score: SumScore;
  /** Item 9 answered above 0: always true when so, whatever the total or completeness. */
  suicideRiskItemPositive: boolean;
  /** Item 9 left blank: the editor should ask it rather than read its absence as "no". */
  suicideRiskItemUnanswered: boolean;
  /** The unscored functional-difficulty answer, when given. */
  functionalDifficulty: number | null;
}

export interface ScoreOptions {
  /** A clinic's band override (validated; an invalid set throws `InvalidBandsError`). */
  bands?: readonly Band[];
}

export function scorePhq9(responses: Phq9Responses, options: ScoreOptions = {}): Phq9Result {
  const parsed = phq9ResponsesSchema.parse(responses);
  const items = definedValues(parsed);
  return {
    measureId: 'phq9',
    version: PHQ9_DEFINITION.version,
    items,
    score: sumScore(PHQ9_DEFINITION, items, options.bands),
    suicideRiskItemPositive: (parsed.q9 ?? 0) > 0,
    suicideRiskItemUnanswered: parsed.q9 === undefined,
    functionalDifficulty: parsed.difficulty ?? null,
  };
}
