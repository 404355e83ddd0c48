import { isAscii } from 'node:buffer';

/**
 * JSON text (UTF-8) with every character outside ASCII written as a `\uXXXX` escape (two, a
 * surrogate pair, above U+FFFF): the same JSON value, in bytes that are all ASCII.
 *
 * Why: the pull worker reads an all-ASCII page as a Latin-1 string, which Node makes without
 * decoding (bytes and characters are the same), and V8 parses one-byte strings faster than
 * two-byte ones. A single ’ or é anywhere in a 2.6 MB page (any Spanish note) otherwise costs a
 * full UTF-8 decode into a two-byte string: on the demo caseload's 31 pages, decoding and
 * parsing took ~0.41 s against ~0.10 s for the same pages escaped (BENCHMARKS.md, "Sync").
 *
 * Outside ASCII only occurs inside JSON strings (the grammar's own characters are ASCII, and an
 * escape's backslash is followed by an ASCII letter), so escaping byte sequences in place never
 * changes the structure. Input that is not valid UTF-8 comes back unchanged (the reader decodes
 * it as before). All-ASCII input is returned as it is, without a copy.
 */
export function asciiJson(bytes: Uint8Array): Uint8Array {
  if (isAscii(bytes)) return bytes;
  // Pass 1: where the sequences beyond ASCII are (start, length), each checked as UTF-8. Spans
  // of CHUNK bytes are skipped at memory speed when they are all ASCII (a page has a few such
  // characters in megabytes), and only the others are walked byte by byte.
  const sequences: number[] = [];
  let extra = 0;
  const n = bytes.length;
  for (let i = 0; i < n;) {
    const end = Math.min(i + CHUNK, n);
    if (isAscii(bytes.subarray(i, end))) {
      i = end;
      continue;
    }
    // A sequence may run past `end`: the walk goes on to its last byte.
    while (i < end) {
      if (bytes[i]! < 0x80) {
        i += 1;
        continue;
      }
      const length = sequenceLength(bytes, i);
      if (length === 0) return bytes;
      sequences.push(i, length);
      extra += (length === 4 ? 12 : 6) - length;
      i += length;
    }
  }
  // Pass 2: the ASCII between them copied, each sequence replaced by its escape(s).
  const out = new Uint8Array(n + extra);
  let o = 0;
  let run = 0;
  for (let k = 0; k < sequences.length; k += 2) {
    const at = sequences[k]!;
    const length = sequences[k + 1]!;
    out.set(bytes.subarray(run, at), o);
    o += at - run;
    const point = codePoint(bytes, at, length);
    if (point > 0xffff) {
      const v = point - 0x10000;
      o = writeEscape(out, o, 0xd800 + (v >> 10));
      o = writeEscape(out, o, 0xdc00 + (v & 0x3ff));
    } else {
      o = writeEscape(out, o, point);
    }
    run = at + length;
  }
  out.set(bytes.subarray(run, n), o);
  return out;
}

/** Bytes checked at once for being all ASCII before walking them one by one. */
const CHUNK = 4096;

/** The length of the valid UTF-8 sequence at `i` (2–4), or 0 when it is not one. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b = bytes[i]!;
  const length = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
  if (length === 0 || i + length > bytes.length) return 0;
  for (let k = 1; k < length; k += 1) if ((bytes[i + k]! & 0xc0) !== 0x80) return 0;
  const point = codePoint(bytes, i, length);
  // Overlong forms, surrogates and points beyond Unicode are not valid UTF-8.
  if (
    (length === 3 && (point < 0x800 || (point >= 0xd800 && point <= 0xdfff))) ||
    (length === 4 && (point < 0x10000 || point > 0x10ffff))
  )
    return 0;
  return length;
}

function codePoint(bytes: Uint8Array, i: number, length: number): number {
  const b = bytes[i]!;
  if (length === 2) return ((b & 0x1f) << 6) | (bytes[i + 1]! & 0x3f);
  if (length === 3) return ((b & 0x0f) << 12) | ((bytes[i + 1]! & 0x3f) << 6) | (bytes[i + 2]! & 0x3f);
  return ((b & 0x07) << 18) | ((bytes[i + 1]! & 0x3f) << 12) | ((bytes[i + 2]! & 0x3f) << 6) | (bytes[i + 3]! & 0x3f);
}

const HEX = [...'0123456789abcdef'].map((c) => c.charCodeAt(0));

function writeEscape(out: Uint8Array, o: number, unit: number): number {
  out[o] = 0x5c; // \
  out[o + 1] = 0x75; // u
  out[o + 2] = HEX[(unit >> 12) & 0xf]!;
  out[o + 3] = HEX[(unit >> 8) & 0xf]!;
  out[o + 4] = HEX[(unit >> 4) & 0xf]!;
  out[o + 5] = HEX[unit & 0xf]!;
  return o + 6;
}
