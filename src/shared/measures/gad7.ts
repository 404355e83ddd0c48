import { z } from 'zod';
import { frequencyScaleItems, type ItemValues, type MeasureDefinition } from './definition';
import { type ScoreOptions } from './phq9';
import { definedValues, type SumScore, sumScore } from './sum-scale';

/**
 * GAD-7 (Generalized Anxiety Disorder 7-item scale).
 *
 * Scoring, as published (Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for
 * assessing generalized anxiety disorder: the GAD-7. Arch Intern Med 2006;166:1092–1097): items
 * scored 0–3 ("not at all" … "nearly every day"), total 0–21; 5, 10 and 15 are the cut points for
 * mild, moderate and severe anxiety (0–4 minimal). Checked against the scoring text reproduced at
 * https://scales.arabpsychology.com/index.php/s/gad-7-anxiety-severity/ and
 * https://www.mrcpsych.uk/search/label/GAD-7. The form's closing difficulty question is not
 * scored, as on the PHQ-9.
 */
const K = 'measures.gad7';

export const GAD7_DEFINITION: MeasureDefinition = {
  id: 'gad7',
  version: 1,
  titleKey: `${K}.title`,
  instructionsKey: `${K}.instructions`,
  items: frequencyScaleItems(K, 7),
  totalRange: { min: 0, max: 21 },
  defaultBands: [
    { code: 'minimal', min: 0, max: 4 },
    { code: 'mild', min: 5, max: 9 },
    { code: 'moderate', min: 10, max: 14 },
    { code: 'severe', min: 15, max: 21 },
  ],
  source: 'Spitzer, Kroenke, Williams & Löwe, Arch Intern Med 2006;166:1092–1097',
};

const item = z.int().min(0).max(3);

export const gad7ResponsesSchema = z
  .object({
    q1: item.optional(),
    q2: item.optional(),
    q3: item.optional(),
    q4: item.optional(),
    q5: item.optional(),
    q6: item.optional(),
    q7: item.optional(),
    difficulty: item.optional(),
  })
  .strict();
export type Gad7Responses = z.infer<typeof gad7ResponsesSchema>;

export interface Gad7Result {
  measureId: 'gad7';
  version: number;
  items: ItemValues;
  score: SumScore;
  functionalDifficulty: number | null;
}

export function scoreGad7(responses: Gad7Responses, options: ScoreOptions = {}): Gad7Result {
  const parsed = gad7ResponsesSchema.parse(responses);
  const items = definedValues(parsed);
  return {
    measureId: 'gad7',
    version: GAD7_DEFINITION.version,
    items,
    score: sumScore(GAD7_DEFINITION, items, options.bands),
    functionalDifficulty: parsed.difficulty ?? null,
  };
}
