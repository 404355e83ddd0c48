import { z } from 'zod';
import { type ItemValues, type MeasureDefinition, type MeasureItem, type ResponseOption } from './definition';
import { definedValues } from './sum-scale';

/**
 * BAM, the Brief Addiction Monitor (17 items, past 30 days): the VA's categorical ("Likert")
 * version, every item scored 0–4.
 *
 * Sources checked:
 * - Cacciola JS, Alterman AI, DePhilippis D, et al. Development and initial evaluation of the
 *   Brief Addiction Monitor (BAM). J Subst Abuse Treat 2013;44(3):256–263 (PMC3602977): 17 items,
 *   past 30 days; a continuous (0–30 days) version was the one studied there.
 * - The VA scoring guide as restated by VISN 4 MIRECC material (flutter.super.site BAM summary,
 *   ebchelp.blueprint.ai BAM article, hyperqbank BAM page, Kipu's BAM page): no total score is
 *   valid; Use = items 4 + 5 + 6; Risk = items 1 + 2 + 3 + 8 + 11 + 15; Protective = items
 *   9 + 10 + 12 + 13 + 14 + 16; items 7A–7G elaborate item 6 and are not in any subscale; item 17
 *   (satisfaction with progress) is in no subscale. Each categorical item is 0–4, so Use is 0–12,
 *   Risk and Protective 0–24 (Blueprint's table).
 * - DePhilippis et al., BAM Manual for Use in SUD Group Treatment (Philadelphia CESATE, 2014).
 *
 * Response scales (the categorical form): day counts are binned 0 days = 0, 1–3 = 1, 4–8 = 2,
 * 9–15 = 3, 16–30 = 4; item 1 Excellent 0 … Poor 4; items 8, 9, 12, 15, 17 Not at all 0 …
 * Extremely 4; item 14 (enough income) No = 0, Yes = 4 (Blueprint: "4 … 'Yes'").
 *
 * Not sure / not invented:
 * - Skip logic. The form skips item 5 when item 4 is 0 days, and items 7A–7G when item 6 is 0
 *   days. We therefore score a skipped item 5 as 0 when item 4 is 0 (no drinking days implies no
 *   heavy-drinking days); we never infer anything else.
 * - "Clinically concerning" composite cut-offs (Use ≥ 1, Risk ≥ 12, Protective ≤ 12) appear in
 *   Blueprint's summary of the VA scoring guide; we could not read the VA PDF itself, so they are
 *   data (`BAM_DEFAULT_CUTOFFS`) a clinic can override, and the UI should present them as
 *   guidance, not as validated severity bands. Item-level attention matters more than composites.
 * - The continuous BAM-R (raw 0–30 day counts; Use 0–90, Risk/Protective 0–180) and the weekly
 *   BAM-IOP (past 7 days) are different versions with different ranges; they are not this
 *   definition and must not be mixed with it in trends.
 */
const K = 'measures.bam';

const days = (): ResponseOption[] => [
  { value: 0, labelKey: `${K}.options.days_0` },
  { value: 1, labelKey: `${K}.options.days_1_3` },
  { value: 2, labelKey: `${K}.options.days_4_8` },
  { value: 3, labelKey: `${K}.options.days_9_15` },
  { value: 4, labelKey: `${K}.options.days_16_30` },
];
const extent = (): ResponseOption[] => [
  { value: 0, labelKey: `${K}.options.not_at_all` },
  { value: 1, labelKey: `${K}.options.slightly` },
  { value: 2, labelKey: `${K}.options.moderately` },
  { value: 3, labelKey: `${K}.options.considerably` },
  { value: 4, labelKey: `${K}.options.extremely` },
];
const health = (): ResponseOption[] => [
  { value: 0, labelKey: `${K}.options.excellent` },
  { value: 1, labelKey: `${K}.options.very_good` },
  { value: 2, labelKey: `${K}.options.good` },
  { value: 3, labelKey: `${K}.options.fair` },
  { value: 4, labelKey: `${K}.options.poor` },
];
const yesNo = (): ResponseOption[] => [
  { value: 0, labelKey: `${K}.options.no` },
  { value: 4, labelKey: `${K}.options.yes` },
];

