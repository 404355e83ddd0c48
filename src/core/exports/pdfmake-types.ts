/**
 * The part of pdfmake 0.3's document model this module uses, typed here: @types/pdfmake pulls
 * the DOM lib into whatever imports it (`/// <reference lib="dom" />`), which the Electron-free
 * core must not have. Field names follow pdfmake's documentation (pdfmake.github.io/docs/0.3).
 */
export type Margins = number | [number, number] | [number, number, number, number];
export type Decoration = 'underline' | 'lineThrough' | 'overline';

export interface Style {
  font?: string;
  fontSize?: number;
  bold?: boolean;
  italics?: boolean;
  color?: string;
  lineHeight?: number;
  alignment?: 'left' | 'right' | 'center' | 'justify';
  decoration?: Decoration | Decoration[];
  margin?: Margins;
  preserveLeadingSpaces?: boolean;
}

interface Block extends Style {
  style?: string | string[];
  pageBreak?: 'before' | 'after';
  unbreakable?: boolean;
  /** Table cells only. */
  colSpan?: number;
  rowSpan?: number;
}

export interface ContentText extends Block {
  text: string | Array<string | ContentText>;
}
export interface ContentStack extends Block {
  stack: Content[];
}
export interface ContentColumns extends Block {
  columns: Array<Content & { width?: number | string }>;
  columnGap?: number;
}
export interface ContentUnorderedList extends Block {
  ul: Content[];
}
export interface ContentOrderedList extends Block {
  ol: Content[];
  start?: number;
}
export interface TableLayout {
  hLineWidth?: (i: number) => number;
  vLineWidth?: (i: number) => number;
  hLineColor?: (i: number) => string;
  vLineColor?: (i: number) => string;
  fillColor?: (row: number) => string | null;
  paddingLeft?: (i: number) => number;
  paddingRight?: (i: number) => number;
  paddingTop?: (i: number) => number;
  paddingBottom?: (i: number) => number;
}
/** A table cell; `{}` fills the cells a `colSpan` covers. */
export type TableCell = Content | Record<string, never>;
export interface ContentTable extends Block {
  table: {
    widths?: Array<number | string>;
    headerRows?: number;
    dontBreakRows?: boolean;
    keepWithHeaderRows?: number;
    body: TableCell[][];
  };
  layout?: TableLayout | string;
}
export interface CanvasLine {
  type: 'line';
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  lineWidth?: number;
  lineColor?: string;
}
export interface ContentCanvas extends Block {
  canvas: CanvasLine[];
}

export type Content =
  | string
  | ContentText
  | ContentStack
  | ContentColumns
  | ContentUnorderedList
  | ContentOrderedList
  | ContentTable
  | ContentCanvas
  | Content[];

export type DynamicContent = (currentPage: number, pageCount: number) => Content;

export interface Watermark {
  text: string;
  color?: string;
  opacity?: number;
  bold?: boolean;
  italics?: boolean;
  fontSize?: number;
  angle?: number;
}

export interface DocumentDefinition {
  pageSize?: 'LETTER' | 'A4';
  pageMargins?: [number, number, number, number];
  info?: { title?: string; author?: string; subject?: string; creator?: string; producer?: string };
  language?: string;
  defaultStyle?: Style;
  styles?: Record<string, Style>;
  header?: DynamicContent;
  footer?: DynamicContent;
  watermark?: Watermark;
  content: Content[];
}

export interface FontFamily {
  normal: string;
  bold: string;
  italics: string;
  bolditalics: string;
}

/** The Node build of pdfmake (`require('pdfmake')`, a singleton). */
export interface PdfMake {
  setFonts(fonts: Record<string, FontFamily>): void;
  setUrlAccessPolicy(allow: (url: string) => boolean): void;
  setLocalAccessPolicy(allow: (path: string) => boolean): void;
  createPdf(definition: DocumentDefinition): { getBuffer(): Promise<Buffer> };
}
