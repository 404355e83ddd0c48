import { describe, expect, it } from 'vitest';
import { measureStrings } from '../../../src/shared/measures/strings';
import {
  BUILT_IN_TEMPLATES,
  ENCOUNTER_FIELDS,
  MODALITIES,
  PARTICIPANT_KINDS,
  RISK_SCREEN_RESULTS,
  templateStringKeys,
} from '../../../src/shared/notes';
import { noteStrings } from '../../../src/shared/notes/strings';

function flatten(value: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) flatten(child, prefix ? `${prefix}.${key}` : key, out);
  } else out.set(prefix, value);
  return out;
}

const en = flatten(noteStrings.en);
const es = flatten(noteStrings.es);

describe('note strings', () => {
  it('English and Spanish have exactly the same keys, all non-empty strings', () => {
    expect([...es.keys()].sort()).toEqual([...en.keys()].sort());
    for (const [key, value] of [...en, ...es]) expect(typeof value === 'string' && value.trim() !== '', key).toBe(true);
  });

  it('placeholders match between languages', () => {
    const names = (text: unknown) => [...String(text).matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();
    for (const [key, value] of en) expect(names(es.get(key)), key).toEqual(names(value));
  });

  it('every key the built-in templates use exists (notes or measures strings) in both languages', () => {
    const measuresEn = flatten(measureStrings.en);
    const measuresEs = flatten(measureStrings.es);
    const keys = BUILT_IN_TEMPLATES.flatMap((t) => templateStringKeys(t).map((k) => k.key));
    expect(keys.filter((key) => !en.has(key) && !measuresEn.has(key))).toEqual([]);
    expect(keys.filter((key) => !es.has(key) && !measuresEs.has(key))).toEqual([]);
  });

  it('has text for every encounter field, modality, participant kind and risk-screen result', () => {
    const wanted = [
      ...ENCOUNTER_FIELDS.map((f) => `notes.encounter.${f}`),
      'notes.encounter.audioOnlySwitch',
      ...MODALITIES.map((m) => `notes.modality.${m}`),
      ...PARTICIPANT_KINDS.map((k) => `notes.participants.${k}`),
      ...RISK_SCREEN_RESULTS.map((r) => `notes.risk_screen.${r}`),
    ];
    expect(wanted.filter((key) => !en.has(key))).toEqual([]);
  });
});
