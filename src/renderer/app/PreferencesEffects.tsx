import { useMantineColorScheme } from '@mantine/core';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useRpcQuery } from '../rpc/hooks';

/** Applies the core's preferences (language, colour scheme) to the page whenever they change. */
export function PreferencesEffects() {
  const { data } = useRpcQuery('settings.get', {});
  const { i18n } = useTranslation();
  const { setColorScheme } = useMantineColorScheme();

  useEffect(() => {
    if (!data) return;
    if (i18n.language !== data.language) void i18n.changeLanguage(data.language);
    setColorScheme(data.colorScheme);
  }, [data, i18n, setColorScheme]);

  return null;
}
