import { createRequire } from 'node:module';
import type {
  Content,
  ContentCanvas,
  ContentText,
  DocumentDefinition,
  DynamicContent,
  FontFamily,
  PdfMake,
  Style,
  TableCell,
} from './pdfmake-types';

/**
 * The workstation's PDF layer (pdfmake 0.3, in the core): one place for fonts, page frame and
 * styles, shared by every printed document (a note now; case-conference exports later).
 *
 * - Fonts: Roboto (regular, medium as bold, italics), the TrueType files pdfmake ships in its
 *   package, embedded and subset into every PDF: Latin-1 and Latin Extended, so Spanish accents,
 *   ñ, ¿ ¡ and typographic quotes print on every platform. Nothing comes from the OS.
 *   Monospace (the content hash) is PDF-standard Courier, which every reader has; it is only
 *   ever used for ASCII (hex digits).
 * - No network and no file access from document content: pdfmake may read exactly the font
 *   files named here; any URL or other path in a document definition is refused.
 * - Frame: a running header (who the record is about, on every page), a footer with the
 *   confidentiality line, who generated the document and when, and "Page X of Y"; an optional
 *   diagonal watermark (drafts).
 */
const requireFromCore = createRequire(import.meta.url);
const pdfMake = requireFromCore('pdfmake') as PdfMake;

export const BODY_FONT = 'Roboto';
export const MONO_FONT = 'Courier';

const STANDARD_FONT_FILES = ['Courier', 'Courier-Bold', 'Courier-Oblique', 'Courier-BoldOblique'];

let configured = false;

/** Point pdfmake at the shipped fonts and lock down what it may read (once per process). */
function configurePdfMake(): void {
  if (configured) return;
  const roboto = (file: string) => requireFromCore.resolve(`pdfmake/fonts/Roboto/${file}`);
  const fonts: Record<string, FontFamily> = {
    [BODY_FONT]: {
      normal: roboto('Roboto-Regular.ttf'),
      bold: roboto('Roboto-Medium.ttf'),
      italics: roboto('Roboto-Italic.ttf'),
      bolditalics: roboto('Roboto-MediumItalic.ttf'),
    },
    [MONO_FONT]: {
      normal: 'Courier',
      bold: 'Courier-Bold',
      italics: 'Courier-Oblique',
      bolditalics: 'Courier-BoldOblique',
    },
  };
  const allowed = new Set<string>(STANDARD_FONT_FILES);
  for (const family of Object.values(fonts))
    for (const file of [family.normal, family.bold, family.italics, family.bolditalics]) allowed.add(file);
  pdfMake.setFonts(fonts);
  pdfMake.setUrlAccessPolicy(() => false);
  pdfMake.setLocalAccessPolicy((path) => allowed.has(path));
  shareParsedFonts();
  configured = true;
}

interface ParsedFont {
  createSubset(): unknown;
}
interface PdfKitFont {
  font?: ParsedFont | object;
  subset?: unknown;
}
interface PdfMakePdfDocument {
  fontCache: Record<string, Record<string, unknown> | undefined>;
  getFontType(bold: boolean, italics: boolean): string;
  getFontFile(family: string, bold: boolean, italics: boolean): unknown;
  provideFont(family: string, bold: boolean, italics: boolean): PdfKitFont;
}

/**
 * Speed: pdfmake parses each TrueType file again for every document (pdfkit calls
 * `fontkit.create` per document), and most of a one-page note's render time went into decoding
 * the same font tables again. The parsed font is immutable once read, so every document of this
 * process shares one parse per file: the document still gets its own pdfkit font object, subset
 * and layout cache (what it embeds is unchanged). If a pdfmake update changes these internals,
 * this does nothing and documents render as before, only slower.
 */
function shareParsedFonts(): void {
  let prototype: PdfMakePdfDocument | undefined;
  try {
    const pdfDocumentModule = requireFromCore('pdfmake/js/PDFDocument') as {
      default?: { prototype?: PdfMakePdfDocument };
    };
    prototype = pdfDocumentModule.default?.prototype;
  } catch {
    return;
  }
  if (
    !prototype ||
    typeof prototype.provideFont !== 'function' ||
    typeof prototype.getFontType !== 'function' ||
    typeof prototype.getFontFile !== 'function'
  )
    return;
  const provideFont = prototype.provideFont;
  const parsed = new Map<string, ParsedFont>();
  const isParsedFont = (font: unknown): font is ParsedFont =>
    typeof font === 'object' && font !== null && typeof (font as ParsedFont).createSubset === 'function';
  prototype.provideFont = function (this: PdfMakePdfDocument, family, bold, italics) {
    const fresh = this.fontCache[family]?.[this.getFontType(bold, italics)] === undefined;
    const file = this.getFontFile(family, bold, italics);
    const font = provideFont.call(this, family, bold, italics);
    if (!fresh || typeof file !== 'string' || !isParsedFont(font.font)) return font;
    const shared = parsed.get(file);
    if (!shared) parsed.set(file, font.font);
    else {
      font.font = shared;
      font.subset = shared.createSubset();
    }
    return font;
  };
}

