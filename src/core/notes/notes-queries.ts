import { noteContentSchema, TIME_OF_DAY, type NoteContent } from '../../shared/notes/content';
import type { AddendumView, CosignState, NoteStatusFilter, NoteSummary } from '../../shared/notes/rpc';
import { addendumBodySchema, noteCosignSchema, noteSharingSchema, type NoteCosign } from '../../shared/sync/records';
import type { SqliteDatabase } from '../store/open-database';

/**
 * Read models of the notes feature over the encrypted cache: summaries (timeline, my drafts,
 * co-sign queue, search hits), and the rows a note's detail is built from. Visibility: a
 * protected note (SUD counseling / psychotherapy) is seen by its author, by the care team once
 * the author shared it, and by the author's supervisor while it waits for their co-signature:
 * the rule the clinic server applies before sending it (src/shared/notes/protection.ts), applied
 * here again.
 */
export interface NoteRow {
  id: string;
  client_id: string;
  author_id: string;
  template_id: string | null;
  template_version: number | null;
  status: 'draft' | 'signed';
  cosign: string | null;
  sharing: string | null;
  is_protected: number;
  late_entry: number;
  content: string;
  content_hash: string | null;
  signed_at: string | null;
  signed_by: string | null;
  server_version: string | null;
  draft_revision: number;
  last_saved_device_id: string | null;
  last_saved_at: string | null;
  created_at: string;
  updated_at: string;
  session_date: string | null;
  session_time: string | null;
  client_name: string | null;
  author_name: string | null;
  author_supervisor_id: string | null;
  addendum_count: number;
  proposal_count: number;
  pending_sync: number;
  conflict: number;
}

const CLIENT_NAME = `trim(coalesce(nullif(trim(c.preferred_name), ''), c.given_name) || ' ' || c.family_name)`;

/** Columns of a summary; `@me` is the signed-in clinician. */
export const SUMMARY_COLUMNS = `
  n.id, n.client_id, n.author_id, n.template_id, n.template_version, n.status, n.cosign, n.sharing, n.is_protected,
  n.late_entry, n.content, n.content_hash, n.signed_at, n.signed_by, n.server_version, n.draft_revision,
  n.last_saved_device_id, n.last_saved_at, n.created_at, n.updated_at,
  CASE WHEN json_valid(n.content) THEN json_extract(n.content, '$.encounter.date') END AS session_date,
  CASE WHEN json_valid(n.content) THEN json_extract(n.content, '$.encounter.startTime') END AS session_time,
  ${CLIENT_NAME} AS client_name,
  s.display_name AS author_name, s.supervisor_id AS author_supervisor_id,
  (SELECT count(*) FROM note_addenda a WHERE a.note_id = n.id AND a.status = 'signed' AND a.proposal = 0) AS addendum_count,
  (SELECT count(*) FROM note_addenda a WHERE a.note_id = n.id AND a.proposal = 1 AND a.author_id = @me) AS proposal_count,
  (EXISTS (SELECT 1 FROM sync_outbox o WHERE o.status = 'pending' AND o.entity_type = 'note' AND o.entity_id = n.id)
   OR EXISTS (SELECT 1 FROM sync_outbox o JOIN note_addenda a ON o.entity_type = 'addendum' AND o.entity_id = a.id
              WHERE o.status = 'pending' AND a.note_id = n.id)
   OR (n.server_version IS NULL AND n.status = 'draft')) AS pending_sync,
  (EXISTS (SELECT 1 FROM sync_conflicts k WHERE k.entity_type = 'note' AND k.entity_id = n.id AND k.resolved_at IS NULL)
   OR EXISTS (SELECT 1 FROM sync_outbox o WHERE o.status = 'conflict' AND o.acked_at IS NULL
              AND o.entity_type = 'note' AND o.entity_id = n.id)) AS conflict`;

/** The client and author of a summary (after `session_notes n`). */
export const SUMMARY_JOINS = `LEFT JOIN clients c ON c.id = n.client_id LEFT JOIN staff s ON s.id = n.author_id`;
export const SUMMARY_FROM = `session_notes n ${SUMMARY_JOINS}`;

