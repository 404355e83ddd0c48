import { isMeasureComplete, MEASURE_DEFINITIONS, scoreMeasure } from '../../shared/measures/index.js';
import type { MEASURE_INSTRUMENTS } from '../../shared/sync/records.js';
import { clamp, type ClientPlan, iso } from './model.js';
import type { Prng } from './prng.js';

/**
 * Measure answers for the demo: generated here from how unwell the client is; totals, bands and
 * subscores always come from the shared scorers (src/shared/measures), never computed here.
 */
// ---------------------------------------------------------------------------------------------
// Measures (answers generated here; totals, bands and subscores from the shared scorers)

type Instrument = (typeof MEASURE_INSTRUMENTS)[number];

/** Spread `total` over the items (each 0…max), deterministically at random. */
function spread(rng: Prng, ids: readonly string[], total: number, max: number): Record<string, number> {
  const values: Record<string, number> = Object.fromEntries(ids.map((id) => [id, 0]));
  let left = clamp(total, 0, ids.length * max);
  while (left > 0) {
    const id = rng.pick(ids);
    if ((values[id] ?? 0) < max) {
      values[id] = (values[id] ?? 0) + 1;
      left -= 1;
    }
  }
  return values;
}

export function phq9Responses(rng: Prng, level: number, item9: number): Record<string, number> {
  const target = Math.round(level * 27 + (rng.next() - 0.5) * 4);
  const rest = spread(rng, ['q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q7', 'q8'], clamp(target - item9, 0, 24), 3);
  return { ...rest, q9: item9, difficulty: clamp(Math.round(level * 3 + rng.next() - 0.5), 0, 3) };
}

export function gad7Responses(rng: Prng, level: number): Record<string, number> {
  const target = Math.round(level * 19 + (rng.next() - 0.5) * 4);
  return {
    ...spread(rng, ['q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q7'], clamp(target, 0, 21), 3),
    difficulty: clamp(Math.round(level * 3), 0, 3),
  };
}

export function bamResponses(rng: Prng, plan: ClientPlan, level: number, used: boolean): Record<string, number> {
  const scale = (x: number) => clamp(Math.round(x * 4 + (rng.next() - 0.5)), 0, 4);
  const drinks = used && plan.substance === 'alcohol' ? rng.int(1, 3) : 0;
  const drugDays = used && plan.substance !== 'alcohol' ? rng.int(1, 2) : 0;
  const drugItem = { opioid: 'q7d', stimulant: 'q7c', cannabis: 'q7a', alcohol: 'q7a' }[plan.substance];
  return {
    q1: scale(level * 0.8),
    q2: scale(level),
    q3: scale(level),
    q4: drinks,
    q5: drinks > 0 ? rng.int(0, drinks) : 0,
    q6: drugDays,
    ...(drugDays > 0 ? { [drugItem]: drugDays } : {}),
    q8: scale(level * 0.9),
    q9: scale(1 - level),
    q10: scale(0.9 - level * 0.6),
    q11: scale(level * 0.7),
    q12: scale(0.4 + rng.next() * 0.3),
    q13: scale(0.8 - level * 0.5),
    q14: rng.chance(0.75 - level * 0.4) ? 4 : 0,
    q15: scale(level * 0.6),
    q16: scale(0.85 - level * 0.5),
    q17: scale(0.3 + level * 0.5),
  };
}

export interface MeasureTaken {
  measureId: 'phq9' | 'gad7' | 'craving' | 'bam';
  responses: Record<string, number>;
}

const INSTRUMENT: Record<MeasureTaken['measureId'], Instrument> = {
  phq9: 'PHQ9',
  gad7: 'GAD7',
  craving: 'CRAVING',
  bam: 'BAM',
};

export function measureData(
  taken: MeasureTaken,
  administeredAt: Date,
  administeredBy: string | null,
  source: 'clinician' | 'client_app',
  noteId: string | null,
): Record<string, unknown> {
  const scoring = scoreMeasure(taken.measureId, taken.responses);
  if (!scoring.ok || !isMeasureComplete(scoring.result)) throw new Error(`demo ${taken.measureId} does not score`);
  const { result } = scoring;
  let totalScore: number | null = null;
  let band: string | null = null;
  let subscores: Record<string, number> | null = null;
  if (result.measureId === 'phq9' || result.measureId === 'gad7') {
    if (result.score.status === 'complete') {
      totalScore = result.score.total;
      band = result.score.band.code;
    }
  } else if (result.measureId === 'craving') {
    if (result.status === 'complete') {
      totalScore = result.level;
      band = result.band?.code ?? null;
    }
  } else {
    subscores = {};
    for (const group of ['use', 'risk', 'protective'] as const) {
      const score = result[group];
      if (score.status === 'complete') subscores[group] = score.sum;
    }
  }
  return {
    instrument: INSTRUMENT[taken.measureId],
    instrumentVersion: String(MEASURE_DEFINITIONS[taken.measureId].version),
    administeredAt: iso(administeredAt),
    administeredBy,
    source,
    noteId,
    answers: taken.responses,
    totalScore,
    subscores,
    band,
    createdAt: iso(administeredAt),
  };
}
