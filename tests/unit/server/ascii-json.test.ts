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

  it('leaves input that is not valid UTF-8 unchanged (the reader decodes it as before)', () => {
    for (const bad of [
      [0x22, 0xc3, 0x22], // a lead byte without its continuation
      [0x22, 0x80, 0x22], // a lone continuation byte
      [0x22, 0xc0, 0xaf, 0x22], // an overlong form of '/'
      [0x22, 0xed, 0xa0, 0x80, 0x22], // an encoded surrogate
      [0x22, 0xf0, 0x9f, 0x8c], // cut short at the end
    ]) {
      const bytes = new Uint8Array(bad);
      expect(asciiJson(bytes)).toBe(bytes);
    }
  });
});
