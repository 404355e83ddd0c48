import type { Content, ContentText } from './pdfmake-types';
import { type RichTextMark, type RichTextNode, richTextPlain } from '../../shared/notes/content';
import { COPIED_FORWARD_MARK } from '../../shared/notes/copy-forward';
import { COLORS, MONO_FONT, rule } from './pdf-document';

/**
 * A tiptap / ProseMirror document (what the note editor saves) as pdfmake content: paragraphs,
 * headings, bullet and ordered lists (nested), block quotes, code blocks, horizontal rules, hard
 * breaks; marks bold, italic, underline, strike, code. Text still carrying the copy-forward mark
 * is printed in grey and followed by "(copied from previous note)", so the record shows what
 * was carried over, as the editor does. Unknown nodes print their text (nothing is dropped).
 * Links print as text (no clickable URLs in a clinical record).
 */
export interface RichTextOptions {
  /** The "(copied from previous note)" label, in the document's language. */
  copiedLabel: string;
}

type Inline = ContentText;

const hasMark = (marks: readonly RichTextMark[] | undefined, type: string) =>
  marks?.some((mark) => mark.type === type) ?? false;

function textInline(node: RichTextNode): Inline {
  const marks = node.marks;
  const inline: Inline = { text: node.text ?? '' };
  if (hasMark(marks, 'bold') || hasMark(marks, 'strong')) inline.bold = true;
  if (hasMark(marks, 'italic') || hasMark(marks, 'em')) inline.italics = true;
  const decoration: ('underline' | 'lineThrough')[] = [];
  if (hasMark(marks, 'underline')) decoration.push('underline');
  if (hasMark(marks, 'strike')) decoration.push('lineThrough');
  if (decoration.length === 1) inline.decoration = decoration[0]!;
  else if (decoration.length > 1) inline.decoration = decoration;
  if (hasMark(marks, 'code')) inline.font = MONO_FONT;
  if (hasMark(marks, COPIED_FORWARD_MARK)) inline.color = COLORS.muted;
  return inline;
}

interface InlineRun {
  inline: Inline;
  copied: boolean | null; // null: neutral (a hard break inside a copied run keeps the run going)
}

function collectInlines(node: RichTextNode, out: InlineRun[]): void {
  for (const child of node.content ?? []) {
    if (child.type === 'hardBreak') out.push({ inline: { text: '\n' }, copied: null });
    else if (child.type === 'text' || child.text !== undefined) {
      if ((child.text ?? '') === '') continue;
      out.push({ inline: textInline(child), copied: hasMark(child.marks, COPIED_FORWARD_MARK) });
    } else collectInlines(child, out);
  }
}

/** The inlines of a text block, with the copied label after every run of copied text. */
function inlines(node: RichTextNode, options: RichTextOptions): Inline[] {
  const runs: InlineRun[] = [];
  collectInlines(node, runs);
  const out: Inline[] = [];
  let inCopied = false;
  const closeCopied = () => {
    if (inCopied) out.push({ text: ` ${options.copiedLabel}`, italics: true, fontSize: 8, color: COLORS.muted });
    inCopied = false;
  };
  for (const run of runs) {
    if (run.copied === true) inCopied = true;
    else if (run.copied === false) closeCopied();
    out.push(run.inline);
  }
  closeCopied();
  return out;
}

function paragraph(node: RichTextNode, options: RichTextOptions, style: string): ContentText {
  const parts = inlines(node, options);
  // An empty paragraph is a blank line in the editor: keep it.
  return { text: parts.length > 0 ? parts : ' ', style };
}

function listItem(node: RichTextNode, options: RichTextOptions): Content {
  const children = (node.content ?? []).flatMap((child) => block(child, options, 'listParagraph'));
  if (children.length === 1) return children[0]!;
  return { stack: children };
}

function block(node: RichTextNode, options: RichTextOptions, paragraphStyle = 'body'): Content[] {
  switch (node.type) {
    case 'doc':
      return (node.content ?? []).flatMap((child) => block(child, options));
    case 'paragraph':
      return [paragraph(node, options, paragraphStyle)];
    case 'heading': {
      const level = typeof node.attrs?.level === 'number' ? node.attrs.level : 1;
      return [paragraph(node, options, level <= 1 ? 'rtHeading1' : level === 2 ? 'rtHeading2' : 'rtHeading3')];
    }
    case 'bulletList':
      return [
        {
          ul: (node.content ?? []).map((item) => listItem(item, options)),
          margin: [4, 0, 0, 5],
        },
      ];
    case 'orderedList': {
      const start = typeof node.attrs?.start === 'number' ? node.attrs.start : 1;
      return [
        {
          ol: (node.content ?? []).map((item) => listItem(item, options)),
          start,
          margin: [4, 0, 0, 5],
        },
      ];
    }
    case 'listItem':
      return [listItem(node, options)];
    case 'blockquote':
      return [
        {
          stack: (node.content ?? []).flatMap((child) => block(child, options)),
          margin: [14, 0, 0, 5],
          color: COLORS.muted,
        },
      ];
    case 'codeBlock':
      return [
        {
          text: richTextPlain(node),
          font: MONO_FONT,
          fontSize: 8.5,
          margin: [0, 0, 0, 5],
          preserveLeadingSpaces: true,
        },
      ];
    case 'horizontalRule':
      return [rule()];
    case 'hardBreak':
      return [{ text: '\n' }];
    case 'text':
      return [{ text: [textInline(node)], style: paragraphStyle }];
    default:
      // An extension node this printer does not know: print its text, never drop it.
      if (node.content?.some((child) => child.type !== 'text' && child.type !== 'hardBreak'))
        return (node.content ?? []).flatMap((child) => block(child, options, paragraphStyle));
      return [paragraph(node, options, paragraphStyle)];
  }
}

export function richTextToPdf(doc: RichTextNode, options: RichTextOptions): Content[] {
  return block(doc, options);
}
