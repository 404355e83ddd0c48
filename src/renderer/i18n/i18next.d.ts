import 'i18next';
import type { measureStrings } from '../../shared/measures/strings';
import type { noteStrings } from '../../shared/notes/strings';
import type en from './locales/en.json';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    /** The JSON strings plus the shared note and measure strings merged in by ./i18n.ts. */
    resources: { translation: typeof en & typeof noteStrings.en & typeof measureStrings.en };
  }
}
