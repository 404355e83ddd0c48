import { z } from 'zod';
import { addendumBodySchema } from '../sync/records';
import { noteContentSchema, richTextNodeSchema, TIME_OF_DAY } from './content';
import { templateDefinitionSchema } from './templates/schema';

/**
 * The shapes the notes feature exchanges over RPC (registered in ../rpc/contract.ts as
 * `notes.*`). The core owns every rule (what may be signed, by whom, what is locked); the
 * renderer shows these shapes and sends edits. Content is `NoteContent` (./content.ts),
 * validated at the boundary.
 */
const uuid = z.uuid();
const isoTime = z.iso.datetime({ offset: true });
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

export const NOTE_STATUSES = ['draft', 'signed'] as const;
export type NoteStatus = (typeof NOTE_STATUSES)[number];

/** `none`: no co-signature needed. Otherwise the supervisor's queue state (records.ts NoteCosign). */
export const COSIGN_STATES = ['none', 'pending', 'cosigned', 'returned'] as const;
export type CosignState = (typeof COSIGN_STATES)[number];

/** Filters of the notes timeline / list and of search: `cosignPending` = signed, waiting for the supervisor. */
export const NOTE_STATUS_FILTERS = ['draft', 'signed', 'cosignPending', 'returned'] as const;
export type NoteStatusFilter = (typeof NOTE_STATUS_FILTERS)[number];

/** What a timeline row, a queue row and a search hit show about a note. */
export const noteSummarySchema = z.object({
  id: uuid,
  clientId: uuid,
  clientName: z.string(),
  templateId: z.string(),
  templateVersion: z.int().positive(),
  status: z.enum(NOTE_STATUSES),
  cosign: z.enum(COSIGN_STATES),
  /** Signed addenda. */
  addendumCount: z.int().nonnegative(),
  /** Addendum proposals waiting for their author (text kept when the note was signed elsewhere first). */
  proposalCount: z.int().nonnegative(),
  /** The encounter date (YYYY-MM-DD) when set. */
  sessionDate: isoDate.nullable(),
  /** The encounter's start time (HH:MM, the clinic's wall clock) when set: two notes on one day tell apart. */
  sessionTime: z.string().regex(TIME_OF_DAY).nullable(),
  authorId: uuid,
  authorName: z.string().nullable(),
  /** Written by the signed-in clinician. */
  isOwn: z.boolean(),
  /** SUD counseling / psychotherapy note: never exported by default, hidden from the care team. */
  isProtected: z.boolean(),
  /**
   * The author shared this protected note with the client's care team (`notes.setSharing`).
   * Absent means false (older cores); meaningful for protected notes only.
   */
  sharedWithCareTeam: z.boolean().optional(),
  lateEntry: z.boolean(),
  signedAt: isoTime.nullable(),
  updatedAt: isoTime,
  /** Local changes the clinic server has not acknowledged yet. */
  pendingSync: z.boolean(),
  /** Two devices edited this draft: the clinician must merge (see `notes.get` → `conflict`). */
  conflict: z.boolean(),
});
export type NoteSummary = z.infer<typeof noteSummarySchema>;

export const addendumViewSchema = z.object({
  id: uuid,
  authorId: uuid,
  authorName: z.string().nullable(),
  body: addendumBodySchema,
  /** `proposal`: text the server kept when this note was signed elsewhere first; its author adds or discards it. */
  state: z.enum(['draft', 'signed', 'proposal']),
  signedAt: isoTime.nullable(),
  contentHash: sha256Hex.nullable(),
  lateEntry: z.boolean(),
  /** For a proposal: the note content as it was written on the other device. */
  proposedContent: noteContentSchema.nullable(),
  pendingSync: z.boolean(),
});
export type AddendumView = z.infer<typeof addendumViewSchema>;

export const noteDetailSchema = noteSummarySchema.extend({
  content: noteContentSchema,
  /** Increases with every saved revision; `notes.saveDraft` sends the revision it edited. */
  draftRevision: z.int().nonnegative(),
  signature: z
    .object({ signerId: uuid, signerName: z.string().nullable(), signedAt: isoTime, contentHash: sha256Hex })
    .nullable(),
  cosignDetail: z
    .object({
      state: z.enum(COSIGN_STATES),
      /** Who co-signed or returned it, when. */
      byName: z.string().nullable(),
      at: isoTime.nullable(),
      /** The supervisor's comment when returned. */
      comment: z.string().nullable(),
      /** The signed-in user is this author's supervisor and may co-sign or return it now. */
      canDecide: z.boolean(),
    })
    .nullable(),
  addenda: z.array(addendumViewSchema),
  /**
   * Two devices edited this draft offline: `mine` is this workstation's text (kept), `theirs`
   * the text the server has. The clinician merges with `notes.resolveConflict`.
   */
  conflictDetail: z
    .object({ mine: noteContentSchema, theirs: noteContentSchema, theirsSavedAt: isoTime.nullable() })
    .nullable(),
  /**
   * This draft was last saved on another device (a change made there offline may not be here
   * yet): the editor says so. Null when this workstation saved last or the note is signed.
   */
  editedElsewhere: z.object({ at: isoTime }).nullable(),
  /** The signed-in clinician may edit this draft (author, in scope, not signed). */
  canEdit: z.boolean(),
});
export type NoteDetail = z.infer<typeof noteDetailSchema>;

