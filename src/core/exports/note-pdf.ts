import type { Content, ContentText, TableCell } from './pdfmake-types';
import { z } from 'zod';
import {
  BAM_GROUPS,
  bamCutoffsSchema,
  bandSchema,
  MEASURE_DEFINITIONS,
  type MeasureConfig,
  type MeasureDefinition,
  type MeasureResult,
  scoreMeasure,
} from '../../shared/measures';
import { measureStrings } from '../../shared/measures/strings';
import {
  type Encounter,
  type FieldValue,
  isFieldFilled,
  memberFilings,
  type NoteContent,
  type RichTextNode,
  type SectionValues,
} from '../../shared/notes';
import { type AddendumView, type NoteDetail, noteDetailSchema } from '../../shared/notes/rpc';
import { noteStrings } from '../../shared/notes/strings';
import {
  type FieldDefinition,
  type TemplateDefinition,
  templateDefinitionSchema,
} from '../../shared/notes/templates/schema';
import {
  createTranslator,
  type Language,
  LANGUAGES,
  type LocalizedStrings,
  type Translate,
} from '../../shared/notes/translate';
import { formatCalendarDate, formatInstant, formatNumber, formatTimeOfDay, isKnownTimeZone, localeOf } from './format';
import {
  callout,
  COLORS,
  keepTogether,
  keepWithNext,
  labelValueTable,
  renderPdf,
  type RenderedPdf,
  rule,
} from './pdf-document';
import { richTextToPdf } from './rich-text';
import { PART2_REDISCLOSURE_STATEMENT, PART2_REDISCLOSURE_TRANSLATIONS, pdfStrings } from './strings';

/**
 * The printed session note (issue 5, item 7): what goes in the record. Pure in its inputs (the
 * caller reads the note, checks who may print it, audits the print and writes the file with
 * `writeExportFile`); nothing here logs or touches the store.
 *
 * Content, in this order: title (template name), client name and date of birth, a draft banner
 * and watermark for an unsigned note, the protected-note notice, the client and encounter
 * blocks, every section and field of the template in template order (rich text, choices,
 * numbers, dates, booleans, the risk screen, measures with scored totals and severity bands; the
 * BAM by item group, no total), for a group note the shared content and then only the section of
 * the member whose chart this is, the signature block (signer, time, SHA-256 content hash, late
 * entry, co-signature), each signed addendum with its own signature and hash, and the 42 CFR
 * Part 2 notice. Every page carries who the record is about, the confidentiality line, who
 * generated it and when, and "Page X of Y".
 */
export interface NotePdfInput {
  note: NoteDetail;
  /** The template (and version) the note was written with. */
  template: TemplateDefinition;
  client: { name: string; dateOfBirth: string | null; recordNumber?: string | null | undefined };
  clinic: { name: string } | null;
  language: Language;
  generatedAt: Date;
  /** Who printed it (a display name). */
  generatedBy: string;
  /** IANA zone for times of day and instants (the clinician's). */
  timeZone: string;
  /** Group notes: the member whose chart this copy is for (required for a group note). */
  memberId?: string | undefined;
  /** The clinic's band overrides / BAM cut-offs, when it has any. */
  measureConfig?: MeasureConfig | undefined;
}

export type NotePdfErrorCode = 'INVALID_INPUT' | 'TEMPLATE_MISMATCH' | 'MEMBER_REQUIRED' | 'MEMBER_NOT_IN_NOTE';

/** Why a note cannot be printed; the message names codes and paths only, never content. */
export class NotePdfError extends Error {
  constructor(
    readonly code: NotePdfErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'NotePdfError';
  }
}

const notePdfInputSchema = z.object({
  note: noteDetailSchema,
  template: templateDefinitionSchema,
  client: z.object({
    name: z.string().min(1),
    dateOfBirth: z.string().nullable(),
    recordNumber: z.string().nullable().optional(),
  }),
  clinic: z.object({ name: z.string() }).nullable(),
  language: z.enum(LANGUAGES),
  generatedAt: z.date(),
  generatedBy: z.string().min(1),
  timeZone: z.string().min(1),
  memberId: z.string().min(1).optional(),
  measureConfig: z
    .object({
      bands: z
        .object({
          phq9: z.array(bandSchema).optional(),
          gad7: z.array(bandSchema).optional(),
          craving: z.array(bandSchema).optional(),
        })
        .optional(),
      bamCutoffs: bamCutoffsSchema.optional(),
    })
    .optional(),
});