type ChoiceItem = Extract<MeasureItem, { kind: 'choice' }>;

function bamItem(id: string, number: string, options: ResponseOption[], scored: boolean, optional = false): ChoiceItem {
  return { id, number, textKey: `${K}.items.${id}`, kind: 'choice', options, scored, optional };
}

export const BAM_DRUG_ITEMS = ['q7a', 'q7b', 'q7c', 'q7d', 'q7e', 'q7f', 'q7g'] as const;
export type BamDrugItem = (typeof BAM_DRUG_ITEMS)[number];

export const BAM_DEFINITION: MeasureDefinition = {
  id: 'bam',
  version: 1,
  titleKey: `${K}.title`,
  instructionsKey: `${K}.instructions`,
  items: [
    bamItem('q1', '1', health(), true),
    bamItem('q2', '2', days(), true),
    bamItem('q3', '3', days(), true),
    bamItem('q4', '4', days(), true),
    bamItem('q5', '5', days(), true),
    bamItem('q6', '6', days(), true),
    ...BAM_DRUG_ITEMS.map((id): ChoiceItem => ({
      ...bamItem(id, id.slice(1).toUpperCase(), days(), false, true),
      groupTextKey: `${K}.items.q7`,
    })),
    bamItem('q8', '8', extent(), true),
    bamItem('q9', '9', extent(), true),
    bamItem('q10', '10', days(), true),
    bamItem('q11', '11', days(), true),
    bamItem('q12', '12', extent(), true),
    bamItem('q13', '13', days(), true),
    bamItem('q14', '14', yesNo(), true),
    bamItem('q15', '15', extent(), true),
    bamItem('q16', '16', days(), true),
    bamItem('q17', '17', extent(), false),
  ],
  totalRange: null,
  defaultBands: null,
  source: 'Cacciola et al., J Subst Abuse Treat 2013;44:256–263; VA BAM scoring guide (VISN 4 MIRECC / CESATE)',
};

export const BAM_GROUPS = {
  use: ['q4', 'q5', 'q6'],
  risk: ['q1', 'q2', 'q3', 'q8', 'q11', 'q15'],
  protective: ['q9', 'q10', 'q12', 'q13', 'q14', 'q16'],
} as const;
export type BamGroup = keyof typeof BAM_GROUPS;

/** Composite cut-offs for "attention" (see the note above on their source); overridable. */
export interface BamCutoffs {
  /** Use at or above this is flagged (1: any use). */
  useAtLeast: number;
  /** Risk at or above this is flagged. */
  riskAtLeast: number;
  /** Protective at or below this is flagged. */
  protectiveAtMost: number;
}
export const BAM_DEFAULT_CUTOFFS: Readonly<BamCutoffs> = { useAtLeast: 1, riskAtLeast: 12, protectiveAtMost: 12 };

export const bamCutoffsSchema = z
  .object({
    useAtLeast: z.int().min(0).max(12),
    riskAtLeast: z.int().min(0).max(24),
    protectiveAtMost: z.int().min(0).max(24),
  })
  .strict();

const item04 = z.int().min(0).max(4);
const yesNoValue = z.union([z.literal(0), z.literal(4)]);

export const bamResponsesSchema = z
  .object({
    q1: item04.optional(),
    q2: item04.optional(),
    q3: item04.optional(),
    q4: item04.optional(),
    q5: item04.optional(),
    q6: item04.optional(),
    q7a: item04.optional(),
    q7b: item04.optional(),
    q7c: item04.optional(),
    q7d: item04.optional(),
    q7e: item04.optional(),
    q7f: item04.optional(),
    q7g: item04.optional(),
    q8: item04.optional(),
    q9: item04.optional(),
    q10: item04.optional(),
    q11: item04.optional(),
    q12: item04.optional(),
    q13: item04.optional(),
    q14: yesNoValue.optional(),
    q15: item04.optional(),
    q16: item04.optional(),
    q17: item04.optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    // A heavy-drinking count on a form that says no drinking days contradicts itself.
    if (value.q4 === 0 && value.q5 !== undefined && value.q5 > 0)
      ctx.addIssue({
        code: 'custom',
        path: ['q5'],
        message: 'heavy-drinking days with no drinking days (item 4 is 0)',
      });
    if (value.q6 === 0)
      for (const id of BAM_DRUG_ITEMS)
        if ((value[id] ?? 0) > 0)
          ctx.addIssue({
            code: 'custom',
            path: [id],
            message: 'a drug-type count with no drug-use days (item 6 is 0)',
          });
  });
