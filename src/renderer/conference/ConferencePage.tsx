import { useTranslation } from 'react-i18next';
import { Page } from '../shell/Page';

export function ConferencePage() {
  const { t } = useTranslation();
  return <Page title={t('conference.title')} intro={t('conference.intro')} />;
}
