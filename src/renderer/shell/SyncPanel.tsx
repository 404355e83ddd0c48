import { Alert, Badge, Button, Drawer, Group, List, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { IconClockExclamation, IconDatabaseImport, IconRefresh } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { SyncDetails } from '../../shared/sync/details';
import { errorText, formatRelative } from '../i18n/format';
import { rpcQueryKey, useRpcEvent, useRpcMutation, useRpcQuery } from '../rpc/hooks';
import { describeSync } from './SyncBadge';

/** Beyond this the server refuses changes (docs/sync-protocol.md, "Clocks"). */
const CLOCK_BOUND_MS = 60_000;
/** Below this a measured difference is network delay, not a wrong clock: nothing to tell. */
const CLOCK_NOTICE_MS = 5_000;

/** The panel lists this many waiting changes, then says how many more there are. */
const LIST_LIMIT = 100;

type Pending = SyncDetails['pending'][number];

/**
 * The sync panel: what is waiting to be sent, what the clinic server refused (with the reason
 * in words, until the clinician dismisses it), conflicts, clock drift, the last sync, and
 * **Sync now**. Re-read whenever the core reports a new sync status.
 */
export function SyncPanel({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const status = useRpcQuery('sync.status', {});
  const details = useRpcQuery('sync.details', {}, { enabled: opened });
  const syncNow = useRpcMutation('sync.now', { updates: 'sync.status' });
  const dismiss = useRpcMutation('sync.dismissRejected', { updates: 'sync.details' });
  const dismissRestored = useRpcMutation('sync.dismissServerRestored', { updates: 'sync.details' });

  useRpcEvent('sync.statusChanged', () => {
    if (opened) void queryClient.invalidateQueries({ queryKey: rpcQueryKey('sync.details', {}) });
  });

  const lastSyncedAt = details.data?.lastSyncedAt ?? status.data?.lastSyncedAt ?? null;
  const drift = details.data?.clockDriftMs ?? null;
  const signedOut = status.data?.state === 'signedOut';

  return (
    <Drawer
      opened={opened}
      onClose={onClose}
      position="right"
      size="md"
      title={t('sync.panelTitle')}
      styles={{ title: { fontSize: 'var(--mantine-h3-font-size)', fontWeight: 700 } }}
      closeButtonProps={{ 'aria-label': t('app.close') }}
    >
      <Stack gap="lg">
        <Paper withBorder p="md">
          <Stack gap="xs">
            <Text fw={600}>{status.data ? describeSync(status.data, t) : t('sync.unknown')}</Text>
            <Text size="sm">
              {lastSyncedAt
                ? t('sync.lastSynced', { time: formatRelative(lastSyncedAt, i18n.language) })
                : t('sync.neverSynced')}
            </Text>
            {signedOut && <Text size="sm">{t('sync.signInToSync')}</Text>}
            {status.data?.state === 'offline' && <Text size="sm">{t('sync.offlineHint')}</Text>}
            <Group>
              <Button
                leftSection={<IconRefresh size={16} aria-hidden />}
                loading={syncNow.isPending}
                disabled={signedOut}
                onClick={() =>
                  syncNow.mutate(
                    {},
                    {
                      onSettled: () =>
                        void queryClient.invalidateQueries({ queryKey: rpcQueryKey('sync.details', {}) }),
                    },
                  )
                }
              >
                {t('sync.syncNow')}
              </Button>
            </Group>
            {syncNow.error && (
              <Alert color="red" role="alert">
                {t('sync.syncNowFailed', { reason: errorText(t, syncNow.error) })}
              </Alert>
            )}
          </Stack>
        </Paper>

        {drift !== null && Math.abs(drift) >= CLOCK_NOTICE_MS && (
          <Alert
            color={Math.abs(drift) >= CLOCK_BOUND_MS ? 'red' : 'yellow'}
            icon={<IconClockExclamation size={20} aria-hidden />}
            role="status"
          >
            <Text size="sm">
              {drift > 0
                ? t('sync.clockAhead', { seconds: Math.round(drift / 1000) })
                : t('sync.clockBehind', { seconds: Math.round(-drift / 1000) })}
            </Text>
            {Math.abs(drift) >= CLOCK_BOUND_MS && <Text size="sm">{t('sync.clockTooFar')}</Text>}
          </Alert>
        )}

        {details.isPending && opened && <Loader size="sm" aria-label={t('app.loading')} />}
        {details.error && (
          <Alert color="red" role="alert">
            {t('sync.detailsUnavailable', { reason: errorText(t, details.error) })}
          </Alert>
        )}

        {details.data?.serverRestored && (
          <ServerRestoredNotice
            notice={details.data.serverRestored}
            conflicts={details.data.conflicts.length}
            dismissing={dismissRestored.isPending}
            onDismiss={() => dismissRestored.mutate({})}
          />
        )}
        {dismissRestored.error && (
          <Alert color="red" role="alert">
            {errorText(t, dismissRestored.error)}
          </Alert>
        )}

        {details.data && (
          <>
            <section aria-labelledby="sync-rejected">
              <SectionTitle id="sync-rejected" count={details.data.rejected.length}>
                {t('sync.rejectedTitle')}
              </SectionTitle>
              {details.data.rejected.length === 0 ? (
                <Text size="sm">{t('sync.rejectedEmpty')}</Text>
              ) : (
                <Stack gap="sm">
                  <Text size="sm">{t('sync.rejectedExplain')}</Text>
                  {details.data.rejected.map((item) => (
                    <Paper key={item.mutationId} withBorder p="sm" component="article">
                      <Stack gap={4}>
                        <Text fw={600} size="sm">
                          {changeLabel(t, item)}
                        </Text>
                        <Text size="sm">
                          {t(`sync.rejections.${item.code}` as never, { defaultValue: t('sync.rejections.unknown') })}
                        </Text>
                        <Text size="xs" c="dimmed">
                          {t('sync.createdAt', { time: formatRelative(item.createdAt, i18n.language) })}
                        </Text>
                        <Group justify="flex-end">
                          <Button
                            size="xs"
                            variant="default"
                            loading={dismiss.isPending && dismiss.variables?.mutationId === item.mutationId}
                            aria-label={t('sync.dismissLabel', { change: changeLabel(t, item) })}
                            onClick={() => dismiss.mutate({ mutationId: item.mutationId })}
                          >
                            {t('sync.dismiss')}
                          </Button>
                        </Group>
                      </Stack>
                    </Paper>
                  ))}
                </Stack>
              )}
              {dismiss.error && (
                <Alert color="red" role="alert" mt="sm">
                  {errorText(t, dismiss.error)}
                </Alert>
              )}
            </section>

            <section aria-labelledby="sync-conflicts">
              <SectionTitle id="sync-conflicts" count={details.data.conflicts.length}>
                {t('sync.conflictsTitle')}
              </SectionTitle>
              {details.data.conflicts.length === 0 ? (
                <Text size="sm">{t('sync.conflictsEmpty')}</Text>
              ) : (
                <Stack gap="xs">
                  <Text size="sm">{t('sync.conflictsExplain')}</Text>
                  <List spacing="xs" size="sm">
                    {details.data.conflicts.map((conflict) => (
                      <List.Item key={conflict.id}>
                        <Text size="sm" fw={600} span>
                          {t(`sync.entities.${conflict.entityType}` as never, {
                            defaultValue: t('sync.entities.unknown'),
                          })}
                          {' · '}
                          {conflict.clientName ?? t('sync.noClient')}
                        </Text>{' '}
                        <Text size="xs" c="dimmed" span>
                          {t('sync.detectedAt', { time: formatRelative(conflict.detectedAt, i18n.language) })}
                        </Text>
                      </List.Item>
                    ))}
                  </List>
                </Stack>
              )}
            </section>

            <section aria-labelledby="sync-pending">
              <SectionTitle id="sync-pending" count={details.data.pending.length}>
                {t('sync.pendingTitle')}
              </SectionTitle>
              {details.data.pending.length === 0 ? (
                <Text size="sm">{t('sync.pendingEmpty')}</Text>
              ) : (
                <List spacing="xs" size="sm">
                  {details.data.pending.slice(0, LIST_LIMIT).map((item) => (
                    <List.Item key={item.mutationId}>
                      <Text size="sm" span fw={600}>
                        {changeLabel(t, item)}
                      </Text>{' '}
                      <Text size="xs" c="dimmed" span>
                        {t('sync.createdAt', { time: formatRelative(item.createdAt, i18n.language) })}
                        {item.attempts > 0 && ` · ${t('sync.attempts', { count: item.attempts })}`}
                        {item.lastErrorCode &&
                          ` · ${t('sync.lastError', {
                            reason: t(`sync.reasons.${item.lastErrorCode}` as never, {
                              defaultValue: t('sync.reasons.unknown'),
                            }),
                          })}`}
                      </Text>
                    </List.Item>
                  ))}
                  {details.data.pending.length > LIST_LIMIT && (
                    <List.Item>{t('sync.more', { count: details.data.pending.length - LIST_LIMIT })}</List.Item>
                  )}
                </List>
              )}
            </section>
          </>
        )}
      </Stack>
    </Drawer>
  );
}

/**
 * The clinic server was restored from an older backup: said in words, with what this computer
 * did about it, until the clinician dismisses it (docs/sync-protocol.md, "A restored clinic server").
 */
function ServerRestoredNotice({
  notice,
  conflicts,
  dismissing,
  onDismiss,
}: {
  notice: NonNullable<SyncDetails['serverRestored']>;
  conflicts: number;
  dismissing: boolean;
  onDismiss: () => void;
}) {
  const { t, i18n } = useTranslation();
  return (
    <Alert
      color="yellow"
      icon={<IconDatabaseImport size={20} aria-hidden />}
      title={t('sync.restoredTitle')}
      role="status"
    >
      <Stack gap={6}>
        <Text size="sm">{t('sync.restoredBody', { time: formatRelative(notice.at, i18n.language) })}</Text>
        <Text size="sm">
          {notice.replayed > 0 ? t('sync.restoredReplayed', { count: notice.replayed }) : t('sync.restoredNothingLost')}
        </Text>
        {conflicts > 0 && <Text size="sm">{t('sync.restoredConflicts')}</Text>}
        <Group justify="flex-end">
          <Button
            size="xs"
            variant="default"
            loading={dismissing}
            aria-label={t('sync.restoredDismissLabel')}
            onClick={onDismiss}
          >
            {t('sync.dismiss')}
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}

function SectionTitle({ id, count, children }: { id: string; count: number; children: string }) {
  return (
    <Group gap="xs" mb="xs">
      <Title order={3} size="h4" id={id}>
        {children}
      </Title>
      <Badge variant="light" color={count > 0 ? 'blue' : 'gray'} aria-hidden>
        {count}
      </Badge>
    </Group>
  );
}

/** "Note draft · Jo Rivera": what the change is and whom it is about. */
function changeLabel(t: TFunction, item: Pending): string {
  const what = t(`sync.mutations.${item.name.replace('.', '_')}` as never, { defaultValue: item.name });
  return `${what} · ${item.clientName ?? t('sync.noClient')}`;
}
