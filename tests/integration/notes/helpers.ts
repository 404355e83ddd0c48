import { richTextFromParagraphs, type NoteContent } from '../../../src/shared/notes/content';

/** Fill a SOAP draft so that everything its template requires for signing is there. */
export function completeSoap(content: NoteContent, text: string): NoteContent {
  const narrative = (words: string) => ({ type: 'richText' as const, doc: richTextFromParagraphs([words]) });
  return {
    ...content,
    encounter: {
      ...content.encounter,
      date: '2026-03-02',
      startTime: '10:00',
      endTime: '10:50',
      timeZone: 'America/Chicago',
      modality: 'video',
      clientLocation: { address: '1 Synthetic Way, Springfield', verified: true },
    },
    sections: {
      ...content.sections,
      subjective: { subjective: narrative(text) },
      objective: { objective: narrative('Synthetic objective findings.') },
      assessment: { assessment: narrative('Synthetic assessment.') },
      safety: { risk_screen: { type: 'riskScreen', result: 'none' } },
      plan: { plan: narrative('Synthetic plan: continue weekly sessions.') },
    },
  };
}

/** The same content with the subjective text replaced. */
export function withSubjective(content: NoteContent, text: string): NoteContent {
  return {
    ...content,
    sections: {
      ...content.sections,
      subjective: { subjective: { type: 'richText', doc: richTextFromParagraphs([text]) } },
    },
  };
}
