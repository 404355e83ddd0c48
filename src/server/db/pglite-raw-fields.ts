import type { PGlite } from '@electric-sql/pglite';

/**
 * One statement on PGlite through the PostgreSQL wire protocol, with results in binary format:
 * each field comes back as the bytes the database wrote (a `text` field: its UTF-8), without
 * becoming a JavaScript string.
 *
 * Why: a pull page is one text field of ~2.6 MB of JSON (src/server/sync/pull.ts). Through
 * `query()`, PGlite decodes it into a string (UTF-8 → UTF-16) and the HTTP answer encodes it back
 * into bytes; for an initial sync that is ~57 MB each way (~1.3 s of the server's CPU in a
 * profile, the profiler's overhead included; BENCHMARKS.md, "Sync"). Here the field's bytes are
 * sliced out of PGlite's answer and sent as they are.
 *
 * Exclusivity is PGlite's own for `query()`: no other query runs meanwhile, and the statement
 * never runs inside another caller's open transaction (PGlite has one session).
 */
export type RawRow = ReadonlyArray<Uint8Array | null>;

/** An error the database reported (the wire's ErrorResponse: its message and SQLSTATE), or a reply that does not parse. */
export class PgliteRawError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'PgliteRawError';
  }
}

/** Parameters travel as text, as PGlite's own `query()` sends a value it has no serialiser for. */
type Param = string | number | bigint | boolean | null;

export async function queryRawFields(client: PGlite, text: string, params: readonly unknown[]): Promise<RawRow[]> {
  const values = params.map(toParam).map((value) => (value === null ? null : String(value)));
  const message = extendedQuery(text, values);
  await client.waitReady;
  if (client.closed) throw new PgliteRawError('the database is closed', undefined);
  const chunks: Uint8Array[] = [];
  await client._runExclusiveTransaction(() =>
    client._runExclusiveQuery(() =>
      // `execProtocolRawStream`, not `execProtocolRaw`: the latter also runs every message of the
      // reply through PGlite's own protocol parser (for its errors, notices and notifications),
      // which decodes each DataRow field into a string, the 57 MB of an initial sync included
      // (~0.6 s of the server's CPU in a profile). Each chunk is a view of PGlite's memory, valid
      // during the callback only: copied. What the parser is skipped for: a statement of this
      // module's callers only reads (no NOTIFY of its own), and PGlite delivers a notification in
      // the reply of the call whose transaction commits it, never in a later call's.
      client.execProtocolRawStream(message, { syncToFs: false, onRawData: (chunk) => chunks.push(chunk.slice()) }),
    ),
  );
  return dataRows(chunks.length === 1 ? chunks[0]! : concat(chunks));
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, chunk) => n + chunk.byteLength, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

function toParam(value: unknown): Param {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return value;
  // A statement of this module's callers binds only scalars; anything else is a programming error.
  throw new TypeError(`queryRawFields cannot bind a parameter of type ${typeof value}`);
}

/**
 * Parse (the unnamed statement, parameter types inferred), Bind (parameters as text, every
 * result column in binary format), Execute and Sync, as one message buffer. Written here rather
 * than with PGlite's `protocol.serialize.bind`, whose `binary` option (0.5.16) sends the count of
 * result format codes without the code itself.
 */
