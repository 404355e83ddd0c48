import { describe, expect, it } from 'vitest';
import {
  type FieldValue,
  IOP_GROUP_TEMPLATE,
  missingForSigning,
  type NoteContent,
  richTextFromParagraphs,
  SOAP_TEMPLATE,
  SUD_COUNSELING_TEMPLATE,
} from '../../../src/shared/notes';

const text = (value: string): FieldValue => ({ type: 'richText', doc: richTextFromParagraphs([value]) });

function completeSoap(): NoteContent {
  return {
    templateId: 'soap',
    templateVersion: 1,
    encounter: {
      date: '2026-03-02',
      startTime: '09:00',
      endTime: '09:50',
      modality: 'video',
      clientLocation: { address: '12 Elm St, Springfield', verified: true },
    },
    sections: {
      subjective: { subjective: text('Reports cravings lower this week.') },
      objective: {
        objective: text('Alert, engaged.'),
        phq9: { type: 'measure', measureId: 'phq9', version: 1, responses: { q1: 1, q2: 1 } },
      },
      assessment: { assessment: text('Improving.') },
      safety: { risk_screen: { type: 'riskScreen', result: 'none' } },
      plan: { plan: text('Continue weekly sessions.') },
    },
  };
}

const codes = (content: NoteContent) => missingForSigning(SOAP_TEMPLATE, content).map((p) => `${p.code}@${p.path}`);

describe('missingForSigning', () => {
  it('a complete SOAP note may be signed (an optional, partly answered measure is fine)', () => {
    expect(missingForSigning(SOAP_TEMPLATE, completeSoap())).toEqual([]);
  });

  it('an empty draft lists every required field with stable codes and label keys', () => {
    const problems = missingForSigning(SOAP_TEMPLATE, {
      templateId: 'soap',
      templateVersion: 1,
      encounter: {},
      sections: {},
    });
    expect(problems.map((p) => p.path)).toEqual([
      'encounter.date',
      'encounter.startTime',
      'encounter.endTime',
      'encounter.modality',
      'encounter.clientLocation',
      'sections.subjective.subjective',
      'sections.objective.objective',
      'sections.assessment.assessment',
      'sections.safety.risk_screen',
      'sections.plan.plan',
    ]);
    expect(new Set(problems.map((p) => p.code))).toEqual(new Set(['required']));
    expect(problems[0]?.labelKey).toBe('notes.encounter.date');
    expect(problems[5]?.labelKey).toBe('notes.fields.subjective');
  });

  it('whitespace-only narrative is missing', () => {
    const content = completeSoap();
    content.sections.plan = { plan: text('  \n ') };
    expect(codes(content)).toEqual(['required@sections.plan.plan']);
  });

  it('location is required for video and phone, not in person; it must be verified', () => {
    const content = completeSoap();
    delete content.encounter.clientLocation;
    expect(codes(content)).toEqual(['required@encounter.clientLocation']);
    content.encounter.modality = 'phone';
    expect(codes(content)).toEqual(['required@encounter.clientLocation']);
    content.encounter.modality = 'in_person';
    expect(codes(content)).toEqual([]);
    const unverified = completeSoap();
    unverified.encounter.clientLocation = { address: '12 Elm St', verified: false };
    expect(codes(unverified)).toEqual(['client_location_unverified@encounter.clientLocation']);
  });

  it('without a modality, the telehealth rules apply (conservative)', () => {
    const content = completeSoap();
    delete content.encounter.modality;
    delete content.encounter.clientLocation;
    expect(codes(content)).toEqual(['required@encounter.modality', 'required@encounter.clientLocation']);
  });

  it('audio-only switch: needs its time, a video session, and a time within the session', () => {
    const content = completeSoap();
    content.encounter.audioOnlySwitch = {};
    expect(codes(content)).toEqual(['audio_only_time_missing@encounter.audioOnlySwitch']);
    content.encounter.audioOnlySwitch = { at: '09:20' };
    expect(codes(content)).toEqual([]);
    content.encounter.audioOnlySwitch = { at: '10:20' };
    expect(codes(content)).toEqual(['audio_only_outside_session@encounter.audioOnlySwitch']);
    content.encounter.audioOnlySwitch = { at: '09:20' };
    content.encounter.modality = 'phone';
    expect(codes(content)).toEqual(['audio_only_without_video@encounter.audioOnlySwitch']);
  });

  it('end time must be after start time', () => {
    const content = completeSoap();
    content.encounter.endTime = '09:00';
    expect(codes(content)).toEqual(['end_not_after_start@encounter.endTime']);
  });

  it('a risk screen "not done" needs a reason', () => {
    const content = completeSoap();
    content.sections.safety = { risk_screen: { type: 'riskScreen', result: 'not_done' } };
    expect(codes(content)).toEqual(['risk_screen_reason_missing@sections.safety.risk_screen']);
    content.sections.safety = { risk_screen: { type: 'riskScreen', result: 'not_done', reason: 'Call dropped' } };
    expect(codes(content)).toEqual([]);
  });

  it('an invalid measure answer blocks signing even in an optional slot', () => {
    const content = completeSoap();
    content.sections.objective!.phq9 = { type: 'measure', measureId: 'phq9', version: 1, responses: { q1: 7 } };
    expect(codes(content)).toEqual(['measure_invalid@sections.objective.phq9']);
  });

  it('a value of the wrong type, a wrong measure or an unknown measure version is reported', () => {
    const content = completeSoap();
    content.sections.plan = { plan: { type: 'text', value: 'plain' } };
    content.sections.objective!.phq9 = { type: 'measure', measureId: 'gad7', version: 1, responses: {} };
    expect(codes(content)).toEqual(['wrong_field_type@sections.objective.phq9', 'wrong_field_type@sections.plan.plan']);
    const future = completeSoap();
    future.sections.objective!.phq9 = { type: 'measure', measureId: 'phq9', version: 9, responses: {} };
    expect(codes(future)).toEqual(['measure_version_unknown@sections.objective.phq9']);
  });

  it('content of another template or version is refused outright', () => {
    expect(codes({ ...completeSoap(), templateVersion: 2 })).toEqual(['template_mismatch@templateId']);
    expect(codes({ ...completeSoap(), templateId: 'dap' })).toEqual(['template_mismatch@templateId']);
  });

  it('the protected counseling note requires its session content, not a plan', () => {
    const content: NoteContent = {
      templateId: 'sud_counseling',
      templateVersion: 1,
      encounter: { date: '2026-03-02', startTime: '09:00', endTime: '09:50', modality: 'in_person' },
      sections: {},
    };
    expect(missingForSigning(SUD_COUNSELING_TEMPLATE, content).map((p) => p.path)).toEqual([
      'sections.session_content.session_content',
    ]);
  });
});

