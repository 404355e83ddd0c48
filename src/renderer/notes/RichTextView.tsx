import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { RichTextMark, RichTextNode } from '../../shared/notes/content';
import { COPIED_FORWARD_MARK } from '../../shared/notes/copy-forward';
import classes from './notes.module.css';

/**
 * A rich-text document shown read-only (signed notes, addenda, the two sides of a conflict):
 * the nodes the editor writes become plain elements; anything unknown shows its text. Links
 * are shown as text with their address (a note is a record, not a way out of the app).
 */
export function RichTextView({ doc }: { doc: RichTextNode }) {
  const { t } = useTranslation();
  const label = t('notes.editor.copiedLabel');
  return <div className={classes.richView}>{renderChildren(doc, label)}</div>;
}

function renderChildren(node: RichTextNode, label: string): ReactNode[] {
  return (node.content ?? []).map((child, index) => renderNode(child, label, index));
}

function withMarks(text: string, marks: readonly RichTextMark[], label: string, key: number): ReactNode {
  let out: ReactNode = text;
  for (const mark of marks) {
    switch (mark.type) {
      case 'bold':
        out = <strong>{out}</strong>;
        break;
      case 'italic':
        out = <em>{out}</em>;
        break;
      case 'underline':
        out = <u>{out}</u>;
        break;
      case 'strike':
        out = <s>{out}</s>;
        break;
      case 'link': {
        const href = typeof mark.attrs?.href === 'string' ? mark.attrs.href : '';
        out = (
          <>
            {out}
            {href && ` (${href})`}
          </>
        );
        break;
      }
      case COPIED_FORWARD_MARK:
        out = (
          <mark className={classes.copied} data-copied-forward="" data-label={label}>
            {out}
          </mark>
        );
        break;
      default:
        break;
    }
  }
  return <span key={key}>{out}</span>;
}

function renderNode(node: RichTextNode, label: string, key: number): ReactNode {
  switch (node.type) {
    case 'text':
      return withMarks(node.text ?? '', node.marks ?? [], label, key);
    case 'paragraph':
      return <p key={key}>{renderChildren(node, label)}</p>;
    case 'heading':
      return (
        <p key={key}>
          <strong>{renderChildren(node, label)}</strong>
        </p>
      );
    case 'bulletList':
      return <ul key={key}>{renderChildren(node, label)}</ul>;
    case 'orderedList':
      return <ol key={key}>{renderChildren(node, label)}</ol>;
    case 'listItem':
      return <li key={key}>{renderChildren(node, label)}</li>;
    case 'blockquote':
      return <blockquote key={key}>{renderChildren(node, label)}</blockquote>;
    case 'hardBreak':
      return <br key={key} />;
    default:
      return node.text !== undefined ? (
        withMarks(node.text, node.marks ?? [], label, key)
      ) : (
        <div key={key}>{renderChildren(node, label)}</div>
      );
  }
}
