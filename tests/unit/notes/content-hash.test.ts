import { describe, expect, it } from 'vitest';
import { canonicalize, contentHash, type NoteContent, richTextFromParagraphs } from '../../../src/shared/notes';

function note(text: string, overrides: Partial<NoteContent> = {}): NoteContent {
  return {
    templateId: 'soap',
    templateVersion: 1,
    encounter: { date: '2026-03-02', startTime: '09:00', endTime: '09:50', modality: 'video' },
    sections: {
      subjective: { subjective: { type: 'richText', doc: richTextFromParagraphs([text]) } },
      plan: { plan: { type: 'text', value: 'Follow up in one week' } },
    },
    ...overrides,
  };
}

describe('canonical serialization', () => {
  it('sorts keys, keeps array order, writes compact JSON', () => {
    expect(canonicalize({ b: 1, a: [3, 1, 2], c: { z: true, y: null } })).toBe(
      '{"a":[3,1,2],"b":1,"c":{"y":null,"z":true}}',
    );
  });

  it('sorts keys by UTF-16 code units (uppercase before lowercase, as JCS)', () => {
    expect(canonicalize({ b: 1, B: 2, á: 3, a: 4 })).toBe('{"B":2,"a":4,"b":1,"á":3}');
  });

  it('normalizes CRLF and CR to LF and text to NFC, keys included; nothing else', () => {
    expect(canonicalize('a\r\nb\rc\n')).toBe('"a\\nb\\nc\\n"');
    expect(canonicalize({ 'cafe\u0301': 'Jose\u0301' })).toBe(canonicalize({ café: 'José' }));
    expect(canonicalize('  two  spaces\t')).toBe('"  two  spaces\\t"');
  });

  it('omits undefined properties; writes -0 as 0', () => {
    expect(canonicalize({ a: undefined, b: -0 })).toBe('{"b":0}');
  });

  it.each([
    ['NaN', { a: Number.NaN }],
    ['Infinity', [Infinity]],
    ['a function', { f: () => 1 }],
    ['a Date', { d: new Date(0) }],
    ['a bigint', { n: 1n }],
    ['undefined in an array', [1, undefined]],
    ['keys equal after NFC', { 'e\u0301': 1, é: 2 }],
  ])('refuses %s', (_name, value) => {
    expect(() => canonicalize(value)).toThrow();
  });

  it('refuses a circular structure', () => {
    const looped: Record<string, unknown> = {};
    looped.self = looped;
    expect(() => canonicalize(looped)).toThrow(/circular/);
  });

  it('a shared (non-circular) object may appear twice', () => {
    const shared = { x: 1 };
    expect(canonicalize({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });
});

describe('contentHash stability', () => {
  const reference = contentHash(note('Client reports 12 days abstinent.\nSleeping better.'));

  it('is SHA-256 hex', () => {
    expect(reference).toMatch(/^[0-9a-f]{64}$/);
    expect(contentHash({})).toBe('44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  });

  it('ignores key order', () => {
    const original = note('Client reports 12 days abstinent.\nSleeping better.');
    const reordered = {
      sections: original.sections,
      encounter: { modality: 'video', endTime: '09:50', startTime: '09:00', date: '2026-03-02' },
      templateVersion: 1,
      templateId: 'soap',
    };
    expect(contentHash(reordered)).toBe(reference);
  });

  it('treats CRLF, CR and LF alike', () => {
    expect(contentHash(note('Client reports 12 days abstinent.\r\nSleeping better.'))).toBe(reference);
    expect(contentHash(note('Client reports 12 days abstinent.\rSleeping better.'))).toBe(reference);
  });

  it('treats NFC and NFD of the same text alike', () => {
    const nfc = 'Se siente más tranquila; habló con su mamá.'.normalize('NFC');
    const nfd = nfc.normalize('NFD');
    expect(nfd).not.toBe(nfc);
    expect(contentHash(note(nfd))).toBe(contentHash(note(nfc)));
  });

  it.each([
    ['one character', note('Client reports 13 days abstinent.\nSleeping better.')],
    ['a trailing space', note('Client reports 12 days abstinent.\nSleeping better. ')],
    ['a blank line', note('Client reports 12 days abstinent.\n\nSleeping better.')],
    [
      'the modality',
      note('Client reports 12 days abstinent.\nSleeping better.', {
        encounter: { date: '2026-03-02', startTime: '09:00', endTime: '09:50', modality: 'phone' },
      }),
    ],
    ['the template version', note('Client reports 12 days abstinent.\nSleeping better.', { templateVersion: 2 })],
    [
      'a number that became a string',
      { ...note('Client reports 12 days abstinent.\nSleeping better.'), templateVersion: '1' },
    ],
  ])('changes when content changes: %s', (_name, changed) => {
    expect(contentHash(changed)).not.toBe(reference);
  });
});
