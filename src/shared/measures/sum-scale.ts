import { assertValidBands, type Band, bandFor, type ScoreRange } from './bands';
import { type ItemValues, type MeasureDefinition, missingItems } from './definition';

/**
 * The score of a measure whose total is the plain sum of its scored items (PHQ-9, GAD-7).
 *
 * Missing-item rule (deliberate, tested): a total is reported only when every scored item is
 * answered. Otherwise the result is `incomplete` with the unanswered item ids, and no total and
 * no band. Nothing is prorated or imputed: a half-answered PHQ-9 must not look "minimal".
 */
export type SumScore =
  | { status: 'complete'; total: number; band: Band }
  | { status: 'incomplete'; missingItems: string[]; answeredCount: number };

export function sumScore(
  definition: MeasureDefinition,
  values: ItemValues,
  bandsOverride: readonly Band[] | undefined,
): SumScore {
  const range: ScoreRange | null = definition.totalRange;
  const defaults = definition.defaultBands;
  if (!range || !defaults) throw new Error(`${definition.id} has no total score`);
  const bands = bandsOverride ?? defaults;
  if (bandsOverride) assertValidBands(bandsOverride, range);
  const scored = definition.items.filter((item) => item.scored);
  const missing = missingItems(definition, values);
  if (missing.length > 0) {
    return {
      status: 'incomplete',
      missingItems: missing,
      answeredCount: scored.length - missing.length,
    };
  }
  const total = scored.reduce((sum, item) => sum + (values[item.id] ?? 0), 0);
  return { status: 'complete', total, band: bandFor(total, bands) };
}

/** Copy only the defined answers (zod gives `undefined` for absent optional keys). */
export function definedValues(responses: Record<string, number | undefined>): ItemValues {
  const out: ItemValues = {};
  for (const [key, value] of Object.entries(responses)) if (value !== undefined) out[key] = value;
  return out;
}
