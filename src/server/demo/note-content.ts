import {
  type FieldValue,
  type NoteContent,
  richTextFromParagraphs,
  type RiskScreenResult,
  type TemplateDefinition,
} from '../../shared/notes/index.js';
import { MEASURE_DEFINITIONS } from '../../shared/measures/index.js';
import type { MeasureTaken } from './measures.js';
import { addMs, type ClientPlan, type Generation, hhmm, isoDate, MINUTE } from './model.js';
import type { Prng } from './prng.js';
import { SENTENCES } from './text.js';

/**
 * Note content in the shared NoteContent shape, built from the template definitions: every
 * narrative field gets a few generic sentences, measure fields carry the session's measures,
 * the risk screen its result. What the templates require for signing is always filled in.
 */
// ---------------------------------------------------------------------------------------------
// Note content, built from the template definitions

type SentenceBank = keyof typeof SENTENCES;
const FIELD_BANKS: Record<string, SentenceBank[]> = {
  subjective: ['subjective'],
  objective: ['objective'],
  assessment: ['assessment'],
  data: ['subjective', 'objective'],
  behavior: ['objective', 'subjective'],
  intervention: ['intervention'],
  response: ['response'],
  goals: ['goals'],
  plan: ['plan'],
  safety_notes: ['safety'],
  session_content: ['counseling'],
  clinical_impressions: ['counseling'],
  group_content: ['groupContent'],
  member_presentation: ['memberPresentation'],
};

export interface Fill {
  craving: number;
  band: string;
  topic: string;
  /** Sentences about IOP groups only for clients who attend them. */
  iop?: boolean;
}

export function sentences(rng: Prng, banks: readonly SentenceBank[], fill: Fill, count: number): string[] {
  const pool = banks
    .flatMap((bank) => SENTENCES[bank] as readonly string[])
    .filter((text) => fill.iop !== false || !text.includes('IOP'));
  const chosen = rng.shuffle(pool).slice(0, count);
  return chosen.map((text) =>
    text
      .replaceAll('{craving}', String(fill.craving))
      .replaceAll('{band}', fill.band.replaceAll('_', ' '))
      .replaceAll('{topic}', fill.topic.toLowerCase()),
  );
}

export interface IndividualContext {
  rng: Prng;
  template: TemplateDefinition;
  encounter: NoteContent['encounter'];
  measures: MeasureTaken[];
  risk: RiskScreenResult;
  fill: Fill;
  nextAppointment: Date | null;
}

export function individualContent(ctx: IndividualContext): NoteContent {
  const { rng, template: definition } = ctx;
  const sections: NoteContent['sections'] = {};
  for (const section of definition.sections) {
    const values: Record<string, FieldValue> = {};
    for (const field of section.fields) {
      if (field.type === 'richText') {
        if (field.id === 'safety_notes' && ctx.risk === 'none') continue;
        const banks = field.id === 'safety_notes' ? (['safety'] as SentenceBank[]) : FIELD_BANKS[field.id];
        if (!banks) continue;
        const text =
          field.id === 'safety_notes'
            ? [SENTENCES.safety[1]]
            : sentences(rng, banks, ctx.fill, field.id === 'plan' ? 2 : rng.int(2, 3));
        values[field.id] = { type: 'richText', doc: richTextFromParagraphs([text.join(' ')]) };
      } else if (field.type === 'measure') {
        const taken = ctx.measures.find((m) => m.measureId === field.measureId);
        if (taken)
          values[field.id] = {
            type: 'measure',
            measureId: taken.measureId,
            version: MEASURE_DEFINITIONS[taken.measureId].version,
            responses: taken.responses,
          };
      } else if (field.type === 'riskScreen') {
        values[field.id] = { type: 'riskScreen', result: ctx.risk };
      } else if (field.type === 'date' && field.id === 'next_appointment' && ctx.nextAppointment) {
        values[field.id] = { type: 'date', value: isoDate(ctx.nextAppointment) };
      }
    }
    if (Object.keys(values).length > 0) sections[section.id] = values;
  }
  return { templateId: definition.id, templateVersion: definition.version, encounter: ctx.encounter, sections };
}

export function encounterFor(
  gen: Generation,
  plan: ClientPlan,
  start: Date,
  end: Date,
  modality: 'video' | 'phone' | 'in_person',
  rng: Prng,
): NoteContent['encounter'] {
  const encounter: NoteContent['encounter'] = {
    date: isoDate(start),
    startTime: hhmm(start),
    endTime: hhmm(end),
    timeZone: gen.timeZone,
    modality,
    participants: [
      { kind: 'client', refId: plan.id },
      { kind: 'clinician', refId: plan.clinician.id },
    ],
  };
  if (modality !== 'in_person') {
    const home = `${plan.address.line1}, ${plan.address.city}, ${plan.address.region} ${plan.address.postalCode}`;
    encounter.clientLocation = {
      address: rng.chance(0.9) ? home : `Workplace, ${plan.address.city}, ${plan.address.region}`,
      verified: true,
    };
  }
  if (modality === 'video' && rng.chance(0.05)) encounter.audioOnlySwitch = { at: hhmm(addMs(start, 25 * MINUTE)) };
  return encounter;
}
