import { Alert, Badge, Button, Group, Paper, Radio, Stack, Text, Title } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import type { TFunction } from 'i18next';
import { Fragment, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import {
  BAM_DRUG_ITEMS,
  type BamGroup,
  type MeasureDefinition,
  type MeasureId,
  type MeasureItem,
  type MeasureResult,
  MEASURE_DEFINITIONS,
  scoreMeasure,
} from '../../shared/measures';
import type { FieldValue } from '../../shared/notes/content';
import { tk } from './templates';
import classes from './notes.module.css';

type MeasureValue = Extract<FieldValue, { type: 'measure' }>;

/** The answers after one change, with the BAM's skip rules: no drinking days skips item 5, no drug days 7A–7G. */
function answer(measureId: MeasureId, responses: Record<string, unknown>, itemId: string, value: number) {
  const next: Record<string, unknown> = { ...responses, [itemId]: value };
  if (measureId === 'bam' && itemId === 'q4' && value === 0) delete next.q5;
  if (measureId === 'bam' && itemId === 'q6' && value === 0) for (const id of BAM_DRUG_ITEMS) delete next[id];
  return next;
}

function skipped(measureId: MeasureId, responses: Record<string, unknown>, item: MeasureItem): boolean {
  if (measureId !== 'bam') return false;
  if (item.id === 'q5') return responses.q4 === 0;
  if ((BAM_DRUG_ITEMS as readonly string[]).includes(item.id)) return responses.q6 === 0;
  return false;
}

/**
 * An embedded measure (PHQ-9, GAD-7, craving 0–10, BAM) rendered from its definition, scored
 * live by the shared scoring functions. PHQ-9 item 9 above 0 raises a safety prompt at once.
 */
export function MeasureField({
  id,
  label,
  measureId,
  value,
  required,
  onChange,
  onRiskScreen,
}: {
  id: string;
  label: string;
  measureId: MeasureId;
  value: MeasureValue | undefined;
  required?: boolean;
  onChange: (value: MeasureValue | undefined) => void;
  /** Moves focus to the note's risk screen (shown with the PHQ-9 item 9 prompt). */
  onRiskScreen?: (() => void) | undefined;
}) {
  const { t } = useTranslation();
  const definition: MeasureDefinition = MEASURE_DEFINITIONS[measureId];
  const responses = value?.responses ?? {};
  const headingId = `${id}-heading`;
  const set = (itemId: string, picked: number): void =>
    onChange({
      type: 'measure',
      measureId,
      version: definition.version,
      responses: answer(measureId, responses, itemId, picked),
    });
  const scoring = scoreMeasure(measureId, responses);
  const answered = Object.keys(responses).length > 0;
  // A measure not started is one line with a button: a note has room for four of them.
  const [open, setOpen] = useState(answered || required === true);
  const itemsId = `${id}-items`;
  // Questions as numbered on the form: the BAM's 7A–7G are its question 7; optional closing
  // questions (PHQ-9 / GAD-7 difficulty) are not counted.
  const scored = new Set(
    definition.items
      .filter((item) => !item.optional || (item.kind === 'choice' && item.groupTextKey !== undefined))
      .map((item) => item.number.replace(/[A-Z]+$/, '')),
  ).size;

  return (
    <Paper withBorder p="sm" component="section" aria-labelledby={headingId} id={id} tabIndex={-1}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Title order={4} size="h5" id={headingId}>
            {label}
            {required && (
              <Text span c="red" aria-hidden>
                {' *'}
              </Text>
            )}
          </Title>
          <Group gap="xs">
            {answered && open && (
              <Button variant="subtle" size="compact-sm" onClick={() => onChange(undefined)}>
                {t('notes.measure.clear', { measure: label })}
              </Button>
            )}
            <Button
              variant={open ? 'subtle' : 'light'}
              size="compact-sm"
              aria-expanded={open}
              aria-controls={itemsId}
              onClick={() => setOpen((current) => !current)}
            >
              {open
                ? t('notes.measure.hide', { measure: label })
                : answered
                  ? t('notes.measure.show', { measure: label })
                  : t('notes.measure.start', { measure: label, count: scored })}
            </Button>
          </Group>
        </Group>
        <div id={itemsId} hidden={!open}>
          <Stack gap="xs">
            <Text size="sm">{tk(t, definition.instructionsKey)}</Text>
            {definition.items.map((item, index) => {
              const previous = definition.items[index - 1];
              const group = item.kind === 'choice' ? item.groupTextKey : undefined;
              const previousGroup = previous?.kind === 'choice' ? previous.groupTextKey : undefined;
              const groupHeading = group !== undefined && group !== previousGroup ? group : undefined;
              const isSkipped = skipped(measureId, responses, item);
              const current = responses[item.id];
              const options =
                item.kind === 'choice'
                  ? item.options.map((option) => ({ value: option.value, label: tk(t, option.labelKey) }))
                  : Array.from({ length: item.max - item.min + 1 }, (_, i) => ({
                      value: item.min + i,
                      label: String(item.min + i),
                    }));
              return (
                <Fragment key={item.id}>
                  {groupHeading && (
                    <Text size="sm" fw={600} className={classes.measureItem}>
                      {tk(t, groupHeading)}
                    </Text>
                  )}
                  <Radio.Group
                    className={group === undefined ? classes.measureItem : undefined}
                    label={`${item.number}. ${tk(t, item.textKey)}`}
                    description={
                      isSkipped
                        ? t('notes.measure.skipped')
                        : item.kind === 'integer'
                          ? t('notes.measure.anchors', {
                              min: item.min,
                              minLabel: tk(t, item.minLabelKey),
                              max: item.max,
                              maxLabel: tk(t, item.maxLabelKey),
                            })
                          : item.optional
                            ? t('notes.measure.optional')
                            : undefined
                    }
                    value={typeof current === 'number' ? String(current) : null}
                    onChange={(picked) => set(item.id, Number(picked))}
                  >
                    <Group gap="md" mt={4} wrap="wrap">
                      {options.map((option) => (
                        <Radio
                          key={option.value}
                          value={String(option.value)}
                          label={option.label}
                          disabled={isSkipped}
                        />
                      ))}
                    </Group>
                  </Radio.Group>
                </Fragment>
              );
            })}
          </Stack>
        </div>
        <div aria-live="polite" className={classes.score} hidden={!open && !answered}>
          {scoring.ok ? (
            <MeasureSummary result={scoring.result} onRiskScreen={onRiskScreen} />
          ) : (
            <Text size="sm" c="red">
              {t('notes.measure.invalid')}
            </Text>
          )}
        </div>
      </Stack>
    </Paper>
  );
}

/** The live score in words: total and band, "incomplete", the BAM's groups, the PHQ-9 item 9 prompt. */
export function MeasureSummary({
  result,
  onRiskScreen,
  record = false,
}: {
  result: MeasureResult;
  onRiskScreen?: (() => void) | undefined;
  /** Shown in a signed record: the safety flag is stated, not announced as an alert. */
  record?: boolean;
}): ReactNode {
  const { t } = useTranslation();
  switch (result.measureId) {
    case 'phq9':
    case 'gad7': {
      const max = MEASURE_DEFINITIONS[result.measureId].totalRange?.max ?? 0;
      return (
        <Stack gap="xs">
          <Text size="sm" fw={600}>
            {result.score.status === 'complete'
              ? t('notes.measure.total', {
                  total: result.score.total,
                  max,
                  band: tk(t, `measures.bands.${result.score.band.code}`),
                })
              : t('measures.status.incomplete', { count: result.score.missingItems.length })}
          </Text>
          {result.measureId === 'phq9' && result.suicideRiskItemPositive && (
            <Alert
              color="red"
              variant="light"
              role={record ? undefined : 'alert'}
              icon={<IconAlertTriangle size={20} aria-hidden />}
              title={t('notes.measure.safetyTitle')}
            >
              <Stack gap="xs" align="flex-start">
                <Text size="sm">{t('measures.phq9.flags.suicide_risk_item_positive')}</Text>
                {onRiskScreen && (
                  <Button size="xs" color="red" onClick={onRiskScreen}>
                    {t('notes.measure.goToRiskScreen')}
                  </Button>
                )}
              </Stack>
            </Alert>
          )}
          {result.measureId === 'phq9' &&
            result.suicideRiskItemUnanswered &&
            result.score.status === 'incomplete' &&
            result.score.answeredCount > 0 && (
              <Text size="sm">{t('measures.phq9.flags.suicide_risk_item_unanswered')}</Text>
            )}
        </Stack>
      );
    }
    case 'craving':
      return (
        <Text size="sm" fw={600}>
          {result.status === 'complete'
            ? t('notes.measure.craving', { level: result.level })
            : t('measures.status.incomplete', { count: 1 })}
        </Text>
      );
    case 'bam':
      return <BamSummary result={result} t={t} />;
  }
}

function BamSummary({ result, t }: { result: Extract<MeasureResult, { measureId: 'bam' }>; t: TFunction }) {
  const groups: BamGroup[] = ['use', 'risk', 'protective'];
  return (
    <Stack gap={4}>
      <Text size="sm">{t('measures.status.no_total')}</Text>
      {groups.map((name) => {
        const score = result[name];
        return (
          <Group key={name} gap="xs" wrap="wrap">
            <Text size="sm" fw={600}>
              {tk(t, `measures.bam.groups.${name}`)}:
            </Text>
            <Text size="sm">
              {score.status === 'complete'
                ? t('notes.measure.groupScore', { sum: score.sum, max: score.max })
                : t('measures.status.incomplete', { count: score.missingItems.length })}
            </Text>
            {score.status === 'complete' && score.flagged && (
              <Badge color="orange" variant="light" tt="none">
                {t('measures.bam.groups.flagged')}
              </Badge>
            )}
          </Group>
        );
      })}
      {result.satisfaction !== null && (
        <Text size="sm">
          {t('measures.bam.indicators.satisfaction')}: {result.satisfaction} / 4
        </Text>
      )}
      <Text size="xs" c="dimmed">
        {t('notes.measure.bamGuidance')}
      </Text>
    </Stack>
  );
}
