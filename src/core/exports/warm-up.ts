import { type NoteContent, type RichTextNode } from '../../shared/notes/content';
import { SOAP_TEMPLATE } from '../../shared/notes/templates/builtin';
import { type Language } from '../../shared/notes/translate';
import { renderNotePdf } from './note-pdf';

/**
 * The first PDF a process renders is several times slower than the next ones: the fonts are
 * parsed and V8 compiles pdfmake's layout code only as it runs. `warmUpPdfRenderer()` renders a
 * synthetic note (no client data: pangrams and placeholder text, in English and Spanish, with
 * every font style, lists, tables and measures) so that a clinician's first print costs what
 * later ones do. Meant for the background (e.g. shortly after unlock); it writes nothing.
 */
const PANGRAMS = [
  'The quick brown fox jumps over the lazy dog; THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG. 0123456789 — “quoted” ‘text’ (a) [b] 1–2, 3/4: 5% 6# 7@ 8&',
  '¿Qué pingüino añejo? ¡Sí! Él comió 12 jalapeños: Ñandú, acción, corazón, débil, música, güero. ÁÉÍÓÚÜÑ áéíóúüñ ç à è ò « » · • … ° ±',
];

const text = (value: string, ...marks: string[]): RichTextNode =>
  marks.length === 0
    ? { type: 'text', text: value }
    : { type: 'text', text: value, marks: marks.map((type) => ({ type })) };
const paragraph = (...content: RichTextNode[]): RichTextNode => ({ type: 'paragraph', content });
const narrative = (): { type: 'richText'; doc: RichTextNode } => ({
  type: 'richText',
  doc: {
    type: 'doc',
    content: [
      ...PANGRAMS.map((pangram) =>
        paragraph(
          text(pangram),
          text(` ${pangram}`, 'bold'),
          text(` ${pangram}`, 'italic'),
          text(pangram, 'bold', 'italic'),
        ),
      ),
      { type: 'heading', attrs: { level: 3 }, content: [text(PANGRAMS[0]!)] },
      {
        type: 'bulletList',
        content: PANGRAMS.map((pangram) => ({ type: 'listItem', content: [paragraph(text(pangram))] })),
      },
      {
        type: 'orderedList',
        content: PANGRAMS.map((pangram) => ({ type: 'listItem', content: [paragraph(text(pangram, 'underline'))] })),
      },
      paragraph(text(PANGRAMS[1]!, 'copiedForward')),
    ],
  },
});

const WARM_UP_ID = '00000000-0000-4000-8000-000000000000';
const WARM_UP_HASH = '0'.repeat(64);

function warmUpContent(): NoteContent {
  return {
    templateId: SOAP_TEMPLATE.id,
    templateVersion: SOAP_TEMPLATE.version,
    encounter: {
      date: '2000-01-01',
      startTime: '09:00',
      endTime: '09:50',
      modality: 'video',
      audioOnlySwitch: { at: '09:30' },
      clientLocation: { address: PANGRAMS[0]!, verified: true },
      participants: [{ kind: 'clinician', displayName: 'A' }],
    },
    sections: {
      subjective: { subjective: narrative() },
      objective: {
        objective: narrative(),
        phq9: {
          type: 'measure',
          measureId: 'phq9',
          version: 1,
          responses: { q1: 1, q2: 2, q3: 3, q4: 0, q5: 1, q6: 2, q7: 3, q8: 0, q9: 1, difficulty: 2 },
        },
        gad7: { type: 'measure', measureId: 'gad7', version: 1, responses: { q1: 1, q2: 2 } },
        craving: { type: 'measure', measureId: 'craving', version: 1, responses: { level: 5 } },
        bam: { type: 'measure', measureId: 'bam', version: 1, responses: { q1: 2, q4: 0, q6: 1, q7a: 1, q17: 3 } },
      },
      assessment: { assessment: narrative() },
      safety: { risk_screen: { type: 'riskScreen', result: 'not_done', reason: PANGRAMS[1]! } },
      plan: { plan: narrative(), next_appointment: { type: 'date', value: '2000-01-08' } },
    },
  };
}

export async function warmUpPdfRenderer(rounds = 2): Promise<void> {
  const content = warmUpContent();
  const signedAt = '2000-01-01T12:00:00.000Z';
  for (let round = 0; round < rounds; round++) {
    const language: Language = round % 2 === 0 ? 'en' : 'es';
    await renderNotePdf({
      note: {
        id: WARM_UP_ID,
        clientId: WARM_UP_ID,
        clientName: 'A',
        templateId: SOAP_TEMPLATE.id,
        templateVersion: SOAP_TEMPLATE.version,
        status: 'signed',
        cosign: 'pending',
        addendumCount: 1,
        proposalCount: 0,
        sessionDate: '2000-01-01',
        sessionTime: '09:00',
        authorId: WARM_UP_ID,
        authorName: 'A',
        isOwn: true,
        isProtected: false,
        lateEntry: true,
        signedAt,
        updatedAt: signedAt,
        pendingSync: false,
        conflict: false,
        content,
        draftRevision: 1,
        signature: { signerId: WARM_UP_ID, signerName: 'A', signedAt, contentHash: WARM_UP_HASH },
        cosignDetail: { state: 'pending', byName: null, at: null, comment: null, canDecide: false },
        addenda: [
          {
            id: WARM_UP_ID,
            authorId: WARM_UP_ID,
            authorName: 'A',
            body: { text: PANGRAMS.join('\n') },
            state: 'signed',
            signedAt,
            contentHash: WARM_UP_HASH,
            lateEntry: false,
            proposedContent: null,
            pendingSync: false,
          },
        ],
        conflictDetail: null,
        editedElsewhere: null,
        canEdit: false,
      },
      template: SOAP_TEMPLATE,
      client: { name: 'A', dateOfBirth: '2000-01-01', recordNumber: 'A' },
      clinic: { name: 'A' },
      language,
      generatedAt: new Date(signedAt),
      generatedBy: 'A',
      timeZone: 'UTC',
    });
  }
}
