import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { and, eq, isNotNull, isNull, sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Change, PullResponse, SyncProtocolVersion } from '../../shared/sync/protocol.js';
import { CLINIC_WIDE_ENTITIES, NO_COSIGN } from '../../shared/sync/records.js';
import { appendAudit } from '../audit/chain.js';
import type { RequestPrincipal } from '../context.js';
import type { ServerDb } from '../db/database.js';
import {
  careAssignments,
  changes,
  clients,
  conflicts,
  notes,
  records,
  replicas,
  serverKeys,
  supervisions,
} from '../db/schema.js';
import { int4, queryRawFields, text, type RawRow } from '../db/pglite-raw-fields.js';
import { copyRawFields } from '../db/postgres-copy-fields.js';
import { ApiError } from '../errors.js';
import { STORED_ENTITIES } from '../records/store.js';
import { scopeAssignments, scopeCondition } from '../scope.js';
import { asciiJson } from './ascii-json.js';
import { pullNoteRules } from './note-visibility.js';
import { decodeCursor, encodeCursor, FEED_EPOCH_KEY, type PullCursor } from './cursor.js';
import type { PageBasis, PullAhead } from './pull-ahead.js';

/**
 * Removals this close before the cursor's assignment watermark are purged again: an assignment
 * change that committed just after a pull read the watermark is never missed (purges are
 * idempotent on the workstation).
 */
export const PURGE_MARGIN_US = 60_000_000;

/** Microseconds since the epoch of a timestamp column, in SQL (the cursor stores the same unit). */
const epochUs = (column: AnyPgColumn) => sql<number>`floor(extract(epoch from ${column}) * 1000000)::bigint`;

export interface PullInput {
  /** 2 and later: each note's content as JSON text (src/shared/sync/protocol.ts). */
  protocolVersion: SyncProtocolVersion;
  replicaId: string;
  cursor: string | null;
  limit: number;
}

/** How a page carries each note's content: as an object (protocol 1) or as its JSON text. */
export type NoteContentFormat = 'object' | 'text';
export const noteContentFormat = (protocolVersion: SyncProtocolVersion): NoteContentFormat =>
  protocolVersion >= 2 ? 'text' : 'object';

/** A timestamp column as the wire's ISO 8601 text in UTC with milliseconds (like `Date.toISOString()`). */
const isoText = (column: SQL | AnyPgColumn) =>
  sql`to_char(${column} at time zone 'UTC', ${sql.raw(`'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`)})`;

/**
 * A note's record (`noteRecordSchema`) as JSON with its content as an object (protocol 1),
 * built by the database. For protocol 2 (content as its JSON text) the trigger of migration 0011
 * builds the same record into `notes.pull_json` at every write: a change to the record's shape
 * changes both (tests/server/pull-json.test.ts compares them).
 */
const noteJsonV1 = sql`json_build_object(
  'id', ${notes.id}, 'clientId', ${notes.clientId}, 'authorId', ${notes.authorId}, 'status', ${notes.status},
  'content', ${notes.content}, 'contentHash', ${notes.contentHash}, 'signedAt', ${isoText(notes.signedAt)},
  'signedBy', ${notes.signedBy}, 'cosign', coalesce(${notes.cosign}, ${JSON.stringify(NO_COSIGN)}::jsonb),
  'lastSaved', case when ${notes.status} = 'draft' and ${notes.lastSavedDeviceId} is not null and ${notes.lastSavedAt} is not null
    then json_build_object('deviceId', ${notes.lastSavedDeviceId}, 'at', ${isoText(notes.lastSavedAt)}) end,
  'sharing', ${notes.sharing},
  'version', ${notes.version}, 'createdAt', ${isoText(notes.createdAt)}, 'updatedAt', ${isoText(notes.updatedAt)})`;

/** A conflict's record (`conflictRecordSchema`) as JSON, built by the database. */
const conflictJson = sql`json_build_object(
  'id', ${conflicts.id}, 'entity', ${conflicts.entity}, 'entityId', ${conflicts.entityId},
  'clientId', ${conflicts.clientId}, 'replicaId', ${conflicts.replicaId}, 'baseVersion', ${conflicts.baseVersion},
  'serverVersion', ${conflicts.serverVersion}, 'content', ${conflicts.content},
  'createdAt', ${isoText(conflicts.createdAt)}, 'resolvedAt', ${isoText(conflicts.resolvedAt)})`;

