import type { Encounter, FieldValue, MemberContent, NoteContent, SectionValues } from '../../shared/notes/content';

/**
 * Immutable edits of a note's content, and the addresses the editor gives its fields. A field's
 * path is the one `missingForSigning` reports (`encounter.<field>`, `sections.<section>.<field>`,
 * `members.<clientId>.sections.<section>.<field>`), so a signing problem can focus its field.
 */
export interface FieldAddress {
  sectionId: string;
  fieldId: string;
  /** Group notes: the member whose section this is. */
  memberId?: string | undefined;
}

export function fieldPath({ sectionId, fieldId, memberId }: FieldAddress): string {
  return `${memberId === undefined ? '' : `members.${memberId}.`}sections.${sectionId}.${fieldId}`;
}

/** A DOM id for a field path (ids may not hold dots in CSS selectors without escaping). */
export function fieldDomId(path: string): string {
  return `note-${path.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

export function getFieldValue(content: NoteContent, address: FieldAddress): FieldValue | undefined {
  const sections = address.memberId === undefined ? content.sections : content.members?.[address.memberId]?.sections;
  return sections?.[address.sectionId]?.[address.fieldId];
}

function withField(sections: SectionValues, sectionId: string, fieldId: string, value: FieldValue | undefined) {
  const section = { ...sections[sectionId] };
  if (value === undefined) delete section[fieldId];
  else section[fieldId] = value;
  const next = { ...sections };
  if (Object.keys(section).length === 0) delete next[sectionId];
  else next[sectionId] = section;
  return next;
}

/** The content with one field set (or cleared, with `undefined`). */
export function setFieldValue(content: NoteContent, address: FieldAddress, value: FieldValue | undefined): NoteContent {
  if (address.memberId === undefined)
    return { ...content, sections: withField(content.sections, address.sectionId, address.fieldId, value) };
  const members = { ...content.members };
  const member: MemberContent = members[address.memberId] ?? { attended: true, sections: {} };
  members[address.memberId] = {
    ...member,
    sections: withField(member.sections, address.sectionId, address.fieldId, value),
  };
  return { ...content, members };
}

export function setEncounter(content: NoteContent, patch: Partial<Encounter>): NoteContent {
  const encounter: Encounter = { ...content.encounter };
  for (const [key, value] of Object.entries(patch) as [keyof Encounter, unknown][]) {
    if (value === undefined) delete encounter[key];
    else (encounter as Record<string, unknown>)[key] = value;
  }
  return { ...content, encounter };
}

export function setAttended(content: NoteContent, memberId: string, attended: boolean): NoteContent {
  const members = { ...content.members };
  members[memberId] = { ...(members[memberId] ?? { sections: {} }), attended };
  return { ...content, members };
}

/** Focus the first control of the field at `path` (a signing problem's path), scrolling it into view. */
export function focusField(path: string): boolean {
  const container = document.querySelector<HTMLElement>(`[data-field-path="${CSS.escape(path)}"]`);
  if (!container) return false;
  const target =
    container.querySelector<HTMLElement>('input[type="radio"]:checked') ??
    container.querySelector<HTMLElement>('[contenteditable="true"]') ??
    container.querySelector<HTMLElement>('input:not([type="hidden"]), textarea, select') ??
    container.querySelector<HTMLElement>('button') ??
    container;
  container.scrollIntoView({ block: 'center' });
  target.focus({ preventScroll: true });
  return document.activeElement === target;
}
