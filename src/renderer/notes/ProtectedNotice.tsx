import { Alert, Stack, Switch, Text } from '@mantine/core';
import { IconShieldLock } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { NoteDetail } from '../../shared/notes/rpc';
import { errorText } from '../i18n/format';
import { useRpcClient } from '../rpc/RpcProvider';
import { noteChanged } from './notes-cache';

/**
 * A protected note (SUD counseling / psychotherapy): says who sees it, and lets its author
 * share it with the client's care team or take the sharing back (`notes.setSharing`).
 */
export function ProtectedNotice({ detail }: { detail: NoteDetail }) {
  const { t } = useTranslation();
  const client = useRpcClient();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!detail.isProtected) return null;
  const shared = detail.sharedWithCareTeam === true;

  const change = async (next: boolean): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      noteChanged(queryClient, await client.call('notes.setSharing', { noteId: detail.id, sharedWithCareTeam: next }));
    } catch (caught) {
      setError(t('notes.sharing.failed', { reason: errorText(t, caught) }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Alert color="grape" icon={<IconShieldLock size={20} aria-hidden />} title={t('notes.protected_note.badge')}>
      <Stack gap="xs">
        <Text size="sm">{shared ? t('notes.sharing.sharedHelp') : t('notes.protected_note.hidden')}</Text>
        {detail.isOwn && (
          <Switch
            label={t('notes.sharing.label')}
            description={shared ? t('notes.sharing.unshareHelp') : t('notes.sharing.shareHelp')}
            checked={shared}
            disabled={busy}
            onChange={(event) => void change(event.currentTarget.checked)}
          />
        )}
        {error && (
          <Text size="sm" c="red" role="alert">
            {error}
          </Text>
        )}
      </Stack>
    </Alert>
  );
}
