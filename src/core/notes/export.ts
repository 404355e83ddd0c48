import { RpcError } from '../../shared/rpc/errors';
import type { ExportPdfResult, NoteDetail } from '../../shared/notes/rpc';
import type { TemplateDefinition } from '../../shared/notes/templates/schema';
import { NotePdfError, noteExportFileName, renderNotePdf, writeExportFile } from '../exports';
import type { SqliteDatabase } from '../store/open-database';
import { staffName } from './notes-queries';

/**
 * `notes.exportPdf`: one note printed for the record by the PDF module (src/core/exports), with
 * its signature block and content hash, written atomically to the workstation's exports folder
 * (0600, a file name without PHI). The caller has checked that the clinician may see the note
 * and audits the export.
 */
export async function exportNotePdf(
  sqlite: SqliteDatabase,
  note: NoteDetail,
  template: TemplateDefinition,
  options: { me: string | null; language: 'en' | 'es'; exportsDir: string; now: Date },
): Promise<ExportPdfResult> {
  const client = sqlite
    .prepare(
      `SELECT trim(coalesce(nullif(trim(preferred_name), ''), given_name) || ' ' || family_name) AS name,
              date_of_birth, mrn FROM clients WHERE id = ?`,
    )
    .get(note.clientId) as { name: string; date_of_birth: string | null; mrn: string | null } | undefined;
  if (!client) throw new RpcError('NOT_FOUND', 'This client is not on this workstation.');
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  let rendered;
  try {
    rendered = await renderNotePdf({
      note,
      template,
      client: { name: client.name || '—', dateOfBirth: client.date_of_birth, recordNumber: client.mrn },
      clinic: null,
      language: options.language,
      generatedAt: options.now,
      generatedBy: staffName(sqlite, options.me) ?? '—',
      timeZone,
      // A filed group note is one member's chart copy.
      ...(template.kind === 'group' ? { memberId: note.clientId } : {}),
    });
  } catch (error) {
    if (error instanceof NotePdfError) throw new RpcError('CONFLICT', `This note cannot be printed (${error.code}).`);
    throw error;
  }
  const fileName = noteExportFileName(note.id, options.now, timeZone);
  const path = await writeExportFile(options.exportsDir, fileName, rendered.bytes);
  return { path, fileName, bytes: rendered.bytes.byteLength, pages: rendered.pages };
}
