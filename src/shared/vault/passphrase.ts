/**
 * Workstation passphrase rules and a strength estimate the lock screen can show while the
 * clinician types. Pure: runs in the renderer and in the core (which enforces the rule).
 *
 * The estimate is deliberately simple and conservative: entropy from the character classes
 * used, discounted for repeats, sequences and common words; long passphrases of several words
 * score well, short "complex" passwords do not.
 */
export const PASSPHRASE_MIN_LENGTH = 10;
export const PASSPHRASE_MAX_LENGTH = 1024;

export type PassphraseStrength = 0 | 1 | 2 | 3 | 4;

export interface PassphraseAssessment {
  /** Meets the hard rule (length). The core refuses anything where this is false. */
  acceptable: boolean;
  /** 0 very weak … 4 strong. */
  strength: PassphraseStrength;
  /** Rough entropy estimate in bits. */
  bits: number;
  /** Stable codes the UI translates. */
  problems: PassphraseProblem[];
}

export type PassphraseProblem =
  'too_short' | 'too_long' | 'repeated_characters' | 'sequence' | 'common_word' | 'single_character_class';

const COMMON = [
  'password',
  'passphrase',
  'qwerty',
  'letmein',
  'welcome',
  'continuum',
  'recovery',
  'clinic',
  'admin',
  'iloveyou',
  'monkey',
  'dragon',
  'football',
  'baseball',
  'sunshine',
  'princess',
  'abc123',
  '123456',
];

const SEQUENCES = ['abcdefghijklmnopqrstuvwxyz', '0123456789', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];

export function assessPassphrase(passphrase: string): PassphraseAssessment {
  const problems: PassphraseProblem[] = [];
  const chars = Array.from(passphrase);
  const length = chars.length;
  if (length < PASSPHRASE_MIN_LENGTH) problems.push('too_short');
  if (length > PASSPHRASE_MAX_LENGTH) problems.push('too_long');

  let pool = 0;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9\s]/, /\s/];
  const sizes = [26, 26, 10, 33, 1];
  let used = 0;
  classes.forEach((re, i) => {
    if (re.test(passphrase)) {
      pool += sizes[i] ?? 0;
      used += 1;
    }
  });
  if (chars.some((c) => c.charCodeAt(0) > 127)) pool += 64;
  if (used <= 1 && length > 0) problems.push('single_character_class');

  // Effective length: collapse runs of the same character and known sequences.
  let effective = 0;
  let previous = '';
  let runs = 0;
  for (const c of chars) {
    if (c === previous) runs += 1;
    else effective += 1;
    previous = c;
  }
  if (runs >= 3) problems.push('repeated_characters');

  const lower = passphrase.toLowerCase();
  let sequencePenalty = 0;
  for (const seq of SEQUENCES) {
    for (let size = seq.length; size >= 4; size -= 1) {
      for (let start = 0; start + size <= seq.length; start += 1) {
        const part = seq.slice(start, start + size);
        const reversed = Array.from(part).reverse().join('');
        if (lower.includes(part) || lower.includes(reversed)) {
          sequencePenalty = Math.max(sequencePenalty, size - 1);
        }
      }
    }
  }
  if (sequencePenalty > 0) problems.push('sequence');
  let wordPenalty = 0;
  for (const word of COMMON) {
    if (lower.includes(word)) wordPenalty += word.length - 1;
  }
  if (wordPenalty > 0) problems.push('common_word');

  effective = Math.max(0, effective - sequencePenalty - wordPenalty);
  const bits = pool > 0 ? Math.round(effective * Math.log2(pool)) : 0;
  const strength: PassphraseStrength =
    length < PASSPHRASE_MIN_LENGTH ? (bits >= 28 ? 1 : 0) : bits < 40 ? 1 : bits < 60 ? 2 : bits < 80 ? 3 : 4;
  return { acceptable: length >= PASSPHRASE_MIN_LENGTH && length <= PASSPHRASE_MAX_LENGTH, strength, bits, problems };
}
