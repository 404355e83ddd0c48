import { richTextFromParagraphs, type NoteContent } from '../../../src/shared/notes/content';

/** The same content with an encounter complete for signing: a video session with a verified location. */
export function withSignableEncounter(content: NoteContent): NoteContent {
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
  };
}

/** Fill a SOAP draft so that everything its template requires for signing is there. */
export function completeSoap(content: NoteContent, text: string): NoteContent {
  const narrative = (words: string) => ({ type: 'richText' as const, doc: richTextFromParagraphs([words]) });
  return {
    ...withSignableEncounter(content),
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

/** Poll an async condition until it holds; fail after `timeoutMs` with what was last seen. */
export async function eventually<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (accept(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`condition not met in time; last: ${JSON.stringify(last)?.slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A rich-text document of one paragraph. */
export const paragraph = (text: string) => richTextFromParagraphs([text]);

/** The plain text of a note's subjective field. */
export function subjectiveOf(content: NoteContent): string {
  const value = content.sections['subjective']?.['subjective'];
  if (value?.type !== 'richText') return '';
  return (value.doc.content ?? []).map((p) => (p.content ?? []).map((t) => t.text ?? '').join('')).join('\n');
}
