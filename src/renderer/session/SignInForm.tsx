import { Alert, Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { SessionStatus } from '../../shared/session/session';
import { errorText } from '../i18n/format';
import { useRpcMutation } from '../rpc/hooks';

/**
 * Server URL, username, password and **Sign in**: the first-run screen and the "sign in again"
 * dialog share it. Failures are shown in words (wrong password, server unreachable, address
 * refused, too many attempts, wrong kind of server); the password is cleared after a failure.
 */
export function SignInForm({
  initialServerUrl = '',
  initialUsername = '',
  autoFocus = true,
  onSignedIn,
  children,
}: {
  initialServerUrl?: string;
  initialUsername?: string;
  autoFocus?: boolean;
  onSignedIn?: (status: SessionStatus) => void;
  /** Shown above the fields (a heading and an explanation). */
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const [serverUrl, setServerUrl] = useState(initialServerUrl);
  const [username, setUsername] = useState(initialUsername);
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const signIn = useRpcMutation('session.signIn', { updates: 'session.status' });

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (!serverUrl.trim() || !username.trim() || !password) {
      setProblem(t('session.required'));
      return;
    }
    setProblem(null);
    signIn.mutate(
      { serverUrl: serverUrl.trim(), username: username.trim(), password },
      {
        onSuccess: (status) => {
          setPassword('');
          onSignedIn?.(status);
        },
        onError: (error) => {
          setPassword('');
          setProblem(error.code === 'FORBIDDEN' ? t('session.errors.FORBIDDEN') : errorText(t, error));
        },
      },
    );
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        {children}
        <TextInput
          label={t('session.serverUrl')}
          description={t('session.serverUrlHelp')}
          value={serverUrl}
          onChange={(event) => setServerUrl(event.currentTarget.value)}
          type="url"
          inputMode="url"
          autoComplete="url"
          spellCheck={false}
          autoFocus={autoFocus && !initialServerUrl}
          data-autofocus={!initialServerUrl || undefined}
        />
        <TextInput
          label={t('session.username')}
          value={username}
          onChange={(event) => setUsername(event.currentTarget.value)}
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          autoFocus={autoFocus && !!initialServerUrl && !initialUsername}
          data-autofocus={(!!initialServerUrl && !initialUsername) || undefined}
        />
        <PasswordInput
          label={t('session.password')}
          value={password}
          onChange={(event) => setPassword(event.currentTarget.value)}
          autoComplete="current-password"
          autoFocus={autoFocus && !!initialServerUrl && !!initialUsername}
          data-autofocus={(!!initialServerUrl && !!initialUsername) || undefined}
        />
        {problem && (
          <Alert color="red" role="alert">
            {problem}
          </Alert>
        )}
        <Button type="submit" loading={signIn.isPending}>
          {t('session.signIn')}
        </Button>
      </Stack>
    </form>
  );
}
