import { describe, expect, it } from 'vitest';
import { highlightRanges, MATCH_END, MATCH_START } from '../../../src/core/notes/search';

/** FTS5 snippets marked with private-use characters → a plain snippet and [start, end) ranges. */
const mark = (text: string) => `${MATCH_START}${text}${MATCH_END}`;
const marked = (snippet: string, ranges: Array<[number, number]>) => ranges.map(([a, b]) => snippet.slice(a, b));

describe('search highlights', () => {
  it('turns marked words into ranges of the plain snippet', () => {
    const result = highlightRanges(`…talked about ${mark('cravings')} at work and ${mark('craving')} plans…`);
    expect(result.snippet).toBe('…talked about cravings at work and craving plans…');
    expect(result.highlights).toEqual([
      [14, 22],
      [35, 42],
    ]);
    expect(marked(result.snippet, result.highlights)).toEqual(['cravings', 'craving']);
  });

  it('counts UTF-16 code units, as the renderer slices strings (accents, emoji, ellipsis)', () => {
    const result = highlightRanges(`😀 Señora ${mark('ansiedad')} ✓ ${mark('café')}`);
    expect(marked(result.snippet, result.highlights)).toEqual(['ansiedad', 'café']);
    expect(result.snippet).not.toMatch(/[\uE000\uE001]/);
  });

  it('merges adjacent matches into one range and ignores empty or unbalanced markers', () => {
    expect(highlightRanges(`${mark('safety')}${mark('plan')} reviewed`).highlights).toEqual([[0, 10]]);
    expect(highlightRanges(`a ${MATCH_START}${MATCH_END} b`)).toEqual({ snippet: 'a  b', highlights: [] });
    expect(highlightRanges(`${MATCH_END}dangling ${MATCH_START}open`)).toEqual({
      snippet: 'dangling open',
      highlights: [[9, 13]],
    });
  });

  it('leaves text without matches alone', () => {
    expect(highlightRanges('no match here')).toEqual({ snippet: 'no match here', highlights: [] });
    expect(highlightRanges('')).toEqual({ snippet: '', highlights: [] });
  });
});
