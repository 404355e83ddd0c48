import { Badge, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { TFunction } from 'i18next';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { MEASURE_DEFINITIONS, scoreMeasure } from '../../shared/measures';
import {
  type Encounter,
  type FieldValue,
  isFieldFilled,
  type NoteContent,
  type Participant,
} from '../../shared/notes/content';
import { hasCopiedText } from '../../shared/notes/copy-forward';
import type { FieldDefinition, SectionDefinition, TemplateDefinition } from '../../shared/notes/templates/schema';
import { formatDate } from '../i18n/format';
import { MeasureSummary } from './MeasureField';
import { useKnownParticipantName } from './names';
import { RichTextView } from './RichTextView';
import { tk } from './templates';
import classes from './notes.module.css';

/** A field's value as the record shows it (read-only); null when empty. */
export function FieldValueView({ field, value }: { field: FieldDefinition; value: FieldValue | undefined }): ReactNode {
  const { t, i18n } = useTranslation();
  if (!value || !isFieldFilled(value)) return null;
  switch (value.type) {
    case 'richText':
      return (
        <>
          {hasCopiedText(value.doc) && (
            <Badge color="yellow" variant="light" tt="none" mb={4}>
              {t('notes.copied_forward.badge')}
            </Badge>
          )}
          <RichTextView doc={value.doc} />
        </>
      );
    case 'text':
      return <Text className={classes.readText}>{value.value}</Text>;
    case 'choice': {
      const options = field.type === 'choice' ? field.options : [];
      return (
        <Text>
          {value.value
            .map((picked) => {
              const option = options.find((candidate) => candidate.value === picked);
              return option ? tk(t, option.labelKey) : picked;
            })
            .join(', ')}
        </Text>
      );
    }
    case 'number':
      return <Text>{value.value}</Text>;
    case 'date':
      return <Text>{formatDate(value.value, i18n.language)}</Text>;
    case 'time':
      return <Text>{value.value}</Text>;
    case 'boolean':
      return <Text>{value.value ? t('notes.common.yes') : t('notes.common.no')}</Text>;
    case 'riskScreen':
      return (
        <Text>
          {t(`notes.risk_screen.${value.result}`)}
          {value.reason ? ` (${t('notes.risk_screen.reason')}: ${value.reason})` : ''}
        </Text>
      );
    case 'measure':
      return <MeasureAnswers value={value} />;
  }
}

function MeasureAnswers({ value }: { value: Extract<FieldValue, { type: 'measure' }> }) {
  const { t } = useTranslation();
  const definition = MEASURE_DEFINITIONS[value.measureId];
  const scoring = scoreMeasure(value.measureId, value.responses);
  return (
    <Stack gap={4}>
      {scoring.ok && <MeasureSummary result={scoring.result} record />}
      <Stack gap={0} component="ul" className={classes.plainList}>
        {definition.items.map((item) => {
          const answer = value.responses[item.id];
          if (typeof answer !== 'number') return null;
          const label =
            item.kind === 'choice'
              ? tk(t, item.options.find((option) => option.value === answer)?.labelKey ?? String(answer))
              : String(answer);
          return (
            <Text component="li" size="sm" key={item.id}>
              {item.number}. {tk(t, item.textKey)} <strong>{label}</strong>
            </Text>
          );
        })}
      </Stack>
    </Stack>
  );
}

export function encounterSummary(
  t: TFunction,
  language: string,
  encounter: Encounter,
  knownName: (participant: Participant) => string | null,
): { label: string; value: string }[] {
  const rows: { label: string; value: string }[] = [];
  if (encounter.date) rows.push({ label: t('notes.encounter.date'), value: formatDate(encounter.date, language) });
  if (encounter.startTime || encounter.endTime)
    rows.push({
      label: t('notes.editor.time'),
      value: `${encounter.startTime ?? '…'}–${encounter.endTime ?? '…'}${encounter.timeZone ? ` (${encounter.timeZone})` : ''}`,
    });
  if (encounter.modality)
    rows.push({
      label: t('notes.encounter.modality'),
      value:
        t(`notes.modality.${encounter.modality}`) +
        (encounter.audioOnlySwitch
          ? ` · ${t('notes.editor.switchedAt', { time: encounter.audioOnlySwitch.at ?? '…' })}`
          : ''),
    });
  if (encounter.clientLocation)
    rows.push({
      label: t('notes.encounter.clientLocation'),
      value: `${encounter.clientLocation.address} (${
        encounter.clientLocation.verified ? t('notes.editor.locationConfirmed') : t('notes.editor.locationNotConfirmed')
      })`,
    });
  if (encounter.participants?.length)
    rows.push({
      label: t('notes.encounter.participants'),
      value: encounter.participants
        .map((participant) => {
          const name = knownName(participant) ?? participant.displayName;
          return name
            ? `${name} (${t(`notes.participants.${participant.kind}`)})`
            : t(`notes.participants.${participant.kind}`);
        })
        .join(', '),
    });
  return rows;
}

function SectionView({
  section,
  values,
  headingOrder,
}: {
  section: SectionDefinition;
  values: NoteContent['sections'];
  headingOrder: 3 | 5;
}) {
  const { t } = useTranslation();
  return (
    <Paper withBorder p="md" component="section" aria-label={tk(t, section.titleKey)}>
      <Stack gap="sm">
        <Title order={headingOrder} size={headingOrder === 3 ? 'h4' : 'h5'}>
          {tk(t, section.titleKey)}
        </Title>
        {section.fields.map((field) => {
          const value = values[section.id]?.[field.id];
          return (
            <div key={field.id}>
              <Text size="sm" fw={600}>
                {tk(t, field.labelKey)}
              </Text>
              {value && isFieldFilled(value) ? (
                <FieldValueView field={field} value={value} />
              ) : (
                <Text size="sm" c="dimmed">
                  {t('notes.common.notRecorded')}
                </Text>
              )}
            </div>
          );
        })}
      </Stack>
    </Paper>
  );
}

/** The whole note, read-only: encounter, shared sections, and each member's part of a group note. */
export function NoteContentView({
  template,
  content,
  memberName,
}: {
  template: TemplateDefinition;
  content: NoteContent;
  memberName: (id: string) => string;
}) {
  const { t, i18n } = useTranslation();
  const knownName = useKnownParticipantName();
  const encounter = encounterSummary(t, i18n.language, content.encounter, knownName);
  return (
    <Stack gap="md">
      <Paper withBorder p="md" component="section" aria-labelledby="view-encounter">
        <Title order={3} size="h4" id="view-encounter" mb="sm">
          {t('notes.editor.encounter')}
        </Title>
        {encounter.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('notes.common.notRecorded')}
          </Text>
        ) : (
          <Stack gap={4}>
            {encounter.map((row) => (
              <Group key={row.label} gap="xs" wrap="wrap" align="flex-start">
                <Text size="sm" fw={600}>
                  {row.label}:
                </Text>
                <Text size="sm" className={classes.readText}>
                  {row.value}
                </Text>
              </Group>
            ))}
          </Stack>
        )}
      </Paper>
      {template.sections
        .filter((section) => section.scope === 'shared')
        .map((section) => (
          <SectionView key={section.id} section={section} values={content.sections} headingOrder={3} />
        ))}
      {template.kind === 'group' &&
        Object.entries(content.members ?? {}).map(([memberId, member]) => (
          <Paper key={memberId} withBorder p="md" component="section" aria-label={memberName(memberId)}>
            <Stack gap="sm">
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
              {member.attended &&
                template.sections
                  .filter((section) => section.scope === 'member')
                  .map((section) => (
                    <SectionView key={section.id} section={section} values={member.sections} headingOrder={5} />
                  ))}
            </Stack>
          </Paper>
        ))}
    </Stack>
  );
}