function validated(input: NotePdfInput): NotePdfInput {
  const parsed = notePdfInputSchema.safeParse(input);
  if (!parsed.success) {
    const paths = parsed.error.issues.map((issue) => issue.path.map(String).join('.') || '(input)');
    throw new NotePdfError('INVALID_INPUT', `note PDF input is invalid at ${[...new Set(paths)].join(', ')}`);
  }
  const { note, template } = input;
  if (
    note.templateId !== template.id ||
    note.content.templateId !== template.id ||
    note.content.templateVersion !== template.version
  )
    throw new NotePdfError(
      'TEMPLATE_MISMATCH',
      `note ${note.id} was not written with template ${template.id} v${template.version}`,
    );
  return input;
}

/** A clinic template's own strings, as a translator source. */
function templateStrings(template: TemplateDefinition): LocalizedStrings[] {
  return template.strings ? [{ en: template.strings.en, es: template.strings.es }] : [];
}

interface Context {
  input: NotePdfInput;
  t: Translate;
  language: Language;
  timeZone: string;
}

const muted = (text: string): ContentText => ({ text, italics: true, color: COLORS.muted });

function personName(ctx: Context, name: string | null, id: string): string {
  return name ?? ctx.t('pdf.signature.unknown_person', { id: id.slice(0, 8) });
}

function instant(ctx: Context, value: string | Date): string {
  return formatInstant(value, ctx.language, ctx.timeZone);
}

// ————— Client and encounter —————

function clientBlock(ctx: Context): Content {
  const { client, clinic } = ctx.input;
  const rows: [string, Content][] = [[ctx.t('pdf.document.client'), { text: client.name, bold: true }]];
  rows.push([
    ctx.t('pdf.document.date_of_birth'),
    client.dateOfBirth ? formatCalendarDate(client.dateOfBirth, ctx.language) : muted(ctx.t('pdf.note.empty')),
  ]);
  if (client.recordNumber) rows.push([ctx.t('pdf.document.record_number'), client.recordNumber]);
  if (clinic) rows.push([ctx.t('pdf.document.clinic'), clinic.name]);
  return labelValueTable(rows);
}

function encounterBlock(ctx: Context, encounter: Encounter, clientIds: ReadonlySet<string>): Content[] {
  const { t, language } = ctx;
  const empty = () => muted(t('pdf.note.empty'));
  const rows: [string, Content][] = [];
  rows.push([t('notes.encounter.date'), encounter.date ? formatCalendarDate(encounter.date, language) : empty()]);
  const zone = encounter.timeZone && isKnownTimeZone(encounter.timeZone) ? encounter.timeZone : ctx.timeZone;
  if (encounter.startTime || encounter.endTime) {
    const start = encounter.startTime ? formatTimeOfDay(encounter.startTime, language) : '…';
    const end = encounter.endTime ? formatTimeOfDay(encounter.endTime, language) : '…';
    rows.push([
      `${t('notes.encounter.startTime')} – ${t('notes.encounter.endTime')}`,
      `${t('pdf.encounter.time_range', { start, end })} ${t('pdf.encounter.time_zone', { zone })}`,
    ]);
  } else rows.push([`${t('notes.encounter.startTime')} – ${t('notes.encounter.endTime')}`, empty()]);
  rows.push([t('notes.encounter.modality'), encounter.modality ? t(`notes.modality.${encounter.modality}`) : empty()]);
  if (encounter.audioOnlySwitch || encounter.modality === 'video')
    rows.push([
      t('notes.encounter.audioOnlySwitch'),
      encounter.audioOnlySwitch
        ? encounter.audioOnlySwitch.at
          ? t('pdf.encounter.audio_only_at', { time: formatTimeOfDay(encounter.audioOnlySwitch.at, language) })
          : t('pdf.encounter.audio_only_no_time')
        : t('pdf.note.no'),
    ]);
  rows.push([
    t('notes.encounter.clientLocation'),
    encounter.clientLocation
      ? {
          text: [
            encounter.clientLocation.address,
            {
              text: ` (${t(encounter.clientLocation.verified ? 'pdf.encounter.location_verified' : 'pdf.encounter.location_unverified')})`,
              color: encounter.clientLocation.verified ? COLORS.muted : COLORS.warning,
            },
          ],
        }
      : empty(),
  ]);
  const participants = encounter.participants ?? [];
  rows.push([
    t('notes.encounter.participants'),
    participants.length === 0
      ? empty()
      : {
          stack: participants.map((participant) => {
            const kind = t(`notes.participants.${participant.kind}`);
            const name =
              participant.displayName ??
              (participant.kind === 'client' && participant.refId !== undefined && clientIds.has(participant.refId)
                ? ctx.input.client.name
                : undefined);
            return name ? t('pdf.encounter.participant', { kind, name }) : kind;
          }),
        },
  ]);
  return [{ text: t('pdf.encounter.title'), style: 'sectionTitle' }, rule(), labelValueTable(rows)];
}

