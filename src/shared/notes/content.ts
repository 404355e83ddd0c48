import { z } from 'zod';
import { MEASURE_IDS } from '../measures/definition';

/**
 * The content of one session note (a draft, or what was signed). Shared by the editor, the
 * core's store and the server; validated at every boundary with `noteContentSchema`.
 *
 * Narrative sections are ProseMirror/tiptap JSON (what Mantine's rich-text editor produces), so
 * the content hash covers exactly what the editor shows, marks included.
 */
export interface RichTextMark {
  type: string;
  attrs?: Record<string, unknown> | undefined;
}
export interface RichTextNode {
  type: string;
  text?: string | undefined;
  attrs?: Record<string, unknown> | undefined;
  marks?: RichTextMark[] | undefined;
  content?: RichTextNode[] | undefined;
}

const markSchema = z.object({ type: z.string().min(1), attrs: z.record(z.string(), z.unknown()).optional() }).strict();

export const richTextNodeSchema: z.ZodType<RichTextNode> = z.lazy(() =>
  z
    .object({
      type: z.string().min(1),
      text: z.string().optional(),
      attrs: z.record(z.string(), z.unknown()).optional(),
      marks: z.array(markSchema).optional(),
      content: z.array(richTextNodeSchema).optional(),
    })
    .strict(),
);

/** Where copied-forward text came from (the UI shows it as copied until the clinician edits it). */
export const copiedFromSchema = z
  .object({ noteId: z.string().min(1), sectionId: z.string(), fieldId: z.string() })
  .strict();
export type CopiedFrom = z.infer<typeof copiedFromSchema>;

export const RISK_SCREEN_RESULTS = ['none', 'low', 'moderate', 'high', 'not_done'] as const;
export type RiskScreenResult = (typeof RISK_SCREEN_RESULTS)[number];

const date = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'a date is YYYY-MM-DD');
/** A time of day on the clinic's wall clock, `HH:MM` (24 h). */
export const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/;
const time = z.string().regex(TIME_OF_DAY, 'a time is HH:MM (24 h)');

export const fieldValueSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('richText'),
      doc: richTextNodeSchema,
      copiedFrom: z.array(copiedFromSchema).optional(),
    })
    .strict(),
  z.object({ type: z.literal('text'), value: z.string() }).strict(),
  z.object({ type: z.literal('choice'), value: z.array(z.string()) }).strict(),
  z.object({ type: z.literal('number'), value: z.number() }).strict(),
  z.object({ type: z.literal('date'), value: date }).strict(),
  z.object({ type: z.literal('time'), value: time }).strict(),
  z.object({ type: z.literal('boolean'), value: z.boolean() }).strict(),
  z
    .object({
      type: z.literal('measure'),
      measureId: z.enum(MEASURE_IDS),
      /** The measure definition version the responses were given against. */
      version: z.int().positive(),
      responses: z.record(z.string(), z.unknown()),
    })
    .strict(),
  z
    .object({
      type: z.literal('riskScreen'),
      /** C-SSRS screener level, or not done (with the reason). */
      result: z.enum(RISK_SCREEN_RESULTS),
      reason: z.string().optional(),
    })
    .strict(),
]);
export type FieldValue = z.infer<typeof fieldValueSchema>;
export type FieldType = FieldValue['type'];

const sectionValues = z.record(z.string(), z.record(z.string(), fieldValueSchema));
export type SectionValues = z.infer<typeof sectionValues>;

export const MODALITIES = ['video', 'phone', 'in_person'] as const;
export type Modality = (typeof MODALITIES)[number];

export const PARTICIPANT_KINDS = [
  'client',
  'clinician',
  'cofacilitator',
  'supervisor',
  'family',
  'support_person',
  'interpreter',
  'other',
] as const;

export const participantSchema = z
  .object({
    kind: z.enum(PARTICIPANT_KINDS),
    /** Client id or staff id when the participant is a known record. */
    refId: z.string().optional(),
    displayName: z.string().optional(),
  })
  .strict();
