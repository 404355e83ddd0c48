import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { SyncStatus } from '../../shared/sync/status';
import { useRpcQuery } from '../rpc/hooks';

const COLORS: Record<SyncStatus['state'], string> = {
  signedOut: 'gray',
  offline: 'yellow',
  syncing: 'blue',
  synced: 'green',
  error: 'red',
};

/** The header badge; the core pushes `sync.statusChanged`, which refreshes the cached status. */
export function SyncBadge() {
  const { t } = useTranslation();
  const { data } = useRpcQuery('sync.status', {});
  const text = data ? describe(data, t) : t('sync.unknown');
  return (
    <Badge
      role="status"
      aria-label={t('sync.label')}
      aria-live="polite"
      color={data ? COLORS[data.state] : 'gray'}
      variant="light"
      size="lg"
    >
      {text}
    </Badge>
  );
}

function describe(status: SyncStatus, t: ReturnType<typeof useTranslation>['t']): string {
  if (status.state === 'error') return t('sync.error', { reason: status.reason ?? '' });
  if (status.pending > 0 && status.state !== 'signedOut') return t('sync.pending', { count: status.pending });
  return t(`sync.${status.state}`);
}
