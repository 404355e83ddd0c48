import { Alert, Button, Group, Paper, Radio, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconGitMerge } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { canonicalize } from '../../shared/notes/canonical';
import type { FieldValue, NoteContent } from '../../shared/notes/content';
import type { NoteDetail } from '../../shared/notes/rpc';
import type { FieldDefinition, TemplateDefinition } from '../../shared/notes/templates/schema';
import { errorText, formatDateTime } from '../i18n/format';
import { useRpcClient } from '../rpc/RpcProvider';
import { type FieldAddress, fieldDomId, fieldPath, getFieldValue, setFieldValue } from './content-edit';
import { useKnownParticipantName } from './names';
import { noteChanged } from './notes-cache';
import { encounterSummary, FieldValueView } from './NoteContentView';
import { RichTextField } from './RichTextField';
import { tk } from './templates';
import classes from './notes.module.css';

type Choice = 'mine' | 'theirs' | 'edit';

function same(a: unknown, b: unknown): boolean {
  try {
    return canonicalize(a ?? null) === canonicalize(b ?? null);
  } catch {
    return JSON.stringify(a) === JSON.stringify(b);
  }
}

interface Difference {
  key: string;
  label: string;
  /** A template field (absent for the encounter and a member's attendance, which are taken whole). */
  field?: FieldDefinition;
  address?: FieldAddress;
  kind: 'encounter' | 'attendance' | 'field';
  memberId?: string;
}

/** Every part of the note where the two texts differ, in template order. */
function differences(
  template: TemplateDefinition,
  mine: NoteContent,
  theirs: NoteContent,
  label: (key: string) => string,
  encounterLabel: string,
  memberName: (id: string) => string,
  attendanceLabel: (name: string) => string,
): Difference[] {
  const out: Difference[] = [];
  if (!same(mine.encounter, theirs.encounter)) out.push({ key: 'encounter', label: encounterLabel, kind: 'encounter' });
  const scan = (scope: 'shared' | 'member', memberId?: string) => {
    for (const section of template.sections) {
      if (section.scope !== scope) continue;
      for (const field of section.fields) {
        const address: FieldAddress = { sectionId: section.id, fieldId: field.id, memberId };
        if (same(getFieldValue(mine, address), getFieldValue(theirs, address))) continue;
        const prefix = memberId ? `${memberName(memberId)} · ` : '';
        const title = label(section.titleKey);
        const name = label(field.labelKey);
        out.push({
          key: fieldPath(address),
          // "Plan · Next appointment", or just "Subjective" when the field is named like its section.
          label: `${prefix}${title === name ? name : `${title} · ${name}`}`,
          field,
          address,
          kind: 'field',
          ...(memberId ? { memberId } : {}),
        });
      }
    }
  };
  scan('shared');
  const memberIds = new Set([...Object.keys(mine.members ?? {}), ...Object.keys(theirs.members ?? {})]);
  for (const memberId of memberIds) {
    if (mine.members?.[memberId]?.attended !== theirs.members?.[memberId]?.attended)
      out.push({
        key: `attendance-${memberId}`,
        label: attendanceLabel(memberName(memberId)),
        kind: 'attendance',
        memberId,
      });
    scan('member', memberId);
  }
  return out;
}

/**
 * Two devices edited this draft offline: both texts side by side for each part that differs.
 * The clinician keeps theirs, keeps the other device's, or writes a merged text (narrative fields);
 * "Save merged note" makes that the draft (`notes.resolveConflict`).
 */
