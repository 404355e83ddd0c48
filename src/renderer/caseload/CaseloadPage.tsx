import { Alert, Button, Group, Loader, NativeSelect, Paper, Stack, Text, TextInput } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { CASELOAD_ALERTS } from '../../shared/caseload/caseload';
import { errorText, formatRelative, humanise } from '../i18n/format';
import { useRpcQuery } from '../rpc/hooks';
import { Page } from '../shell/Page';
import { useAddressState } from '../shell/use-address-state';
import { applyView, DEFAULT_VIEW, riskFlagsOf, viewFromParams, viewToParams, type CaseloadView } from './caseload-view';
import { CaseloadTable } from './CaseloadTable';

/**
 * The clinician's clients: search by name, filter by program, risk flag and alert, sort by the
 * columns that matter before a session. The list is virtualised (hundreds of clients stay fast)
 * and re-read when the sync engine reports new records (`sync.dataChanged`).
 */
export function CaseloadPage() {
  const { t, i18n } = useTranslation();
  const { data, error, isPending } = useRpcQuery('caseload.list', {});
  const [view, setView] = useAddressState(viewFromParams, viewToParams);

  const rows = useMemo(() => data?.rows ?? [], [data]);
  const shown = useMemo(() => applyView(rows, view, i18n.language), [rows, view, i18n.language]);
  const riskFlags = useMemo(() => riskFlagsOf(rows), [rows]);
  const filtering = view.query !== '' || view.program !== '' || view.riskFlag !== '' || view.alert !== '';

  return (
    <Page title={t('caseload.title')} intro={t('caseload.intro')} wide>
      <Group align="flex-end" gap="sm" wrap="wrap">
        <TextInput
          label={t('caseload.search')}
          leftSection={<IconSearch size={16} aria-hidden />}
          value={view.query}
          onChange={(event) => setView({ query: event.currentTarget.value })}
          type="search"
          w={260}
        />
        <NativeSelect
          label={t('caseload.program')}
          value={view.program}
          onChange={(event) => setView({ program: event.currentTarget.value as CaseloadView['program'] })}
          data={[
            { value: '', label: t('caseload.programAll') },
            { value: 'aftercare', label: t('caseload.programs.aftercare') },
            { value: 'iop', label: t('caseload.programs.iop') },
          ]}
        />
        <NativeSelect
          label={t('caseload.riskFlag')}
          value={view.riskFlag}
          onChange={(event) => setView({ riskFlag: event.currentTarget.value })}
          data={[
            { value: '', label: t('caseload.riskFlagAll') },
            ...riskFlags.map((flag) => ({
              value: flag,
              label: t(`riskFlags.${flag}` as never, { defaultValue: humanise(flag) }),
            })),
          ]}
        />
        <NativeSelect
          label={t('caseload.alert')}
          value={view.alert}
          onChange={(event) => setView({ alert: event.currentTarget.value as CaseloadView['alert'] })}
          data={[
            { value: '', label: t('caseload.alertAll') },
            { value: 'any', label: t('caseload.alertAny') },
            ...CASELOAD_ALERTS.map((alert) => ({ value: alert, label: t(`caseload.alerts.${alert}`) })),
          ]}
        />
        {filtering && (
          <Button
            variant="default"
            onClick={() => setView({ ...DEFAULT_VIEW, sort: view.sort, direction: view.direction })}
          >
            {t('caseload.clearFilters')}
          </Button>
        )}
      </Group>

      {isPending && (
        <Group gap="sm">
          <Loader size="sm" aria-hidden />
          <Text role="status">{t('caseload.loading')}</Text>
        </Group>
      )}
      {error && (
        <Alert color="red" role="alert">
          {t('caseload.loadFailed', { reason: errorText(t, error) })}
        </Alert>
      )}

      {data && (
        <>
          <Group justify="space-between" gap="sm">
            <Text size="sm" role="status" aria-live="polite">
              {t('caseload.showing', { shown: shown.length, count: rows.length })}
            </Text>
            {data.asOf && (
              <Text size="sm" c="dimmed">
                {t('caseload.asOf', { time: formatRelative(data.asOf, i18n.language) })}
              </Text>
            )}
          </Group>
          {rows.length === 0 ? (
            <Paper withBorder p="lg">
              <Text>{data.asOf ? t('caseload.emptySynced') : t('caseload.notSyncedYet')}</Text>
            </Paper>
          ) : shown.length === 0 ? (
            <Paper withBorder p="lg">
              <Stack gap="sm" align="flex-start">
                <Text>{t('caseload.noMatch')}</Text>
                <Button variant="default" onClick={() => setView({ ...DEFAULT_VIEW })}>
                  {t('caseload.clearFilters')}
                </Button>
              </Stack>
            </Paper>
          ) : (
            <CaseloadTable
              rows={shown}
              sort={view.sort}
              direction={view.direction}
              onSort={(sort, direction) => setView({ sort, direction })}
            />
          )}
        </>
      )}
    </Page>
  );
}
