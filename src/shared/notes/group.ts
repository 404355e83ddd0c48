import { type NoteContent, type Participant } from './content';
import { type TemplateDefinition } from './templates/schema';

/**
 * Filing a group note: each attending member's chart receives the shared group content plus
 * that member's own sections, and nothing of any other member. Other clients are also removed
 * from the participant list (staff, interpreters and the member's own supports stay), so one
 * member's chart never names another (42 CFR Part 2, minimum necessary). The shared narrative
 * itself is the clinician's text: the editor should remind them not to name members there.
 */
export interface MemberFiling {
  clientId: string;
  content: NoteContent;
  /** How many other attending members were present (a count, never who). */
  otherAttendingCount: number;
}

export function memberFilings(template: TemplateDefinition, content: NoteContent): MemberFiling[] {
  if (template.kind !== 'group') throw new Error('only a group note is filed per member');
  const attending = Object.entries(content.members ?? {}).filter(([, member]) => member.attended);
  const attendingIds = new Set(attending.map(([id]) => id));
  return attending.map(([clientId, member]) => {
    const participants: Participant[] | undefined = content.encounter.participants?.filter(
      (participant) => participant.kind !== 'client' || (participant.refId === clientId && attendingIds.has(clientId)),
    );
    const encounter = { ...content.encounter };
    if (participants) encounter.participants = participants;
    return {
      clientId,
      content: { ...content, encounter, members: { [clientId]: member } },
      otherAttendingCount: attending.length - 1,
    };
  });
}

/** Protected (SUD counseling / psychotherapy) notes stay out of exports unless explicitly included. */
export function excludedFromExportsByDefault(template: TemplateDefinition): boolean {
  return template.protected;
}

/** Whether the care team (anyone but the author) may see a note of this template. */
export function visibleToCareTeam(template: TemplateDefinition, sharedByAuthor: boolean): boolean {
  return !template.protected || sharedByAuthor;
}
