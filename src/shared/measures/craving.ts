import { z } from 'zod';
import { assertValidBands, type Band, bandFor } from './bands';
import { type MeasureDefinition } from './definition';
import { type ScoreOptions } from './phq9';

/**
 * Craving, a single 0–10 integer rating (the same scale clients use in check-ins). There is no
 * published severity banding for a single craving rating, so the definition ships none: the
 * value is reported as is, and trends over time carry the meaning. A clinic may still configure
 * bands (validated like any other), in which case the band is reported too.
 */
const K = 'measures.craving';

export const CRAVING_DEFINITION: MeasureDefinition = {
  id: 'craving',
  version: 1,
  titleKey: `${K}.title`,
  instructionsKey: `${K}.instructions`,
  items: [
    {
      id: 'level',
      number: '1',
      textKey: `${K}.items.level`,
      kind: 'integer',
      min: 0,
      max: 10,
      minLabelKey: `${K}.anchors.none`,
      maxLabelKey: `${K}.anchors.worst`,
      scored: true,
      optional: false,
    },
  ],
  totalRange: { min: 0, max: 10 },
  defaultBands: null,
  source: 'Single-item 0–10 craving rating (numeric rating scale); no published bands',
};

export const cravingResponsesSchema = z.object({ level: z.int().min(0).max(10).optional() }).strict();
export type CravingResponses = z.infer<typeof cravingResponsesSchema>;

export type CravingResult =
  | { measureId: 'craving'; version: number; status: 'complete'; level: number; band: Band | null }
  | { measureId: 'craving'; version: number; status: 'incomplete'; missingItems: ['level'] };

export function scoreCraving(responses: CravingResponses, options: ScoreOptions = {}): CravingResult {
  const parsed = cravingResponsesSchema.parse(responses);
  const version = CRAVING_DEFINITION.version;
  if (parsed.level === undefined)
    return { measureId: 'craving', version, status: 'incomplete', missingItems: ['level'] };
  let band: Band | null = null;
  if (options.bands) {
    assertValidBands(options.bands, { min: 0, max: 10 });
    band = bandFor(parsed.level, options.bands);
  }
  return { measureId: 'craving', version, status: 'complete', level: parsed.level, band };
}
