import { Alert, Anchor, Button, Group, Modal, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { RpcError } from '../../shared/rpc/errors';
import type { VaultStatus } from '../../shared/vault/status';
import { useRpcMutation } from '../rpc/hooks';
import { VaultScreen } from './VaultScreen';

/** Later runs and after every lock: the passphrase opens the cache again. */
export function UnlockScreen({ status, statusAt }: { status: VaultStatus; statusAt: number }) {
  const { t } = useTranslation();
  const [passphrase, setPassphrase] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [forgetOpen, forget] = useDisclosure(false);
  const unlock = useRpcMutation('vault.unlock', { updates: 'vault.status' });
  const countdown = useCountdown(statusAt + status.retryAfterMs);
  const waitSeconds = status.retryAfterMs > 0 ? countdown : 0;

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (passphrase.length === 0) {
      setProblem(t('vault.enterPassphrase'));
      return;
    }
    setProblem(null);
    unlock.mutate(
      { passphrase },
      {
        onError: (error: RpcError) => {
          setPassphrase('');
          setProblem(t(`errors.${error.code}`, { defaultValue: error.message }));
        },
      },
    );
  };

  return (
    <VaultScreen>
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <Title order={2}>{t('vault.lockedTitle')}</Title>
          <Text>{status.lastLockReason === 'idle' ? t('vault.lockedIdle') : t('vault.lockedIntro')}</Text>
          <PasswordInput
            label={t('vault.passphrase')}
            value={passphrase}
            onChange={(event) => setPassphrase(event.currentTarget.value)}
            autoComplete="current-password"
            autoFocus
          />
          {problem && (
            <Alert color="red" role="alert">
              {problem}
              {status.failedAttempts > 0 && ` ${t('vault.failedAttempts', { count: status.failedAttempts })}`}
            </Alert>
          )}
          {waitSeconds > 0 && (
            <Text size="sm" role="status" aria-live="polite">
              {t('vault.waitBeforeRetry', { count: waitSeconds })}
            </Text>
          )}
          <Group justify="space-between">
            <Anchor component="button" type="button" size="sm" onClick={forget.open}>
              {t('vault.forgot')}
            </Anchor>
            <Button type="submit" loading={unlock.isPending} disabled={waitSeconds > 0}>
              {t('vault.unlock')}
            </Button>
          </Group>
        </Stack>
      </form>
      <ForgotPassphraseDialog opened={forgetOpen} onClose={forget.close} unsyncedChanges={status.unsyncedChanges} />
    </VaultScreen>
  );
}

function ForgotPassphraseDialog({
  opened,
  onClose,
  unsyncedChanges,
}: {
  opened: boolean;
  onClose: () => void;
  unsyncedChanges: number;
}) {
  const { t } = useTranslation();
  const erase = useRpcMutation('vault.erase', { updates: 'vault.status' });
  return (
    <Modal opened={opened} onClose={onClose} title={t('vault.forgotTitle')} centered>
      <Stack gap="md">
        <Text>{t('vault.forgotExplain')}</Text>
        <Alert color={unsyncedChanges > 0 ? 'red' : 'blue'} role="status">
          {unsyncedChanges > 0 ? t('vault.forgotLoses', { count: unsyncedChanges }) : t('vault.forgotNothingLost')}
        </Alert>
        {erase.error && (
          <Alert color="red" role="alert">
            {t(`errors.${erase.error.code}`, { defaultValue: erase.error.message })}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('vault.keepCache')}
          </Button>
          <Button
            color="red"
            loading={erase.isPending}
            onClick={() => erase.mutate({ acknowledgedUnsyncedChanges: unsyncedChanges }, { onSuccess: onClose })}
          >
            {t('vault.eraseCache')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Whole seconds left until the time `untilMs`, ticking down. */
function useCountdown(untilMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    // Tick at least once after every change of the deadline, so `now` never stays stale.
    const timer = setInterval(() => {
      const time = Date.now();
      setNow(time);
      if (time >= untilMs) clearInterval(timer);
    }, 250);
    return () => clearInterval(timer);
  }, [untilMs]);
  return Math.max(0, Math.ceil((untilMs - now) / 1000));
}
