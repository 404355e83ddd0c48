import { randomUUID } from 'node:crypto';
import { copyForward, type PreviousNote } from '../../shared/notes/copy-forward';
import { type Encounter, MAX_NOTE_CONTENT_BYTES, type NoteContent } from '../../shared/notes/content';
import type { TemplateDefinition } from '../../shared/notes/templates/schema';
import { RpcError } from '../../shared/rpc/errors';
import type { SqliteDatabase } from '../store/open-database';
import type { Outbox } from '../sync/outbox';
import { projectNote } from '../sync/note-projection';
import { parseContent } from './notes-queries';
import { currentTemplate, findTemplate } from './templates';

/**
 * Drafts: creating one (encounter from the appointment, copy forward of the last plan, group
 * members) and saving one (autosave). Every save is durable when it returns: it is one SQLite
 * transaction (synchronous=FULL) with its outbox entry. The outbox keeps one unsent
 * `note.saveDraft` per note: a newer save replaces the text of an entry no push has taken yet.
 *
 * Group notes: the draft holds every member's section, so it stays on this workstation (no
 * outbox entry) until it is signed; signing files one note per attending member (signing.ts).
 */
export interface NewDraft {
  clientId: string;
  templateId: string;
  appointmentId?: string | undefined;
  copyForward?: boolean | undefined;
  memberIds?: string[] | undefined;
}

const localZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** A UTC instant as the date and HH:MM wall time in `zone`. */
export function wallClock(iso: string, zone: string): { date: string; time: string } | null {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return null;
  try {
    const parts = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    }).formatToParts(ms);
    const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
    return { date: `${part('year')}-${part('month')}-${part('day')}`, time: `${part('hour')}:${part('minute')}` };
  } catch {
    return null;
  }
}

const clientExists = (sqlite: SqliteDatabase, id: string): boolean =>
  sqlite.prepare('SELECT 1 FROM clients WHERE id = ?').get(id) !== undefined;

function encounterFor(
  sqlite: SqliteDatabase,
  input: NewDraft,
  template: TemplateDefinition,
  me: string,
  now: Date,
): Encounter {
  const timeZone = localZone();
  const encounter: Encounter = {
    date: wallClock(now.toISOString(), timeZone)?.date ?? now.toISOString().slice(0, 10),
    timeZone,
  };
  if (input.appointmentId) {
    const appointment = sqlite
      .prepare('SELECT client_id, starts_at, ends_at, modality FROM appointments WHERE id = ?')
      .get(input.appointmentId) as
      { client_id: string; starts_at: string; ends_at: string; modality: Encounter['modality'] } | undefined;
    if (!appointment || appointment.client_id !== input.clientId) {
      throw new RpcError('NOT_FOUND', 'This appointment is not on this workstation.');
    }
    const start = wallClock(appointment.starts_at, timeZone);
    const end = wallClock(appointment.ends_at, timeZone);
    if (start) {
      encounter.date = start.date;
      encounter.startTime = start.time;
    }
    if (end && end.date === start?.date) encounter.endTime = end.time;
    if (appointment.modality) encounter.modality = appointment.modality;
  }
  const clients = template.kind === 'group' ? (input.memberIds ?? [input.clientId]) : [input.clientId];
  encounter.participants = [
    { kind: 'clinician', refId: me },
    ...clients.map((refId) => ({ kind: 'client' as const, refId })),
  ];
  return encounter;
}

/**
 * Copy forward from the client's most recent note whose plan carries over into `draft` (newest
 * session first); the new content and the source note, or null when no note has a plan to copy.
 */
function copyFromLatest(
  sqlite: SqliteDatabase,
  clientId: string,
  template: TemplateDefinition,
  draft: NoteContent,
): { content: NoteContent; noteId: string } | null {
  const rows = sqlite
    .prepare(
      `SELECT id, content FROM session_notes WHERE client_id = ?
        ORDER BY coalesce(started_at, created_at) DESC, created_at DESC LIMIT 20`,
    )
    .all(clientId) as Array<{ id: string; content: string }>;
  const before = JSON.stringify(draft);
  for (const row of rows) {
    const content = parseContent(row.content);
    if (!content) continue;
    const previousTemplate = findTemplate(sqlite, content.templateId, content.templateVersion);
    if (!previousTemplate) continue;
    const previous: PreviousNote = { noteId: row.id, template: previousTemplate, content };
    const copied = copyForward(previous, template, draft);
    if (JSON.stringify(copied) !== before) return { content: copied, noteId: row.id };
  }
  return null;
}

export interface DraftRow {
  id: string;
  clientId: string;
  content: NoteContent;
  template: TemplateDefinition;
}

