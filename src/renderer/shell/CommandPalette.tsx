import { Spotlight, type SpotlightActionData } from '@mantine/spotlight';
import { IconLanguage, IconLock, IconSearch } from '@tabler/icons-react';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { SUPPORTED_LANGUAGES } from '../../shared/settings/preferences';
import { useRpcMutation } from '../rpc/hooks';
import { useNavigation } from './navigation';

/** Ctrl/Cmd+K: every page, and the commands a clinician reaches for without the mouse. */
export function CommandPalette({ onLock }: { onLock: () => void }) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const updateSettings = useRpcMutation('settings.update', { updates: 'settings.get' });
  const navigation = useNavigation();

  const actions = useMemo<SpotlightActionData[]>(() => {
    const pages = navigation.map((item) => {
      const Icon = item.icon;
      return {
        id: `go${item.path}`,
        label: t('palette.goTo', { page: t(item.labelKey) }),
        onClick: () => void navigate(item.path),
        leftSection: <Icon size={18} aria-hidden />,
      };
    });
    const languages = SUPPORTED_LANGUAGES.filter((language) => language !== i18n.language).map((language) => ({
      id: `language-${language}`,
      label: t('palette.switchLanguage', { language: t(`languages.${language}`) }),
      onClick: () => updateSettings.mutate({ language }),
      leftSection: <IconLanguage size={18} aria-hidden />,
    }));
    return [
      ...pages,
      { id: 'lock', label: t('palette.lock'), onClick: onLock, leftSection: <IconLock size={18} aria-hidden /> },
      ...languages,
    ];
  }, [t, i18n.language, navigate, onLock, updateSettings, navigation]);

  return (
    <Spotlight
      actions={actions}
      shortcut={['mod + K']}
      nothingFound={t('palette.nothingFound')}
      highlightQuery
      scrollable
      maxHeight={400}
      searchProps={{
        leftSection: <IconSearch size={18} aria-hidden />,
        placeholder: t('palette.placeholder'),
        'aria-label': t('palette.search'),
      }}
    />
  );
}
