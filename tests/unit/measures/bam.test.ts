import { describe, expect, it } from 'vitest';
import { BAM_DEFINITION, BAM_GROUPS, type BamResponses, scoreBam } from '../../../src/shared/measures';

/** A fully answered BAM (categorical form, every item 0–4; item 14 is 0 or 4). */
const EXAMPLE: BamResponses = {
  q1: 2, // physical health good
  q2: 3, // trouble sleeping 9–15 nights
  q3: 1, // upset 1–3 days
  q4: 1, // alcohol 1–3 days
  q5: 1, // heavy drinking 1–3 days
  q6: 0, // no drug days
  q8: 2, // cravings moderately
  q9: 3, // confidence considerable
  q10: 4, // meetings 16–30 days
  q11: 1, // risky situations 1–3 days
  q12: 2, // spirituality moderately
  q13: 4, // work/school 16–30 days
  q14: 4, // enough income: yes
  q15: 0, // arguments not at all
  q16: 3, // supportive contact 9–15 days
  q17: 3, // satisfaction considerable
};

describe('BAM (Brief Addiction Monitor, VA categorical form)', () => {
  it('reports the three groups of a known example and never a total', () => {
    const result = scoreBam(EXAMPLE);
    // Use 4+5+6 = 1+1+0; Risk 1+2+3+8+11+15 = 2+3+1+2+1+0; Protective 9+10+12+13+14+16 = 3+4+2+4+4+3.
    expect(result.use).toMatchObject({ status: 'complete', sum: 2, max: 12, flagged: true });
    expect(result.risk).toMatchObject({ status: 'complete', sum: 9, max: 24, flagged: false });
    expect(result.protective).toMatchObject({ status: 'complete', sum: 20, max: 24, flagged: false });
    expect(result.use).toMatchObject({ anyAlcohol: true, heavyAlcohol: true, anyDrug: false, anyUse: true });
    expect(result.satisfaction).toBe(3);
    expect(result).not.toHaveProperty('total');
    expect(result.items).toEqual(EXAMPLE);
  });

  it('uses exactly the published item groups', () => {
    expect(BAM_GROUPS).toEqual({
      use: ['q4', 'q5', 'q6'],
      risk: ['q1', 'q2', 'q3', 'q8', 'q11', 'q15'],
      protective: ['q9', 'q10', 'q12', 'q13', 'q14', 'q16'],
    });
    const grouped = new Set<string>(Object.values(BAM_GROUPS).flat());
    // Items 7A–7G and 17 are in no group; every other item is in exactly one.
    const numbered = BAM_DEFINITION.items.map((item) => item.id).filter((id) => !grouped.has(id));
    expect(numbered).toEqual(['q7a', 'q7b', 'q7c', 'q7d', 'q7e', 'q7f', 'q7g', 'q17']);
    expect(Object.values(BAM_GROUPS).flat()).toHaveLength(15);
  });

  it('item 17 and the drug-type items never change a group sum', () => {
    const base = scoreBam({ ...EXAMPLE, q6: 2 });
    const more = scoreBam({ ...EXAMPLE, q6: 2, q7e: 4, q7a: 1, q17: 0 });
    expect(more.use).toMatchObject({ sum: base.use.status === 'complete' ? base.use.sum : -1 });
    expect(more.risk).toEqual(base.risk);
    expect(more.protective).toEqual(base.protective);
    expect(more.use.drugTypesUsed).toEqual(['q7a', 'q7e']);
  });

  it('all-zero answers: no use, risk 0, protective 0 (flagged as low protection)', () => {
    const zeros = Object.fromEntries(
      BAM_DEFINITION.items.filter((item) => item.scored).map((item) => [item.id, 0]),
    ) as BamResponses;
    const result = scoreBam(zeros);
    expect(result.use).toMatchObject({ sum: 0, flagged: false, anyUse: false });
    expect(result.risk).toMatchObject({ sum: 0, flagged: false });
    expect(result.protective).toMatchObject({ sum: 0, flagged: true });
  });

  it('maximum answers: use 12, risk 24, protective 24', () => {
    const max = Object.fromEntries(
      BAM_DEFINITION.items.filter((item) => item.scored).map((item) => [item.id, 4]),
    ) as BamResponses;
    const result = scoreBam(max);
    expect(result.use).toMatchObject({ sum: 12 });
    expect(result.risk).toMatchObject({ sum: 24, flagged: true });
    expect(result.protective).toMatchObject({ sum: 24, flagged: false });
  });

  it('cut-off edges: risk 12 is flagged and 11 is not; protective 12 is flagged and 13 is not', () => {
    const risk12 = scoreBam({ ...EXAMPLE, q1: 4, q2: 4, q3: 2, q8: 1, q11: 1, q15: 0 });
    const risk11 = scoreBam({ ...EXAMPLE, q1: 4, q2: 4, q3: 1, q8: 1, q11: 1, q15: 0 });
    expect(risk12.risk).toMatchObject({ sum: 12, flagged: true });
    expect(risk11.risk).toMatchObject({ sum: 11, flagged: false });
    const prot12 = scoreBam({ ...EXAMPLE, q9: 2, q10: 2, q12: 2, q13: 2, q14: 4, q16: 0 });
    const prot13 = scoreBam({ ...EXAMPLE, q9: 2, q10: 2, q12: 2, q13: 2, q14: 4, q16: 1 });
    expect(prot12.protective).toMatchObject({ sum: 12, flagged: true });
    expect(prot13.protective).toMatchObject({ sum: 13, flagged: false });
  });

  it('a clinic may change the cut-offs (validated)', () => {
    const result = scoreBam(EXAMPLE, { cutoffs: { useAtLeast: 3, riskAtLeast: 9, protectiveAtMost: 20 } });
    expect(result.use).toMatchObject({ flagged: false });
    expect(result.risk).toMatchObject({ flagged: true });
    expect(result.protective).toMatchObject({ flagged: true });
    expect(() => scoreBam(EXAMPLE, { cutoffs: { useAtLeast: 1, riskAtLeast: 30, protectiveAtMost: 12 } })).toThrow();
  });

  it('skip logic: item 5 left blank after 0 drinking days counts as 0 (and is marked implied)', () => {
    const { q5: _omit, ...rest } = EXAMPLE;
    const result = scoreBam({ ...rest, q4: 0 });
    expect(result.use).toMatchObject({ status: 'complete', sum: 0, heavyAlcohol: false, anyUse: false });
    expect(result.impliedItems).toEqual({ q5: 0 });
    expect(result.items).not.toHaveProperty('q5');
  });

  it('item 5 left blank after some drinking days is missing, not implied', () => {
    const { q5: _omit, ...rest } = EXAMPLE;
    const result = scoreBam(rest);
    expect(result.use).toMatchObject({ status: 'incomplete', missingItems: ['q5'], anyAlcohol: true, anyUse: true });
    expect(result.impliedItems).toEqual({});
  });

  it('missing items make only their own group incomplete', () => {
    const { q1: _a, q16: _b, ...rest } = EXAMPLE;
    const result = scoreBam(rest);
    expect(result.risk).toEqual({ status: 'incomplete', missingItems: ['q1'] });
    expect(result.protective).toEqual({ status: 'incomplete', missingItems: ['q16'] });
    expect(result.use).toMatchObject({ status: 'complete', sum: 2 });
  });

  it('anyUse is unknown (null) when no use is reported but a use item is unanswered', () => {
    const result = scoreBam({ q4: 0, q5: 0 });
    expect(result.use.anyUse).toBeNull();
    expect(result.use.anyDrug).toBeNull();
  });

  it.each([
    ['heavy drinking without drinking days', { q4: 0, q5: 2 }],
    ['a drug type without drug days', { q6: 0, q7c: 1 }],
    ['income answered 2 (only No = 0 or Yes = 4)', { q14: 2 }],
    ['out of range', { q2: 5 }],
    ['unknown item', { q18: 1 }],
  ])('rejects %s', (_name, responses) => {
    expect(() => scoreBam(responses as unknown as BamResponses)).toThrow();
  });
});
