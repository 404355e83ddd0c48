import { Alert } from '@mantine/core';
import { IconPhone } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Page } from '../shell/Page';

export function EscalationsPage() {
  const { t } = useTranslation();
  return (
    <Page title={t('escalations.title')} intro={t('escalations.intro')}>
      <Alert color="red" variant="light" icon={<IconPhone aria-hidden />}>
        {t('escalations.crisis')}
      </Alert>
    </Page>
  );
}
