import i18next, { type i18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { measureStrings } from '../../shared/measures/strings';
import { noteStrings } from '../../shared/notes/strings';
import type { Language } from '../../shared/settings/preferences';
import en from './locales/en.json';
import es from './locales/es.json';

type Tree = { readonly [key: string]: string | Tree };

/** `a` with `b`'s keys added (deeply); `a` wins where both have a string. */
function merge(a: Tree, b: Tree): Tree {
  const out: Record<string, string | Tree> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const mine = out[key];
    out[key] =
      mine === undefined ? value : typeof mine === 'object' && typeof value === 'object' ? merge(mine, value) : mine;
  }
  return out;
}

/**
 * The renderer's own strings (locales/*.json) plus the note and measure strings that ship with
 * the shared note logic (src/shared/notes/strings.ts, src/shared/measures/strings.ts): those
 * are loaded as they are, never copied into the JSON files. A clinic template's own strings
 * are added when the templates load (src/renderer/notes/templates.ts).
 */
export const resources = {
  en: { translation: merge(merge(en, noteStrings.en), measureStrings.en) },
  es: { translation: merge(merge(es, noteStrings.es), measureStrings.es) },
} as const;

export async function initI18n(language: Language): Promise<i18n> {
  await i18next.use(initReactI18next).init({
    resources,
    lng: language,
    fallbackLng: 'en',
    interpolation: { escapeValue: false }, // React escapes.
    returnNull: false,
  });
  document.documentElement.lang = language;
  i18next.on('languageChanged', (lng) => {
    document.documentElement.lang = lng;
  });
  return i18next;
}
