import type { NoteContent, RichTextNode } from '../../shared/notes/content';
import type {
  NoteDetail,
  NoteSearchResult,
  NoteSummary,
  NoteTemplates,
  SavedAddendumDraft,
  SavedDraftResult,
  ExportPdfResult,
} from '../../shared/notes/rpc';
import { RpcError } from '../../shared/rpc/errors';
import type { WorkstationStore } from '../store';
import type { SqliteDatabase } from '../store/open-database';
import type { Outbox } from '../sync/outbox';
import { sameContent } from '../../shared/notes/canonical';
import { discardAddendumDraft, saveAddendumDraft } from './addendum-drafts';
import { conflictDetail, keepBeside, markResolved, openConflictIds } from './conflicts';
import { exportNotePdf } from './export';
import { audit, currentUser, deviceIdOf, requireUser, type NotesDeps } from './context';
import {
  insertDraft,
  newDraftContent,
  newNoteId,
  queueDraft,
  requireNoteFits,
  updateDraft,
  type NewDraft,
} from './drafts';
import {
  addendaOf,
  cosignQueue,
  cosignState,
  isShared,
  listNotes,
  noteRow,
  parseContent,
  parseCosign,
  staffName,
  toSummary,
  type ListFilter,
  type NoteRow,
} from './notes-queries';
import { searchNotes, type SearchInput } from './search';
import {
  addAddendum,
  cosignNote,
  discardProposal,
  refuseLocked,
  returnNote,
  signDraft,
  type AddendumInput,
} from './signing';
import { findTemplate, templatesView } from './templates';

/**
 * RPC `notes.*` (src/shared/notes/rpc.ts): the session notes of the encrypted cache. Every read
 * of a note and every change is written to the local audit log (codes and ids only); every
 * change goes to the clinic server through the outbox, in the same transaction.
 */
export class NotesService {
  private readonly now: () => Date;