// ————— Fields —————

function choiceLabels(ctx: Context, field: FieldDefinition | undefined, values: readonly string[]): string {
  const options = field?.type === 'choice' ? field.options : [];
  return values
    .map((value) => {
      const option = options.find((candidate) => candidate.value === value);
      return option ? ctx.t(option.labelKey) : value;
    })
    .join(', ');
}

/** A short value printed on one line beside its label, or null for a block value. */
function shortValue(ctx: Context, field: FieldDefinition | undefined, value: FieldValue | undefined): Content | null {
  const { t, language } = ctx;
  if (!value) return field?.type === 'richText' || field?.type === 'measure' ? null : muted(t('pdf.note.empty'));
  switch (value.type) {
    case 'richText':
    case 'measure':
      return null;
    case 'text':
      return value.value.trim() === '' ? muted(t('pdf.note.empty')) : value.value;
    case 'choice':
      return value.value.length === 0 ? muted(t('pdf.note.empty')) : choiceLabels(ctx, field, value.value);
    case 'number':
      return formatNumber(value.value, language);
    case 'date':
      return formatCalendarDate(value.value, language);
    case 'time':
      return formatTimeOfDay(value.value, language);
    case 'boolean':
      return t(value.value ? 'pdf.note.yes' : 'pdf.note.no');
    case 'riskScreen': {
      const result: ContentText = {
        text: t(`notes.risk_screen.${value.result}`),
        bold: value.result === 'moderate' || value.result === 'high',
        ...(value.result === 'high' ? { color: COLORS.warning } : {}),
      };
      if (value.result === 'not_done' && value.reason)
        return { stack: [result, { text: `${t('notes.risk_screen.reason')}: ${value.reason}`, style: 'small' }] };
      return result;
    }
  }
}

function blockValue(ctx: Context, field: FieldDefinition | undefined, value: FieldValue | undefined): Content[] {
  if (!value || !isFieldFilled(value)) return [muted(ctx.t('pdf.note.empty'))];
  if (value.type === 'richText') return richTextToPdf(value.doc, { copiedLabel: ctx.t('pdf.note.copied') });
  if (value.type === 'measure') return measureBlock(ctx, value);
  const short = shortValue(ctx, field, value);
  return short ? [short] : [];
}

function sectionBlock(
  ctx: Context,
  definedFields: readonly FieldDefinition[],
  values: SectionValues[string] | undefined,
  title: string,
): Content[] {
  const body: Content[] = [];
  let shortRows: [string, Content][] = [];
  const flush = () => {
    if (shortRows.length > 0) body.push(labelValueTable(shortRows));
    shortRows = [];
  };
  const known = new Set(definedFields.map((field) => field.id));
  const fields: Array<{ field: FieldDefinition | undefined; id: string; label: string }> = definedFields.map(
    (field) => ({ field, id: field.id, label: ctx.t(field.labelKey) }),
  );
  for (const id of Object.keys(values ?? {}))
    if (!known.has(id)) fields.push({ field: undefined, id, label: ctx.t('pdf.note.unknown_field', { field: id }) });
  for (const { field, id, label } of fields) {
    const value = values?.[id];
    const short = shortValue(ctx, field, value);
    if (short) {
      shortRows.push([label, short]);
      continue;
    }
    flush();
    // A lone narrative field named like its section ("Subjective" in "Subjective") needs no second heading.
    const heading: Content[] = label !== title ? [{ text: label, style: 'subheading' }] : [];
    body.push(...keepWithNext(heading, blockValue(ctx, field, value)));
  }
  flush();
  return keepWithNext([{ text: title, style: 'sectionTitle' }, rule()], body);
}

