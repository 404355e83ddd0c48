import { describe, expect, it } from 'vitest';
import {
  COPIED_FORWARD_MARK,
  copyForward,
  DAP_TEMPLATE,
  hasCopiedText,
  IOP_GROUP_TEMPLATE,
  memberFilings,
  type NoteContent,
  richTextFromParagraphs,
  richTextPlain,
  SOAP_TEMPLATE,
} from '../../../src/shared/notes';

const emptySoap = (): NoteContent => ({ templateId: 'soap', templateVersion: 1, encounter: {}, sections: {} });

const previousDap: NoteContent = {
  templateId: 'dap',
  templateVersion: 1,
  encounter: { date: '2026-02-23', modality: 'video' },
  sections: {
    data: { data: { type: 'richText', doc: richTextFromParagraphs(['Old data, never copied.']) } },
    plan: {
      plan: {
        type: 'richText',
        doc: {
          type: 'doc',
          content: [
            {
              type: 'paragraph',
              content: [{ type: 'text', text: 'Call sponsor daily', marks: [{ type: 'bold' }] }],
            },
            { type: 'paragraph', content: [{ type: 'text', text: 'Next: review relapse-prevention plan' }] },
          ],
        },
      },
    },
  },
};

describe('copy forward', () => {
  it('brings the last note’s plan into the new draft, every text node marked as copied', () => {
    const draft = emptySoap();
    const result = copyForward(
      { noteId: 'note-41', template: DAP_TEMPLATE, content: previousDap },
      SOAP_TEMPLATE,
      draft,
    );
    const plan = result.sections.plan?.plan;
    expect(plan?.type).toBe('richText');
    if (plan?.type !== 'richText') return;
    expect(richTextPlain(plan.doc)).toBe('Call sponsor daily\nNext: review relapse-prevention plan');
    expect(plan.copiedFrom).toEqual([{ noteId: 'note-41', sectionId: 'plan', fieldId: 'plan' }]);
    const first = plan.doc.content?.[0]?.content?.[0];
    expect(first?.marks).toEqual([{ type: 'bold' }, { type: COPIED_FORWARD_MARK, attrs: { noteId: 'note-41' } }]);
    expect(hasCopiedText(plan.doc)).toBe(true);
    // Only the plan is copied, and the inputs are untouched.
    expect(result.sections.data).toBeUndefined();
    expect(draft.sections).toEqual({});
    expect(previousDap.sections.plan?.plan).not.toHaveProperty('copiedFrom');
  });

  it('never overwrites a plan the clinician already wrote', () => {
    const draft = emptySoap();
    draft.sections.plan = { plan: { type: 'richText', doc: richTextFromParagraphs(['My own plan']) } };
    const result = copyForward({ noteId: 'n', template: DAP_TEMPLATE, content: previousDap }, SOAP_TEMPLATE, draft);
    expect(result.sections.plan).toEqual(draft.sections.plan);
  });

  it('copies nothing from an empty previous plan', () => {
    const previous: NoteContent = { ...previousDap, sections: {} };
    const result = copyForward({ noteId: 'n', template: DAP_TEMPLATE, content: previous }, SOAP_TEMPLATE, emptySoap());
    expect(result.sections).toEqual({});
  });

  it('group → group: each member gets their own previous plan, nobody else’s', () => {
    const plan = (text: string) => ({ type: 'richText' as const, doc: richTextFromParagraphs([text]) });
    const previous: NoteContent = {
      templateId: 'iop_group',
      templateVersion: 1,
      encounter: {},
      sections: {},
      members: {
        a: { attended: true, sections: { member: { plan: plan('Plan for A') } } },
        b: { attended: true, sections: { member: { plan: plan('Plan for B') } } },
      },
    };
    const draft: NoteContent = {
      templateId: 'iop_group',
      templateVersion: 1,
      encounter: {},
      sections: {},
      members: { a: { attended: true, sections: {} }, c: { attended: true, sections: {} } },
    };
    const result = copyForward(
      { noteId: 'g1', template: IOP_GROUP_TEMPLATE, content: previous },
      IOP_GROUP_TEMPLATE,
      draft,
    );
    const a = result.members?.a?.sections.member?.plan;
    expect(a?.type === 'richText' && richTextPlain(a.doc)).toBe('Plan for A');
    expect(result.members?.c?.sections).toEqual({});
    expect(result.members).not.toHaveProperty('b');
  });
});

describe('group note filing', () => {
  const content: NoteContent = {
    templateId: 'iop_group',
    templateVersion: 1,
    encounter: {
      date: '2026-03-02',
      modality: 'video',
      participants: [
        { kind: 'clinician', refId: 'staff-1' },
        { kind: 'client', refId: 'a' },
        { kind: 'client', refId: 'b' },
        { kind: 'client', refId: 'c' },
        { kind: 'interpreter', displayName: 'Interpreter' },
      ],
    },
    sections: { group: { topic: { type: 'text', value: 'Sleep and recovery' } } },
    members: {
      a: { attended: true, sections: { member: { member_presentation: { type: 'text', value: 'A private' } } } },
      b: { attended: true, sections: { member: { member_presentation: { type: 'text', value: 'B private' } } } },
      c: { attended: false, sections: {} },
    },
  };

  it('files one entry per attending member: the shared content and only their own section', () => {
    const filings = memberFilings(IOP_GROUP_TEMPLATE, content);
    expect(filings.map((f) => f.clientId)).toEqual(['a', 'b']);
    const a = filings[0]!;
    expect(Object.keys(a.content.members ?? {})).toEqual(['a']);
    expect(a.content.sections).toEqual(content.sections);
    expect(JSON.stringify(a.content)).not.toContain('B private');
    expect(a.otherAttendingCount).toBe(1);
  });

  it('removes other clients from the participant list, keeps staff and interpreters', () => {
    const [a] = memberFilings(IOP_GROUP_TEMPLATE, content);
    expect(a?.content.encounter.participants).toEqual([
      { kind: 'clinician', refId: 'staff-1' },
      { kind: 'client', refId: 'a' },
      { kind: 'interpreter', displayName: 'Interpreter' },
    ]);
    expect(content.encounter.participants).toHaveLength(5);
  });

  it('refuses to file an individual note per member', () => {
    expect(() => memberFilings(SOAP_TEMPLATE, emptySoap())).toThrow();
  });
});