/** The first content of a new draft (encounter, members, copied plan). */
export function newDraftContent(
  sqlite: SqliteDatabase,
  input: NewDraft,
  me: string,
  now: Date,
): { template: TemplateDefinition; content: NoteContent; copiedFrom: string | null } {
  const template = currentTemplate(sqlite, input.templateId);
  if (!template) throw new RpcError('NOT_FOUND', 'There is no such note template on this workstation.');
  if (!clientExists(sqlite, input.clientId)) throw new RpcError('NOT_FOUND', 'This client is not on this workstation.');
  let members: NoteContent['members'];
  if (template.kind === 'group') {
    const ids = [...new Set([input.clientId, ...(input.memberIds ?? [])])];
    for (const id of ids) {
      if (!clientExists(sqlite, id)) throw new RpcError('NOT_FOUND', 'A group member is not on this workstation.');
    }
    members = Object.fromEntries(ids.map((id) => [id, { attended: true, sections: {} }]));
    input = { ...input, memberIds: ids };
  } else if (input.memberIds && input.memberIds.length > 0) {
    throw new RpcError('BAD_REQUEST', 'Only a group note has members.');
  }
  let content: NoteContent = {
    templateId: template.id,
    templateVersion: template.version,
    encounter: encounterFor(sqlite, input, template, me, now),
    sections: {},
    ...(members ? { members } : {}),
  };
  let copiedFrom: string | null = null;
  if (input.copyForward) {
    // Group notes: each member's plan comes from that member's own last note.
    const sources = template.kind === 'group' ? (input.memberIds ?? []) : [input.clientId];
    for (const clientId of sources) {
      const copied = copyFromLatest(sqlite, clientId, template, content);
      if (!copied) continue;
      content = copied.content;
      copiedFrom ??= copied.noteId;
    }
  }
  return { template, content, copiedFrom };
}

/** Insert a new draft row (inside the caller's transaction). */
export function insertDraft(
  sqlite: SqliteDatabase,
  draft: {
    id: string;
    clientId: string;
    authorId: string;
    appointmentId: string | null;
    template: TemplateDefinition;
    content: NoteContent;
  },
  now: string,
): void {
  const projection = projectNote(draft.content);
  sqlite
    .prepare(
      `INSERT INTO session_notes (id, client_id, appointment_id, author_id, note_type, template, is_protected,
          template_id, template_version, status, started_at, ended_at, modality, content,
          draft_revision, late_entry, created_at, updated_at)
       VALUES (@id, @client_id, @appointment_id, @author_id, @note_type, @template, @is_protected,
          @template_id, @template_version, 'draft', @started_at, @ended_at, @modality, @content,
          1, 0, @now, @now)`,
    )
    .run({
      id: draft.id,
      client_id: draft.clientId,
      appointment_id: draft.appointmentId,
      author_id: draft.authorId,
      note_type: projection.noteType,
      template: projection.template,
      is_protected: projection.isProtected || draft.template.protected ? 1 : 0,
      template_id: draft.template.id,
      template_version: draft.template.version,
      started_at: projection.startedAt,
      ended_at: projection.endedAt,
      modality: projection.modality,
      content: JSON.stringify(draft.content),
      now,
    });
}

/**
 * Refuse content longer than a note may be (NOTE_TOO_LONG), before anything is written: every
 * saved draft is pushed to the clinic server as one change, so a note is kept within what a push
 * carries (`MAX_NOTE_CONTENT_BYTES`). The editor keeps the text and says why it was not saved.
 * Returns the content's JSON, which is what the cache stores (`updateDraft`: serialised once per
 * save), and its size, which the editor shows as the note nears the limit.
 */
export function requireNoteFits(content: NoteContent): { json: string; bytes: number } {
  const json = JSON.stringify(content);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_NOTE_CONTENT_BYTES) {
    throw new RpcError(
      'NOTE_TOO_LONG',
      `This note is too long to save (${(bytes / 1048576).toFixed(1)} MB; at most ${MAX_NOTE_CONTENT_BYTES / 1048576} MB).`,
    );
  }
  return { json, bytes };
}

/**
 * Write a draft's new content (`contentJson`: its JSON, from `requireNoteFits`); the new revision
 * and time. Null when the note is not a draft.
 */
export function updateDraft(
  sqlite: SqliteDatabase,
  noteId: string,
  content: NoteContent,
  contentJson: string,
  now: string,
): { draftRevision: number; updatedAt: string } | null {
  const projection = projectNote(content);
  const row = sqlite
    .prepare(
      `UPDATE session_notes SET content = @content, started_at = @started_at,
          ended_at = @ended_at, modality = @modality, draft_revision = draft_revision + 1, updated_at = @now
        WHERE id = @id AND status = 'draft'
        RETURNING draft_revision AS draftRevision, updated_at AS updatedAt`,
    )
    .get({
      id: noteId,
      content: contentJson,
      started_at: projection.startedAt,
      ended_at: projection.endedAt,
      modality: projection.modality,
      now,
    }) as { draftRevision: number; updatedAt: string } | undefined;
  return row ?? null;
}

/**
 * Queue the draft's text for the clinic server: replaces the text of this note's unsent
 * `note.saveDraft` (autosave runs every second; the server needs the latest text only), else
 * adds one. `baseVersion` is the server version this workstation's copy is based on.
 */
export function queueDraft(
  outbox: Outbox,
  note: { id: string; clientId: string; serverVersion: string | null },
  content: NoteContent,
  extra: Record<string, unknown> = {},
): number {
  const baseVersion = note.serverVersion === null ? null : Number(note.serverVersion);
  const mutation = {
    name: 'note.saveDraft' as const,
    clientId: note.clientId,
    args: { noteId: note.id, content, baseVersion, ...extra },
    entity: { type: 'note', id: note.id },
  };
  // A merge's conflict ids stay with the text that replaces it.
  const replaced = outbox.replaceUnsent(mutation, (previous, next) =>
    previous['resolvesConflicts'] !== undefined && next['resolvesConflicts'] === undefined
      ? { ...next, resolvesConflicts: previous['resolvesConflicts'] }
      : next,
  );
  return replaced ?? outbox.enqueue(mutation);
}

export const newNoteId = (): string => randomUUID();