/** A change as JSON text (the page joins texts: these and the rows' `pull_json`). */
const change = (
  op: 'put' | 'delete',
  entity: SQL | string,
  id: AnyPgColumn,
  clientId: AnyPgColumn,
  version: SQL | AnyPgColumn,
  data?: SQL | AnyPgColumn,
) =>
  data
    ? sql`json_build_object('op', ${op}::text, 'entity', ${entity}::text, 'id', ${id}, 'clientId', ${clientId}, 'version', ${version}, 'data', ${data})::text`
    : sql`json_build_object('op', ${op}::text, 'entity', ${entity}::text, 'id', ${id}, 'clientId', ${clientId}, 'version', ${version})::text`;

export interface PageRow {
  /** Feed rows read (up to limit + 1: one more than a page says whether there is more). */
  read: number;
  /** The last feed row of the page (text: a bigint). */
  lastSeq: string | null;
  /**
   * The page's changes as JSON objects in feed order with a comma between each two, as UTF-8
   * that is all ASCII (./ascii-json.ts); empty when none. Kept as the database's pieces: the
   * answer copies them once, into its own buffer.
   */
  body: Uint8Array[];
  count: number;
  /** The distinct client ids of the page's changes, comma-separated; null when none. */
  clientIds: string | null;
}

/**
 * A pull answer: the JSON text of a `PullResponse` (src/shared/sync/protocol.ts) as the bytes
 * sent, all ASCII (./ascii-json.ts). The changes are JSON the database wrote, never parsed here.
 */
export type PullAnswerJson = Buffer & { readonly __pullAnswerJson: true };

/**
 * A pull's answer, and for an `ok` page its cursor and whether more follows (also in the JSON):
 * the route repeats them in headers, so a workstation can ask for the next page as soon as the
 * headers arrive, before it has read and parsed this one (docs/sync-protocol.md, "Pull").
 */
export interface PullAnswer {
  json: PullAnswerJson;
  next: { cursor: string; hasMore: boolean } | null;
}

const resyncAnswer = (reason: Extract<PullResponse, { status: 'resyncRequired' }>['reason']): PullAnswer => ({
  json: Buffer.from(JSON.stringify({ status: 'resyncRequired', reason } satisfies PullResponse)) as PullAnswerJson,
  next: null,
});

function okAnswer(answer: {
  /** JSON objects, comma-separated: the purges (ASCII: ids) and the page's body. */
  purgesJson: string;
  body: readonly Uint8Array[];
  cursor: string;
  hasMore: boolean;
  lastMutationId: number;
}): PullAnswerJson {
  const comma = answer.purgesJson !== '' && answer.body.length > 0 ? ',' : '';
  const head = Buffer.from(`{"status":"ok","changes":[${answer.purgesJson}${comma}`);
  const tail = Buffer.from(
    `],"cursor":${JSON.stringify(answer.cursor)},"hasMore":${answer.hasMore},"lastMutationId":${answer.lastMutationId}}`,
  );
  return Buffer.concat([head, ...answer.body, tail]) as PullAnswerJson;
}

const rowsOf = <T>(result: unknown): T[] => (result as { rows: T[] }).rows;

/**
 * One page of the feed after `afterSeq`, visible to the principal, with each change's JSON
 * from the record's current state, written by the database: PostgreSQL (or PGlite) writes the
 * answer's text and the server forwards it, instead of parsing every jsonb value into objects
 * and serialising them again (BENCHMARKS.md, "Sync"). Its first row is the page's summary
 * (rows read, last seq, client ids), then one row per change in feed order: PostgreSQL 15
 * sends one field of megabytes far more slowly than the same bytes in a thousand rows (~50 ms
 * against ~7 ms for a page's 2.6 MB, with psql as with node-postgres), so the changes are not
 * joined into one text in the database. A put is the row's `pull_json`, which a
 * trigger rebuilds at every write (migration 0011), except a note's for protocol 1 (content as
 * an object), built here; deletes and conflicts are built here. One statement. The rules are those of
 * the protocol: a change that a later one supersedes (its version is older than the record's)
 * is left out, a deleted record travels as a `delete`, a conflict goes to its author only, an
 * addendum proposal to its author only.
 */
