import { Alert, Button, NumberInput, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { RpcError } from '../../shared/rpc/errors';
import { PASSPHRASE_MIN_LENGTH, assessPassphrase } from '../../shared/vault/passphrase';
import { useRpcMutation, useRpcQuery } from '../rpc/hooks';
import { PassphraseStrength } from '../vault/PassphraseStrength';

/** How this workstation protects its cache, when it locks itself, and changing the passphrase. */
export function SecuritySettings() {
  const { t } = useTranslation();
  const vault = useRpcQuery('vault.status', {});
  const preferences = useRpcQuery('settings.get', {});
  const update = useRpcMutation('settings.update', { updates: 'settings.get' });

  return (
    <Paper withBorder p="lg">
      <Stack gap="md">
        <Title order={3} size="h4">
          {t('security.title')}
        </Title>
        {vault.data && (
          <Alert color={vault.data.protection === 'passphrase+device' ? 'teal' : 'yellow'} role="status">
            {vault.data.protection === 'passphrase+device'
              ? t('security.protectedWithDevice')
              : t('security.passphraseOnly')}
          </Alert>
        )}
        <NumberInput
          label={t('security.autoLock')}
          description={t('security.autoLockHelp')}
          min={1}
          max={60}
          clampBehavior="strict"
          allowDecimal={false}
          value={preferences.data?.autoLockMinutes ?? 10}
          onChange={(value) => {
            if (typeof value === 'number' && value >= 1 && value <= 60) update.mutate({ autoLockMinutes: value });
          }}
          maw={320}
        />
        <ChangePassphraseForm />
      </Stack>
    </Paper>
  );
}

function ChangePassphraseForm() {
  const { t } = useTranslation();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const change = useRpcMutation('vault.changePassphrase', { updates: 'vault.status' });

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (!assessPassphrase(next).acceptable) return setProblem(t('vault.tooShort', { count: PASSPHRASE_MIN_LENGTH }));
    if (next !== confirmation) return setProblem(t('vault.mismatch'));
    setProblem(null);
    change.mutate(
      { current, next },
      {
        onSuccess: () => {
          setCurrent('');
          setNext('');
          setConfirmation('');
          notifications.show({ message: t('security.changed'), color: 'teal' });
        },
        onError: (error: RpcError) => setProblem(t(`errors.${error.code}`, { defaultValue: error.message })),
      },
    );
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm" maw={420}>
        <Text fw={500}>{t('security.changeTitle')}</Text>
        <Text size="sm" c="dimmed">
          {t('security.changeHelp')}
        </Text>
        <PasswordInput
          label={t('security.currentPassphrase')}
          value={current}
          onChange={(event) => setCurrent(event.currentTarget.value)}
          autoComplete="current-password"
        />
        <PasswordInput
          label={t('security.newPassphrase')}
          value={next}
          onChange={(event) => setNext(event.currentTarget.value)}
          autoComplete="new-password"
        />
        <PassphraseStrength passphrase={next} />
        <PasswordInput
          label={t('security.confirmNewPassphrase')}
          value={confirmation}
          onChange={(event) => setConfirmation(event.currentTarget.value)}
          autoComplete="new-password"
        />
        {problem && (
          <Alert color="red" role="alert">
            {problem}
          </Alert>
        )}
        <Button type="submit" variant="default" loading={change.isPending}>
          {t('security.change')}
        </Button>
      </Stack>
    </form>
  );
}
