import { Badge, Loader, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconAlertTriangle, IconCloudCheck, IconCloudOff, IconCloudUp, IconRefresh } from '@tabler/icons-react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { SyncStatus } from '../../shared/sync/status';
import { useRpcQuery } from '../rpc/hooks';
import { SyncPanel } from './SyncPanel';
import classes from './AppLayout.module.css';

const COLORS: Record<SyncStatus['state'], string> = {
  signedOut: 'gray',
  offline: 'yellow',
  syncing: 'blue',
  synced: 'green',
  error: 'red',
};

/**
 * The header badge (Synced, Syncing, Offline, N pending, or an error with its reason). The core
 * pushes `sync.statusChanged`, which refreshes the cached status. Clicking it opens the sync panel.
 * The words are also in a polite live region, so a change is announced without moving focus.
 * When items in the panel wait for the clinician (refused changes, conflicts, a restored clinic
 * server), the badge says how many, whatever the state.
 */
export function SyncBadge() {
  const { t } = useTranslation();
  const { data } = useRpcQuery('sync.status', {});
  const [opened, panel] = useDisclosure(false);
  const text = data ? describeSyncWithAttention(data, t) : t('sync.unknown');
  const state = data?.state;
  const pending = (data?.pending ?? 0) > 0 && state !== 'error' && state !== 'signedOut';
  const attention = (data?.attention ?? 0) > 0;
  const icon =
    state === 'syncing' ? (
      <Loader size={12} color="currentColor" aria-hidden />
    ) : state === 'error' ? (
      <IconAlertTriangle size={14} aria-hidden />
    ) : state === 'offline' || state === 'signedOut' ? (
      <IconCloudOff size={14} aria-hidden />
    ) : pending ? (
      <IconCloudUp size={14} aria-hidden />
    ) : state === 'synced' ? (
      <IconCloudCheck size={14} aria-hidden />
    ) : (
      <IconRefresh size={14} aria-hidden />
    );
  return (
    <>
      <UnstyledButton
        className={classes.syncButton}
        onClick={panel.open}
        aria-haspopup="dialog"
        aria-label={t('sync.openPanel', { status: text })}
      >
        <Badge
          color={(pending || attention) && state === 'synced' ? 'yellow' : state ? COLORS[state] : 'gray'}
          variant="light"
          size="lg"
          leftSection={icon}
          style={{ cursor: 'pointer', textTransform: 'none' }}
        >
          {text}
        </Badge>
      </UnstyledButton>
      <VisuallyHidden role="status" aria-label={t('sync.label')} aria-live="polite">
        {text}
      </VisuallyHidden>
      <SyncPanel opened={opened} onClose={panel.close} />
    </>
  );
}

/** The badge's words: the state, then how many items wait in the panel ("Synced · 2 to review"). */
export function describeSyncWithAttention(status: SyncStatus, t: TFunction): string {
  const state = describeSync(status, t);
  return status.attention ? t('sync.withAttention', { status: state, count: status.attention }) : state;
}

export function describeSync(status: SyncStatus, t: TFunction): string {
  if (status.state === 'error') return t('sync.error', { reason: syncReason(t, status.reason) });
  if (status.pending > 0 && status.state !== 'signedOut' && status.state !== 'syncing')
    return t('sync.pending', { count: status.pending });
  return t(`sync.${status.state}`);
}

/** A sync stop reason (a stable code) in a few words; codes this version does not know say so generally. */
export function syncReason(t: TFunction, reason: string | undefined): string {
  const fallback = t('sync.reasons.unknown');
  if (!reason) return fallback;
  return t(`sync.reasons.${reason}` as never, { defaultValue: fallback });
}
