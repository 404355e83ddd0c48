import { Button, Group, Text } from '@mantine/core';
import { IconAlertCircle, IconCheck, IconLoader2 } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { isRpcErrorCode, RpcError } from '../../shared/rpc/errors';
import { errorText } from '../i18n/format';
import type { SaveState } from './draft-saver';

export function formatTime(iso: string, language: string): string {
  return new Intl.DateTimeFormat(language, { hour: 'numeric', minute: '2-digit' }).format(new Date(iso));
}

/** The autosave state in words, announced politely: "Saved 10:42", "Saving…", "Not saved: … Retry". */
export function SaveStatus({ state, onRetry }: { state: SaveState; onRetry: () => void }) {
  const { t, i18n } = useTranslation();
  return (
    <Group gap="xs" wrap="nowrap">
      <Group gap={6} wrap="nowrap" role="status" aria-live="polite" aria-label={t('notes.save.label')}>
        {state.kind === 'saved' && <IconCheck size={16} aria-hidden />}
        {state.kind === 'saving' && <IconLoader2 size={16} aria-hidden />}
        {(state.kind === 'failed' || state.kind === 'keptBeside') && (
          <IconAlertCircle size={16} color="var(--mantine-color-red-7)" aria-hidden />
        )}
        <Text size="sm" {...(state.kind === 'failed' ? { c: 'red', fw: 600 } : {})}>
          {state.kind === 'saved'
            ? state.at
              ? t('notes.save.savedAt', { time: formatTime(state.at, i18n.language) })
              : t('notes.save.upToDate')
            : state.kind === 'keptBeside'
              ? t('notes.save.keptBeside', { time: formatTime(state.at, i18n.language) })
              : state.kind === 'saving'
                ? t('notes.save.saving')
                : t('notes.save.failed', {
                    reason: errorText(t, new RpcError(isRpcErrorCode(state.code) ? state.code : 'INTERNAL', '')),
                  })}
        </Text>
      </Group>
      {state.kind === 'failed' && state.code !== 'NOTE_LOCKED' && (
        <Button size="compact-sm" variant="default" onClick={onRetry} style={{ flexShrink: 0 }}>
          {t('notes.save.retry')}
        </Button>
      )}
    </Group>
  );
}
