import { sha256Hex } from './sha256';

/**
 * Canonical serialization of note content, and its content hash (recorded at signing; shown on
 * the printed note). The same content gives the same bytes on every device and in every process.
 *
 * Policy (version 1, `CANONICAL_VERSION`):
 * - JSON values only: objects, arrays, strings, finite numbers, booleans, null. Properties whose
 *   value is `undefined` are omitted (as JSON.stringify does); any other value (a function, a
 *   NaN or infinite number, a bigint, a Date…) is an error, never silently dropped.
 * - Object keys are sorted by UTF-16 code units (the order of RFC 8785, JCS); arrays keep their
 *   order. Two keys that become equal after normalization are an error.
 * - Every string, keys included, is Unicode NFC-normalized, and its line endings are
 *   normalized: CRLF and lone CR become LF. Nothing else about whitespace changes: spaces,
 *   tabs, blank lines, leading and trailing whitespace are content (a signed note's text is
 *   hashed as the reader sees it, and we cannot know which whitespace the reader's view shows).
 * - Numbers use JavaScript's shortest round-trip form (JSON.stringify); -0 is written as 0.
 * - Strings are escaped as JSON.stringify escapes them; the text is hashed as UTF-8.
 *
 * Changing any rule changes hashes of signed notes: that needs a new version, never an edit.
 */
export const CANONICAL_VERSION = 1;

export class CanonicalizationError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(`${message} at ${path || '(root)'}`);
    this.name = 'CanonicalizationError';
  }
}

export function normalizeText(text: string): string {
  return text.replace(/\r\n?/g, '\n').normalize('NFC');
}

function write(value: unknown, path: string, seen: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(normalizeText(value));
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalizationError('a non-finite number', path);
      return Object.is(value, -0) ? '0' : JSON.stringify(value);
    case 'object': {
      if (seen.has(value)) throw new CanonicalizationError('a circular reference', path);
      seen.add(value);
      let out: string;
      if (Array.isArray(value)) {
        out = `[${value
          .map((item, index) => {
            if (item === undefined) throw new CanonicalizationError('undefined in an array', `${path}[${index}]`);
            return write(item, `${path}[${index}]`, seen);
          })
          .join(',')}]`;
      } else {
        const prototype = Object.getPrototypeOf(value) as unknown;
        if (prototype !== Object.prototype && prototype !== null)
          throw new CanonicalizationError('an object that is not plain data', path);
        const entries = new Map<string, unknown>();
        for (const [rawKey, child] of Object.entries(value)) {
          if (child === undefined) continue;
          const key = normalizeText(rawKey);
          if (entries.has(key)) throw new CanonicalizationError(`two keys normalize to "${key}"`, path);
          entries.set(key, child);
        }
        const keys = [...entries.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        out = `{${keys
          .map((key) => `${JSON.stringify(key)}:${write(entries.get(key), path ? `${path}.${key}` : key, seen)}`)
          .join(',')}}`;
      }
      seen.delete(value);
      return out;
    }
    default:
      throw new CanonicalizationError(`a ${typeof value} value`, path);
  }
}

/** The canonical JSON text of a value (see the policy above). */
export function canonicalize(value: unknown): string {
  return write(value, '', new Set());
}

/** SHA-256 (lowercase hex) of the canonical serialization of note content. */
export function contentHash(content: unknown): string {
  return sha256Hex(canonicalize(content));
}

/**
 * The same note content? Canonically: key order (PostgreSQL's jsonb reorders keys) and the
 * Unicode form of text do not count. Content that cannot be canonicalized is never "the same".
 */
export function sameContent(a: unknown, b: unknown): boolean {
  try {
    return canonicalize(a) === canonicalize(b);
  } catch {
    return false;
  }
}
