import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write';

/**
 * Writing an export to disk: atomically (a crash leaves the old file or the new one, never half
 * a PDF), readable only by this user (0600, in a 0700 folder), under a name that carries no PHI.
 */
const SAFE_NAME = /^[a-z0-9][a-z0-9._-]{0,99}\.pdf$/;

export class ExportFileNameError extends Error {
  constructor() {
    super('an export file name is lower-case letters, digits, ".", "_" or "-", ending in .pdf');
    this.name = 'ExportFileNameError';
  }
}

/** The calendar date of an instant in a time zone, `YYYY-MM-DD`. */
function calendarDate(at: Date, timeZone: string): string {
  let zone = timeZone;
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone: zone });
  } catch {
    zone = 'UTC';
  }
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(at)
    .reduce<Record<string, string>>((all, part) => ({ ...all, [part.type]: part.value }), {});
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/**
 * `note-2026-11-20-1a2b3c4d.pdf`: the date the note was printed (in the clinician's zone) and the
 * first 8 characters of the note id. No name, no date of service, nothing else about the client.
 */
export function noteExportFileName(noteId: string, printedAt: Date, timeZone: string): string {
  const id = noteId
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .slice(0, 8);
  return `note-${calendarDate(printedAt, timeZone)}-${id || 'unknown'}.pdf`;
}

/** Write `bytes` to `dir/fileName` (replacing a file of that name); returns the full path. */
export async function writeExportFile(dir: string, fileName: string, bytes: Uint8Array): Promise<string> {
  if (!SAFE_NAME.test(fileName) || fileName.includes('..')) throw new ExportFileNameError();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, fileName);
  writeFileAtomic(path, bytes, 0o600);
  return path;
}