export function pageQuery(
  principal: RequestPrincipal,
  afterSeq: number,
  scopeIds: readonly string[],
  limit: number,
  format: NoteContentFormat,
): SQL {
  const clinicWide = sql`(${changes.clientId} is null and ${changes.entity} in ${[...CLINIC_WIDE_ENTITIES]})`;
  const visible = scopeIds.length > 0 ? sql`(${changes.clientId} in ${scopeIds} or ${clinicWide})` : clinicWide;
  const stored = sql`k.entity in ${[...STORED_ENTITIES]}`;
  const proposal = sql`coalesce(${records.data} -> 'proposal' = 'true'::jsonb, false)`;
  // Protected notes go only to who may see them (note-visibility.ts).
  const prot = pullNoteRules(sql`k.entity`, records.data, principal.id);
  return sql`
    with page as (
      select ${changes.seq} as seq, ${changes.entity} as entity, ${changes.entityId} as entity_id,
             ${changes.version} as version, ${changes.op} as op
        from ${changes}
       where ${changes.seq} > ${afterSeq} and ${visible}
       order by ${changes.seq}
       limit ${limit + 1}
    ),
    kept as (select * from page order by seq limit ${limit}),
    out as (
      select k.seq,
             case when k.entity = 'note' then ${notes.clientId}
                  when k.entity = 'conflict' then ${conflicts.clientId}
                  else ${records.clientId} end as client_id,
             case when k.entity = 'note' then
                    case when ${notes.deletedAt} is not null or k.op = 'delete' or ${prot.noteAsDelete}
                         then ${change('delete', 'note', notes.id, notes.clientId, notes.version)}
                         else ${format === 'text' ? notes.pullJson : change('put', 'note', notes.id, notes.clientId, notes.version, noteJsonV1)} end
                  when k.entity = 'conflict' then ${change('put', 'conflict', conflicts.id, conflicts.clientId, sql`1`, conflictJson)}
                  when ${records.deletedAt} is not null
                    then ${change('delete', sql`${records.entity}`, records.id, records.clientId, records.version)}
                  else ${records.pullJson} end as change
        from kept k
        left join ${notes} on k.entity = 'note' and ${notes.id} = k.entity_id
        left join ${conflicts} on k.entity = 'conflict' and ${conflicts.id} = k.entity_id
        left join ${records} on ${stored} and ${records.id} = k.entity_id
        ${prot.join}
       where (k.entity = 'note' and ${notes.id} is not null and k.version >= ${notes.version} and ${prot.note})
          or (k.entity = 'conflict' and ${conflicts.id} is not null and ${conflicts.userId} = ${principal.id})
          or (${stored} and ${records.id} is not null and k.version >= ${records.version} and ${records.entity} = k.entity
              and (${records.entity} <> 'addendum' or not ${proposal} or ${records.data} -> 'authorId' = to_jsonb(${principal.id}::text))
              and ${prot.linkedRecord})
    )
    select "read", "lastSeq", "clientIds", change
      from (select 0 as part, 0::bigint as seq,
                   (select count(*)::int from page) as "read",
                   (select max(seq)::text from kept) as "lastSeq",
                   (select string_agg(distinct client_id::text, ',') from out) as "clientIds",
                   null::text as change
            union all
            select 1, seq, null, null, null, change from out) rows
     order by part, seq`;
}

const dialect = new PgDialect();

/**
 * One page (`pageQuery`), its JSON kept as bytes from the database to the socket: on PGlite
 * through its wire protocol with binary results (../db/pglite-raw-fields.ts), on PostgreSQL with
 * `COPY … TO STDOUT (FORMAT binary)` (../db/postgres-copy-fields.ts), where an ordinary query
 * would have node-postgres decode the text and the answer encode it back.
 */
async function readPage(
  db: ServerDb,
  principal: RequestPrincipal,
  afterSeq: number,
  scopeIds: readonly string[],
  limit: number,
  format: NoteContentFormat,
): Promise<PageRow> {
  const query = pageQuery(principal, afterSeq, scopeIds, limit, format);
  const client = (db as { $client?: unknown }).$client;
  if (client instanceof PGlite) {
    const { sql: statement, params } = dialect.sqlToQuery(query);
    return pageOf(await queryRawFields(client, statement, params));
  }
  if (client instanceof pg.Pool) {
    const { sql: statement, params } = dialect.sqlToQuery(query);
    return pageOf(await copyRawFields(client, statement, params));
  }
  // openDatabase (../db/database.ts) opens nothing else.
  throw new Error('the pull reads pages from PGlite or a node-postgres pool only');
}

const COMMA = Buffer.from(',');

/**
 * The page query's rows, their fields as bytes (binary: `int4` and `text` as the database wrote
 * them): the summary, then the changes.
 */
