/**
 * Draft note bodies the simulated workstations push: a DAP note in the shared note-content
 * shape (src/shared/notes), about 1.5 KB of JSON like a typical draft. Synthetic text only.
 */
import { noteContentSchema, richTextFromParagraphs, type NoteContent } from '../../src/shared/notes/index';

const SENTENCES = [
  'Client reports moderate cravings after a stressful week at work and used urge surfing twice.',
  'Attended two peer support meetings and called the sponsor on Sunday evening.',
  'Sleep improved to about six hours a night; appetite is stable.',
  'Reviewed the relapse prevention plan; warning signs and coping strategies are current.',
  'Medication adherence reported as daily; no side effects described today.',
  'Discussed boundaries with family members and a plan for the upcoming holiday weekend.',
  'Client practised a breathing exercise in session and rated its usefulness seven of ten.',
  'Homework: journal triggers each evening and bring the log to the next session.',
];

export function draftContent(seq: number): NoteContent {
  const paragraph = (offset: number, count: number) =>
    Array.from({ length: count }, (_, i) => SENTENCES[(seq + offset + i) % SENTENCES.length]).join(' ');
  return noteContentSchema.parse({
    templateId: 'dap',
    templateVersion: 1,
    encounter: {
      date: '2026-11-20',
      startTime: '10:00',
      endTime: '10:50',
      timeZone: 'America/Chicago',
      modality: 'video',
      clientLocation: { address: 'Home (synthetic address on file)', verified: true },
      participants: [{ kind: 'client' }, { kind: 'clinician' }],
    },
    sections: {
      data: { narrative: { type: 'richText', doc: richTextFromParagraphs([paragraph(0, 4), paragraph(4, 3)]) } },
      assessment: { narrative: { type: 'richText', doc: richTextFromParagraphs([paragraph(2, 3)]) } },
      risk: { risk_screen: { type: 'riskScreen', result: 'none' } },
      plan: {
        narrative: { type: 'richText', doc: richTextFromParagraphs([paragraph(5, 2)]) },
        next_appointment: { type: 'date', value: '2026-11-27' },
      },
    },
  });
}