// ————— Measures —————

function answerLabel(ctx: Context, definition: MeasureDefinition, itemId: string, value: number): string {
  const item = definition.items.find((candidate) => candidate.id === itemId);
  if (item?.kind === 'choice') {
    const option = item.options.find((candidate) => candidate.value === value);
    if (option) return ctx.t('pdf.measures.answer_value', { label: ctx.t(option.labelKey), value });
  }
  return formatNumber(value, ctx.language);
}

function itemsTable(
  ctx: Context,
  definition: MeasureDefinition,
  answers: Record<string, unknown>,
  implied: Record<string, number>,
): Content {
  const { t } = ctx;
  const body: TableCell[][] = [
    [
      { text: t('pdf.measures.item'), style: 'tableHeader' },
      { text: t('pdf.measures.question'), style: 'tableHeader' },
      { text: t('pdf.measures.answer'), style: 'tableHeader' },
    ],
  ];
  let lastStem: string | undefined;
  for (const item of definition.items) {
    const raw = answers[item.id];
    const value = typeof raw === 'number' ? raw : implied[item.id];
    if (value === undefined && item.optional) continue;
    const stem = item.kind === 'choice' ? item.groupTextKey : undefined;
    if (stem && stem !== lastStem)
      body.push([
        { text: '', style: 'tableCell' },
        { text: t(stem), style: 'tableCell', italics: true, colSpan: 2 },
        {},
      ]);
    lastStem = stem;
    let answer: TableCell;
    if (value === undefined)
      answer = { text: t('pdf.measures.unanswered'), style: 'tableCell', italics: true, color: COLORS.muted };
    else if (typeof raw !== 'number')
      answer = { text: `${answerLabel(ctx, definition, item.id, value)} *`, style: 'tableCell' };
    else answer = { text: answerLabel(ctx, definition, item.id, value), style: 'tableCell' };
    body.push([{ text: item.number, style: 'tableCell' }, { text: t(item.textKey), style: 'tableCell' }, answer]);
  }
  return {
    table: { headerRows: 1, widths: [22, '*', 128], body, dontBreakRows: true },
    layout: {
      hLineWidth: (i: number) => (i === 1 ? 0.6 : 0.3),
      vLineWidth: () => 0,
      hLineColor: () => COLORS.rule,
      paddingTop: () => 1.5,
      paddingBottom: () => 1.5,
      paddingLeft: () => 2,
      paddingRight: () => 4,
    },
    margin: [0, 2, 0, 6],
  };
}

function bandLabel(ctx: Context, code: string): string {
  const key = `measures.bands.${code}`;
  const text = ctx.t(key);
  return text === key ? code : text;
}