  constructor(private readonly deps: NotesDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  private store(): WorkstationStore {
    return this.deps.store();
  }

  private run<T>(work: (sqlite: SqliteDatabase, outbox: Outbox) => T): T {
    return this.deps.record((db, outbox) => work(db.$client, outbox));
  }

  templates(): NoteTemplates {
    return templatesView(this.store().sqlite);
  }

  list(filter: ListFilter): { notes: NoteSummary[] } {
    const store = this.store();
    const me = currentUser(this.deps, store.sqlite);
    const notes = listNotes(store.sqlite, filter, me);
    audit(store, me, {
      action: 'notes.listed',
      recordType: filter.clientId ? 'client' : null,
      recordId: filter.clientId ?? null,
      clientId: filter.clientId ?? null,
      detail: { count: notes.length, mine: filter.mine ?? false, status: filter.status ?? null },
    });
    return { notes };
  }

  /** One note with everything the editor and the reader show (audited as a view). */
  get(noteId: string): NoteDetail {
    const store = this.store();
    const me = currentUser(this.deps, store.sqlite);
    const detail = this.detail(store.sqlite, this.requireRow(store.sqlite, noteId, me), me);
    audit(store, me, { action: 'note.viewed', recordType: 'note', recordId: noteId, clientId: detail.clientId });
    return detail;
  }

  createDraft(input: NewDraft): NoteDetail {
    const store = this.store();
    const me = requireUser(this.deps, store.sqlite);
    if (!store.sqlite.prepare('SELECT 1 FROM staff WHERE id = ?').get(me)) {
      throw new RpcError('CONFLICT', 'Sync with the clinic server once before writing notes.');
    }
    const now = this.now();
    const { template, content, copiedFrom } = newDraftContent(store.sqlite, input, me, now);
    const id = newNoteId();
    this.run((sqlite, outbox) => {
      const stamp = now.toISOString();
      insertDraft(
        sqlite,
        { id, clientId: input.clientId, authorId: me, appointmentId: input.appointmentId ?? null, template, content },
        stamp,
      );
      // A group draft holds every member's section: it stays here until it is signed and filed.
      if (template.kind !== 'group') queueDraft(outbox, { id, clientId: input.clientId, serverVersion: null }, content);
    });
    audit(store, me, {
      action: 'note.draft_created',
      recordType: 'note',
      recordId: id,
      clientId: input.clientId,
      detail: { templateId: template.id, copiedFrom },
    });
    return this.detail(store.sqlite, this.requireRow(store.sqlite, id, me), me);
  }

  /** Autosave: on disk (encrypted) when this returns; NOTE_LOCKED for a signed note. */
  saveDraft(input: { noteId: string; content: NoteContent; baseRevision: number }): SavedDraftResult {
    const store = this.store();
    const me = requireUser(this.deps, store.sqlite);
    const row = this.requireRow(store.sqlite, input.noteId, me);
    this.requireDraftOf(store, row, me, 'saveDraft');
    if (input.content.templateId !== row.template_id || input.content.templateVersion !== row.template_version) {
      throw new RpcError('BAD_REQUEST', 'The content is not of this note’s template.');
    }
    const { json, bytes: contentBytes } = requireNoteFits(input.content);
    if (input.baseRevision < row.draft_revision && !sameContent(input.content, parseContent(row.content))) {
      return { ...this.keepStaleEdit(store, me, row, input), contentBytes };
    }
    const group = findTemplate(store.sqlite, row.template_id, row.template_version)?.kind === 'group';
    // The text, its outbox entry and the audit entry in one transaction: one durable commit (one
    // fsync) per autosave, and never a save without its audit entry.
    const saved = this.run((sqlite, outbox) => {
      const written = updateDraft(sqlite, row.id, input.content, json, this.now().toISOString());
      if (!written) return null;
      if (!group)
        queueDraft(outbox, { id: row.id, clientId: row.client_id, serverVersion: row.server_version }, input.content);
      audit(store, me, {
        action: 'note.draft_saved',
        recordType: 'note',
        recordId: row.id,
        clientId: row.client_id,
        detail: { revision: written.draftRevision },
      });
      return written;
    });
    if (!saved) refuseLocked(store, me, row, 'saveDraft');
    return {
      noteId: row.id,
      draftRevision: saved.draftRevision,
      savedAt: new Date(saved.updatedAt).toISOString(),
      contentBytes,
    };
  }

  /**
   * A save based on an older revision than the stored draft, with other text: a newer version
   * arrived while the editor was open. Last-writer-wins would silently drop the other device's
   * edit (here and, through the outbox, on the clinic server), so the stored draft stays and this
   * text is kept beside it as a conflict to merge (see `keepBeside`). The answer keeps the old
   * revision, so every further save from that editor lands beside the draft too.
   */
  private keepStaleEdit(
    store: WorkstationStore,
    me: string,
    row: NoteRow,
    input: { content: NoteContent; baseRevision: number },
  ): Omit<SavedDraftResult, 'contentBytes'> {
    const at = this.now().toISOString();
    this.run((sqlite) => {
      keepBeside(sqlite, row, input.content, at);
      audit(store, me, {
        action: 'note.draft_kept_beside',
        recordType: 'note',
        recordId: row.id,
        clientId: row.client_id,
        detail: { baseRevision: input.baseRevision, revision: row.draft_revision },
      });
    });
    return { noteId: row.id, draftRevision: input.baseRevision, savedAt: at, keptBeside: true };
  }

  async sign(noteId: string, passphrase: string): Promise<NoteDetail> {
    await this.deps.verifyPassphrase(passphrase);
    const store = this.store();
    const me = requireUser(this.deps, store.sqlite);
    const row = this.requireRow(store.sqlite, noteId, me);
    this.requireDraftOf(store, row, me, 'sign');
    if (openConflictIds(store.sqlite, row.id)) {
      throw new RpcError('CONFLICT', 'This draft was edited on two devices: merge the two versions before signing.');
    }
    const template =
      row.template_id && row.template_version
        ? findTemplate(store.sqlite, row.template_id, row.template_version)
        : null;
    if (!template)
      throw new RpcError('NOTE_INCOMPLETE', 'This note cannot be signed yet: template_mismatch templateId.');
    const { noteId: shown } = signDraft(store, (work) => this.run(work), row, template, me, this.now());
    return this.detail(store.sqlite, this.requireRow(store.sqlite, shown, me), me);
  }

  async addAddendum(noteId: string, input: AddendumInput & { passphrase: string }): Promise<NoteDetail> {
    await this.deps.verifyPassphrase(input.passphrase);
    const store = this.store();
    const me = requireUser(this.deps, store.sqlite);
    const row = this.requireRow(store.sqlite, noteId, me);
    addAddendum(store, (work) => this.run(work), row, input, me, this.now());
    return this.detail(store.sqlite, this.requireRow(store.sqlite, noteId, me), me);
  }

  /** Autosave of an addendum being written (this workstation only until signed). */
  saveAddendumDraft(input: { noteId: string; addendumId: string; doc: RichTextNode }): SavedAddendumDraft {
    const store = this.store();
    const me = requireUser(this.deps, store.sqlite);
    const row = this.requireRow(store.sqlite, input.noteId, me);
    return saveAddendumDraft(store, (work) => this.run(work), row, input, me, this.now());
  }

  discardAddendumDraft(noteId: string, addendumId: string): NoteDetail {
    const store = this.store();
    const me = requireUser(this.deps, store.sqlite);
    const row = this.requireRow(store.sqlite, noteId, me);
    discardAddendumDraft(store, (work) => this.run(work), row, addendumId, me);
    return this.detail(store.sqlite, this.requireRow(store.sqlite, noteId, me), me);
  }

  discardProposal(noteId: string, proposalId: string): NoteDetail {
    const store = this.store();
    const me = requireUser(this.deps, store.sqlite);
    const row = this.requireRow(store.sqlite, noteId, me);
    discardProposal(store, (work) => this.run(work), row, proposalId, me);
    return this.detail(store.sqlite, this.requireRow(store.sqlite, noteId, me), me);
  }

  cosignQueue(): { notes: NoteSummary[] } {
    const store = this.store();
    const me = currentUser(this.deps, store.sqlite);
    const notes = me ? cosignQueue(store.sqlite, me) : [];
    audit(store, me, { action: 'notes.cosign_queue_viewed', detail: { count: notes.length } });
    return { notes };
  }

  async cosign(noteId: string, passphrase: string): Promise<NoteDetail> {
    await this.deps.verifyPassphrase(passphrase);
    const store = this.store();
    const me = requireUser(this.deps, store.sqlite);
    const row = this.requireRow(store.sqlite, noteId, me);
    cosignNote(store, (work) => this.run(work), row, me, this.now());
    return this.detail(store.sqlite, this.requireRow(store.sqlite, noteId, me), me);
  }

  returnForRevision(noteId: string, comment: string): NoteDetail {
    const store = this.store();
    const me = requireUser(this.deps, store.sqlite);
    const row = this.requireRow(store.sqlite, noteId, me);
    returnNote(store, (work) => this.run(work), row, comment, me, this.now());
    return this.detail(store.sqlite, this.requireRow(store.sqlite, noteId, me), me);
  }

  /**
   * The author shares a protected note with the client's care team, or takes it back: written
   * here and queued as `note.setSharing` in one transaction (the server then sends the note to
   * the care team, or has their workstations remove it). Audited either way.
   */
  setSharing(noteId: string, sharedWithCareTeam: boolean): NoteDetail {
    const store = this.store();
    const me = requireUser(this.deps, store.sqlite);
    const row = this.requireRow(store.sqlite, noteId, me);
    if (row.author_id !== me) throw new RpcError('FORBIDDEN', 'Only the author may share this note.');
    if (row.is_protected !== 1) {
      throw new RpcError('BAD_REQUEST', 'Only a protected note is shared: the care team already sees this one.');
    }
    const changed = isShared(row.sharing) !== sharedWithCareTeam;
    if (changed) {
      const at = this.now().toISOString();
      this.run((sqlite, outbox) => {
        sqlite
          .prepare('UPDATE session_notes SET sharing = ? WHERE id = ?')
          .run(JSON.stringify({ careTeam: sharedWithCareTeam, at, by: me }), row.id);
        outbox.enqueue({
          name: 'note.setSharing',
          clientId: row.client_id,
          args: { noteId: row.id, sharedWithCareTeam, at },
          entity: { type: 'note', id: row.id },
        });
      });
    }
    audit(store, me, {
      action: 'note.sharing_changed',
      recordType: 'note',
      recordId: row.id,
      clientId: row.client_id,
      detail: { careTeam: sharedWithCareTeam, changed },
    });
    return this.detail(store.sqlite, this.requireRow(store.sqlite, noteId, me), me);
  }

  /** The clinician's merge becomes the draft, against the server's current version; the conflict is settled. */
  resolveConflict(noteId: string, content: NoteContent): NoteDetail {
    const store = this.store();
    const me = requireUser(this.deps, store.sqlite);
    const row = this.requireRow(store.sqlite, noteId, me);
    this.requireDraftOf(store, row, me, 'resolveConflict');
    const conflictIds = openConflictIds(store.sqlite, row.id);
    if (!conflictIds) throw new RpcError('CONFLICT', 'This draft has no conflict to resolve.');
    if (content.templateId !== row.template_id || content.templateVersion !== row.template_version) {
      throw new RpcError('BAD_REQUEST', 'The content is not of this note’s template.');
    }
    const { json } = requireNoteFits(content);
    this.run((sqlite, outbox) => {
      const at = this.now().toISOString();
      if (!updateDraft(sqlite, row.id, content, json, at)) refuseLocked(store, me, row, 'resolveConflict');
      markResolved(sqlite, row.id, conflictIds, at);
      queueDraft(outbox, { id: row.id, clientId: row.client_id, serverVersion: row.server_version }, content, {
        resolvesConflicts: conflictIds,
      });
    });
    audit(store, me, {
      action: 'note.conflict_resolved',
      recordType: 'note',
      recordId: row.id,
      clientId: row.client_id,
      detail: { conflicts: conflictIds.length },
    });
    return this.detail(store.sqlite, this.requireRow(store.sqlite, noteId, me), me);
  }

  search(input: SearchInput): NoteSearchResult {
    const store = this.store();
    const me = currentUser(this.deps, store.sqlite);
    const result = searchNotes(store.sqlite, input, me);
    // The query itself may be PHI (a name, a symptom): only that a search happened, and its size.
    audit(store, me, {
      action: 'notes.searched',
      recordType: input.clientId ? 'client' : null,
      recordId: input.clientId ?? null,
      clientId: input.clientId ?? null,
      detail: { hits: result.hits.length, includeProtected: input.includeProtected ?? false },
    });
    return result;
  }

  /** Print / PDF of one note (audited as `note.exported`). */
  async exportPdf(noteId: string): Promise<ExportPdfResult> {
    const store = this.store();
    const me = currentUser(this.deps, store.sqlite);
    const row = this.requireRow(store.sqlite, noteId, me);
    const template =
      row.template_id && row.template_version
        ? findTemplate(store.sqlite, row.template_id, row.template_version)
        : null;
    if (!template) throw new RpcError('CONFLICT', 'This note’s template is not on this workstation.');
    const note = this.detail(store.sqlite, row, me);
    const result = await exportNotePdf(store.sqlite, note, template, {
      me,
      language: this.deps.language(),
      exportsDir: this.deps.exportsDir,
      now: this.now(),
    });
    audit(this.store(), me, {
      action: 'note.exported',
      recordType: 'note',
      recordId: row.id,
      clientId: row.client_id,
      detail: { format: 'pdf', pages: result.pages, status: row.status, protected: row.is_protected === 1 },
    });
    return result;
  }

  // ---------------------------------------------------------------------------------------

  private requireRow(sqlite: SqliteDatabase, noteId: string, me: string | null): NoteRow {
    const row = noteRow(sqlite, noteId, me);
    if (!row) throw new RpcError('NOT_FOUND', 'This note is not on this workstation.');
    return row;
  }

  /** A draft of the signed-in clinician's; a signed note is refused (NOTE_LOCKED, audited). */
  private requireDraftOf(store: WorkstationStore, row: NoteRow, me: string, attempt: string): void {
    if (row.status === 'signed') refuseLocked(store, me, row, attempt);
    if (row.author_id !== me) throw new RpcError('FORBIDDEN', 'Only the author may edit a draft.');
  }

  private detail(sqlite: SqliteDatabase, row: NoteRow, me: string | null): NoteDetail {
    const content = parseContent(row.content);
    if (!content) throw new RpcError('CONFLICT', 'This note was written in a format this version cannot show.');
    const cosign = parseCosign(row.cosign);
    const deviceId = deviceIdOf(sqlite);
    const elsewhere =
      row.status === 'draft' &&
      row.last_saved_device_id !== null &&
      row.last_saved_at !== null &&
      row.last_saved_device_id !== deviceId;
    const signature =
      row.status === 'signed' && row.signed_by && row.signed_at && row.content_hash
        ? {
            signerId: row.signed_by,
            signerName: staffName(sqlite, row.signed_by),
            signedAt: new Date(row.signed_at).toISOString(),
            contentHash: row.content_hash,
          }
        : null;
    const state = cosignState(cosign);
    return {
      ...toSummary(row, me),
      content,
      draftRevision: row.draft_revision,
      signature,
      cosignDetail: cosign
        ? {
            state,
            byName: staffName(sqlite, cosign.by),
            at: cosign.at ? new Date(cosign.at).toISOString() : null,
            comment: cosign.comment,
            canDecide: me !== null && row.author_supervisor_id === me && (state === 'pending' || state === 'returned'),
          }
        : null,
      addenda: addendaOf(sqlite, row.id, me),
      conflictDetail: conflictDetail(sqlite, row, content),
      editedElsewhere: elsewhere ? { at: new Date(row.last_saved_at!).toISOString() } : null,
      canEdit: row.status === 'draft' && me !== null && row.author_id === me,
    };
  }
}
