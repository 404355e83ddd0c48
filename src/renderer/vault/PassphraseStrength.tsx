import { Progress, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { assessPassphrase } from '../../shared/vault/passphrase';

const COLORS = ['red', 'red', 'orange', 'teal', 'green'] as const;

/** A live strength meter under the new-passphrase field. */
export function PassphraseStrength({ passphrase }: { passphrase: string }) {
  const { t } = useTranslation();
  if (passphrase.length === 0) return null;
  const assessment = assessPassphrase(passphrase);
  const label = t(`vault.strength.${assessment.strength}`);
  return (
    <Stack gap={4}>
      <Progress.Root size="sm">
        <Progress.Section
          value={(assessment.strength + 1) * 20}
          color={COLORS[assessment.strength]}
          aria-label={t('vault.strengthLabel')}
          aria-valuetext={label}
        />
      </Progress.Root>
      <Text size="sm" aria-live="polite">
        {t('vault.strengthIs', { strength: label })}
        {assessment.problems
          .filter((problem) => problem !== 'too_long')
          .map((problem) => ` ${t(`vault.problems.${problem}`)}`)
          .join('')}
      </Text>
    </Stack>
  );
}
