import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { RawRow } from './pglite-raw-fields.js';

/**
 * One query on PostgreSQL whose fields come back as the bytes the server wrote (a `text` field:
 * its UTF-8; an `int4`: four bytes, big-endian), read with `COPY (query) TO STDOUT` in binary
 * format through pg-copy-streams: the same rows as ./pglite-raw-fields.ts gives on PGlite.
 *
 * Why: node-postgres decodes every field of an ordinary query into a string (its protocol reader
 * has no other mode). A pull page is one text field of ~2.6 MB of JSON (src/server/sync/pull.ts),
 * which the server then sends as bytes: for an initial sync, ~57 MB decoded from UTF-8 and
 * encoded back (~0.7 s of the server's CPU in a profile, most of it the decoding). COPY's binary
 * format hands the bytes over as they are.
 *
 * COPY takes no bind parameters, so each `$n` of `text` becomes a literal: numbers, booleans and
 * null as such, strings quoted by node-postgres's `escapeLiteral` (a caller's statement binds
 * scalars only; anything else is refused). `$n` inside quoted literals, quoted identifiers and
 * comments is left alone; the statement has no dollar-quoted or E'' strings (drizzle writes
 * none: values travel as parameters). The statement must be a query (SELECT or WITH … SELECT).
 */
export async function copyRawFields(pool: pg.Pool, text: string, params: readonly unknown[]): Promise<RawRow[]> {
  const statement = `COPY (${inlineParams(text, params)}) TO STDOUT (FORMAT binary)`;
  const client = await pool.connect();
  let failure: unknown;
  try {
    const chunks: Buffer[] = [];
    const stream = client.query(copyTo(statement));
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return binaryCopyRows(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    // A connection that failed mid-COPY may be in any state: it is closed, not reused.
    client.release(failure instanceof Error && !(failure instanceof CopyFormatError) ? failure : undefined);
  }
}

/** A COPY answer that is not the binary format this reads (a programming error, or a server bug). */
export class CopyFormatError extends Error {
  override readonly name = 'CopyFormatError';
}

/** `$1`, `$2`… outside quotes and comments replaced by their values as SQL literals. */
export function inlineParams(text: string, params: readonly unknown[]): string {
  let out = '';
  let at = 0;
  while (at < text.length) {
    const char = text[at]!;
    const next = text[at + 1];
    let end = at + 1;
    if (char === "'" || char === '"') {
      // A quoted literal or identifier; a doubled quote stays inside it.
      end = at + 1;
      for (;;) {
        const close = text.indexOf(char, end);
        if (close < 0) throw new TypeError('unterminated quote in the statement');
        end = close + 1;
        if (text[end] !== char) break;
        end += 1;
      }
    } else if (char === '-' && next === '-') {
      const close = text.indexOf('\n', at);
      end = close < 0 ? text.length : close;
    } else if (char === '/' && next === '*') {
      const close = text.indexOf('*/', at + 2);
      if (close < 0) throw new TypeError('unterminated comment in the statement');
      end = close + 2;
    } else if (char === '$' && next !== undefined && next >= '0' && next <= '9' && !/[\w$]/.test(text[at - 1] ?? '')) {
      end = at + 1;
      while (end < text.length && text[end]! >= '0' && text[end]! <= '9') end += 1;
      const index = Number(text.slice(at + 1, end)) - 1;
      if (index < 0 || index >= params.length) throw new TypeError(`the statement has no parameter $${index + 1}`);
      out += literal(params[index]);
      at = end;
      continue;
    }
    out += text.slice(at, end);
    at = end;
  }
  return out;
}

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'bigint') return `(${value.toString()})`;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('cannot inline a number that is not finite');
    return `(${String(value)})`;
  }
  if (typeof value === 'string') return pg.escapeLiteral(value);
  throw new TypeError(`copyRawFields cannot inline a parameter of type ${typeof value}`);
}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/**
 * The tuples of a binary COPY answer: the signature, flags and header extension, then per tuple
 * a field count and each field's length (-1: null) and bytes, until the trailer (-1). Each field
 * is a view into `data` (no copy).
 */
function binaryCopyRows(data: Buffer): RawRow[] {
  if (data.byteLength < 19 || !data.subarray(0, 11).equals(SIGNATURE))
    throw new CopyFormatError('not a binary COPY answer');
  let at = 11 + 4;
  at += 4 + data.readInt32BE(at);
  const rows: RawRow[] = [];
  for (;;) {
    if (at + 2 > data.byteLength) throw new CopyFormatError('a binary COPY answer without its trailer');
    const count = data.readInt16BE(at);
    at += 2;
    if (count === -1) return rows;
    const fields: Array<Uint8Array | null> = [];
    for (let i = 0; i < count; i += 1) {
      if (at + 4 > data.byteLength) throw new CopyFormatError('a truncated binary COPY answer');
      const size = data.readInt32BE(at);
      at += 4;
      if (size < 0) fields.push(null);
      else {
        if (at + size > data.byteLength) throw new CopyFormatError('a truncated binary COPY answer');
        fields.push(data.subarray(at, at + size));
        at += size;
      }
    }
    rows.push(fields);
  }
}
