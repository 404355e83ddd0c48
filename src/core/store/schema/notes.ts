import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { AddendumBody, NoteCosign, NoteSharing } from '../../../shared/sync/records';
import { appointments } from './appointments';
import { clients, staff } from './staff-clients';
import { createdAt, id, serverVersion, updatedAt } from './common';

export const NOTE_TEMPLATES = ['SOAP', 'DAP', 'BIRP', 'GIRP', 'GROUP'] as const;
/**
 * `sud_counseling` and `psychotherapy` notes are the separately protected note types
 * (psychotherapy notes under HIPAA, SUD counseling notes under 42 CFR Part 2): excluded from
 * exports and from default search, see `isProtected`.
 */
export const NOTE_TYPES = [
  'progress',
  'intake',
  'group',
  'medication_management',
  'sud_counseling',
  'psychotherapy',
] as const;
export type NoteTemplate = (typeof NOTE_TEMPLATES)[number];
export type NoteType = (typeof NOTE_TYPES)[number];

export interface ModalitySwitch {
  at: string;
  from: 'video' | 'phone' | 'in_person';
  to: 'video' | 'phone' | 'in_person';
  reason?: string;
}

export interface VerifiedLocation {
  /** Where the client physically is for this session (emergency dispatch goes here). */
  address: string;
  verifiedAt: string;
  callbackPhone?: string;
  localEmergencyNumber?: string;
}

/** Template-defined sections, e.g. {"S": "...", "O": "...", "A": "...", "P": "..."}. */
export type NoteContent = Record<string, unknown>;

/**
 * One encounter's note. Lifecycle: draft → signed (locked; content hash, signer, time) →
 * optional co-signature → addenda. A signed note is never edited in place.
 *
 * Full-text search indexes the words of `content` (the `note_search` FTS5 table over the
 * `session_note_text` view, `note_text(content)`, kept in sync by triggers: see the custom
 * migrations 0001 and 0007). The words are computed from the content, never stored twice.
 */
export const sessionNotes = sqliteTable(
  'session_notes',
  {
    id: id(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    appointmentId: text('appointment_id').references(() => appointments.id),
    authorId: text('author_id')
      .notNull()
      .references(() => staff.id),
    noteType: text('note_type', { enum: NOTE_TYPES }).notNull(),
    template: text('template', { enum: NOTE_TEMPLATES }).notNull(),
    isProtected: integer('is_protected', { mode: 'boolean' }).notNull().default(false),
    /** The template (`content.templateId`, built-in or the clinic's) and its version. */
    templateId: text('template_id'),
    templateVersion: integer('template_version'),
    status: text('status', { enum: ['draft', 'signed'] })
      .notNull()
      .default('draft'),
    startedAt: text('started_at'),
    endedAt: text('ended_at'),
    modality: text('modality', { enum: ['video', 'phone', 'in_person'] }),
    modalitySwitches: text('modality_switches', { mode: 'json' }).$type<ModalitySwitch[]>(),
    clientLocation: text('client_location', { mode: 'json' }).$type<VerifiedLocation>(),
    participants: text('participants', { mode: 'json' }).$type<string[]>(),
    content: text('content', { mode: 'json' }).$type<NoteContent>().notNull(),
    riskScreening: text('risk_screening', { mode: 'json' }).$type<Record<string, unknown>>(),
    plan: text('plan'),
    nextAppointmentAt: text('next_appointment_at'),
    lateEntry: integer('late_entry', { mode: 'boolean' }).notNull().default(false),
    /** Increases with every saved draft revision (optimistic concurrency for autosave). */
    draftRevision: integer('draft_revision').notNull().default(0),
    signedAt: text('signed_at'),
    signedBy: text('signed_by').references(() => staff.id),
    /** SHA-256 (hex) over the canonical signed content. */
    contentHash: text('content_hash'),
    /** Co-signature state (records.ts `NoteCosign`); null: none needed. Changes on a signed note. */
    cosign: text('cosign', { mode: 'json' }).$type<NoteCosign>(),
    /**
     * The author's sharing of a protected note with the care team (records.ts `NoteSharing`);
     * null: never shared. Changes on a signed note too (it is not signed content).
     */
    sharing: text('sharing', { mode: 'json' }).$type<NoteSharing>(),
    /** The device that last saved this draft on the clinic server, and when (server's record). */
    lastSavedDeviceId: text('last_saved_device_id'),
    lastSavedAt: text('last_saved_at'),
    serverVersion: serverVersion(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('session_notes_author_status_idx').on(t.authorId, t.status, t.updatedAt),
    index('session_notes_client_time_idx').on(t.clientId, t.createdAt),
    index('session_notes_status_idx').on(t.status, t.updatedAt),
    index('session_notes_appointment_idx').on(t.appointmentId),
  ],
);

/** Per-member section of a group note. */
export const groupNoteSections = sqliteTable(
  'group_note_sections',
  {
    id: id(),
    noteId: text('note_id')
      .notNull()
      .references(() => sessionNotes.id, { onDelete: 'cascade' }),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    content: text('content', { mode: 'json' }).$type<NoteContent>().notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [index('group_note_sections_note_idx').on(t.noteId), index('group_note_sections_client_idx').on(t.clientId)],
);

/** Author signatures and supervisor co-signatures of notes and addenda. */
export const noteSignatures = sqliteTable(
  'note_signatures',
  {
    id: id(),
    noteId: text('note_id')
      .notNull()
      .references(() => sessionNotes.id, { onDelete: 'cascade' }),
    addendumId: text('addendum_id').references(() => noteAddenda.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['author', 'cosign'] }).notNull(),
    signerId: text('signer_id')
      .notNull()
      .references(() => staff.id),
    signedAt: text('signed_at').notNull(),
    contentHash: text('content_hash').notNull(),
    serverVersion: serverVersion(),
  },
  (t) => [index('note_signatures_note_idx').on(t.noteId)],
);

/** An addendum: its own entry linked to a signed note, signed on its own. */
export const noteAddenda = sqliteTable(
  'note_addenda',
  {
    id: id(),
    noteId: text('note_id')
      .notNull()
      .references(() => sessionNotes.id, { onDelete: 'cascade' }),
    authorId: text('author_id')
      .notNull()
      .references(() => staff.id),
    bodyText: text('body_text').notNull(),
    /** The body as written (plain text and its rich-text document); its hash is `content_hash`. */
    body: text('body', { mode: 'json' }).$type<AddendumBody>(),
    status: text('status', { enum: ['draft', 'signed'] })
      .notNull()
      .default('draft'),
    /** An addendum proposal: text the server kept when the note was signed elsewhere first. */
    proposal: integer('proposal', { mode: 'boolean' }).notNull().default(false),
    /** A proposal's note content exactly as written on the other device. */
    proposedContent: text('proposed_content', { mode: 'json' }).$type<Record<string, unknown>>(),
    proposedFromSignature: text('proposed_from_signature', { mode: 'json' }).$type<{
      signedAt: string;
      contentHash: string;
    }>(),
    lateEntry: integer('late_entry', { mode: 'boolean' }).notNull().default(false),
    signedAt: text('signed_at'),
    contentHash: text('content_hash'),
    serverVersion: serverVersion(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('note_addenda_note_idx').on(t.noteId)],
);
