import { Alert, Button, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { VaultScreen } from '../vault/VaultScreen';

/** An administrator revoked this device: the cache is gone; say so plainly, then offer sign-in. */
export function RevokedScreen({ onContinue }: { onContinue: () => void }) {
  const { t } = useTranslation();
  return (
    <VaultScreen>
      <Stack gap="md">
        <Title order={2}>{t('session.revokedTitle')}</Title>
        <Alert color="red" role="alert">
          {t('session.revokedText')}
        </Alert>
        <Text>{t('session.revokedNext')}</Text>
        <Button onClick={onContinue} autoFocus>
          {t('session.revokedAction')}
        </Button>
      </Stack>
    </VaultScreen>
  );
}
