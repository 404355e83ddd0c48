import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pdfStrings } from '../../../src/core/exports/strings';
import { flattenStrings } from '../../../src/shared/notes/translate';

const en = flattenStrings(pdfStrings.en);
const es = flattenStrings(pdfStrings.es);
const names = (text: string | undefined) => [...String(text).matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

describe('PDF strings', () => {
  it('English and Spanish have the same keys, non-empty, with the same placeholders', () => {
    expect([...es.keys()].sort()).toEqual([...en.keys()].sort());
    for (const [key, value] of [...en, ...es]) expect(value.trim(), key).not.toBe('');
    for (const [key, value] of en) expect(names(es.get(key)), key).toEqual(names(value));
  });

  it('every pdf.* key the exports code uses exists', () => {
    const dir = join(import.meta.dirname, '../../../src/core/exports');
    const used = readdirSync(dir)
      .filter((file) => file.endsWith('.ts') && file !== 'strings.ts')
      .flatMap((file) =>
        [...readFileSync(join(dir, file), 'utf8').matchAll(/'(pdf\.[a-z0-9_.]+)'/g)].map((m) => m[1]!),
      );
    expect(used.length).toBeGreaterThan(40);
    expect(used.filter((key) => !en.has(key))).toEqual([]);
  });
});