function extendedQuery(text: string, values: ReadonlyArray<string | null>): Uint8Array {
  const encoder = new TextEncoder();
  const query = encoder.encode(text);
  const encoded = values.map((value) => (value === null ? null : encoder.encode(value)));
  const parse = 4 + 1 + query.byteLength + 1 + 2;
  const bind = 4 + 1 + 1 + 2 + 2 + encoded.reduce((n, value) => n + 4 + (value?.byteLength ?? 0), 0) + 2 + 2;
  const execute = 4 + 1 + 4;
  const sync = 4;
  const out = new Uint8Array(4 + parse + bind + execute + sync);
  const view = new DataView(out.buffer);
  let at = 0;
  const byte = (value: number) => view.setUint8(at++, value);
  const int16 = (value: number) => {
    view.setInt16(at, value);
    at += 2;
  };
  const int32 = (value: number) => {
    view.setInt32(at, value);
    at += 4;
  };
  const bytes = (value: Uint8Array) => {
    out.set(value, at);
    at += value.byteLength;
  };
  byte(0x50); // 'P': unnamed statement, the query, no parameter types
  int32(parse);
  byte(0);
  bytes(query);
  byte(0);
  int16(0);
  byte(0x42); // 'B': unnamed portal and statement, parameters in text, results in binary
  int32(bind);
  byte(0);
  byte(0);
  int16(0);
  int16(encoded.length);
  for (const value of encoded) {
    if (value === null) int32(-1);
    else {
      int32(value.byteLength);
      bytes(value);
    }
  }
  int16(1);
  int16(1);
  byte(0x45); // 'E': all rows
  int32(execute);
  byte(0);
  int32(0);
  byte(0x53); // 'S'
  int32(sync);
  return out;
}

const DATA_ROW = 0x44; // 'D'
const ERROR_RESPONSE = 0x45; // 'E'

/**
 * The DataRow messages of a reply, each field a view into the reply (no copy). An ErrorResponse
 * throws its message. Other messages (ParseComplete, BindComplete, CommandComplete,
 * ReadyForQuery, notices) carry nothing a caller needs.
 */
function dataRows(reply: Uint8Array): RawRow[] {
  const view = new DataView(reply.buffer, reply.byteOffset, reply.byteLength);
  const rows: RawRow[] = [];
  let error: PgliteRawError | null = null;
  for (let at = 0; at + 5 <= reply.byteLength;) {
    const type = reply[at]!;
    const length = view.getInt32(at + 1);
    const body = at + 5;
    const end = at + 1 + length;
    if (length < 4 || end > reply.byteLength) throw new PgliteRawError('PGlite sent a truncated reply', undefined);
    if (type === DATA_ROW) {
      const count = view.getInt16(body);
      const fields: Array<Uint8Array | null> = [];
      let p = body + 2;
      for (let i = 0; i < count; i += 1) {
        const size = view.getInt32(p);
        p += 4;
        if (size < 0) fields.push(null);
        else {
          fields.push(reply.subarray(p, p + size));
          p += size;
        }
      }
      rows.push(fields);
    } else if (type === ERROR_RESPONSE && !error) {
      error = errorOf(reply.subarray(body, end));
    }
    at = end;
  }
  if (error) throw error;
  return rows;
}

/** An ErrorResponse's fields: a type byte, then a NUL-terminated string, until a NUL type. */
function errorOf(body: Uint8Array): PgliteRawError {
  const decoder = new TextDecoder();
  const fields = new Map<string, string>();
  for (let at = 0; at < body.byteLength && body[at] !== 0;) {
    const type = String.fromCharCode(body[at]!);
    const stop = body.indexOf(0, at + 1);
    const end = stop < 0 ? body.byteLength : stop;
    fields.set(type, decoder.decode(body.subarray(at + 1, end)));
    at = end + 1;
  }
  return new PgliteRawError(fields.get('M') ?? 'PGlite reported an error', fields.get('C'));
}

/** A binary `int4` field (anything else is a statement that no longer says `::int`: an error). */
export function int4(field: Uint8Array | null | undefined): number | null {
  if (!field) return null;
  if (field.byteLength !== 4)
    throw new PgliteRawError(`expected an int4 field, got ${field.byteLength} bytes`, undefined);
  return new DataView(field.buffer, field.byteOffset, 4).getInt32(0);
}

/** A binary `text` field as a string (for short fields; long ones stay bytes). */
export const text = (field: Uint8Array | null | undefined): string | null =>
  field ? new TextDecoder().decode(field) : null;
