import { Mark, mergeAttributes } from '@tiptap/react';
import { Plugin, PluginKey, type Transaction } from '@tiptap/pm/state';
import { COPIED_FORWARD_MARK } from '../../shared/notes/copy-forward';

/**
 * The `copiedForward` mark (src/shared/notes/copy-forward.ts) in the editor: text carried over
 * from the last note shows on a tinted background, with a "copied" label for screen readers,
 * until the clinician edits it. Editing a paragraph drops the mark from that whole paragraph:
 * what they touched is theirs now. The mark is never extended to new typing (`inclusive: false`).
 */
export interface CopiedForwardOptions {
  /** The word screen readers hear before copied text ("copied"). */
  label: string;
  className: string;
}

const dropKey = new PluginKey('copiedForwardDrop');

/** Ranges in the final document that the transactions changed. */
function changedRanges(transactions: readonly Transaction[]): [number, number][] {
  const ranges: [number, number][] = [];
  transactions.forEach((tr, index) => {
    if (!tr.docChanged || tr.getMeta(dropKey)) return;
    tr.mapping.maps.forEach((map, step) => {
      map.forEach((_oldStart, _oldEnd, newStart, newEnd) => {
        let from = newStart;
        let to = newEnd;
        const rest = [tr.mapping.slice(step + 1), ...transactions.slice(index + 1).map((later) => later.mapping)];
        for (const mapping of rest) {
          from = mapping.map(from, -1);
          to = mapping.map(to, 1);
        }
        ranges.push([from, Math.max(from, to)]);
      });
    });
  });
  return ranges;
}

export const CopiedForward = Mark.create<CopiedForwardOptions>({
  name: COPIED_FORWARD_MARK,
  inclusive: false,
  addOptions() {
    return { label: 'copied', className: '' };
  },
  addAttributes() {
    return {
      noteId: {
        default: null,
        parseHTML: (element: HTMLElement) => element.getAttribute('data-note-id'),
        renderHTML: (attributes: { noteId?: string | null }) =>
          attributes.noteId ? { 'data-note-id': attributes.noteId } : {},
      },
    };
  },
  parseHTML() {
    return [{ tag: 'mark[data-copied-forward]' }];
  },
  renderHTML({ HTMLAttributes }) {
    return [
      'mark',
      mergeAttributes(HTMLAttributes, {
        'data-copied-forward': '',
        'data-label': this.options.label,
        class: this.options.className,
      }),
      0,
    ];
  },
  addProseMirrorPlugins() {
    const markType = this.type;
    return [
      new Plugin({
        key: dropKey,
        appendTransaction: (transactions, _oldState, newState) => {
          const ranges = changedRanges(transactions);
          if (ranges.length === 0) return null;
          const { doc } = newState;
          const tr = newState.tr;
          const blocks = new Map<number, number>();
          const addBlockAt = (pos: number): void => {
            const $pos = doc.resolve(Math.min(Math.max(pos, 0), doc.content.size));
            for (let depth = $pos.depth; depth > 0; depth -= 1) {
              const node = $pos.node(depth);
              if (node.isTextblock) {
                blocks.set($pos.start(depth), $pos.end(depth));
                return;
              }
            }
          };
          for (const [from, to] of ranges) {
            addBlockAt(from);
            addBlockAt(to);
            if (to > from)
              doc.nodesBetween(from, to, (node, pos) => {
                if (node.isTextblock) blocks.set(pos + 1, pos + node.nodeSize - 1);
                return !node.isTextblock;
              });
          }
          for (const [start, end] of blocks)
            if (doc.rangeHasMark(start, end, markType)) tr.removeMark(start, end, markType);
          if (!tr.docChanged) return null;
          tr.setMeta(dropKey, true);
          return tr;
        },
      }),
    ];
  },
});
