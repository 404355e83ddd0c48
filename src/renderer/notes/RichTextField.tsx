import '@mantine/tiptap/styles.css';
import { Badge, Group, Input, Text } from '@mantine/core';
import { Link, RichTextEditor, type RichTextEditorLabels } from '@mantine/tiptap';
import { useEditor, type JSONContent } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import { IconCopy } from '@tabler/icons-react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RichTextNode } from '../../shared/notes/content';
import { hasCopiedText } from '../../shared/notes/copy-forward';
import { CopiedForward } from './copied-forward';
import classes from './notes.module.css';

const EMPTY_DOC: RichTextNode = { type: 'doc', content: [{ type: 'paragraph' }] };

/** The toolbar's names, in the clinician's language. */
export function useEditorLabels(): Partial<RichTextEditorLabels> {
  const { t } = useTranslation();
  return useMemo(
    () => ({
      boldControlLabel: t('notes.editor.toolbar.bold'),
      italicControlLabel: t('notes.editor.toolbar.italic'),
      underlineControlLabel: t('notes.editor.toolbar.underline'),
      bulletListControlLabel: t('notes.editor.toolbar.bulletList'),
      orderedListControlLabel: t('notes.editor.toolbar.orderedList'),
      linkControlLabel: t('notes.editor.toolbar.link'),
      unlinkControlLabel: t('notes.editor.toolbar.unlink'),
      undoControlLabel: t('notes.editor.toolbar.undo'),
      redoControlLabel: t('notes.editor.toolbar.redo'),
      linkEditorInputLabel: t('notes.editor.toolbar.linkAddress'),
      linkEditorInputPlaceholder: 'https://',
      linkEditorExternalLink: t('notes.editor.toolbar.linkNewTab'),
      linkEditorInternalLink: t('notes.editor.toolbar.linkSameTab'),
      linkEditorSave: t('notes.editor.toolbar.linkSave'),
    }),
    [t],
  );
}

/**
 * A narrative field: Mantine's tiptap editor, labelled for assistive technology (the editable
 * area is a multi-line textbox named by the field label), with copied-forward text marked.
 */
export function RichTextField({
  id,
  label,
  description,
  doc,
  required,
  readOnly = false,
  onChange,
  onBlur,
}: {
  id: string;
  label: string;
  description?: string | undefined;
  doc: RichTextNode | undefined;
  required?: boolean;
  readOnly?: boolean;
  onChange: (doc: RichTextNode) => void;
  onBlur?: () => void;
}) {
  const { t } = useTranslation();
  const labels = useEditorLabels();
  const labelId = `${id}-label`;
  const descriptionId = `${id}-description`;
  const copiedId = `${id}-copied`;
  const latest = useRef({ onChange, onBlur });
  useEffect(() => {
    latest.current = { onChange, onBlur };
  });
  const copied = doc ? hasCopiedText(doc) : false;

  // Options keep their identity between renders: tiptap re-applies options that change, and
  // the document is only the starting content (the editor owns it from then on).
  const [initialDoc] = useState<RichTextNode>(doc ?? EMPTY_DOC);
  const copiedLabel = t('notes.editor.copiedLabel');
  const extensions = useMemo(
    () => [
      StarterKit.configure({ link: false, heading: { levels: [3, 4] }, codeBlock: false, code: false }),
      Link,
      CopiedForward.configure({ label: copiedLabel, className: classes.copied ?? '' }),
    ],
    [copiedLabel],
  );
  const describedBy = [description ? descriptionId : '', copiedId].filter(Boolean).join(' ');
  const editorProps = useMemo(
    () => ({
      attributes: {
        id,
        role: 'textbox',
        'aria-multiline': 'true',
        'aria-labelledby': labelId,
        'aria-describedby': describedBy,
        ...(required ? { 'aria-required': 'true' } : {}),
        ...(readOnly ? { 'aria-readonly': 'true' } : {}),
        spellcheck: 'true',
      },
    }),
    [id, labelId, describedBy, required, readOnly],
  );

  const editor = useEditor({
    extensions,
    content: initialDoc as JSONContent,
    editable: !readOnly,
    editorProps,
    onUpdate: ({ editor: current }) => latest.current.onChange(current.getJSON() as RichTextNode),
    onBlur: () => latest.current.onBlur?.(),
  });

  return (
    <div>
      <Group gap="xs" mb={4} wrap="wrap">
        <Input.Label id={labelId} required={required ?? false} onClick={() => editor?.commands.focus()}>
          {label}
        </Input.Label>
        <span id={copiedId}>
          {copied && (
            <Badge color="yellow" variant="light" tt="none" leftSection={<IconCopy size={12} aria-hidden />}>
              {t('notes.copied_forward.badge')}
            </Badge>
          )}
        </span>
      </Group>
      {description && (
        <Text id={descriptionId} size="xs" c="dimmed" mb={6}>
          {description}
        </Text>
      )}
      {copied && (
        <Text size="xs" c="dimmed" mb={6}>
          {t('notes.copied_forward.hint')}
        </Text>
      )}
      <RichTextEditor editor={editor} labels={labels} className={classes.richText}>
        {!readOnly && (
          <RichTextEditor.Toolbar>
            <RichTextEditor.ControlsGroup>
              <RichTextEditor.Bold />
              <RichTextEditor.Italic />
              <RichTextEditor.Underline />
            </RichTextEditor.ControlsGroup>
            <RichTextEditor.ControlsGroup>
              <RichTextEditor.BulletList />
              <RichTextEditor.OrderedList />
            </RichTextEditor.ControlsGroup>
            <RichTextEditor.ControlsGroup>
              <RichTextEditor.Link />
              <RichTextEditor.Unlink />
            </RichTextEditor.ControlsGroup>
            <RichTextEditor.ControlsGroup>
              <RichTextEditor.Undo />
              <RichTextEditor.Redo />
            </RichTextEditor.ControlsGroup>
          </RichTextEditor.Toolbar>
        )}
        <RichTextEditor.Content />
      </RichTextEditor>
    </div>
  );
}