export const noteTemplatesSchema = z.object({
  templates: z.array(
    z.object({
      definition: templateDefinitionSchema,
      builtIn: z.boolean(),
      /** Offered for new notes (older versions stay to render older notes). */
      active: z.boolean(),
    }),
  ),
});
export type NoteTemplates = z.infer<typeof noteTemplatesSchema>;

export const listNotesInputSchema = z
  .object({
    clientId: uuid.optional(),
    status: z.enum(NOTE_STATUS_FILTERS).optional(),
    /** Only the signed-in clinician's own notes (the "My drafts" list). */
    mine: z.boolean().optional(),
    limit: z.int().min(1).max(500).optional(),
  })
  .strict();

export const createDraftInputSchema = z
  .object({
    clientId: uuid,
    templateId: z.string().min(1).max(48),
    appointmentId: uuid.optional(),
    /** Bring the last note's plan into the new draft, marked as copied. */
    copyForward: z.boolean().optional(),
    /** Group notes: the attending members (clientId is the first). */
    memberIds: z.array(uuid).max(30).optional(),
  })
  .strict();

export const saveDraftInputSchema = z
  .object({
    noteId: uuid,
    content: noteContentSchema,
    /**
     * The `draftRevision` this edit started from. Older than the stored draft (a newer version
     * arrived while the editor was open) and with other text: the stored draft stays and this
     * text is kept beside it as a conflict to merge (`keptBeside` in the answer).
     */
    baseRevision: z.int().nonnegative(),
  })
  .strict();

export const savedDraftSchema = z.object({
  noteId: uuid,
  /** The revision the editor's next save is based on (unchanged when the text was kept beside). */
  draftRevision: z.int().nonnegative(),
  savedAt: isoTime,
  /** The text was kept beside a newer draft, as this workstation's side of a conflict. */
  keptBeside: z.literal(true).optional(),
  /** The saved content's size (its JSON in UTF-8 bytes), against `MAX_NOTE_CONTENT_BYTES`. */
  contentBytes: z.int().nonnegative(),
});
export type SavedDraftResult = z.infer<typeof savedDraftSchema>;

/** Signing asks for the workstation passphrase again (WRONG_PASSPHRASE when it does not match). */
export const signNoteInputSchema = z.object({ noteId: uuid, passphrase: z.string().min(1).max(1024) }).strict();

export const addAddendumInputSchema = z
  .object({
    noteId: uuid,
    addendumId: uuid,
    doc: richTextNodeSchema,
    passphrase: z.string().min(1).max(1024),
    /** Settles this addendum proposal (its text becomes this addendum). */
    proposalId: uuid.optional(),
  })
  .strict();

/**
 * An addendum being written, kept on this workstation only (never sent until signed): autosaved
 * like a draft note, so a lock, a crash or a closed window loses nothing. Text that is empty
 * once trimmed removes the draft. CONFLICT when the note is a draft; NOTE_LOCKED for an id
 * already signed.
 */
export const saveAddendumDraftInputSchema = z
  .object({ noteId: uuid, addendumId: uuid, doc: richTextNodeSchema })
  .strict();
export const savedAddendumDraftSchema = z.object({
  addendumId: uuid,
  /** Null when the empty text removed the draft. */
  savedAt: isoTime.nullable(),
});
export type SavedAddendumDraft = z.infer<typeof savedAddendumDraftSchema>;
export const discardAddendumDraftInputSchema = z.object({ noteId: uuid, addendumId: uuid }).strict();

export const cosignInputSchema = z.object({ noteId: uuid, passphrase: z.string().min(1).max(1024) }).strict();
export const returnNoteInputSchema = z.object({ noteId: uuid, comment: z.string().trim().min(1).max(2_000) }).strict();
export const resolveConflictInputSchema = z.object({ noteId: uuid, content: noteContentSchema }).strict();
export const discardProposalInputSchema = z.object({ noteId: uuid, proposalId: uuid }).strict();

/**
 * The author shares a protected note with the client's care team, or takes it back (the care
 * team's workstations then remove it at their next sync). Author only (FORBIDDEN otherwise).
 */
export const setNoteSharingInputSchema = z.object({ noteId: uuid, sharedWithCareTeam: z.boolean() }).strict();

export const searchNotesInputSchema = z
  .object({
    query: z.string().max(200),
    clientId: uuid.optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    templateId: z.string().max(48).optional(),
    status: z.enum(NOTE_STATUS_FILTERS).optional(),
    /** Include SUD counseling / psychotherapy notes (only the author's own are ever found). */
    includeProtected: z.boolean().optional(),
    limit: z.int().min(1).max(100).optional(),
  })
  .strict();

/** A search hit: the note and a snippet whose matched words are given as ranges (the UI marks them). */
export const noteSearchResultSchema = z.object({
  hits: z.array(
    z.object({
      note: noteSummarySchema,
      snippet: z.string(),
      /** [start, end) offsets into `snippet` of each matched term. */
      highlights: z.array(z.tuple([z.int().nonnegative(), z.int().nonnegative()])),
    }),
  ),
  /** The hit list was cut at `limit`. */
  more: z.boolean(),
});
export type NoteSearchResult = z.infer<typeof noteSearchResultSchema>;

export const exportPdfResultSchema = z.object({
  /** Where the PDF was written (the workstation's exports folder, readable only by this user). */
  path: z.string(),
  fileName: z.string(),
  bytes: z.int().positive(),
  pages: z.int().positive(),
});
export type ExportPdfResult = z.infer<typeof exportPdfResultSchema>;

export const noteIdInputSchema = z.object({ noteId: uuid }).strict();
