import { Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { SessionStatus } from '../../shared/session/session';
import { VaultScreen } from '../vault/VaultScreen';
import { SignInForm } from './SignInForm';

/** First run: the clinic server account comes before the workstation passphrase. */
export function SignInScreen({ session }: { session: SessionStatus }) {
  const { t } = useTranslation();
  return (
    <VaultScreen>
      <SignInForm initialServerUrl={session.serverUrl ?? ''} initialUsername={session.user?.username ?? ''}>
        <Title order={2}>{t('session.signInTitle')}</Title>
        <Text>{t('session.signInIntro')}</Text>
      </SignInForm>
    </VaultScreen>
  );
}