export function ConflictResolver({
  detail,
  template,
  memberName,
}: {
  detail: NoteDetail;
  template: TemplateDefinition;
  memberName: (id: string) => string;
}) {
  const { t, i18n } = useTranslation();
  const client = useRpcClient();
  const queryClient = useQueryClient();
  const knownName = useKnownParticipantName();
  const conflict = detail.conflictDetail;
  const mine = conflict?.mine ?? detail.content;
  const theirs = conflict?.theirs ?? detail.content;
  const diffs = useMemo(
    () =>
      differences(
        template,
        mine,
        theirs,
        (key) => tk(t, key),
        t('notes.editor.encounter'),
        memberName,
        (name) => t('notes.conflict.attendance', { name }),
      ),
    [template, mine, theirs, t, memberName],
  );
  const [choices, setChoices] = useState<Record<string, Choice>>({});
  const [edited, setEdited] = useState<Record<string, FieldValue>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const merged = (): NoteContent => {
    let result: NoteContent = mine;
    for (const diff of diffs) {
      const choice = choices[diff.key] ?? 'mine';
      if (choice === 'mine') continue;
      if (diff.kind === 'encounter') result = { ...result, encounter: theirs.encounter };
      else if (diff.kind === 'attendance' && diff.memberId) {
        const theirsMember = theirs.members?.[diff.memberId];
        const members = { ...result.members };
        const current = members[diff.memberId] ?? { attended: false, sections: {} };
        members[diff.memberId] = { ...current, attended: theirsMember?.attended ?? false };
        result = { ...result, members };
      } else if (diff.address) {
        const value = choice === 'edit' ? edited[diff.key] : getFieldValue(theirs, diff.address);
        result = setFieldValue(result, diff.address, value);
      }
    }
    return result;
  };

  const save = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      noteChanged(queryClient, await client.call('notes.resolveConflict', { noteId: detail.id, content: merged() }));
    } catch (caught) {
      setError(errorText(t, caught));
    } finally {
      setBusy(false);
    }
  };

  const theirsTime = conflict?.theirsSavedAt ? formatDateTime(conflict.theirsSavedAt, i18n.language) : null;
  const side = (content: NoteContent, diff: Difference) => {
    if (diff.kind === 'encounter') {
      const rows = encounterSummary(t, i18n.language, content.encounter, knownName);
      return rows.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('notes.common.notRecorded')}
        </Text>
      ) : (
        rows.map((row) => (
          <Text size="sm" key={row.label}>
            <strong>{row.label}:</strong> {row.value}
          </Text>
        ))
      );
    }
    if (diff.kind === 'attendance' && diff.memberId)
      return (
        <Text size="sm">
          {content.members?.[diff.memberId]?.attended ? t('notes.conflict.attended') : t('notes.editor.absent')}
        </Text>
      );
    const value = diff.address ? getFieldValue(content, diff.address) : undefined;
    const view = diff.field ? <FieldValueView field={diff.field} value={value} /> : null;
    return (
      view ?? (
        <Text size="sm" c="dimmed">
          {t('notes.common.notRecorded')}
        </Text>
      )
    );
  };

  return (
    <Stack gap="md">
      <Alert color="orange" icon={<IconGitMerge size={20} aria-hidden />} title={t('notes.conflict.title')}>
        <Text size="sm">
          {theirsTime ? t('notes.conflict.introAt', { time: theirsTime }) : t('notes.conflict.intro')}
        </Text>
      </Alert>
      {diffs.length === 0 && <Text size="sm">{t('notes.conflict.noDifferences')}</Text>}
      {diffs.map((diff) => {
        const choice = choices[diff.key] ?? 'mine';
        const editable = diff.field?.type === 'richText' || diff.field?.type === 'text';
        const headingId = `conflict-${fieldDomId(diff.key)}`;
        return (
          <Paper key={diff.key} withBorder p="md" component="section" aria-labelledby={headingId}>
            <Stack gap="sm">
              <Title order={3} size="h5" id={headingId}>
                {diff.label}
              </Title>
              <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
                <div
                  className={classes.side}
                  role="group"
                  aria-label={t('notes.conflict.mineLabel', { part: diff.label })}
                >
                  <Text size="sm" fw={700} mb={4}>
                    {t('notes.conflict.mine')}
                  </Text>
                  {side(mine, diff)}
                </div>
                <div
                  className={classes.side}
                  role="group"
                  aria-label={t('notes.conflict.theirsLabel', { part: diff.label })}
                >
                  <Text size="sm" fw={700} mb={4}>
                    {theirsTime ? t('notes.conflict.theirsAt', { time: theirsTime }) : t('notes.conflict.theirs')}
                  </Text>
                  {side(theirs, diff)}
                </div>
              </SimpleGrid>
              <Radio.Group
                label={t('notes.conflict.keep', { part: diff.label })}
                value={choice}
                onChange={(next) => {
                  const picked = next as Choice;
                  setChoices((current) => ({ ...current, [diff.key]: picked }));
                  if (picked === 'edit' && diff.address && edited[diff.key] === undefined) {
                    const start = getFieldValue(mine, diff.address) ?? getFieldValue(theirs, diff.address);
                    if (start) setEdited((current) => ({ ...current, [diff.key]: start }));
                  }
                }}
              >
                <Group gap="lg" mt={4} wrap="wrap">
                  <Radio value="mine" label={t('notes.conflict.keepMine')} />
                  <Radio value="theirs" label={t('notes.conflict.keepTheirs')} />
                  {editable && <Radio value="edit" label={t('notes.conflict.editMerged')} />}
                </Group>
              </Radio.Group>
              {choice === 'edit' && diff.field?.type === 'richText' && (
                <RichTextField
                  id={`merge-${fieldDomId(diff.key)}`}
                  label={t('notes.conflict.mergedText', { part: diff.label })}
                  doc={(() => {
                    const value = edited[diff.key];
                    return value?.type === 'richText' ? value.doc : undefined;
                  })()}
                  onChange={(doc) => setEdited((current) => ({ ...current, [diff.key]: { type: 'richText', doc } }))}
                />
              )}
              {choice === 'edit' && diff.field?.type === 'text' && (
                <MergedText
                  label={t('notes.conflict.mergedText', { part: diff.label })}
                  value={(() => {
                    const value = edited[diff.key];
                    return value?.type === 'text' ? value.value : '';
                  })()}
                  onChange={(text) =>
                    setEdited((current) => ({ ...current, [diff.key]: { type: 'text', value: text } }))
                  }
                />
              )}
            </Stack>
          </Paper>
        );
      })}
      {error && (
        <Alert color="red" role="alert">
          {t('notes.conflict.saveFailed', { reason: error })}
        </Alert>
      )}
      <Group justify="flex-end">
        <Button leftSection={<IconGitMerge size={16} aria-hidden />} loading={busy} onClick={() => void save()}>
          {t('notes.conflict.save')}
        </Button>
      </Group>
    </Stack>
  );
}

function MergedText({ label, value, onChange }: { label: string; value: string; onChange: (text: string) => void }) {
  return <TextInput label={label} value={value} onChange={(event) => onChange(event.currentTarget.value)} />;
}
