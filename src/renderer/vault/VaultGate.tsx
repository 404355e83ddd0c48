import { Alert, Button, Center, Loader, Stack } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import type { SessionStatus } from '../../shared/session/session';
import { useTranslation } from 'react-i18next';
import { useRpcQuery } from '../rpc/hooks';
import { useCoreConnected } from '../rpc/RpcProvider';
import { RevokedScreen } from '../session/RevokedScreen';
import { SignInScreen } from '../session/SignInScreen';
import { ActivityReporter } from './ActivityReporter';
import { CreatePassphraseScreen } from './CreatePassphraseScreen';
import { UnlockScreen } from './UnlockScreen';
import { VaultProblemScreen } from './VaultProblemScreen';
import { VaultScreen } from './VaultScreen';

/**
 * Nothing of the caseload renders until the vault is unlocked. The core pushes
 * `vault.stateChanged` (lock, auto-lock, unlock), which swaps the screens.
 *
 * First run: sign in to the clinic server (`session.status` signedOut), then create the
 * passphrase (session pendingPassphrase). A revoked device first gets a full-screen explanation.
 */
const SIGNED_OUT: SessionStatus = { state: 'signedOut', serverUrl: null, user: null };

export function VaultGate({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const connected = useCoreConnected();
  const { data: status, dataUpdatedAt } = useRpcQuery('vault.status', {});
  const session = useRpcQuery('session.status', {});
  const [revokedSeen, setRevokedSeen] = useState(false);
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
  if (!status || (status.state === 'uninitialised' && session.isPending)) {
    return (
      <Center mih="100vh">
        <Loader aria-label={t('app.loading')} />
      </Center>
    );
  }
  const sessionState = session.data?.state ?? 'signedOut';
  if (sessionState === 'revoked' && !revokedSeen) return <RevokedScreen onContinue={() => setRevokedSeen(true)} />;
  switch (status.state) {
    case 'uninitialised':
      if (sessionState === 'signedOut' || sessionState === 'revoked')
        return <SignInScreen session={session.data ?? SIGNED_OUT} />;
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
