import { BUILT_IN_TEMPLATES } from './templates/builtin';

/**
 * Protected notes (SUD counseling / psychotherapy notes: issue 5, item 1; domain.md, privacy):
 * which notes are protected, and who may see one. Pure, shared by the clinic server (which
 * decides what each workstation receives) and the workstation (which shows only what the same
 * rule allows). docs/sync-protocol.md, "Protected notes", says the same in words.
 */

/** What the protection rule needs to know of a template version (built-in or the clinic's). */
export interface TemplateProtectionFact {
  id: string;
  version: number;
  protected: boolean;
}

/** Whether a note's template (its content's `templateId` and `templateVersion`) is protected. */
export type TemplateProtection = (templateId: unknown, templateVersion: unknown) => boolean;

/**
 * The protection rule over the built-in templates and `clinic` (the clinic's template versions
 * the caller holds, active or not):
 * - the template version the note names decides when it is known;
 * - a version that is not known, of a template id some version of which is protected, is
 *   protected (fail closed: a note is never shown more widely because a version is missing);
 * - a template id nobody knows is not protected (there is nothing to say it is).
 */
export function templateProtection(clinic: Iterable<TemplateProtectionFact> = []): TemplateProtection {
  const exact = new Map<string, boolean>();
  const anyProtected = new Set<string>();
  const add = (fact: TemplateProtectionFact) => {
    exact.set(`${fact.id}@${fact.version}`, fact.protected);
    if (fact.protected) anyProtected.add(fact.id);
  };
  for (const template of BUILT_IN_TEMPLATES) add(template);
  for (const fact of clinic) add(fact);
  return (templateId, templateVersion) => {
    if (typeof templateId !== 'string') return false;
    const known = typeof templateVersion === 'number' ? exact.get(`${templateId}@${templateVersion}`) : undefined;
    return known ?? anyProtected.has(templateId);
  };
}

/** The protection rule with the built-in templates only. */
export const builtInProtection: TemplateProtection = templateProtection();

/** Whether note content (`{ templateId, templateVersion, … }`) is of a protected template. */
export function isProtectedContent(content: unknown, protection: TemplateProtection = builtInProtection): boolean {
  if (typeof content !== 'object' || content === null) return false;
  const { templateId, templateVersion } = content as { templateId?: unknown; templateVersion?: unknown };
  return protection(templateId, templateVersion);
}

/** The author's sharing of a protected note with the client's care team (null: never changed). */
export interface NoteSharingState {
  careTeam: boolean;
}

/** Co-sign states in which the author's supervisor still has to act on the note. */
export const SUPERVISOR_ACTION_STATES: readonly string[] = ['pending', 'returned'];

/** What the visibility rule needs to know about one note. */
export interface NoteAudienceFacts {
  authorId: string;
  isProtected: boolean;
  sharing: NoteSharingState | null;
  cosign: { required: boolean; status: string | null } | null;
  /** The author's current supervisor (`users.supervisor_id`), if any. */
  authorSupervisorId: string | null;
}

/**
 * Whether `userId` (who has the note's client in scope) may see the note and everything linked
 * to it (addenda, co-signatures). A note that is not protected: everyone in scope. A protected
 * note: its author; everyone in scope once the author has shared it with the care team; and the
 * author's current supervisor while the note waits for them (co-signature required, pending or
 * returned for revision) — the co-signature cannot be given otherwise. Once co-signed, the
 * supervisor no longer receives it unless the author shares it.
 */
export function noteVisibleTo(note: NoteAudienceFacts, userId: string): boolean {
  if (!note.isProtected || note.authorId === userId) return true;
  if (note.sharing?.careTeam === true) return true;
  return (
    note.authorSupervisorId === userId &&
    note.cosign?.required === true &&
    SUPERVISOR_ACTION_STATES.includes(note.cosign.status ?? 'pending')
  );
}