export const COLORS = {
  text: '#1a1a1a',
  muted: '#5c5c5c',
  rule: '#b5b5b5',
  accent: '#1f4e79',
  warning: '#a61b1b',
  warningBackground: '#fbeaea',
  noticeBackground: '#f1f4f8',
} as const;

/** Styles every document may use by name (`style: 'sectionTitle'`). */
export const DOCUMENT_STYLES: Record<string, Style> = {
  title: { fontSize: 17, bold: true, color: COLORS.accent, margin: [0, 0, 0, 8] },
  subtitle: { fontSize: 10.5, color: COLORS.muted, margin: [0, 0, 0, 10] },
  sectionTitle: { fontSize: 12.5, bold: true, color: COLORS.accent, margin: [0, 12, 0, 3] },
  subheading: { fontSize: 10.5, bold: true, margin: [0, 6, 0, 2] },
  label: { bold: true, color: COLORS.muted, fontSize: 9 },
  body: { margin: [0, 0, 0, 5] },
  listParagraph: { margin: [0, 0, 0, 2] },
  small: { fontSize: 8.5, color: COLORS.muted },
  mono: { font: MONO_FONT, fontSize: 8.5 },
  banner: { bold: true, color: COLORS.warning, fontSize: 11 },
  notice: { fontSize: 8, color: COLORS.muted },
  rtHeading1: { fontSize: 12, bold: true, margin: [0, 4, 0, 3] },
  rtHeading2: { fontSize: 11, bold: true, margin: [0, 4, 0, 2] },
  rtHeading3: { fontSize: 10, bold: true, italics: true, margin: [0, 3, 0, 2] },
  tableHeader: { bold: true, fontSize: 8.5, color: COLORS.muted },
  tableCell: { fontSize: 8.5 },
};

const PAGE_MARGINS: [number, number, number, number] = [54, 62, 54, 78];
const CONTENT_WIDTH = 612 - PAGE_MARGINS[0] - PAGE_MARGINS[2]; // US Letter is 612 pt wide.

export interface PdfFrame {
  /** Document metadata title (no client name: metadata travels in file listings). */
  metadataTitle: string;
  /** BCP 47 language of the text (`en-US`, `es-US`). */
  locale: string;
  /** Running header, left and right (e.g. clinic and document kind / client and date of birth). */
  headerLeft: string;
  headerRight: string;
  /** The confidentiality line printed on every page. */
  confidentiality: string;
  /** "Generated by … on …". */
  generated: string;
  /** "Page X of Y" in the document's language. */
  pageLabel: (page: number, pages: number) => string;
  /** Diagonal text on every page, repeated in the running header (e.g. "DRAFT — not signed"). */
  watermark?: string | undefined;
}

export interface RenderedPdf {
  bytes: Uint8Array;
  pages: number;
}

/** A thin horizontal rule across the content width. */
export function rule(color: string = COLORS.rule, margin: [number, number, number, number] = [0, 2, 0, 6]): Content {
  const canvas: ContentCanvas = {
    canvas: [{ type: 'line', x1: 0, y1: 0, x2: CONTENT_WIDTH, y2: 0, lineWidth: 0.6, lineColor: color }],
    margin,
  };
  return canvas;
}

/** Label / value rows without borders (the encounter block, the client block). */
export function labelValueTable(rows: ReadonlyArray<readonly [string, Content]>): Content {
  return {
    table: {
      widths: [130, '*'],
      body: rows.map(([label, value]) => [{ text: label, style: 'label', margin: [0, 1, 0, 1] }, value]),
    },
    layout: {
      hLineWidth: () => 0,
      vLineWidth: () => 0,
      paddingLeft: () => 0,
      paddingRight: () => 8,
      paddingTop: () => 1.5,
      paddingBottom: () => 1.5,
    },
    margin: [0, 0, 0, 4],
  };
}

/** A boxed, tinted paragraph (draft banner, protected-note notice, legal notices). */
export function callout(content: Content, background: string, border: string = background): Content {
  return {
    table: { widths: ['*'], body: [[content]] },
    layout: {
      fillColor: () => background,
      hLineColor: () => border,
      vLineColor: () => border,
      hLineWidth: () => 0.8,
      vLineWidth: () => 0.8,
      paddingLeft: () => 8,
      paddingRight: () => 8,
      paddingTop: () => 6,
      paddingBottom: () => 6,
    },
    margin: [0, 4, 0, 8],
  };
}

