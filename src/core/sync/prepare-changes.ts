import { isAscii } from 'node:buffer';
import type { Change, PullResponse } from '../../shared/sync/protocol';
import { pulledNoteContent, pullResponseSchema } from '../../shared/sync/protocol';
import { isRecordEntity, recordSchemas, type RecordData } from '../../shared/sync/records';
import { projectNoteContent, type NoteContentProjection } from './note-projection';

/**
 * The part of applying pulled changes that needs no database: validating each record with its
 * schema and, for a note, its projection (text, times, template) and its content as the JSON the
 * cache stores. Pure, so it runs on the core's thread for an ordinary pull and in the pull
 * worker (./pull-worker.ts) for a full pull, where it is most of the CPU time that is not SQLite
 * (BENCHMARKS.md, "Sync"). Either way `applyChanges` (./apply-changes.ts) writes the result.
 *
 * A note crosses the thread boundary as strings (its content's JSON, its text), not as the
 * object graph of its content: copying strings between threads is a memcpy, copying 20,000
 * content trees is not. `toChange` gives back the change as pulled when the engine has to hold
 * it (a local change to the same record is pending).
 */
type PutChange = Extract<Change, { op: 'put' }>;
type PutHeader = Omit<PutChange, 'data'>;

export interface PreparedNote {
  /**
   * The validated content's JSON: the `session_notes.content` column. The text the server sent
   * (protocol 2), or the content serialised (protocol 1).
   */
  contentJson: string;
  projection: NoteContentProjection;
}

export type PreparedPut =
  /** A valid record of any type but a note: `data` is what its schema returned. */
  | (PutHeader & { prepared: 'record'; data: unknown })
  /** A valid note: its record without `content`, which is in `note.contentJson`. */
  | (PutHeader & { prepared: 'note'; data: Omit<RecordData<'note'>, 'content'>; note: PreparedNote })
  /** Not applied (a type this version does not know, or a record that does not fit): kept as pulled. */
  | (PutHeader & { prepared: 'skip'; reason: 'INVALID_RECORD' | 'UNSUPPORTED_ENTITY'; data: Record<string, unknown> });

export type PreparedChange = Exclude<Change, PutChange> | PreparedPut;

/** A pull answer whose changes are prepared. */
export type PreparedPullResponse =
  | (Omit<Extract<PullResponse, { status: 'ok' }>, 'changes'> & { changes: PreparedChange[] })
  | Extract<PullResponse, { status: 'resyncRequired' }>;

export function prepareChange(change: Change): PreparedChange {
  if (change.op !== 'put') return change;
  const { data, ...header } = change;
  if (!isRecordEntity(change.entity)) return { ...header, prepared: 'skip', reason: 'UNSUPPORTED_ENTITY', data };
  if (change.entity !== 'note') {
    const parsed = recordSchemas[change.entity].safeParse(data);
    return parsed.success
      ? { ...header, prepared: 'record', data: parsed.data }
      : { ...header, prepared: 'skip', reason: 'INVALID_RECORD', data };
  }
  // A note's content is its JSON text (protocol 2) or the object (1): validated as an object,
  // stored as the text.
  const content = pulledNoteContent(data['content']);
  const parsed = content ? recordSchemas.note.safeParse({ ...data, content: content.value }) : null;
  if (!content || !parsed?.success) return { ...header, prepared: 'skip', reason: 'INVALID_RECORD', data };
  const { content: value, ...rest } = parsed.data;
  return {
    ...header,
    prepared: 'note',
    data: rest,
    note: { contentJson: content.json, projection: projectNoteContent(value) },
  };
}

export function prepareChanges(changes: readonly Change[]): PreparedChange[] {
  return changes.map(prepareChange);
}

export function preparePull(response: PullResponse): PreparedPullResponse {
  return response.status === 'ok' ? { ...response, changes: prepareChanges(response.changes) } : response;
}

/**
 * A pull answer's body as received: decoded, parsed, its envelope validated and its changes
 * prepared. Null when it is not a pull answer (the caller reports BAD_RESPONSE).
 */
export function preparePullBody(body: Uint8Array): PreparedPullResponse | null {
  let json: unknown;
  try {
    json = JSON.parse(bodyText(body));
  } catch {
    return null;
  }
  const parsed = pullResponseSchema.safeParse(json);
  return parsed.success ? preparePull(parsed.data) : null;
}

/**
 * A body's text. The clinic server sends pull answers in ASCII (non-ASCII characters as JSON
 * escapes, src/server/sync/ascii-json.ts): such a body is read as Latin-1, which for ASCII is the
 * same text, made without decoding, and parses faster as a one-byte string. Anything else (an
 * older server) is decoded as UTF-8.
 */
function bodyText(body: Uint8Array): string {
  return isAscii(body)
    ? Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('latin1')
    : new TextDecoder().decode(body);
}

/** The change as the server sent it (validated where it was valid): what the engine holds back. */
export function toChange(change: PreparedChange): Change {
  if (change.op !== 'put') return change;
  const { op, entity, id, clientId, version } = change;
  const data =
    change.prepared === 'note'
      ? { ...change.data, content: JSON.parse(change.note.contentJson) as Record<string, unknown> }
      : (change.data as Record<string, unknown>);
  return { op, entity, id, clientId, version, data };
}