describe('missingForSigning on a group note', () => {
  function group(): NoteContent {
    return {
      templateId: 'iop_group',
      templateVersion: 1,
      encounter: {
        date: '2026-03-02',
        startTime: '18:00',
        endTime: '21:00',
        modality: 'video',
        participants: [
          { kind: 'clinician', refId: 'staff-1' },
          { kind: 'client', refId: 'client-a' },
          { kind: 'client', refId: 'client-b' },
        ],
      },
      sections: {
        group: { topic: { type: 'text', value: 'Coping with triggers' }, group_content: text('Role play.') },
      },
      members: {
        'client-a': {
          attended: true,
          sections: {
            member: {
              participation: { type: 'choice', value: ['active'] },
              member_presentation: text('Engaged.'),
              risk_screen: { type: 'riskScreen', result: 'none' },
              plan: text('Attend Thursday.'),
            },
          },
        },
        'client-b': { attended: false, sections: {} },
      },
    };
  }

  it('complete for attending members; absent members need nothing', () => {
    expect(missingForSigning(IOP_GROUP_TEMPLATE, group())).toEqual([]);
  });

  it('lists each attending member’s missing fields with the member id', () => {
    const content = group();
    content.members!['client-b'] = { attended: true, sections: {} };
    const problems = missingForSigning(IOP_GROUP_TEMPLATE, content);
    expect(problems.map((p) => p.path)).toEqual([
      'members.client-b.sections.member.participation',
      'members.client-b.sections.member.member_presentation',
      'members.client-b.sections.member.risk_screen',
      'members.client-b.sections.member.plan',
    ]);
    expect(problems.every((p) => p.memberId === 'client-b' && p.code === 'required')).toBe(true);
  });

  it('needs at least one attending member, and participants; no location rule for groups', () => {
    const content = group();
    content.members = { 'client-a': { attended: false, sections: {} } };
    delete content.encounter.participants;
    expect(missingForSigning(IOP_GROUP_TEMPLATE, content).map((p) => p.code)).toEqual([
      'required',
      'no_attending_members',
    ]);
  });
});