/**
 * Who may see a note here (`noteVisibleTo` in src/shared/notes/protection.ts, with `s` the
 * author's staff row): a note that is not protected, one's own, one the author shared with the
 * care team, one needing one's co-signature as the author's supervisor. The server sends the
 * supervisor a protected note only while it waits for them and withdraws it once the
 * co-signature reached it; here it stays readable until then (the co-signature just given is
 * shown, not refused as not found).
 */
export const VISIBLE = `(n.is_protected = 0 OR n.author_id = @me
  OR coalesce(CASE WHEN json_valid(n.sharing) THEN json_extract(n.sharing, '$.careTeam') END, 0) = 1
  OR (s.supervisor_id = @me AND CASE WHEN json_valid(n.cosign) THEN json_extract(n.cosign, '$.required') END = 1))`;

export function statusCondition(status: NoteStatusFilter | undefined): string | null {
  switch (status) {
    case 'draft':
      return `n.status = 'draft'`;
    case 'signed':
      return `n.status = 'signed'`;
    case 'cosignPending':
      return `n.status = 'signed' AND json_extract(n.cosign, '$.required') AND coalesce(json_extract(n.cosign, '$.status'), 'pending') = 'pending'`;
    case 'returned':
      return `n.status = 'signed' AND json_extract(n.cosign, '$.status') = 'returned'`;
    default:
      return null;
  }
}

export function parseCosign(raw: string | null): NoteCosign | null {
  if (!raw) return null;
  try {
    const parsed = noteCosignSchema.safeParse(JSON.parse(raw));
    return parsed.success && parsed.data.required ? parsed.data : null;
  } catch {
    return null;
  }
}

export function cosignState(cosign: NoteCosign | null): CosignState {
  if (!cosign?.required) return 'none';
  return cosign.status ?? 'pending';
}

