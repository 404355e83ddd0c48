import { Alert, Button, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { VaultStatus } from '../../shared/vault/status';
import { VaultScreen } from './VaultScreen';

/** The cache cannot be used on this profile; say why, and that nothing was changed. */
export function VaultProblemScreen({ status }: { status: VaultStatus }) {
  const { t } = useTranslation();
  const problem = status.problem ?? 'STORE_IO';
  return (
    <VaultScreen>
      <Stack gap="md">
        <Title order={2}>{t('vault.problemTitle')}</Title>
        <Alert color="red" role="alert">
          {t(`vault.problem.${problem}`)}
        </Alert>
        <Text size="sm">{t('vault.problemNothingChanged')}</Text>
        <Button variant="default" onClick={() => window.location.reload()}>
          {t('vault.tryAgain')}
        </Button>
      </Stack>
    </VaultScreen>
  );
}
