import { describe, expect, it } from 'vitest';
import { MEASURE_DEFINITIONS } from '../../../src/shared/measures';
import { measureStrings } from '../../../src/shared/measures/strings';

function flatten(value: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) flatten(child, prefix ? `${prefix}.${key}` : key, out);
  } else out.set(prefix, value);
  return out;
}

const en = flatten(measureStrings.en);
const es = flatten(measureStrings.es);

function referencedKeys(): string[] {
  const keys: string[] = [];
  for (const definition of Object.values(MEASURE_DEFINITIONS)) {
    keys.push(definition.titleKey, definition.instructionsKey);
    for (const band of definition.defaultBands ?? []) keys.push(`measures.bands.${band.code}`);
    for (const item of definition.items) {
      keys.push(item.textKey);
      if (item.kind === 'choice') {
        if (item.groupTextKey) keys.push(item.groupTextKey);
        keys.push(...item.options.map((option) => option.labelKey));
      } else keys.push(item.minLabelKey, item.maxLabelKey);
    }
  }
  return [...new Set(keys)];
}

describe('measure strings', () => {
  it('English and Spanish have exactly the same keys, all non-empty strings', () => {
    expect([...es.keys()].sort()).toEqual([...en.keys()].sort());
    for (const [key, value] of [...en, ...es]) expect(typeof value === 'string' && value.trim() !== '', key).toBe(true);
  });

  it('every key a definition references exists in both languages', () => {
    const keys = referencedKeys();
    expect(keys.length).toBeGreaterThan(60);
    expect(keys.filter((key) => !en.has(key))).toEqual([]);
    expect(keys.filter((key) => !es.has(key))).toEqual([]);
  });

  it('placeholders match between languages', () => {
    const names = (text: unknown) => [...String(text).matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();
    for (const [key, value] of en) expect(names(es.get(key)), key).toEqual(names(value));
  });
});