export type BamResponses = z.infer<typeof bamResponsesSchema>;

export type BamGroupScore =
  | { status: 'complete'; sum: number; min: 0; max: number; flagged: boolean }
  | { status: 'incomplete'; missingItems: string[] };

/** A yes/no/unknown indicator (unknown when the item is unanswered). */
export type Indicator = boolean | null;

export interface BamResult {
  measureId: 'bam';
  version: number;
  /** Per-item values as answered (item 5 implied as 0 is not added here; see `impliedItems`). */
  items: ItemValues;
  /** Items not answered but implied by skip logic (item 5 = 0 when item 4 = 0). */
  impliedItems: ItemValues;
  use: BamGroupScore & {
    anyAlcohol: Indicator;
    heavyAlcohol: Indicator;
    anyDrug: Indicator;
    /** True when any use item is above 0; false only when all three are known to be 0. */
    anyUse: Indicator;
    /** Drug-type items (7A–7G) answered above 0. */
    drugTypesUsed: BamDrugItem[];
  };
  risk: BamGroupScore;
  protective: BamGroupScore;
  /** Item 17, satisfaction with progress: reported, in no subscale. */
  satisfaction: number | null;
  /** Deliberately absent: the BAM has no valid total. */
  total?: never;
}

export interface BamScoreOptions {
  cutoffs?: BamCutoffs;
}

function group(name: BamGroup, values: ItemValues, flag: (sum: number) => boolean): BamGroupScore {
  const ids = BAM_GROUPS[name];
  const missing = ids.filter((id) => values[id] === undefined);
  if (missing.length > 0) return { status: 'incomplete', missingItems: missing };
  const sum = ids.reduce((total, id) => total + (values[id] ?? 0), 0);
  return { status: 'complete', sum, min: 0, max: ids.length * 4, flagged: flag(sum) };
}

function indicator(value: number | undefined): Indicator {
  return value === undefined ? null : value > 0;
}

export function scoreBam(responses: BamResponses, options: BamScoreOptions = {}): BamResult {
  const parsed = bamResponsesSchema.parse(responses);
  const cutoffs = options.cutoffs ? bamCutoffsSchema.parse(options.cutoffs) : BAM_DEFAULT_CUTOFFS;
  const items = definedValues(parsed);
  const impliedItems: ItemValues = {};
  if (items.q4 === 0 && items.q5 === undefined) impliedItems.q5 = 0;
  const values: ItemValues = { ...items, ...impliedItems };

  const useIndicators = [indicator(values.q4), indicator(values.q5), indicator(values.q6)];
  const anyUse: Indicator = useIndicators.includes(true) ? true : useIndicators.includes(null) ? null : false;
  return {
    measureId: 'bam',
    version: BAM_DEFINITION.version,
    items,
    impliedItems,
    use: {
      ...group('use', values, (sum) => sum >= cutoffs.useAtLeast),
      anyAlcohol: indicator(values.q4),
      heavyAlcohol: indicator(values.q5),
      anyDrug: indicator(values.q6),
      anyUse,
      drugTypesUsed: BAM_DRUG_ITEMS.filter((id) => (values[id] ?? 0) > 0),
    },
    risk: group('risk', values, (sum) => sum >= cutoffs.riskAtLeast),
    protective: group('protective', values, (sum) => sum <= cutoffs.protectiveAtMost),
    satisfaction: values.q17 ?? null,
  };
}
