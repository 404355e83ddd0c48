import {
  type CopiedFrom,
  type FieldValue,
  isFieldFilled,
  type NoteContent,
  type RichTextNode,
  type SectionValues,
} from './content';
import { type SectionDefinition, type TemplateDefinition } from './templates/schema';

/**
 * "Copy forward": a new draft starts with the last note's plan, visibly marked as copied.
 *
 * - Source: the previous note's `role: 'plan'` field (shared scope, and for group → group, each
 *   member's plan to the same member). Target: the new template's plan field in the same scope;
 *   templates may differ (a DAP plan can seed a SOAP plan).
 * - Marking: every copied text node gets the mark `{ type: 'copiedForward', attrs: { noteId } }`
 *   (the editor renders it, and drops it on text the clinician retypes), and the field records
 *   `copiedFrom`. Both are part of the content, hence of the hash: a signed note shows what was
 *   carried over.
 * - Never overwrites: a target plan that already has text is left as it is.
 * - Pure: returns a new content object; inputs are not modified.
 */
export const COPIED_FORWARD_MARK = 'copiedForward';

export interface PreviousNote {
  noteId: string;
  template: TemplateDefinition;
  content: NoteContent;
}

function planField(template: TemplateDefinition, scope: SectionDefinition['scope']) {
  for (const section of template.sections) {
    if (section.scope !== scope) continue;
    for (const field of section.fields)
      if (field.type === 'richText' && field.role === 'plan') return { sectionId: section.id, fieldId: field.id };
  }
  return undefined;
}

function markCopied(node: RichTextNode, noteId: string): RichTextNode {
  const copy: RichTextNode = { ...node };
  if (node.text !== undefined) {
    const marks = (node.marks ?? []).filter((mark) => mark.type !== COPIED_FORWARD_MARK);
    copy.marks = [...marks, { type: COPIED_FORWARD_MARK, attrs: { noteId } }];
  }
  if (node.content) copy.content = node.content.map((child) => markCopied(child, noteId));
  return copy;
}

function copyInto(
  target: SectionValues,
  to: { sectionId: string; fieldId: string },
  source: SectionValues,
  from: { sectionId: string; fieldId: string },
  noteId: string,
): SectionValues {
  const previous: FieldValue | undefined = source[from.sectionId]?.[from.fieldId];
  if (previous?.type !== 'richText' || !isFieldFilled(previous)) return target;
  if (isFieldFilled(target[to.sectionId]?.[to.fieldId])) return target;
  const copiedFrom: CopiedFrom = { noteId, sectionId: from.sectionId, fieldId: from.fieldId };
  return {
    ...target,
    [to.sectionId]: {
      ...target[to.sectionId],
      [to.fieldId]: { type: 'richText', doc: markCopied(previous.doc, noteId), copiedFrom: [copiedFrom] },
    },
  };
}

/** The new draft's content with the previous note's plan copied in (see the rules above). */
export function copyForward(previous: PreviousNote, template: TemplateDefinition, draft: NoteContent): NoteContent {
  let result: NoteContent = { ...draft };
  const fromShared = planField(previous.template, 'shared');
  const toShared = planField(template, 'shared');
  if (fromShared && toShared)
    result = {
      ...result,
      sections: copyInto(result.sections, toShared, previous.content.sections, fromShared, previous.noteId),
    };

  const fromMember = planField(previous.template, 'member');
  const toMember = planField(template, 'member');
  if (fromMember && toMember && result.members && previous.content.members) {
    const members = { ...result.members };
    for (const [memberId, member] of Object.entries(members)) {
      const before = previous.content.members[memberId];
      if (!before) continue;
      members[memberId] = {
        ...member,
        sections: copyInto(member.sections, toMember, before.sections, fromMember, previous.noteId),
      };
    }
    result = { ...result, members };
  }
  return result;
}

/** Whether any text in a document still carries the copied-forward mark (the UI's "copied" badge). */
export function hasCopiedText(node: RichTextNode): boolean {
  if (node.marks?.some((mark) => mark.type === COPIED_FORWARD_MARK)) return true;
  return (node.content ?? []).some(hasCopiedText);
}
