import { Alert, Button, Center, Loader, Stack } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useRpcQuery } from '../rpc/hooks';
import { useCoreConnected } from '../rpc/RpcProvider';
import { ActivityReporter } from './ActivityReporter';
import { CreatePassphraseScreen } from './CreatePassphraseScreen';
import { UnlockScreen } from './UnlockScreen';
import { VaultProblemScreen } from './VaultProblemScreen';
import { VaultScreen } from './VaultScreen';

/**
 * Nothing of the caseload renders until the vault is unlocked. The core pushes
 * `vault.stateChanged` (lock, auto-lock, unlock), which swaps the screens.
 */
export function VaultGate({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const connected = useCoreConnected();
  const { data: status, dataUpdatedAt } = useRpcQuery('vault.status', {});
  if (!connected && status?.state !== 'unlocked') {
    // Unlocked, the shell shows the same message above the page (and keeps what is on screen).
    return (
      <VaultScreen>
        <Stack gap="md">
          <Alert color="red" role="alert">
            {t('errors.disconnected')}
          </Alert>
          <Button variant="default" onClick={() => window.location.reload()}>
            {t('errors.reload')}
          </Button>
        </Stack>
      </VaultScreen>
    );
  }
  if (!status) {
    return (
      <Center mih="100vh">
        <Loader aria-label={t('app.loading')} />
      </Center>
    );
  }
  switch (status.state) {
    case 'uninitialised':
      return <CreatePassphraseScreen status={status} />;
    case 'locked':
      return <UnlockScreen status={status} statusAt={dataUpdatedAt} />;
    case 'unavailable':
      return <VaultProblemScreen status={status} />;
    case 'unlocked':
      return (
        <>
          <ActivityReporter />
          {children}
        </>
      );
  }
}