function pageOf(rows: readonly RawRow[]): PageRow {
  const [summary, ...changes] = rows;
  if (!summary) throw new Error('the page query returned no row');
  const [read, lastSeq, clientIds] = summary;
  const body: Uint8Array[] = [];
  for (const row of changes) {
    const change = row[3];
    if (!change) continue;
    if (body.length > 0) body.push(COMMA);
    body.push(asciiJson(change));
  }
  return {
    read: int4(read) ?? 0,
    lastSeq: text(lastSeq),
    body,
    count: changes.length,
    clientIds: text(clientIds),
  };
}

/**
 * One page of changes after the cursor in the caller's scope (sync-protocol.md). The page is a
 * range of `changes.seq`; each change carries the record's current state, and a change that a
 * later one supersedes is left out (the later one follows).
 */
export async function pullChanges(
  db: ServerDb,
  principal: RequestPrincipal,
  input: PullInput,
  now: Date,
  ahead: PullAhead<PageRow> | null = null,
): Promise<PullAnswer> {
  const audit = (outcome: 'ok' | 'denied', details: Record<string, string | number | null>, recordIds: string[] = []) =>
    appendAudit(
      db,
      {
        userId: principal.id,
        deviceId: principal.deviceId,
        action: 'sync.pull',
        outcome,
        recordType: 'client',
        recordIds,
        details: { replicaId: input.replicaId, ...details },
      },
      now,
    );

  // The cursor the replica sent (checked against the feed's head below), or none: a full pull.
  const sent = input.cursor === null ? null : decodeCursor(input.cursor);
  // The assignments that decide this caller's scope, removed ones included (scope.ts).
  const own = scopeAssignments(principal);
  // A client that joined the caller's scope after the cursor has history before it: the replica
  // pulls in full. Joining happens by an assignment, or (supervisors) by gaining a supervisee.
  const grown = sent
    ? sql`(exists (select 1 from ${careAssignments} where ${and(
        own,
        isNull(careAssignments.removedAt),
        sql`${epochUs(careAssignments.updatedAt)} > ${sent.assignmentsUs}`,
      )})${
        principal.role === 'supervisor'
          ? sql` or exists (select 1 from ${supervisions} where ${and(
              eq(supervisions.supervisorId, principal.id),
              isNull(supervisions.removedAt),
              sql`${epochUs(supervisions.updatedAt)} > ${sent.assignmentsUs}`,
            )})`
          : sql``
      })`
    : sql`false`;
  // The clients in scope (scope.ts; an admin has none).
  const scope =
    principal.role === 'admin'
      ? sql`null::text`
      : sql`(select string_agg(distinct ${careAssignments.clientId}::text, ',') from ${careAssignments}
              inner join ${clients} on ${clients.id} = ${careAssignments.clientId} where ${scopeCondition(principal)})`;
  // Clients whose assignment was removed (since the cursor, with a margin), and every client of
  // a clinician this caller stopped supervising (their scope came through them).
  const since = sent ? sent.assignmentsUs - PURGE_MARGIN_US : null;
  const left = sql`(select string_agg(u.client_id::text, ',') from (
      select ${careAssignments.clientId} as client_id from ${careAssignments} where ${and(
        own,
        isNotNull(careAssignments.removedAt),
        since !== null ? sql`${epochUs(careAssignments.updatedAt)} > ${since}` : undefined,
      )}
      union
      select ${careAssignments.clientId} as client_id from ${careAssignments}
        inner join ${supervisions} on ${supervisions.clinicianId} = ${careAssignments.userId}
       where ${and(
         eq(supervisions.supervisorId, principal.id),
         isNotNull(supervisions.removedAt),
         since !== null ? sql`${epochUs(supervisions.updatedAt)} > ${since}` : undefined,
       )}) as u)`;
  // One statement (one snapshot), where four once were (~7 ms of a PGlite server's time per
  // pull, BENCHMARKS.md): the replica, the feed's high-water mark, the newest scope-deciding
  // change the caller may have seen — their assignments (and their supervisees') and, for a
  // supervisor, the supervisions that began or ended — whether the scope grew since the cursor,
  // the scope, and the clients that left it. Every change at or below the high-water mark has
  // committed (pushes are serialised), so the page read after it sees all of them.
  const [marks] = rowsOf<{
    headSeq: string;
    assignmentsUs: string | null;
    supervisionsUs: string | null;
    replicaUserId: string | null;
    replicaDeviceId: string | null;
    lastMutationId: number | null;
    grown: boolean;
    scopeIds: string | null;
    leftIds: string | null;
    feedEpoch: string | null;
  }>(
    await db.execute(sql`
      select (select coalesce(max(${changes.seq}), 0)::text from ${changes}) as "headSeq",
             (select max(${epochUs(careAssignments.updatedAt)})::text from ${careAssignments} where ${own}) as "assignmentsUs",
             (select max(${epochUs(supervisions.updatedAt)})::text from ${supervisions}
               where ${supervisions.supervisorId} = ${principal.id}) as "supervisionsUs",
             r.user_id as "replicaUserId", r.device_id as "replicaDeviceId", r.last_mutation_id as "lastMutationId",
             ${grown} as "grown", ${scope} as "scopeIds", ${left} as "leftIds",
             (select ${serverKeys.secret} from ${serverKeys} where ${serverKeys.name} = ${FEED_EPOCH_KEY}) as "feedEpoch"
        from (select 1) as one
        left join ${replicas} r on r.replica_id = ${input.replicaId}`),
  );
  if (!marks) throw new Error('the pull basis query returned no row');
  const replica =
    marks.replicaUserId !== null && marks.replicaDeviceId !== null
      ? { userId: marks.replicaUserId, deviceId: marks.replicaDeviceId, lastMutationId: marks.lastMutationId ?? 0 }
      : null;
  if (replica && !(replica.userId === principal.id && replica.deviceId === principal.deviceId)) {
    await audit('denied', { reason: 'REPLICA_OF_ANOTHER_DEVICE' });
    throw new ApiError('FORBIDDEN', 'This replica belongs to another device.');
  }
  const headSeq = Number(marks.headSeq);

  let cursor: PullCursor | null = null;
  if (input.cursor !== null) {
    cursor = sent;
    // A cursor beyond the feed's head, or of another epoch, names changes of a history this
    // database no longer has (it was restored from a backup): the replica starts again.
    if (!cursor || cursor.seq > headSeq || cursor.epoch !== (marks.feedEpoch ?? null)) {
      await audit('denied', { reason: 'CURSOR_UNKNOWN' });
      return resyncAnswer('CURSOR_UNKNOWN');
    }
  }
  const assignmentsUs = Math.max(Number(marks.assignmentsUs ?? 0), Number(marks.supervisionsUs ?? 0));

  if (cursor && marks.grown) {
    await audit('ok', { reason: 'SCOPE_CHANGED' });
    return resyncAnswer('SCOPE_CHANGED');
  }

  // In the order clientsInScope gives (scope.ts): by id.
  const scopeIds = marks.scopeIds ? marks.scopeIds.split(',').sort() : [];
  const inScope = new Set(scopeIds);
  const purgeIds = [...new Set(marks.leftIds ? marks.leftIds.split(',') : [])]
    .filter((clientId) => !inScope.has(clientId))
    .sort();
  const purges: Change[] = purgeIds.map((clientId) => ({ op: 'purgeClient', clientId }));

  // Changes about clients in scope, and clinic-wide records (staff) for everyone. The feed is
  // read in seq order from the cursor on the primary key (or the (client_id, seq) index).
  // A page read ahead (pull-ahead.ts) when nothing has changed since; otherwise read now.
  const pageBasis: PageBasis = {
    userId: principal.id,
    deviceId: principal.deviceId,
    replicaId: input.replicaId,
    afterSeq: cursor?.seq ?? 0,
    limit: input.limit,
    noteContent: noteContentFormat(input.protocolVersion),
    scopeIds,
    assignmentsUs,
  };
  const read = (afterSeq: number) => readPage(db, principal, afterSeq, scopeIds, input.limit, pageBasis.noteContent);
  const page = (await ahead?.take(pageBasis, headSeq)?.catch(() => null)) ?? (await read(pageBasis.afterSeq));
  const hasMore = page.read > input.limit;
  const lastSeq = hasMore ? Number(page.lastSeq ?? 0) : Math.max(headSeq, cursor?.seq ?? 0);
  if (hasMore) ahead?.ahead(pageBasis, headSeq, lastSeq, read);
  const clientIds = [...new Set([...purgeIds, ...(page.clientIds ? page.clientIds.split(',') : [])])];
  await audit('ok', { changes: purges.length + page.count, fromSeq: cursor?.seq ?? 0, toSeq: lastSeq }, clientIds);
  const purgesJson = purges.map((purge) => JSON.stringify(purge)).join(',');
  const next = { cursor: encodeCursor({ seq: lastSeq, assignmentsUs, epoch: marks.feedEpoch ?? null }), hasMore };
  return {
    json: okAnswer({ purgesJson, body: page.body, ...next, lastMutationId: replica?.lastMutationId ?? 0 }),
    next,
  };
}