export function parseContent(raw: string): NoteContent | null {
  try {
    const parsed = noteContentSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function iso(value: string): string {
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : new Date(0).toISOString();
}

/** Whether the author shared the note with the care team (a `NoteSharing` JSON). */
export function isShared(raw: string | null): boolean {
  if (!raw) return false;
  try {
    const parsed = noteSharingSchema.safeParse(JSON.parse(raw));
    return parsed.success && parsed.data.careTeam;
  } catch {
    return false;
  }
}

export function toSummary(row: NoteRow, me: string | null): NoteSummary {
  let templateId = row.template_id;
  let templateVersion = row.template_version;
  if (templateId === null || templateVersion === null) {
    const content = parseContent(row.content);
    templateId ??= content?.templateId ?? 'unknown';
    templateVersion ??= content?.templateVersion ?? 1;
  }
  return {
    id: row.id,
    clientId: row.client_id,
    clientName: row.client_name ?? '',
    templateId: templateId.slice(0, 48) || 'unknown',
    templateVersion: templateVersion > 0 ? templateVersion : 1,
    status: row.status,
    cosign: cosignState(parseCosign(row.cosign)),
    addendumCount: row.addendum_count,
    proposalCount: row.proposal_count,
    sessionDate: row.session_date && DATE.test(row.session_date) ? row.session_date : null,
    sessionTime: row.session_time && TIME_OF_DAY.test(row.session_time) ? row.session_time : null,
    authorId: row.author_id,
    authorName: row.author_name,
    isOwn: me !== null && row.author_id === me,
    isProtected: row.is_protected === 1,
    sharedWithCareTeam: isShared(row.sharing),
    lateEntry: row.late_entry === 1,
    signedAt: row.signed_at ? iso(row.signed_at) : null,
    updatedAt: iso(row.updated_at),
    pendingSync: row.pending_sync === 1,
    conflict: row.conflict === 1,
  };
}

/** One note's row, if this clinician may see it. */
export function noteRow(sqlite: SqliteDatabase, noteId: string, me: string | null): NoteRow | null {
  return (
    (sqlite
      .prepare(`SELECT ${SUMMARY_COLUMNS} FROM ${SUMMARY_FROM} WHERE n.id = @id AND ${VISIBLE}`)
      .get({ id: noteId, me }) as NoteRow | undefined) ?? null
  );
}

export interface ListFilter {
  clientId?: string | undefined;
  status?: NoteStatusFilter | undefined;
  mine?: boolean | undefined;
  limit?: number | undefined;
}

/** A client's notes timeline, or my drafts, newest session first. */
export function listNotes(sqlite: SqliteDatabase, filter: ListFilter, me: string | null): NoteSummary[] {
  const where = [VISIBLE];
  if (filter.clientId) where.push('n.client_id = @clientId');
  const status = statusCondition(filter.status);
  if (status) where.push(status);
  if (filter.mine) where.push('n.author_id = @me');
  const rows = sqlite
    .prepare(
      `SELECT ${SUMMARY_COLUMNS} FROM ${SUMMARY_FROM} WHERE ${where.join(' AND ')}
        ORDER BY coalesce(n.started_at, n.created_at) DESC, n.id LIMIT @limit`,
    )
    .all({ me, clientId: filter.clientId ?? null, limit: filter.limit ?? 200 }) as NoteRow[];
  return rows.map((row) => toSummary(row, me));
}

/** Signed notes waiting for this supervisor's co-signature (their supervisees' notes), oldest first. */
export function cosignQueue(sqlite: SqliteDatabase, me: string): NoteSummary[] {
  const rows = sqlite
    .prepare(
      `SELECT ${SUMMARY_COLUMNS} FROM ${SUMMARY_FROM}
        WHERE s.supervisor_id = @me AND ${statusCondition('cosignPending')}
        ORDER BY n.signed_at, n.id LIMIT 500`,
    )
    .all({ me }) as NoteRow[];
  return rows.map((row) => toSummary(row, me));
}

interface AddendumRow {
  id: string;
  author_id: string;
  author_name: string | null;
  body_text: string;
  body: string | null;
  status: 'draft' | 'signed';
  proposal: number;
  proposed_content: string | null;
  signed_at: string | null;
  content_hash: string | null;
  late_entry: number;
  pending_sync: number;
}

/** A note's signed addenda and this clinician's proposals, oldest first. */
export function addendaOf(sqlite: SqliteDatabase, noteId: string, me: string | null): AddendumView[] {
  const rows = sqlite
    .prepare(
      `SELECT a.id, a.author_id, s.display_name AS author_name, a.body_text, a.body, a.status, a.proposal,
              a.proposed_content, a.signed_at, a.content_hash, a.late_entry,
              EXISTS (SELECT 1 FROM sync_outbox o WHERE o.status = 'pending' AND o.entity_type = 'addendum'
                      AND o.entity_id = a.id) AS pending_sync
         FROM note_addenda a LEFT JOIN staff s ON s.id = a.author_id
        WHERE a.note_id = @noteId AND ((a.status = 'signed' AND a.proposal = 0) OR a.author_id = @me)
        ORDER BY coalesce(a.signed_at, a.created_at), a.id`,
    )
    .all({ noteId, me }) as AddendumRow[];
  return rows.map((row) => {
    let body = { text: row.body_text } as AddendumView['body'];
    if (row.body) {
      try {
        const parsed = addendumBodySchema.safeParse(JSON.parse(row.body));
        if (parsed.success) body = parsed.data;
      } catch {
        // keep the plain text
      }
    }
    return {
      id: row.id,
      authorId: row.author_id,
      authorName: row.author_name,
      body,
      state: row.proposal === 1 ? 'proposal' : row.status,
      signedAt: row.signed_at ? iso(row.signed_at) : null,
      contentHash: row.content_hash,
      lateEntry: row.late_entry === 1,
      proposedContent: row.proposal === 1 && row.proposed_content ? parseContent(row.proposed_content) : null,
      pendingSync: row.pending_sync === 1,
    };
  });
}

export function staffName(sqlite: SqliteDatabase, id: string | null): string | null {
  if (!id) return null;
  return (sqlite.prepare('SELECT display_name FROM staff WHERE id = ?').pluck().get(id) as string | undefined) ?? null;
}
