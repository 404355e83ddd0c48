import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const localesDir = join(import.meta.dirname, '../../src/renderer/i18n/locales');

function load(language: string): unknown {
  return JSON.parse(readFileSync(join(localesDir, `${language}.json`), 'utf8')) as unknown;
}

/** Every leaf as "a.b.c" → value (non-strings are kept so the test can flag them). */
function flatten(value: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) flatten(child, prefix ? `${prefix}.${key}` : key, out);
  } else {
    out.set(prefix, value);
  }
  return out;
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{\s*([^}\s]+)\s*\}\}/g)].map((m) => m[1] ?? '').sort();
}

const en = flatten(load('en'));
const es = flatten(load('es'));

describe('string files', () => {
  it('English and Spanish have exactly the same keys', () => {
    expect([...es.keys()].sort()).toEqual([...en.keys()].sort());
    expect(en.size).toBeGreaterThan(50);
  });

  it.each([
    ['en', en],
    ['es', es],
  ] as const)('%s has only non-empty strings', (_language, strings) => {
    const bad = [...strings]
      .filter(([, value]) => typeof value !== 'string' || value.trim() === '')
      .map(([key]) => key);
    expect(bad).toEqual([]);
  });

  it('every placeholder in an English string appears in the Spanish one', () => {
    const missing: string[] = [];
    for (const [key, value] of en) {
      const translated = es.get(key);
      if (typeof value !== 'string' || typeof translated !== 'string') continue;
      const wanted = placeholders(value);
      const present = new Set(placeholders(translated));
      for (const name of wanted) if (!present.has(name)) missing.push(`${key}: {{${name}}}`);
    }
    expect(missing).toEqual([]);
  });

  it('Spanish introduces no placeholder that English does not fill', () => {
    const extra: string[] = [];
    for (const [key, value] of es) {
      const original = en.get(key);
      if (typeof value !== 'string' || typeof original !== 'string') continue;
      const known = new Set(placeholders(original));
      for (const name of placeholders(value)) if (!known.has(name)) extra.push(`${key}: {{${name}}}`);
    }
    expect(extra).toEqual([]);
  });

  it('has a message for every RPC error code', async () => {
    const { RPC_ERROR_CODES } = await import('../../src/shared/rpc/errors');
    for (const code of RPC_ERROR_CODES) {
      expect(en.get(`errors.${code}`), code).toBeTypeOf('string');
    }
  });

  it('explains every reason the clinic server can give for refusing a change', async () => {
    const { REJECTION_CODES } = await import('../../src/shared/sync/protocol');
    for (const code of REJECTION_CODES) {
      expect(en.get(`sync.rejections.${code}`), code).toBeTypeOf('string');
      expect(es.get(`sync.rejections.${code}`), code).toBeTypeOf('string');
    }
  });
});