function measureSummary(ctx: Context, result: MeasureResult, definition: MeasureDefinition): Content[] {
  const { t } = ctx;
  const lines: Content[] = [];
  switch (result.measureId) {
    case 'phq9':
    case 'gad7': {
      const score = result.score;
      if (score.status === 'complete')
        lines.push({
          text: [
            {
              text: t('pdf.measures.total', { score: score.total, max: definition.totalRange?.max ?? '' }),
              bold: true,
            },
            '   ',
            { text: t('pdf.measures.band', { band: bandLabel(ctx, score.band.code) }), bold: true },
          ],
        });
      else lines.push({ text: t('pdf.measures.incomplete', { count: score.missingItems.length }), bold: true });
      if (result.measureId === 'phq9' && result.suicideRiskItemPositive)
        lines.push({ text: t('pdf.measures.phq9_item9_positive'), bold: true, color: COLORS.warning });
      break;
    }
    case 'craving':
      if (result.status === 'complete') {
        const parts: ContentText['text'] = [
          { text: t('pdf.measures.level', { level: result.level, max: definition.totalRange?.max ?? 10 }), bold: true },
        ];
        if (result.band)
          parts.push('   ', { text: t('pdf.measures.band', { band: bandLabel(ctx, result.band.code) }), bold: true });
        lines.push({ text: parts });
      } else lines.push({ text: t('pdf.measures.incomplete', { count: 1 }), bold: true });
      break;
    case 'bam': {
      lines.push({ text: t('pdf.measures.bam_no_total'), style: 'small', margin: [0, 0, 0, 2] });
      for (const group of Object.keys(BAM_GROUPS) as (keyof typeof BAM_GROUPS)[]) {
        const score = result[group];
        const name = t(`measures.bam.groups.${group}`);
        if (score.status === 'complete')
          lines.push({
            text: [
              { text: t('pdf.measures.bam_group', { group: name, sum: score.sum, max: score.max }), bold: true },
              ...(score.flagged
                ? [{ text: ` — ${t('pdf.measures.bam_flagged')}`, bold: true, color: COLORS.warning }]
                : []),
            ],
          });
        else
          lines.push({
            text: t('pdf.measures.bam_group_incomplete', { group: name, count: score.missingItems.length }),
          });
      }
      const indicator = (value: boolean | null) =>
        value === null ? t('pdf.measures.indicator_unknown') : t(value ? 'pdf.note.yes' : 'pdf.note.no');
      lines.push({
        text: [
          `${t('measures.bam.indicators.any_alcohol')}: ${indicator(result.use.anyAlcohol)}   `,
          `${t('measures.bam.indicators.heavy_alcohol')}: ${indicator(result.use.heavyAlcohol)}   `,
          `${t('measures.bam.indicators.any_drug')}: ${indicator(result.use.anyDrug)}`,
        ],
        style: 'small',
      });
      if (result.satisfaction !== null)
        lines.push({
          text: t('pdf.measures.bam_satisfaction', {
            label: t('measures.bam.indicators.satisfaction'),
            value: answerLabel(ctx, definition, 'q17', result.satisfaction),
          }),
          style: 'small',
        });
      if (result.impliedItems.q5 !== undefined)
        lines.push({ text: `* ${t('pdf.measures.bam_implied')}`, style: 'small' });
      break;
    }
  }
  return lines;
}

function measureBlock(ctx: Context, value: Extract<FieldValue, { type: 'measure' }>): Content[] {
  const definition = MEASURE_DEFINITIONS[value.measureId];
  const out: Content[] = [];
  if (value.version !== definition.version)
    out.push({
      text: ctx.t('pdf.measures.version', { version: value.version, known: definition.version }),
      style: 'small',
    });
  let scored: ReturnType<typeof scoreMeasure>;
  try {
    scored = scoreMeasure(value.measureId, value.responses, ctx.input.measureConfig);
  } catch {
    // A clinic band configuration that does not fit the measure: print the answers, no score.
    scored = { ok: false, problems: [] };
  }
  if (scored.ok) out.push({ stack: measureSummary(ctx, scored.result, definition) });
  else out.push({ text: ctx.t('pdf.measures.invalid'), color: COLORS.warning });
  const implied = scored.ok && scored.result.measureId === 'bam' ? scored.result.impliedItems : {};
  out.push(itemsTable(ctx, definition, value.responses, implied));
  return out;
}

// ————— Signatures —————

function hashLines(ctx: Context, hash: string): Content[] {
  return [
    { text: ctx.t('pdf.signature.hash'), style: 'small', margin: [0, 2, 0, 0] },
    { text: hash, style: 'mono', margin: [0, 1, 0, 2] },
  ];
}

