import { Paper, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Page } from '../shell/Page';

export function CaseloadPage() {
  const { t } = useTranslation();
  return (
    <Page title={t('caseload.title')} intro={t('caseload.intro')}>
      <Paper withBorder p="lg">
        <Text>{t('caseload.empty')}</Text>
      </Paper>
    </Page>
  );
}
