/**
 * A small pure translator for text the workstation renders outside the React UI (the printed
 * note, later exports): a string key is looked up for a language, with English as the fallback
 * and `{{name}}` interpolation, like the renderer's i18next setup does with the same keys.
 *
 * Tables are either nested (`noteStrings.en` → `notes.fields.plan`) or flat with dotted keys (a
 * clinic template's own `strings.en`); both are read the same way. Sources are searched in
 * order, the requested language first in every source, then English in every source; a key
 * found nowhere comes back as the key itself (visible, never blank).
 */
export const LANGUAGES = ['en', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

export interface StringTable {
  readonly [key: string]: string | StringTable;
}

export interface LocalizedStrings {
  readonly en: StringTable;
  readonly es?: StringTable | undefined;
}

export type InterpolationValues = Readonly<Record<string, string | number>>;
export type Translate = (key: string, values?: InterpolationValues) => string;

const flattened = new WeakMap<StringTable, ReadonlyMap<string, string>>();

/** The dotted-key map of a table (cached per table object: built-in tables are flattened once). */
export function flattenStrings(table: StringTable): ReadonlyMap<string, string> {
  const cached = flattened.get(table);
  if (cached) return cached;
  const out = new Map<string, string>();
  const walk = (node: StringTable, prefix: string) => {
    for (const [key, value] of Object.entries(node)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (typeof value === 'string') out.set(path, value);
      else walk(value, path);
    }
  };
  walk(table, '');
  flattened.set(table, out);
  return out;
}

/** Replace `{{name}}` (spaces allowed inside the braces) by its value; unknown names stay as written. */
export function interpolate(text: string, values?: InterpolationValues): string {
  if (!values) return text;
  return text.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (match, name: string) => {
    const value = values[name];
    return value === undefined ? match : String(value);
  });
}

export function createTranslator(language: Language, sources: readonly LocalizedStrings[]): Translate {
  const wanted = sources.flatMap((source) => {
    const table = source[language];
    return table ? [flattenStrings(table)] : [];
  });
  const english = language === 'en' ? [] : sources.map((source) => flattenStrings(source.en));
  const lookup = [...wanted, ...english];
  return (key, values) => {
    for (const table of lookup) {
      const text = table.get(key);
      if (text !== undefined) return interpolate(text, values);
    }
    return key;
  };
}