function signatureBlock(ctx: Context): Content[] {
  const { note } = ctx.input;
  const { t } = ctx;
  const out: Content[] = [{ text: t('pdf.signature.title'), style: 'sectionTitle' }, rule()];
  if (note.status === 'signed' && note.signature) {
    out.push({
      text: t('pdf.signature.signed', {
        name: personName(ctx, note.signature.signerName, note.signature.signerId),
        date: instant(ctx, note.signature.signedAt),
      }),
      bold: true,
    });
    out.push(...hashLines(ctx, note.signature.contentHash));
    if (note.lateEntry) out.push({ text: t('pdf.signature.late_entry'), bold: true, color: COLORS.warning });
  } else out.push({ text: t('pdf.signature.unsigned'), bold: true, color: COLORS.warning });

  const cosign = note.cosignDetail;
  const state = cosign?.state ?? note.cosign;
  if (state === 'pending') out.push({ text: t('pdf.signature.cosign_pending'), bold: true, margin: [0, 4, 0, 0] });
  else if (state === 'cosigned')
    out.push({
      text: t('pdf.signature.cosigned', {
        name: cosign?.byName ?? '—',
        date: cosign?.at ? instant(ctx, cosign.at) : '—',
      }),
      bold: true,
      margin: [0, 4, 0, 0],
    });
  else if (state === 'returned')
    out.push({
      text: t('pdf.signature.returned', {
        name: cosign?.byName ?? '—',
        date: cosign?.at ? instant(ctx, cosign.at) : '—',
        comment: cosign?.comment ?? '',
      }),
      margin: [0, 4, 0, 0],
    });
  return keepTogether(out);
}

function addendumBody(ctx: Context, addendum: AddendumView): Content[] {
  if (addendum.body.doc) return richTextToPdf(addendum.body.doc, { copiedLabel: ctx.t('pdf.note.copied') });
  const doc: RichTextNode = {
    type: 'doc',
    content: addendum.body.text
      .split('\n')
      .map((line) =>
        line === '' ? { type: 'paragraph' } : { type: 'paragraph', content: [{ type: 'text', text: line }] },
      ),
  };
  return richTextToPdf(doc, { copiedLabel: ctx.t('pdf.note.copied') });
}

function addendaBlock(ctx: Context): Content[] {
  const signed = ctx.input.note.addenda
    .filter((addendum) => addendum.state === 'signed' && addendum.signedAt !== null)
    .sort((a, b) => (a.signedAt ?? '').localeCompare(b.signedAt ?? ''));
  if (signed.length === 0) return [];
  const entries: Content[] = [];
  signed.forEach((addendum, index) => {
    const signature: Content[] = [
      {
        text: ctx.t('pdf.signature.signed', {
          name: personName(ctx, addendum.authorName, addendum.authorId),
          date: instant(ctx, addendum.signedAt ?? ''),
        }),
        bold: true,
      },
    ];
    if (addendum.contentHash) signature.push(...hashLines(ctx, addendum.contentHash));
    if (addendum.lateEntry)
      signature.push({ text: ctx.t('pdf.signature.late_entry'), bold: true, color: COLORS.warning });
    const heading: Content = { text: ctx.t('pdf.addenda.addendum', { number: index + 1 }), style: 'subheading' };
    entries.push(...keepWithNext([heading], [...addendumBody(ctx, addendum), ...keepTogether(signature)]));
  });
  return keepWithNext([{ text: ctx.t('pdf.addenda.title'), style: 'sectionTitle' }, rule()], entries);
}

// ————— The document —————

interface Printable {
  content: NoteContent;
  memberSections?: { clientId: string; values: NonNullable<NoteContent['members']>[string] } | undefined;
  otherAttendingCount: number;
}

function printableContent(input: NotePdfInput): Printable {
  const { template, note, memberId } = input;
  if (template.kind !== 'group') return { content: note.content, otherAttendingCount: 0 };
  if (!memberId) throw new NotePdfError('MEMBER_REQUIRED', `group note ${note.id} is printed for one member's chart`);
  const filing = memberFilings(template, note.content).find((candidate) => candidate.clientId === memberId);
  const member = filing?.content.members?.[memberId];
  if (!filing || !member)
    throw new NotePdfError('MEMBER_NOT_IN_NOTE', `group note ${note.id}: the member did not attend`);
  return {
    content: filing.content,
    memberSections: { clientId: memberId, values: member },
    otherAttendingCount: filing.otherAttendingCount,
  };
}

