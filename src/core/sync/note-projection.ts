import { builtInProtection, type TemplateProtection } from '../../shared/notes/protection';
import { BUILT_IN_TEMPLATES } from '../../shared/notes/templates/builtin';
import { isObject, noteText } from '../../shared/notes/note-text';
import type { NoteTemplate, NoteType } from '../store/schema';

/**
 * What the workstation's `session_notes` row needs beyond the synced note record, derived from
 * the note's template-shaped `content` (src/shared/notes/content.ts): the template family and
 * note type, whether it is a protected note type, and the encounter's modality and times. The
 * plain text that full-text search indexes is computed from the stored content by the database
 * (`note_text`, src/core/store/schema-functions.ts); only the pull worker computes it here too
 * (`projectNoteContent`), to hand it to a bulk write. Defensive by design: content written by
 * an older or newer workstation still yields a row (unknown shapes give their strings as text).
 */
export interface NoteProjection {
  /** The template family column; built-in templates map to NOTE_TEMPLATES, others to their id in capitals. */
  template: NoteTemplate;
  noteType: NoteType;
  isProtected: boolean;
  modality: 'video' | 'phone' | 'in_person' | null;
  startedAt: string | null;
  endedAt: string | null;
}

const FAMILY: Record<string, NoteTemplate> = {
  soap: 'SOAP',
  dap: 'DAP',
  birp: 'BIRP',
  girp: 'GIRP',
  iop_group: 'GROUP',
};

const GROUP = new Set(
  BUILT_IN_TEMPLATES.filter((template) => template.kind === 'group').map((template) => template.id),
);
const MODALITIES = new Set(['video', 'phone', 'in_person']);

/** The part of the projection that depends on the content alone (no template rule). */
interface EncounterProjection {
  template: NoteTemplate;
  /** The content's `templateId` and `templateVersion` when they are a string and a number. */
  templateId: string | null;
  templateVersion: number | null;
  modality: NoteProjection['modality'];
  startedAt: string | null;
  endedAt: string | null;
}

/** What the pull worker projects: the content's part, and the words search indexes. */
export interface NoteContentProjection extends EncounterProjection {
  bodyText: string;
}

/**
 * `protection`: the protection rule over the templates this workstation holds (built-in and the
 * clinic's, `clinicTemplateProtection` in ./templates.ts); the built-in ones only by default.
 */
export function projectNote(
  content: Record<string, unknown>,
  protection: TemplateProtection = builtInProtection,
): NoteProjection {
  const { templateId, templateVersion, ...projection } = projectEncounter(content);
  return { ...projection, ...noteTypeOf(templateId, templateVersion, protection) };
}

/**
 * Everything of the projection but the note type, and the note's words (pure: the pull worker
 * computes it, and the bulk write hands the words to the search index, `knowNoteText`).
 */
export function projectNoteContent(content: Record<string, unknown>): NoteContentProjection {
  return { ...projectEncounter(content), bodyText: noteText(content) };
}

function projectEncounter(content: Record<string, unknown>): EncounterProjection {
  const templateId = typeof content['templateId'] === 'string' ? content['templateId'] : null;
  const templateVersion = typeof content['templateVersion'] === 'number' ? content['templateVersion'] : null;
  const encounter = isObject(content['encounter']) ? content['encounter'] : {};
  const modality =
    typeof encounter['modality'] === 'string' && MODALITIES.has(encounter['modality'])
      ? (encounter['modality'] as NoteProjection['modality'])
      : null;
  const date = typeof encounter['date'] === 'string' ? encounter['date'] : null;
  const zone = typeof encounter['timeZone'] === 'string' ? encounter['timeZone'] : null;
  const at = (time: unknown) => (date && zone && typeof time === 'string' ? zonedToUtc(date, time, zone) : null);
  return {
    template: templateId ? (FAMILY[templateId] ?? (templateId.toUpperCase().slice(0, 40) as NoteTemplate)) : 'SOAP',
    templateId,
    templateVersion,
    modality,
    startedAt: at(encounter['startTime']),
    endedAt: at(encounter['endTime']),
  };
}

/** The note type, and whether it is protected, under the template rule this workstation holds. */
export function noteTypeOf(
  templateId: string | null,
  templateVersion: number | null,
  protection: TemplateProtection,
): Pick<NoteProjection, 'noteType' | 'isProtected'> {
  let noteType: NoteType = 'progress';
  if (templateId && protection(templateId, templateVersion))
    noteType = templateId === 'psychotherapy' ? 'psychotherapy' : 'sud_counseling';
  else if (templateId && GROUP.has(templateId)) noteType = 'group';
  return { noteType, isProtected: noteType === 'sud_counseling' || noteType === 'psychotherapy' };
}

const formatters = new Map<string, Intl.DateTimeFormat | null>();
/** Converted times, by zone, date and time: an initial sync converts ~40,000, mostly repeats. */
const converted = new Map<string, string | null>();

function formatterFor(zone: string): Intl.DateTimeFormat | null {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch {
      formatter = null;
    }
    if (formatters.size > 100) formatters.clear();
    formatters.set(zone, formatter);
  }
  return formatter;
}

/**
 * A wall-clock date and time in an IANA zone, as a UTC instant (null when it does not parse).
 * Answers are kept (bounded): a caseload's notes share a few thousand session times, and a
 * conversion costs two time-zone lookups.
 */
export function zonedToUtc(date: string, time: string, zone: string): string | null {
  const key = `${zone}|${date}|${time}`;
  const known = converted.get(key);
  if (known !== undefined) return known;
  const answer = convert(date, time, zone);
  if (converted.size >= 20_000) converted.clear();
  converted.set(key, answer);
  return answer;
}

function convert(date: string, time: string, zone: string): string | null {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})$/.exec(time);
  const formatter = formatterFor(zone);
  if (!d || !t || !formatter) return null;
  const wall = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(t[1]), Number(t[2]));
  if (!Number.isFinite(wall)) return null;
  const offset = (instant: number): number => {
    const parts: Record<string, number> = {};
    for (const part of formatter.formatToParts(instant)) parts[part.type] = Number(part.value);
    return (
      Date.UTC(parts['year']!, parts['month']! - 1, parts['day']!, parts['hour']!, parts['minute']!, parts['second']!) -
      instant
    );
  };
  // Two steps settle the offset, including across a daylight-saving change.
  let instant = wall - offset(wall);
  instant = wall - offset(instant);
  return new Date(instant).toISOString();
}
