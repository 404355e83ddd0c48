import { Alert, Button, Group, Modal, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconPlugConnectedX } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { useRpcQuery } from '../rpc/hooks';
import { SignInForm } from './SignInForm';

/**
 * The clinic server session ended while the workstation stays usable offline: a banner that
 * does not block the page, and a dialog to sign in again.
 */
export function SessionBanner() {
  const { t } = useTranslation();
  const { data: session } = useRpcQuery('session.status', {});
  const [opened, dialog] = useDisclosure(false);
  if (session?.state !== 'signedOut') return null;
  return (
    <>
      <Alert
        color="yellow"
        mb="md"
        icon={<IconPlugConnectedX size={20} aria-hidden />}
        title={t('session.bannerTitle')}
        role="status"
        // Mantine's yellow title on the yellow tint is below AA contrast: the title uses the text colour.
        styles={{ title: { color: 'var(--mantine-color-text)' } }}
      >
        <Group justify="space-between" gap="sm">
          <Text size="sm">{t('session.bannerText')}</Text>
          <Button size="xs" onClick={dialog.open}>
            {t('session.bannerAction')}
          </Button>
        </Group>
      </Alert>
      <Modal opened={opened} onClose={dialog.close} title={t('session.dialogTitle')} centered>
        <SignInForm
          initialServerUrl={session.serverUrl ?? ''}
          initialUsername={session.user?.username ?? ''}
          onSignedIn={() => {
            dialog.close();
            notifications.show({ id: 'signed-in-again', message: t('session.signedInAgain'), color: 'green' });
          }}
        />
      </Modal>
    </>
  );
}
