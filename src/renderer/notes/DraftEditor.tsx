import { Alert, Badge, Button, Checkbox, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { IconDeviceLaptop, IconSignature } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { Fragment, useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import type { Encounter, FieldValue, NoteContent } from '../../shared/notes/content';
import type { NoteDetail } from '../../shared/notes/rpc';
import { isTelehealth } from '../../shared/notes/signing';
import type { SectionDefinition, TemplateDefinition } from '../../shared/notes/templates/schema';
import { formatDateTime } from '../i18n/format';
import { useRpcClient } from '../rpc/RpcProvider';
import {
  type FieldAddress,
  fieldPath,
  focusField,
  getFieldValue,
  setAttended,
  setEncounter,
  setFieldValue,
} from './content-edit';
import { EncounterFields } from './EncounterFields';
import { ExportPdfButton } from './ExportPdfButton';
import { FieldInput } from './FieldInput';
import { useKnownParticipantName } from './names';
import { markJustSigned, noteChanged } from './notes-cache';
import { ProtectedNotice } from './ProtectedNotice';
import { ShownError } from './PassphraseForm';
import { NoteLengthNotice } from './NoteLengthNotice';
import { SaveStatus } from './SaveStatus';
import { SignDialog } from './SignDialog';
import { useDraftSaver } from './useDraftSaver';
import classes from './notes.module.css';
import { tk } from './templates';

function requiredFor(field: SectionDefinition['fields'][number], encounter: Encounter): boolean {
  const requirement = field.requiredForSigning;
  return requirement === 'always' || (requirement === 'telehealth' && isTelehealth(encounter));
}

/** The first risk-screen field of a scope: where the PHQ-9 item 9 prompt sends the clinician. */
function riskScreenPath(template: TemplateDefinition, memberId?: string): string | undefined {
  for (const section of template.sections) {
    if ((section.scope === 'member') !== (memberId !== undefined)) continue;
    const field = section.fields.find((candidate) => candidate.type === 'riskScreen');
    if (field) return fieldPath({ sectionId: section.id, fieldId: field.id, memberId });
  }
  return undefined;
}

/**
 * The editor of a draft: the encounter, then every section and field of its template. Each
 * change is kept in memory at once and autosaved (see useDraftSaver); typing never waits for a
 * save. "Sign note" first saves what is typed, then signs exactly that.
 */
export function DraftEditor({
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
  const navigate = useNavigate();
  const { saver, state, contentBytes } = useDraftSaver(detail.id, detail.draftRevision);
  const [content, setContent] = useState<NoteContent>(detail.content);
  const contentRef = useRef(content);
  const [signing, setSigning] = useState(false);

  const change = useCallback(
    (update: (current: NoteContent) => NoteContent) => {
      const next = update(contentRef.current);
      contentRef.current = next;
      setContent(next);
      saver.update(next);
    },
    [saver],
  );
  // A newer revision arrived while the editor was open (the same clinician's edit on another
  // device, pulled) and nothing typed here is waiting: show it. With unsaved typing the next save
  // is kept beside it instead, and the merge screen shows both.
  const [epoch, setEpoch] = useState(0);
  useEffect(() => {
    if (!saver.rebase(detail.draftRevision)) return;
    contentRef.current = detail.content;
    // Taking in data from outside (the core, after a pull) is what this effect is for; it runs
    // only when a newer revision arrives, not on the editor's own saves.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setContent(detail.content);
    setEpoch((current) => current + 1);
  }, [detail.draftRevision, detail.content, saver, state]);
  const flush = useCallback(() => void saver.flush(), [saver]);
  const knownName = useKnownParticipantName();
  const onFieldChange = useCallback(
    (address: FieldAddress, value: FieldValue | undefined) =>
      change((current) => setFieldValue(current, address, value)),
    [change],
  );
  const patchEncounter = useCallback(
    (patch: Partial<Encounter>) =>
      change((current) => {
        const timed = patch.date !== undefined || patch.startTime !== undefined || patch.endTime !== undefined;
        const zone =
          timed && current.encounter.timeZone === undefined
            ? { timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone }
            : {};
        return setEncounter(current, { ...zone, ...patch });
      }),
    [change],
  );

  const sign = async (passphrase: string): Promise<void> => {
    if (!(await saver.flush())) throw new ShownError(t('notes.sign.saveFirst'));
    if (saver.state.kind === 'keptBeside') throw new ShownError(t('notes.sign.mergeFirst'));
    const signed = await client.call('notes.sign', { noteId: detail.id, passphrase });
    markJustSigned(signed.id);
    noteChanged(queryClient, signed);
    // A group note is filed as one signed note per attending member (the draft is gone): show
    // the one filed to this client's chart.
    if (signed.id !== detail.id) void navigate(`/notes/${signed.id}`, { replace: true });
  };

  const renderSection = (section: SectionDefinition, memberId?: string) => (
    <Paper
      key={`${memberId ?? ''}${section.id}`}
      withBorder
      p="md"
      component="section"
      aria-labelledby={`section-${memberId ?? 'shared'}-${section.id}`}
    >
      <Stack gap="md">
        <Title
          order={memberId === undefined ? 3 : 5}
          size={memberId === undefined ? 'h4' : 'h5'}
          id={`section-${memberId ?? 'shared'}-${section.id}`}
        >
          {/* A member's section is named with the member: the same fields repeat for each. */}
          {memberId === undefined
            ? tk(t, section.titleKey)
            : t('notes.editor.memberSection', { name: memberName(memberId), section: tk(t, section.titleKey) })}
        </Title>
        {section.fields.map((field) => (
          <FieldInput
            key={field.id}
            field={field}
            sectionId={section.id}
            memberId={memberId}
            value={getFieldValue(content, { sectionId: section.id, fieldId: field.id, memberId })}
            required={requiredFor(field, content.encounter)}
            onFieldChange={onFieldChange}
            onBlur={flush}
            riskScreenPath={field.type === 'measure' ? riskScreenPath(template, memberId) : undefined}
            onFocusField={focusField}
          />
        ))}
      </Stack>
    </Paper>
  );

  const sharedSections = template.sections.filter((section) => section.scope === 'shared');
  const memberSections = template.sections.filter((section) => section.scope === 'member');
  const members = Object.entries(content.members ?? {});

  return (
    <Stack gap="md">
      <Group justify="space-between" gap="sm" wrap="wrap" className={classes.actionBar}>
        <Group gap="md" wrap="wrap">
          <SaveStatus state={state} onRetry={flush} />
          <NoteLengthNotice contentBytes={contentBytes} />
        </Group>
        <Group gap="sm">
          <ExportPdfButton noteId={detail.id} />
          <Button leftSection={<IconSignature size={16} aria-hidden />} onClick={() => setSigning(true)}>
            {t('notes.sign.open')}
          </Button>
        </Group>
      </Group>

      {detail.editedElsewhere && (
        <Alert color="yellow" icon={<IconDeviceLaptop size={20} aria-hidden />} role="status">
          {t('notes.editor.editedElsewhere', { time: formatDateTime(detail.editedElsewhere.at, i18n.language) })}
        </Alert>
      )}
      <ProtectedNotice detail={detail} />

      {/* The fields own their text once mounted: a newer revision remounts them. */}
      <Fragment key={epoch}>
        <Paper withBorder p="md" component="section" aria-labelledby="section-encounter">
          <Stack gap="md">
            <Title order={3} size="h4" id="section-encounter">
              {t('notes.editor.encounter')}
            </Title>
            <EncounterFields
              template={template}
              encounter={content.encounter}
              onChange={patchEncounter}
              onBlur={flush}
              knownName={knownName}
            />
          </Stack>
        </Paper>

        {sharedSections.map((section) => renderSection(section))}

        {template.kind === 'group' && (
          <Paper withBorder p="md" component="section" aria-labelledby="section-members" data-field-path="members">
            <Stack gap="md">
              <Title order={3} size="h4" id="section-members">
                {t('notes.editor.members')}
              </Title>
              <Text size="sm">{t('notes.editor.membersHelp')}</Text>
              {members.length === 0 && <Text size="sm">{t('notes.editor.noMembers')}</Text>}
              {members.map(([memberId, member]) => (
                <Stack key={memberId} gap="sm">
                  <Group gap="sm">
                    <Title order={4} size="h5">
                      {memberName(memberId)}
                    </Title>
                    {!member.attended && (
                      <Badge color="gray" variant="light" tt="none">
                        {t('notes.editor.absent')}
                      </Badge>
                    )}
                  </Group>
                  <Checkbox
                    label={t('notes.editor.attended', { name: memberName(memberId) })}
                    checked={member.attended}
                    onChange={(event) => {
                      const attended = event.currentTarget.checked;
                      change((current) => setAttended(current, memberId, attended));
                    }}
                    onBlur={flush}
                  />
                  {member.attended && memberSections.map((section) => renderSection(section, memberId))}
                </Stack>
              ))}
            </Stack>
          </Paper>
        )}
      </Fragment>

      <SignDialog
        opened={signing}
        onClose={() => setSigning(false)}
        template={template}
        content={content}
        memberName={memberName}
        onFocusField={focusField}
        onSign={sign}
      />
    </Stack>
  );
}
