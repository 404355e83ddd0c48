import { describe, expect, it } from 'vitest';
import { noteText } from '../../../src/shared/notes/note-text';
import { projectNote, projectNoteContent, zonedToUtc } from '../../../src/core/sync/note-projection';
import { richTextFromParagraphs } from '../../../src/shared/notes/content';

/** What a pulled note's row gets besides the record: template family, type, times and search text. */
describe('note projection', () => {
  it('derives template, type, modality, times and plain text from a SOAP note', () => {
    const content = {
      templateId: 'soap',
      templateVersion: 1,
      encounter: {
        date: '2026-03-02',
        startTime: '10:00',
        endTime: '10:50',
        timeZone: 'America/Chicago',
        modality: 'video',
      },
      sections: {
        subjective: { subjective: { type: 'richText', doc: richTextFromParagraphs(['Slept better.', 'No use.']) } },
        safety: { risk_screen: { type: 'riskScreen', result: 'none' } },
        plan: { next_appointment: { type: 'date', value: '2026-03-09' }, plan: { type: 'text', value: 'Keep going' } },
      },
    };
    expect(projectNote(content)).toEqual({
      template: 'SOAP',
      noteType: 'progress',
      isProtected: false,
      modality: 'video',
      startedAt: '2026-03-02T16:00:00.000Z',
      endedAt: '2026-03-02T16:50:00.000Z',
    });
    // The pull worker's projection also carries the words, for the search index of a bulk write.
    expect(projectNoteContent(content)).toEqual({
      template: 'SOAP',
      templateId: 'soap',
      templateVersion: 1,
      modality: 'video',
      startedAt: '2026-03-02T16:00:00.000Z',
      endedAt: '2026-03-02T16:50:00.000Z',
      bodyText: 'Slept better.\nNo use.\nKeep going',
    });
  });

  it('group notes include members’ sections; SUD counseling notes are protected', () => {
    const content = {
      templateId: 'iop_group',
      encounter: {},
      sections: { group: { topic: { type: 'text', value: 'Coping with cravings' } } },
      members: { m1: { attended: true, sections: { member: { plan: { type: 'text', value: 'Call sponsor' } } } } },
    };
    expect(projectNote(content)).toMatchObject({
      template: 'GROUP',
      noteType: 'group',
      isProtected: false,
      startedAt: null,
    });
    expect(projectNoteContent(content).bodyText).toBe('Coping with cravings\nCall sponsor');
    expect(projectNote({ templateId: 'sud_counseling', encounter: {}, sections: {} })).toMatchObject({
      noteType: 'sud_counseling',
      isProtected: true,
      template: 'SUD_COUNSELING',
    });
  });

  it('content of an unknown shape still gives its words (codes left out)', () => {
    expect(noteText({ text: 'free text', type: 'legacy', nested: [{ more: 'words' }] })).toBe('free text\nwords');
  });

  it('converts wall-clock times across daylight saving and rejects unknown zones', () => {
    expect(zonedToUtc('2026-03-08', '03:30', 'America/New_York')).toBe('2026-03-08T07:30:00.000Z');
    expect(zonedToUtc('2026-01-15', '09:00', 'Europe/Madrid')).toBe('2026-01-15T08:00:00.000Z');
    expect(zonedToUtc('2026-07-15', '09:00', 'Europe/Madrid')).toBe('2026-07-15T07:00:00.000Z');
    expect(zonedToUtc('2026-07-15', '09:00', 'Not/AZone')).toBeNull();
  });
});
