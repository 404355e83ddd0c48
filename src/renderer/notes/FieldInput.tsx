import { Checkbox, Group, NumberInput, Radio, Stack, TextInput } from '@mantine/core';
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { type FieldValue, RISK_SCREEN_RESULTS, type RichTextNode } from '../../shared/notes/content';
import { hasCopiedText } from '../../shared/notes/copy-forward';
import type { FieldDefinition } from '../../shared/notes/templates/schema';
import { type FieldAddress, fieldDomId, fieldPath } from './content-edit';
import { MeasureField } from './MeasureField';
import { RichTextField } from './RichTextField';
import { tk } from './templates';

/**
 * One template field in the editor, rendered from its definition. Every control is labelled
 * with the field's label; `path` is the field's address (see content-edit.ts), put on the
 * container so a signing problem can focus it.
 */
export const FieldInput = memo(function FieldInput({
  field,
  sectionId,
  memberId,
  value,
  required,
  onFieldChange,
  onBlur,
  riskScreenPath,
  onFocusField,
}: {
  field: FieldDefinition;
  sectionId: string;
  memberId?: string | undefined;
  value: FieldValue | undefined;
  /** Required for signing in this note (the template's rule, given the modality). */
  required: boolean;
  /** Stable across renders (the editor re-renders only the field that changed). */
  onFieldChange: (address: FieldAddress, value: FieldValue | undefined) => void;
  onBlur: () => void;
  /** Where the PHQ-9 item 9 prompt sends the clinician (the note's risk screen). */
  riskScreenPath?: string | undefined;
  onFocusField: (path: string) => void;
}) {
  const { t } = useTranslation();
  const address: FieldAddress = { sectionId, fieldId: field.id, memberId };
  const path = fieldPath(address);
  const id = fieldDomId(path);
  const onChange = (next: FieldValue | undefined): void => onFieldChange(address, next);
  const onRiskScreen = riskScreenPath ? () => onFocusField(riskScreenPath) : undefined;
  const label = tk(t, field.labelKey);
  const description = field.helpKey ? tk(t, field.helpKey) : undefined;

  const control = (() => {
    switch (field.type) {
      case 'richText': {
        const current = value?.type === 'richText' ? value : undefined;
        return (
          <RichTextField
            id={id}
            label={label}
            description={description}
            doc={current?.doc}
            required={required}
            onBlur={onBlur}
            onChange={(doc: RichTextNode) => {
              const stillCopied = current?.copiedFrom && hasCopiedText(doc);
              onChange({ type: 'richText', doc, ...(stillCopied ? { copiedFrom: current.copiedFrom } : {}) });
            }}
          />
        );
      }
      case 'text':
        return (
          <TextInput
            id={id}
            label={label}
            description={description}
            required={required}
            maxLength={field.maxLength}
            value={value?.type === 'text' ? value.value : ''}
            onChange={(event) => {
              const text = event.currentTarget.value;
              onChange(text === '' ? undefined : { type: 'text', value: text });
            }}
            onBlur={onBlur}
          />
        );
      case 'choice': {
        const selected = value?.type === 'choice' ? value.value : [];
        const options = field.options.map((option) => ({ value: option.value, label: tk(t, option.labelKey) }));
        if (field.multiple)
          return (
            <Checkbox.Group
              id={id}
              label={label}
              description={description}
              withAsterisk={required}
              value={selected}
              onChange={(next) => onChange(next.length === 0 ? undefined : { type: 'choice', value: next })}
            >
              <Group gap="md" mt={4} wrap="wrap">
                {options.map((option) => (
                  <Checkbox key={option.value} value={option.value} label={option.label} onBlur={onBlur} />
                ))}
              </Group>
            </Checkbox.Group>
          );
        return (
          <Radio.Group
            id={id}
            label={label}
            description={description}
            withAsterisk={required}
            value={selected[0] ?? null}
            onChange={(next) => onChange({ type: 'choice', value: [next] })}
          >
            <Group gap="md" mt={4} wrap="wrap">
              {options.map((option) => (
                <Radio key={option.value} value={option.value} label={option.label} onBlur={onBlur} />
              ))}
            </Group>
          </Radio.Group>
        );
      }
      case 'number':
        return (
          <NumberInput
            id={id}
            label={label}
            description={description}
            required={required}
            {...(field.min === undefined ? {} : { min: field.min })}
            {...(field.max === undefined ? {} : { max: field.max })}
            allowDecimal={!field.integer}
            value={value?.type === 'number' ? value.value : ''}
            onChange={(next) =>
              onChange(typeof next === 'number' && Number.isFinite(next) ? { type: 'number', value: next } : undefined)
            }
            onBlur={onBlur}
            w={200}
          />
        );
      case 'date':
      case 'time':
        return (
          <TextInput
            id={id}
            type={field.type}
            label={label}
            description={description}
            required={required}
            value={value?.type === field.type ? value.value : ''}
            onChange={(event) => {
              const next = event.currentTarget.value.slice(0, field.type === 'time' ? 5 : 10);
              onChange(next === '' ? undefined : ({ type: field.type, value: next } as FieldValue));
            }}
            onBlur={onBlur}
            w={220}
          />
        );
      case 'boolean':
        return (
          <Checkbox
            id={id}
            label={label}
            description={description}
            checked={value?.type === 'boolean' ? value.value : false}
            onChange={(event) => onChange({ type: 'boolean', value: event.currentTarget.checked })}
            onBlur={onBlur}
          />
        );
      case 'measure':
        return (
          <MeasureField
            id={id}
            label={label}
            measureId={field.measureId}
            value={value?.type === 'measure' ? value : undefined}
            required={required}
            onChange={onChange}
            onRiskScreen={onRiskScreen}
          />
        );
      case 'riskScreen': {
        const current = value?.type === 'riskScreen' ? value : undefined;
        return (
          <Stack gap="xs">
            <Radio.Group
              id={id}
              label={label}
              description={description}
              withAsterisk={required}
              value={current?.result ?? null}
              onChange={(next) =>
                onChange({
                  type: 'riskScreen',
                  result: next as (typeof RISK_SCREEN_RESULTS)[number],
                  ...(next === 'not_done' && current?.reason ? { reason: current.reason } : {}),
                })
              }
            >
              <Group gap="md" mt={4} wrap="wrap">
                {RISK_SCREEN_RESULTS.map((result) => (
                  <Radio key={result} value={result} label={t(`notes.risk_screen.${result}`)} onBlur={onBlur} />
                ))}
              </Group>
            </Radio.Group>
            {current?.result === 'not_done' && (
              <TextInput
                label={t('notes.risk_screen.reason')}
                required
                value={current.reason ?? ''}
                onChange={(event) =>
                  onChange({ type: 'riskScreen', result: 'not_done', reason: event.currentTarget.value })
                }
                onBlur={onBlur}
              />
            )}
          </Stack>
        );
      }
    }
  })();

  return <div data-field-path={path}>{control}</div>;
});
