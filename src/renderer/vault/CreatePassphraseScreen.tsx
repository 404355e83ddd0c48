import { Alert, Button, List, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { RpcError } from '../../shared/rpc/errors';
import { PASSPHRASE_MIN_LENGTH, assessPassphrase } from '../../shared/vault/passphrase';
import type { VaultStatus } from '../../shared/vault/status';
import { useRpcMutation } from '../rpc/hooks';
import { PassphraseStrength } from './PassphraseStrength';
import { VaultScreen } from './VaultScreen';

/** First run: the clinician chooses the passphrase that protects the cache on this computer. */
export function CreatePassphraseScreen({ status }: { status: VaultStatus }) {
  const { t } = useTranslation();
  const [passphrase, setPassphrase] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const create = useRpcMutation('vault.create', { updates: 'vault.status' });

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (!assessPassphrase(passphrase).acceptable) {
      setProblem(t('vault.tooShort', { count: PASSPHRASE_MIN_LENGTH }));
      return;
    }
    if (passphrase !== confirmation) {
      setProblem(t('vault.mismatch'));
      return;
    }
    setProblem(null);
    create.mutate(
      { passphrase },
      { onError: (error: RpcError) => setProblem(t(`errors.${error.code}`, { defaultValue: error.message })) },
    );
  };

  return (
    <VaultScreen>
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <Title order={2}>{t('vault.createTitle')}</Title>
          <Text>{t('vault.createIntro')}</Text>
          <List size="sm" spacing={4}>
            <List.Item>{t('vault.ruleLength', { count: PASSPHRASE_MIN_LENGTH })}</List.Item>
            <List.Item>{t('vault.ruleWords')}</List.Item>
            <List.Item>{t('vault.ruleNotServer')}</List.Item>
          </List>
          {status.keychain === 'unavailable' && (
            <Alert color="yellow" title={t('vault.keychainUnavailableTitle')}>
              {t('vault.keychainUnavailable')}
            </Alert>
          )}
          <PasswordInput
            label={t('vault.passphrase')}
            value={passphrase}
            onChange={(event) => {
              setPassphrase(event.currentTarget.value);
              setProblem(null);
            }}
            autoComplete="new-password"
            data-autofocus
            autoFocus
          />
          <PassphraseStrength passphrase={passphrase} />
          <PasswordInput
            label={t('vault.confirmPassphrase')}
            value={confirmation}
            onChange={(event) => {
              setConfirmation(event.currentTarget.value);
              setProblem(null);
            }}
            autoComplete="new-password"
          />
          {problem && (
            <Alert color="red" role="alert">
              {problem}
            </Alert>
          )}
          <Button type="submit" loading={create.isPending}>
            {t('vault.create')}
          </Button>
        </Stack>
      </form>
    </VaultScreen>
  );
}
