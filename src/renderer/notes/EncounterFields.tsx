import {
  ActionIcon,
  Button,
  Checkbox,
  Group,
  NativeSelect,
  Radio,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import {
  type Encounter,
  type EncounterField,
  MODALITIES,
  type Modality,
  PARTICIPANT_KINDS,
  type Participant,
} from '../../shared/notes/content';
import { isTelehealth } from '../../shared/notes/signing';
import type { TemplateDefinition } from '../../shared/notes/templates/schema';
import { fieldDomId } from './content-edit';

/** Whether the template requires this encounter field for signing, given the modality chosen. */
export function encounterRequired(template: TemplateDefinition, encounter: Encounter, field: EncounterField): boolean {
  const requirement = template.encounter.requiredForSigning[field];
  return requirement === 'always' || (requirement === 'telehealth' && isTelehealth(encounter));
}

/**
 * The encounter: date, start and end time, modality and a switch to audio only (with its time),
 * where the client is for this session (confirmed with them), and who took part.
 */
export const EncounterFields = memo(function EncounterFields({
  template,
  encounter,
  onChange,
  onBlur,
  knownName,
}: {
  template: TemplateDefinition;
  encounter: Encounter;
  onChange: (patch: Partial<Encounter>) => void;
  onBlur: () => void;
  /** The name of a participant who is a known record (the client, the clinician), else null. */
  knownName: (participant: Participant) => string | null;
}) {
  const { t } = useTranslation();
  const required = (field: EncounterField) => encounterRequired(template, encounter, field);
  const participants = encounter.participants ?? [];
  const setParticipants = (next: Participant[]) => onChange({ participants: next.length > 0 ? next : undefined });
  const time = (value: string) => (value === '' ? undefined : value.slice(0, 5));

  return (
    <Stack gap="md">
      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
        <div data-field-path="encounter.date">
          <TextInput
            id={fieldDomId('encounter.date')}
            type="date"
            label={t('notes.encounter.date')}
            required={required('date')}
            value={encounter.date ?? ''}
            onChange={(event) => onChange({ date: event.currentTarget.value || undefined })}
            onBlur={onBlur}
          />
        </div>
        <div data-field-path="encounter.startTime">
          <TextInput
            id={fieldDomId('encounter.startTime')}
            type="time"
            label={t('notes.encounter.startTime')}
            required={required('startTime')}
            value={encounter.startTime ?? ''}
            onChange={(event) => onChange({ startTime: time(event.currentTarget.value) })}
            onBlur={onBlur}
          />
        </div>
        <div data-field-path="encounter.endTime">
          <TextInput
            id={fieldDomId('encounter.endTime')}
            type="time"
            label={t('notes.encounter.endTime')}
            required={required('endTime')}
            value={encounter.endTime ?? ''}
            onChange={(event) => onChange({ endTime: time(event.currentTarget.value) })}
            onBlur={onBlur}
          />
        </div>
      </SimpleGrid>

      <div data-field-path="encounter.modality">
        <Radio.Group
          label={t('notes.encounter.modality')}
          withAsterisk={required('modality')}
          value={encounter.modality ?? null}
          onChange={(next) => {
            const modality = next as Modality;
            // Only a video session can switch to audio only.
            onChange(modality === 'video' ? { modality } : { modality, audioOnlySwitch: undefined });
          }}
        >
          <Group gap="lg" mt={4}>
            {MODALITIES.map((modality) => (
              <Radio key={modality} value={modality} label={t(`notes.modality.${modality}`)} onBlur={onBlur} />
            ))}
          </Group>
        </Radio.Group>
      </div>

      {encounter.modality === 'video' && (
        <Group data-field-path="encounter.audioOnlySwitch" align="flex-end" gap="md" wrap="wrap">
          <Checkbox
            id={fieldDomId('encounter.audioOnlySwitch')}
            label={t('notes.encounter.audioOnlySwitch')}
            checked={encounter.audioOnlySwitch !== undefined}
            onChange={(event) => onChange({ audioOnlySwitch: event.currentTarget.checked ? {} : undefined })}
            onBlur={onBlur}
            mb={8}
          />
          {encounter.audioOnlySwitch && (
            <TextInput
              type="time"
              label={t('notes.editor.audioOnlyAt')}
              required
              value={encounter.audioOnlySwitch.at ?? ''}
              onChange={(event) => {
                const at = time(event.currentTarget.value);
                onChange({ audioOnlySwitch: at ? { at } : {} });
              }}
              onBlur={onBlur}
              w={180}
            />
          )}
        </Group>
      )}

      <Stack gap={6} data-field-path="encounter.clientLocation">
        <Textarea
          id={fieldDomId('encounter.clientLocation')}
          label={t('notes.encounter.clientLocation')}
          description={t('notes.editor.clientLocationHelp')}
          required={required('clientLocation')}
          autosize
          minRows={2}
          value={encounter.clientLocation?.address ?? ''}
          onChange={(event) => {
            const address = event.currentTarget.value;
            const verified = encounter.clientLocation?.verified ?? false;
            onChange({ clientLocation: address === '' && !verified ? undefined : { address, verified } });
          }}
          onBlur={onBlur}
        />
        <Checkbox
          label={t('notes.encounter.clientLocationVerified')}
          checked={encounter.clientLocation?.verified ?? false}
          onChange={(event) =>
            onChange({
              clientLocation: {
                address: encounter.clientLocation?.address ?? '',
                verified: event.currentTarget.checked,
              },
            })
          }
          onBlur={onBlur}
        />
      </Stack>

      <Stack gap={6} data-field-path="encounter.participants" role="group" aria-labelledby="participants-label">
        <Text size="sm" fw={500} id="participants-label">
          {t('notes.encounter.participants')}
          {required('participants') && (
            <Text span c="red" aria-hidden>
              {' *'}
            </Text>
          )}
        </Text>
        {participants.length === 0 && (
          <Text size="sm" c="dimmed">
            {t('notes.editor.noParticipants')}
          </Text>
        )}
        {participants.map((participant, index) => (
          <Group key={index} gap="xs" align="flex-end" wrap="wrap">
            <NativeSelect
              label={t('notes.editor.participantRole', { number: index + 1 })}
              value={participant.kind}
              data={PARTICIPANT_KINDS.map((kind) => ({ value: kind, label: t(`notes.participants.${kind}`) }))}
              onChange={(event) =>
                setParticipants(
                  participants.map((p, i) =>
                    i === index ? { ...p, kind: event.currentTarget.value as Participant['kind'] } : p,
                  ),
                )
              }
              onBlur={onBlur}
            />
            {knownName(participant) !== null ? (
              <TextInput
                label={t('notes.editor.participantName', { number: index + 1 })}
                value={knownName(participant) ?? ''}
                readOnly
                variant="filled"
              />
            ) : (
              <TextInput
                label={t('notes.editor.participantName', { number: index + 1 })}
                value={participant.displayName ?? ''}
                onChange={(event) => {
                  const displayName = event.currentTarget.value;
                  setParticipants(
                    participants.map((p, i) => {
                      if (i !== index) return p;
                      const { displayName: _drop, ...rest } = p;
                      return displayName === '' ? rest : { ...rest, displayName };
                    }),
                  );
                }}
                onBlur={onBlur}
              />
            )}
            <ActionIcon
              variant="default"
              size="lg"
              mb={1}
              aria-label={t('notes.editor.removeParticipant', { number: index + 1 })}
              onClick={() => setParticipants(participants.filter((_, i) => i !== index))}
            >
              <IconTrash size={16} aria-hidden />
            </ActionIcon>
          </Group>
        ))}
        <Group>
          <Button
            variant="default"
            size="xs"
            leftSection={<IconPlus size={14} aria-hidden />}
            onClick={() => setParticipants([...participants, { kind: participants.length === 0 ? 'client' : 'other' }])}
          >
            {t('notes.editor.addParticipant')}
          </Button>
        </Group>
      </Stack>
    </Stack>
  );
});
