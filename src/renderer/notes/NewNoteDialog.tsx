import { Alert, Button, Checkbox, Group, Modal, MultiSelect, Radio, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { errorText } from '../i18n/format';
import { useRpcClient } from '../rpc/RpcProvider';
import { useRpcQuery } from '../rpc/hooks';
import { noteChanged } from './notes-cache';
import { tk, useNoteTemplates } from './templates';

/**
 * "New note" from a client's chart: pick a template (the clinic's active ones), optionally
 * bring the last note's plan forward (marked as copied), and for a group note the attending
 * members; the draft is created at once and opens in the editor.
 */
export function NewNoteDialog({
  opened,
  onClose,
  clientId,
  clientName,
}: {
  opened: boolean;
  onClose: () => void;
  clientId: string;
  clientName: string;
}) {
  const { t } = useTranslation();
  const client = useRpcClient();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const templates = useNoteTemplates();
  const caseload = useRpcQuery('caseload.list', {}, { enabled: opened, staleTime: 60_000 });
  // One choice per template: its newest active version (the core creates drafts with it).
  const active = (templates.data?.templates ?? [])
    .filter((entry) => entry.active)
    .sort((a, b) => b.definition.version - a.definition.version)
    .filter((entry, index, all) => all.findIndex((other) => other.definition.id === entry.definition.id) === index);
  const [templateId, setTemplateId] = useState<string | null>(null);
  const [copyForward, setCopyForward] = useState(true);
  const [members, setMembers] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const chosen = active.find((entry) => entry.definition.id === (templateId ?? active[0]?.definition.id));
  const group = chosen?.definition.kind === 'group';

  const create = async (): Promise<void> => {
    if (!chosen || busy) return;
    setBusy(true);
    setError(null);
    try {
      const detail = await client.call('notes.createDraft', {
        clientId,
        templateId: chosen.definition.id,
        copyForward,
        ...(group ? { memberIds: [clientId, ...members.filter((id) => id !== clientId)] } : {}),
      });
      noteChanged(queryClient, detail);
      onClose();
      void navigate(`/notes/${detail.id}`);
    } catch (caught) {
      setError(t('notes.create.failed', { reason: errorText(t, caught) }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={t('notes.create.title', { name: clientName })}
      closeButtonProps={{ 'aria-label': t('app.close') }}
      size="lg"
    >
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void create();
        }}
      >
        <Stack gap="md">
          {templates.error && (
            <Alert color="red" role="alert">
              {t('notes.editor.templatesFailed', { reason: errorText(t, templates.error) })}
            </Alert>
          )}
          <Radio.Group
            label={t('notes.create.template')}
            value={chosen?.definition.id ?? null}
            onChange={setTemplateId}
          >
            <Stack gap="xs" mt={6}>
              {active.map((entry) => (
                <Radio
                  key={`${entry.definition.id}@${entry.definition.version}`}
                  value={entry.definition.id}
                  label={tk(t, entry.definition.nameKey)}
                  description={entry.definition.descriptionKey ? tk(t, entry.definition.descriptionKey) : undefined}
                  data-autofocus={entry === active[0] ? true : undefined}
                />
              ))}
            </Stack>
          </Radio.Group>
          {group && (
            <MultiSelect
              label={t('notes.create.members')}
              description={t('notes.create.membersHelp', { name: clientName })}
              data={(caseload.data?.rows ?? [])
                .filter((row) => row.id !== clientId && row.program === 'iop')
                .map((row) => ({ value: row.id, label: row.displayName }))}
              value={members}
              onChange={setMembers}
              searchable
              nothingFoundMessage={t('notes.create.noMatch')}
              maxValues={29}
            />
          )}
          <Checkbox
            label={t('notes.create.copyForward')}
            description={t('notes.create.copyForwardHelp')}
            checked={copyForward}
            onChange={(event) => setCopyForward(event.currentTarget.checked)}
          />
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          {!templates.isPending && active.length === 0 && <Text size="sm">{t('notes.create.noTemplates')}</Text>}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={onClose}>
              {t('notes.common.cancel')}
            </Button>
            <Button type="submit" loading={busy} disabled={!chosen}>
              {t('notes.create.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
