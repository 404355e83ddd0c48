import { describe, expect, it } from 'vitest';
import { assessPassphrase, PASSPHRASE_MIN_LENGTH } from '../../src/shared/vault/passphrase';

describe('assessPassphrase', () => {
  it('requires at least 10 characters', () => {
    expect(PASSPHRASE_MIN_LENGTH).toBe(10);
    expect(assessPassphrase('Ab3$efgh9').acceptable).toBe(false);
    expect(assessPassphrase('Ab3$efgh9').problems).toContain('too_short');
    expect(assessPassphrase('abcdefghij').acceptable).toBe(true);
  });

  it('rates predictable passphrases low and long multi-word ones high', () => {
    expect(assessPassphrase('aaaaaaaaaaaa').strength).toBeLessThanOrEqual(1);
    expect(assessPassphrase('password1234').strength).toBeLessThanOrEqual(1);
    expect(assessPassphrase('abcdefghijkl').problems).toContain('sequence');
    expect(assessPassphrase('qwerty123456').strength).toBeLessThanOrEqual(1);
    expect(assessPassphrase('violet tractor Humming 47 lanterns').strength).toBe(4);
    expect(assessPassphrase('Tr4v3l-m0ss').strength).toBeGreaterThanOrEqual(2);
  });

  it('is monotonic enough to drive a meter: adding words never lowers the score', () => {
    let last = 0;
    let phrase = 'granite';
    for (const word of ['orbit', 'Kettle', 'seven', 'marsh!', 'quietly']) {
      phrase += ` ${word}`;
      const { strength } = assessPassphrase(phrase);
      expect(strength).toBeGreaterThanOrEqual(last);
      last = strength;
    }
    expect(last).toBe(4);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(assessPassphrase('ñandú 😀 árbol').acceptable).toBe(true);
    expect(assessPassphrase('😀😀😀😀😀').acceptable).toBe(false);
  });
});
