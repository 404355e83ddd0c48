import { Button, Group, Paper, SegmentedControl, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { COLOR_SCHEMES, SUPPORTED_LANGUAGES, type Preferences } from '../../shared/settings/preferences';
import { type RpcError } from '../../shared/rpc/errors';
import { useRpcClient } from '../rpc/RpcProvider';
import { useRpcMutation, useRpcQuery } from '../rpc/hooks';
import { Page } from '../shell/Page';
import { SecuritySettings } from './SecuritySettings';

export function SettingsPage() {
  const { t } = useTranslation();
  const preferences = useRpcQuery('settings.get', {});
  const update = useRpcMutation('settings.update', { updates: 'settings.get' });

  return (
    <Page title={t('settings.title')}>
      <Paper withBorder p="lg">
        <Stack gap="lg">
          <Select
            label={t('settings.language')}
            description={t('settings.languageHelp')}
            data={SUPPORTED_LANGUAGES.map((value) => ({ value, label: t(`languages.${value}`) }))}
            value={preferences.data?.language ?? null}
            onChange={(value) => {
              if (value) update.mutate({ language: value as Preferences['language'] });
            }}
            allowDeselect={false}
            maw={320}
          />
          <Stack gap={4}>
            <Text component="label" id="color-scheme-label" size="sm" fw={500}>
              {t('settings.colorScheme')}
            </Text>
            <SegmentedControl
              aria-labelledby="color-scheme-label"
              value={preferences.data?.colorScheme ?? 'auto'}
              onChange={(value) => update.mutate({ colorScheme: value as Preferences['colorScheme'] })}
              data={COLOR_SCHEMES.map((value) => ({
                value,
                label: t(
                  value === 'auto'
                    ? 'settings.colorSchemeAuto'
                    : value === 'light'
                      ? 'settings.colorSchemeLight'
                      : 'settings.colorSchemeDark',
                ),
              }))}
              maw={420}
            />
          </Stack>
        </Stack>
      </Paper>
      <SecuritySettings />
      <AboutWorkstation />
    </Page>
  );
}

function AboutWorkstation() {
  const { t } = useTranslation();
  const client = useRpcClient();
  const info = useRpcQuery('system.info', {});
  const ping = useMutation<number, RpcError>({
    mutationFn: async () => {
      const started = performance.now();
      await client.call('system.ping', { message: 'ping' });
      return Math.max(1, Math.round(performance.now() - started));
    },
  });

  return (
    <Paper withBorder p="lg">
      <Title order={3} size="h4" mb="sm">
        {t('settings.about')}
      </Title>
      {info.data && (
        <Table variant="vertical" withTableBorder={false} mb="md">
          <Table.Tbody>
            <Table.Tr>
              <Table.Th w={200}>{t('settings.version')}</Table.Th>
              <Table.Td>{info.data.appVersion}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>{t('settings.runtime')}</Table.Th>
              <Table.Td>
                {info.data.runtime === 'electron'
                  ? t('settings.runtimeElectron', { version: info.data.runtimeVersion })
                  : t('settings.runtimeNode', { version: info.data.runtimeVersion })}
              </Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>{t('settings.platform')}</Table.Th>
              <Table.Td>
                {info.data.platform} ({info.data.arch})
              </Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
      )}
      <Group>
        <Button variant="light" onClick={() => ping.mutate()} loading={ping.isPending}>
          {t('settings.checkConnection')}
        </Button>
        <Text role="status" aria-live="polite" size="sm">
          {ping.data !== undefined && t('settings.connectionOk', { ms: ping.data })}
          {ping.error && t(`errors.${ping.error.code}`)}
        </Text>
      </Group>
    </Paper>
  );
}
