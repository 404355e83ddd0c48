import { Alert, Button, Group, PasswordInput, Stack } from '@mantine/core';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { RpcError } from '../../shared/rpc/errors';
import { errorText } from '../i18n/format';

/** A refusal already in words (e.g. "the latest changes could not be saved first"). */
export class ShownError extends Error {
  override readonly name = 'ShownError';
}

/**
 * Asks for the workstation passphrase again before a signature (sign, addendum, co-sign) and
 * says in words why it was refused. The passphrase is cleared after every attempt.
 */
export function PassphraseForm({
  submitLabel,
  onSubmit,
  onCancel,
  children,
  disabled = false,
}: {
  submitLabel: string;
  /** Resolves when signed; throws the RPC error otherwise. */
  onSubmit: (passphrase: string) => Promise<unknown>;
  onCancel?: () => void;
  children?: ReactNode;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (passphrase === '' || busy) return;
    setBusy(true);
    setError(null);
    try {
      await onSubmit(passphrase);
    } catch (caught) {
      setError(
        caught instanceof ShownError
          ? caught.message
          : caught instanceof RpcError && caught.code === 'WRONG_PASSPHRASE'
            ? t('notes.sign.wrongPassphrase')
            : caught instanceof RpcError && caught.code === 'NOTE_INCOMPLETE'
              ? t('notes.sign.incomplete')
              : caught instanceof RpcError && caught.code === 'NOTE_LOCKED'
                ? t('errors.NOTE_LOCKED')
                : errorText(t, caught),
      );
    } finally {
      setPassphrase('');
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(event) => void submit(event)}>
      <Stack gap="sm">
        {children}
        <PasswordInput
          label={t('notes.sign.passphrase')}
          description={t('notes.sign.passphraseHelp')}
          value={passphrase}
          onChange={(event) => setPassphrase(event.currentTarget.value)}
          autoComplete="current-password"
          data-autofocus
          required
        />
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        <Group justify="flex-end" gap="sm">
          {onCancel && (
            <Button variant="default" onClick={onCancel}>
              {t('notes.common.cancel')}
            </Button>
          )}
          <Button type="submit" loading={busy} disabled={disabled || passphrase === ''}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