export async function renderNotePdf(rawInput: NotePdfInput): Promise<RenderedPdf> {
  const input = validated(rawInput);
  const { note, template, client, clinic, language } = input;
  const t = createTranslator(language, [...templateStrings(template), pdfStrings, noteStrings, measureStrings]);
  const timeZone = isKnownTimeZone(input.timeZone) ? input.timeZone : 'UTC';
  const ctx: Context = { input, t, language, timeZone };
  const printable = printableContent(input);
  const templateName = t(template.nameKey);
  const draft = note.status !== 'signed';
  const protectedNote = note.isProtected || template.protected;

  const content: Content[] = [{ text: templateName, style: 'title' }];
  if (draft)
    content.push(
      callout({ text: t('pdf.note.draft_banner'), style: 'banner' }, COLORS.warningBackground, COLORS.warning),
    );
  if (protectedNote)
    content.push(
      callout(
        {
          stack: [
            { text: t('pdf.note.protected_notice'), bold: true },
            { text: t('pdf.note.protected_detail'), style: 'small' },
          ],
        },
        COLORS.noticeBackground,
        COLORS.accent,
      ),
    );
  content.push(clientBlock(ctx));
  const clientIds = new Set([note.clientId, ...(input.memberId ? [input.memberId] : [])]);
  content.push(...encounterBlock(ctx, printable.content.encounter, clientIds));
  if (printable.memberSections && printable.otherAttendingCount > 0)
    content.push({
      text: t('pdf.group.others', { count: printable.otherAttendingCount }),
      style: 'small',
      margin: [0, 0, 0, 4],
    });

  for (const section of template.sections) {
    if (section.scope !== 'shared') continue;
    content.push(...sectionBlock(ctx, section.fields, printable.content.sections[section.id], t(section.titleKey)));
  }
  // Values under a section this template version does not have: printed, never hidden.
  for (const [sectionId, values] of Object.entries(printable.content.sections))
    if (!template.sections.some((section) => section.id === sectionId && section.scope === 'shared'))
      content.push(...sectionBlock(ctx, [], values, sectionId));
  if (printable.memberSections) {
    content.push({
      text: t('pdf.group.member_heading', { name: client.name }),
      style: 'title',
      fontSize: 13,
      margin: [0, 14, 0, 0],
    });
    for (const section of template.sections) {
      if (section.scope !== 'member') continue;
      content.push(
        ...sectionBlock(ctx, section.fields, printable.memberSections.values.sections[section.id], t(section.titleKey)),
      );
    }
  }

  content.push(...signatureBlock(ctx));
  content.push(...addendaBlock(ctx));

  const notice: Content[] = [
    { text: t('pdf.document.notice_title'), bold: true, fontSize: 8.5, margin: [0, 0, 0, 2] },
    { text: PART2_REDISCLOSURE_STATEMENT, style: 'notice' },
  ];
  const translation = PART2_REDISCLOSURE_TRANSLATIONS[language];
  if (translation) notice.push({ text: translation, style: 'notice', margin: [0, 4, 0, 0] });
  content.push({ text: '', margin: [0, 8, 0, 0] }, callout({ stack: notice }, COLORS.noticeBackground));

  const dob = client.dateOfBirth
    ? t('pdf.document.dob', { date: formatCalendarDate(client.dateOfBirth, language) })
    : '';
  return renderPdf(
    {
      metadataTitle: templateName,
      locale: localeOf(language),
      headerLeft: clinic ? `${clinic.name} · ${templateName}` : templateName,
      headerRight: [
        client.name,
        dob,
        client.recordNumber ? t('pdf.document.record', { number: client.recordNumber }) : '',
      ]
        .filter((part) => part !== '')
        .join(' · '),
      confidentiality: t('pdf.document.confidential'),
      generated: t('pdf.document.generated', { name: input.generatedBy, date: instant(ctx, input.generatedAt) }),
      pageLabel: (page, pages) => t('pdf.document.page', { page, pages }),
      watermark: draft ? t('pdf.note.draft_watermark') : undefined,
    },
    content,
  );
}
