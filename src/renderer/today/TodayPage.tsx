import { Paper, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Page } from '../shell/Page';

export function TodayPage() {
  const { t } = useTranslation();
  return (
    <Page title={t('today.title')} intro={t('today.intro')}>
      <Paper withBorder p="lg">
        <Text>{t('today.empty')}</Text>
      </Paper>
    </Page>
  );
}
