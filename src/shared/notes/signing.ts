import { isMeasureComplete, type MeasureConfig, scoreMeasure } from '../measures';
import { MEASURE_DEFINITIONS } from '../measures';
import {
  ENCOUNTER_FIELDS,
  type Encounter,
  type EncounterField,
  type FieldValue,
  isFieldFilled,
  type NoteContent,
  type SectionValues,
} from './content';
import { type Requirement, type SectionDefinition, type TemplateDefinition } from './templates/schema';

/**
 * What stands between a draft and its signature, as stable codes the UI translates
 * (`notes.signing.<code>`, with the field's `labelKey` for "{{field}}").
 *
 * Rules:
 * - Requirements come from the template (`requiredForSigning`: `always`, or `telehealth` =
 *   when the modality is video or phone; with no modality chosen yet, telehealth rules apply,
 *   the conservative reading).
 * - The client's location counts only when its address is filled AND marked verified.
 * - A switch to audio only needs its time, happens only in a video session, and its time must
 *   lie within the session.
 * - End time must be after start time (a session across midnight must be split or noted).
 * - A required measure must be complete by that measure's missing-item rule; a measure that is
 *   filled in must be valid even when optional (a bad value is never signed).
 * - A risk screen "not done" needs a reason.
 * - Group notes: at least one attending member, and each attending member's required fields.
 */
export type SigningProblemCode =
  | 'template_mismatch'
  | 'required'
  | 'client_location_unverified'
  | 'audio_only_time_missing'
  | 'audio_only_without_video'
  | 'audio_only_outside_session'
  | 'end_not_after_start'
  | 'wrong_field_type'
  | 'measure_incomplete'
  | 'measure_invalid'
  | 'measure_version_unknown'
  | 'risk_screen_reason_missing'
  | 'no_attending_members';

export interface SigningProblem {
  code: SigningProblemCode;
  /** `encounter.<field>`, `sections.<section>.<field>` or `members.<clientId>.sections.<section>.<field>`. */
  path: string;
  /** String key of the field's label, for the message. */
  labelKey?: string;
  /** For member sections of a group note. */
  memberId?: string;
}

export interface SigningOptions {
  /** Clinic scoring configuration (bands do not affect completeness, but invalid bands throw). */
  measureConfig?: MeasureConfig;
}

export function isTelehealth(encounter: Encounter): boolean {
  return encounter.modality !== 'in_person';
}

function applies(requirement: Requirement | undefined, encounter: Encounter): boolean {
  if (requirement === undefined) return false;
  return requirement === 'always' || isTelehealth(encounter);
}

function encounterFilled(encounter: Encounter, field: EncounterField): boolean {
  switch (field) {
    case 'clientLocation':
      return (encounter.clientLocation?.address.trim() ?? '') !== '';
    case 'participants':
      return (encounter.participants?.length ?? 0) > 0;
    default:
      return encounter[field] !== undefined;
  }
}

function encounterProblems(template: TemplateDefinition, encounter: Encounter): SigningProblem[] {
  const problems: SigningProblem[] = [];
  const required = template.encounter.requiredForSigning;
  for (const field of ENCOUNTER_FIELDS) {
    const path = `encounter.${field}`;
    const labelKey = `notes.encounter.${field}`;
    if (!applies(required[field], encounter)) continue;
    if (!encounterFilled(encounter, field)) problems.push({ code: 'required', path, labelKey });
    else if (field === 'clientLocation' && encounter.clientLocation?.verified !== true)
      problems.push({ code: 'client_location_unverified', path, labelKey });
  }
  const { startTime, endTime, audioOnlySwitch } = encounter;
  if (startTime && endTime && endTime <= startTime)
    problems.push({ code: 'end_not_after_start', path: 'encounter.endTime', labelKey: 'notes.encounter.endTime' });
  if (audioOnlySwitch) {
    const path = 'encounter.audioOnlySwitch';
    const labelKey = 'notes.encounter.audioOnlySwitch';
    if (encounter.modality !== 'video') problems.push({ code: 'audio_only_without_video', path, labelKey });
    if (!audioOnlySwitch.at) problems.push({ code: 'audio_only_time_missing', path, labelKey });
    else if ((startTime && audioOnlySwitch.at < startTime) || (endTime && audioOnlySwitch.at > endTime))
      problems.push({ code: 'audio_only_outside_session', path, labelKey });
  }
  return problems;
}

function fieldProblems(
  sections: readonly SectionDefinition[],
  values: SectionValues,
  encounter: Encounter,
  prefix: string,
  memberId: string | undefined,
  options: SigningOptions,
): SigningProblem[] {
  const problems: SigningProblem[] = [];
  for (const section of sections) {
    for (const field of section.fields) {
      const value: FieldValue | undefined = values[section.id]?.[field.id];
      const problem = (code: SigningProblemCode): SigningProblem => ({
        code,
        path: `${prefix}sections.${section.id}.${field.id}`,
        labelKey: field.labelKey,
        ...(memberId === undefined ? {} : { memberId }),
      });
      if (value !== undefined && value.type !== field.type) {
        problems.push(problem('wrong_field_type'));
        continue;
      }
      const required = applies(field.requiredForSigning, encounter);
      if (required && !isFieldFilled(value)) {
        problems.push(
          value?.type === 'riskScreen' && value.result === 'not_done'
            ? problem('risk_screen_reason_missing')
            : problem('required'),
        );
        continue;
      }
      if (value?.type === 'riskScreen' && value.result === 'not_done' && !isFieldFilled(value))
        problems.push(problem('risk_screen_reason_missing'));
      if (value?.type === 'measure' && field.type === 'measure') {
        if (value.measureId !== field.measureId) {
          problems.push(problem('wrong_field_type'));
          continue;
        }
        if (value.version !== MEASURE_DEFINITIONS[value.measureId].version) {
          problems.push(problem('measure_version_unknown'));
          continue;
        }
        if (!required && Object.keys(value.responses).length === 0) continue;
        const scored = scoreMeasure(value.measureId, value.responses, options.measureConfig);
        if (!scored.ok) problems.push(problem('measure_invalid'));
        else if (required && !isMeasureComplete(scored.result)) problems.push(problem('measure_incomplete'));
      }
    }
  }
  return problems;
}

/**
 * Everything missing or inconsistent for signing `content` with `template`; empty when the note
 * may be signed. Pure; the core runs it again at signing (never trusting the renderer's answer).
 */
export function missingForSigning(
  template: TemplateDefinition,
  content: NoteContent,
  options: SigningOptions = {},
): SigningProblem[] {
  if (content.templateId !== template.id || content.templateVersion !== template.version)
    return [{ code: 'template_mismatch', path: 'templateId' }];
  const problems = encounterProblems(template, content.encounter);
  const sharedSections = template.sections.filter((section) => section.scope === 'shared');
  const memberSections = template.sections.filter((section) => section.scope === 'member');
  problems.push(...fieldProblems(sharedSections, content.sections, content.encounter, '', undefined, options));
  if (template.kind === 'group') {
    const attending = Object.entries(content.members ?? {}).filter(([, member]) => member.attended);
    if (attending.length === 0) problems.push({ code: 'no_attending_members', path: 'members' });
    for (const [memberId, member] of attending)
      problems.push(
        ...fieldProblems(memberSections, member.sections, content.encounter, `members.${memberId}.`, memberId, options),
      );
  }
  return problems;
}
