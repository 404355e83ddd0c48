import { describe, expect, it } from 'vitest';
import { asciiJson } from '../../../src/server/sync/ascii-json';

const utf8 = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const allAscii = (bytes: Uint8Array) => bytes.every((byte) => byte < 0x80);

describe('asciiJson: a pull page in ASCII, the same JSON value', () => {
  it('returns an all-ASCII page as it is, without copying it', () => {
    const bytes = utf8('{"text":"plain \\"quoted\\" \\\\ text","n":[1,2.5,null]}');
    expect(asciiJson(bytes)).toBe(bytes);
  });

  it('writes every character beyond ASCII as a \\u escape, a surrogate pair above U+FFFF', () => {
    const value = {
      name: 'Zoë',
      note: 'client’s “plan”',
      city: '北京',
      plant: '🌱',
      sep: '\u2028',
      mixed: 'a\u00e9b\\"c',
    };
    const out = asciiJson(utf8(JSON.stringify(value)));
    expect(allAscii(out)).toBe(true);
    expect(decode(out)).toContain('"Zo\\u00eb"');
    expect(decode(out)).toContain('"\\ud83c\\udf31"');
    expect(JSON.parse(decode(out))).toEqual(value);
  });

  it('keeps a note content that is itself JSON text (protocol 2) the same text once parsed', () => {
    const content = JSON.stringify({ sections: { s: { f: { type: 'text', value: 'Señora García “dijo” — 😀' } } } });
    const page = JSON.stringify([{ op: 'put', data: { content } }]);
    const out = asciiJson(utf8(page));
    expect(allAscii(out)).toBe(true);
    const [change] = JSON.parse(decode(out)) as Array<{ data: { content: string } }>;
    expect(change!.data.content).toBe(content);
  });

  it('gives the same value as the input for text of every width, wherever the characters fall', () => {
    // Deterministic variety: one-, two-, three- and four-byte characters at every position of a
    // short string, next to quotes and backslashes.
    const pieces = ['a', 'é', '’', '€', '北', '🌱', '"', '\\', '\n', ' '];
    const strings: string[] = [];
    for (let i = 0; i < pieces.length; i += 1)
      for (let j = 0; j < pieces.length; j += 1)
        strings.push(pieces[i]! + pieces[j]! + pieces[(i + j) % pieces.length]!);
    const out = asciiJson(utf8(JSON.stringify(strings)));
    expect(allAscii(out)).toBe(true);
    expect(JSON.parse(decode(out))).toEqual(strings);
  });

  it('escapes a character that straddles the spans it checks at once (4 KiB), and pages of many spans', () => {
    // The JSON text starts with `["`: a prefix of `offset` letters puts the next character's
    // bytes at 2 + offset, across the 4,096-byte boundary for some of these.
    for (let offset = 4088; offset <= 4096; offset += 1) {
      for (const character of ['é', '€', '🌱']) {
        const value = ['a'.repeat(offset) + character + 'z', character];
        const out = asciiJson(utf8(JSON.stringify(value)));
        expect(allAscii(out), `${offset} ${character}`).toBe(true);
        expect(JSON.parse(decode(out))).toEqual(value);
      }
    }
    const long = Array.from({ length: 300 }, (_, i) => `${'x'.repeat(i * 37)}’${i % 7 === 0 ? '🌱' : ''}`);
    const out = asciiJson(utf8(JSON.stringify(long)));
    expect(allAscii(out)).toBe(true);
    expect(JSON.parse(decode(out))).toEqual(long);
  });

  it('leaves input that is not valid UTF-8 unchanged (the reader decodes it as before)', () => {
    for (const bad of [
      [0x22, 0xc3, 0x22], // a lead byte without its continuation
      [0x22, 0x80, 0x22], // a lone continuation byte
      [0x22, 0xc0, 0xaf, 0x22], // an overlong form of '/'
      [0x22, 0xed, 0xa0, 0x80, 0x22], // an encoded surrogate
      [0x22, 0xf0, 0x9f, 0x8c], // cut short at the end
      [...new Array<number>(5000).fill(0x61), 0xe2, 0x80], // cut short, after an all-ASCII span
    ]) {
      const bytes = new Uint8Array(bad);
      expect(asciiJson(bytes)).toBe(bytes);
    }
  });
});