/**
 * A rough count of the lines a block takes (about 90 characters a line at body size, one per
 * paragraph, list item or table row at least). Used only to decide what may be kept together.
 */
export function estimateLines(content: Content | undefined): number {
  if (content === undefined) return 0;
  const lines = (text: string) =>
    text.split('\n').reduce((count, line) => count + Math.max(1, Math.ceil(line.length / 90)), 0);
  const textOf = (text: ContentText['text']): string =>
    typeof text === 'string'
      ? text
      : text.map((part) => (typeof part === 'string' ? part : textOf(part.text))).join('');
  if (typeof content === 'string') return lines(content);
  if (Array.isArray(content)) return content.reduce<number>((sum, child) => sum + estimateLines(child), 0);
  if ('text' in content) return lines(textOf(content.text));
  if ('stack' in content) return estimateLines(content.stack);
  if ('ul' in content) return estimateLines(content.ul);
  if ('ol' in content) return estimateLines(content.ol);
  if ('columns' in content) return Math.max(0, ...content.columns.map((column) => estimateLines(column)));
  if ('table' in content)
    return content.table.body.reduce((sum, row) => sum + Math.max(1, ...row.map((cell) => cellLines(cell))), 0);
  return 1;
}

function cellLines(cell: TableCell): number {
  if (typeof cell === 'string' || Array.isArray(cell)) return estimateLines(cell);
  return Object.keys(cell).length === 0 ? 0 : estimateLines(cell as Content);
}

/**
 * Up to this many (estimated) lines may be kept on one page. pdfmake silently drops an
 * `unbreakable` block taller than a page, so only blocks far smaller than a page (about 50
 * lines) are ever marked so: a long paragraph is allowed to break rather than risk losing it.
 */
const KEEP_TOGETHER_MAX_LINES = 20;

/** Keep a short run of blocks on one page (a signature block); longer runs flow as usual. */
export function keepTogether(blocks: Content[]): Content[] {
  if (blocks.length === 0 || estimateLines(blocks) > KEEP_TOGETHER_MAX_LINES) return blocks;
  return [{ stack: blocks, unbreakable: true }];
}

/** A heading that never ends a page: kept with the block after it when that block is short. */
export function keepWithNext(heading: Content[], rest: Content[]): Content[] {
  if (heading.length === 0) return rest;
  const [first, ...others] = rest;
  if (first === undefined) return keepTogether(heading);
  if (estimateLines([...heading, first]) > KEEP_TOGETHER_MAX_LINES) return [...heading, ...rest];
  return [{ stack: [...heading, first], unbreakable: true }, ...others];
}

/** Lay out and render a document in the standard frame. */
export async function renderPdf(frame: PdfFrame, content: Content[]): Promise<RenderedPdf> {
  configurePdfMake();
  let pages = 0;
  const header: DynamicContent = () => ({
    columns: [
      {
        text: frame.watermark
          ? [{ text: `${frame.watermark}   `, bold: true, color: COLORS.warning }, frame.headerLeft]
          : frame.headerLeft,
        width: '*',
      },
      { text: frame.headerRight, width: 'auto', alignment: 'right' },
    ],
    style: 'small',
    margin: [PAGE_MARGINS[0], 28, PAGE_MARGINS[2], 0],
  });
  const footer: DynamicContent = (page, pageCount) => {
    pages = Math.max(pages, pageCount);
    return {
      stack: [
        rule(COLORS.rule, [0, 0, 0, 4]),
        { text: frame.confidentiality, style: 'notice', margin: [0, 0, 0, 3] },
        {
          columns: [
            { text: frame.generated, width: '*', style: 'small' },
            { text: frame.pageLabel(page, pageCount), width: 'auto', style: 'small', alignment: 'right' },
          ],
        },
      ],
      margin: [PAGE_MARGINS[0], 10, PAGE_MARGINS[2], 0],
    };
  };
  const definition: DocumentDefinition = {
    pageSize: 'LETTER',
    pageMargins: PAGE_MARGINS,
    info: { title: frame.metadataTitle, creator: 'Continuum', producer: 'Continuum' },
    language: frame.locale,
    defaultStyle: { font: BODY_FONT, fontSize: 10, lineHeight: 1.15, color: COLORS.text },
    styles: DOCUMENT_STYLES,
    header,
    footer,
    content,
    ...(frame.watermark
      ? { watermark: { text: frame.watermark, color: COLORS.warning, opacity: 0.12, bold: true, fontSize: 54 } }
      : {}),
  };
  const buffer = await pdfMake.createPdf(definition).getBuffer();
  return { bytes: new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength), pages };
}