export type Participant = z.infer<typeof participantSchema>;

export const encounterSchema = z
  .object({
    date: date.optional(),
    startTime: time.optional(),
    endTime: time.optional(),
    /** IANA zone of the times above (the clinician's, unless stated otherwise). */
    timeZone: z.string().optional(),
    modality: z.enum(MODALITIES).optional(),
    /** Present when a video session switched to audio only; `at` is when. */
    audioOnlySwitch: z.object({ at: time.optional() }).strict().optional(),
    /** Where the client is for this session (emergency services go there), and whether it was confirmed. */
    clientLocation: z.object({ address: z.string(), verified: z.boolean() }).strict().optional(),
    participants: z.array(participantSchema).optional(),
  })
  .strict();
export type Encounter = z.infer<typeof encounterSchema>;
export const ENCOUNTER_FIELDS = ['date', 'startTime', 'endTime', 'modality', 'clientLocation', 'participants'] as const;
export type EncounterField = (typeof ENCOUNTER_FIELDS)[number];

export const memberContentSchema = z
  .object({
    /** Only attending members need (and get filed) a section. */
    attended: z.boolean(),
    sections: sectionValues,
  })
  .strict();
export type MemberContent = z.infer<typeof memberContentSchema>;

/**
 * The largest note a workstation saves: its content's JSON, in UTF-8 bytes (4 MiB, some 600,000
 * words). Every saved draft travels to the clinic server as one change, and the server takes a
 * push of up to twice this (`MAX_PUSH_BODY_BYTES`, src/shared/sync/protocol.ts), so a note that
 * could be saved can always be synced. A longer one is refused at the save (NOTE_TOO_LONG), in
 * words, while the editor still holds its text.
 */
export const MAX_NOTE_CONTENT_BYTES = 4 * 1024 * 1024;

/**
 * From this size on (90 % of `MAX_NOTE_CONTENT_BYTES`) the editor says how long the note is and
 * how much room is left, so the clinician is not surprised by NOTE_TOO_LONG mid-sentence.
 */
export const NOTE_LENGTH_WARNING_BYTES = Math.floor(MAX_NOTE_CONTENT_BYTES * 0.9);

export const noteContentSchema = z
  .object({
    templateId: z.string(),
    templateVersion: z.int().positive(),
    encounter: encounterSchema,
    /** Shared sections: sectionId → fieldId → value. */
    sections: sectionValues,
    /** Group notes: clientId → that member's own sections. */
    members: z.record(z.string(), memberContentSchema).optional(),
  })
  .strict();
export type NoteContent = z.infer<typeof noteContentSchema>;

/** The plain text of a rich-text document (paragraphs joined by newlines). */
export function richTextPlain(node: RichTextNode): string {
  if (node.text !== undefined) return node.text;
  const children = (node.content ?? []).map(richTextPlain);
  const block = node.type !== 'text' && node.type !== 'hardBreak';
  return children.join(block && node.type !== 'paragraph' && node.type !== 'heading' ? '\n' : '');
}

/** Whether a field holds something a reader would call an answer. */
export function isFieldFilled(value: FieldValue | undefined): boolean {
  if (!value) return false;
  switch (value.type) {
    case 'richText':
      return richTextPlain(value.doc).trim() !== '';
    case 'text':
      return value.value.trim() !== '';
    case 'choice':
      return value.value.length > 0;
    case 'number':
      return Number.isFinite(value.value);
    case 'date':
    case 'time':
    case 'boolean':
      return true;
    case 'measure':
      return Object.keys(value.responses).length > 0;
    case 'riskScreen':
      return value.result !== 'not_done' || (value.reason ?? '').trim() !== '';
  }
}

/** A document of plain paragraphs (tests, copy forward, imports). */
export function richTextFromParagraphs(paragraphs: readonly string[]): RichTextNode {
  return {
    type: 'doc',
    content: paragraphs.map((text) =>
      text === '' ? { type: 'paragraph' } : { type: 'paragraph', content: [{ type: 'text', text }] },
    ),
  };
}
