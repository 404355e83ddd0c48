import { type Band, type ScoreRange } from './bands';

/**
 * A measure's versioned definition: what the editor renders and what the scorer reads. Text is
 * never English here, only string keys (English and Spanish live in ./strings.ts). A definition
 * is immutable once released: a wording or scoring change is a new `version`, and every stored
 * response records the version it was answered against.
 */
export type MeasureId = 'phq9' | 'gad7' | 'craving' | 'bam';
export const MEASURE_IDS = ['phq9', 'gad7', 'craving', 'bam'] as const satisfies readonly MeasureId[];

export interface ResponseOption {
  value: number;
  labelKey: string;
}

export type MeasureItem =
  | {
      /** Stable id used as the response key (`q1`, `q7a`…). */
      id: string;
      /** The number printed on the published form ("7A"). */
      number: string;
      textKey: string;
      /** A shared stem printed once above a run of items (BAM 7A–7G). */
      groupTextKey?: string;
      kind: 'choice';
      options: readonly ResponseOption[];
      /** Counts toward a score or subscale. */
      scored: boolean;
      /** May be left blank without making the measure incomplete. */
      optional: boolean;
    }
  | {
      id: string;
      number: string;
      textKey: string;
      kind: 'integer';
      min: number;
      max: number;
      /** Labels for the ends of the scale (e.g. "no craving" … "worst craving"). */
      minLabelKey: string;
      maxLabelKey: string;
      scored: boolean;
      optional: boolean;
    };

export interface MeasureDefinition {
  id: MeasureId;
  /** Positive integer; bump on any change to items, options or scoring. */
  version: number;
  titleKey: string;
  instructionsKey: string;
  items: readonly MeasureItem[];
  /** Range of the total score, when the measure has a valid total (BAM has none). */
  totalRange: ScoreRange | null;
  /** Published default severity bands for the total (a clinic may override). */
  defaultBands: readonly Band[] | null;
  /** Where the items and scoring rules come from. */
  source: string;
}

/** The response values of one administration, keyed by item id; a missing key is an unanswered item. */
export type ItemValues = Record<string, number>;

/** The 0–3 frequency options shared by the PHQ-9 and GAD-7 ("over the last 2 weeks"). */
export function frequencyOptions(prefix: string): ResponseOption[] {
  return [
    { value: 0, labelKey: `${prefix}.options.not_at_all` },
    { value: 1, labelKey: `${prefix}.options.several_days` },
    { value: 2, labelKey: `${prefix}.options.more_than_half` },
    { value: 3, labelKey: `${prefix}.options.nearly_every_day` },
  ];
}

/**
 * The items of a PHQ/GAD-family form: `count` scored frequency items (q1…qN), then the
 * unscored closing question on how difficult the problems have made daily life.
 */
export function frequencyScaleItems(prefix: string, count: number): MeasureItem[] {
  return [
    ...Array.from({ length: count }, (_, i) => ({
      id: `q${i + 1}`,
      number: String(i + 1),
      textKey: `${prefix}.items.q${i + 1}`,
      kind: 'choice' as const,
      options: frequencyOptions(prefix),
      scored: true,
      optional: false,
    })),
    {
      id: 'difficulty',
      number: String(count + 1),
      textKey: `${prefix}.items.difficulty`,
      kind: 'choice' as const,
      options: [
        { value: 0, labelKey: `${prefix}.difficulty.not_difficult` },
        { value: 1, labelKey: `${prefix}.difficulty.somewhat` },
        { value: 2, labelKey: `${prefix}.difficulty.very` },
        { value: 3, labelKey: `${prefix}.difficulty.extremely` },
      ],
      scored: false,
      optional: true,
    },
  ];
}

/** Item ids, in form order, that are scored but unanswered. */
export function missingItems(definition: MeasureDefinition, values: ItemValues, ids?: readonly string[]): string[] {
  const wanted = ids ?? definition.items.filter((item) => item.scored && !item.optional).map((item) => item.id);
  return wanted.filter((id) => values[id] === undefined);
}
