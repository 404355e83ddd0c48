import type { TFunction } from 'i18next';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { NoteTemplates } from '../../shared/notes/rpc';
import type { TemplateDefinition } from '../../shared/notes/templates/schema';
import { humanise } from '../i18n/format';
import { useRpcQuery } from '../rpc/hooks';

export type TemplateEntry = NoteTemplates['templates'][number];

const loaded = new Set<string>();

/** A clinic template's own strings become i18next resources (built-in strings are already there). */
function addTemplateStrings(i18n: ReturnType<typeof useTranslation>['i18n'], templates: readonly TemplateEntry[]) {
  let added = false;
  for (const { definition } of templates) {
    const strings = definition.strings;
    if (!strings) continue;
    const id = `${definition.id}@${definition.version}`;
    if (loaded.has(id)) continue;
    loaded.add(id);
    i18n.addResources('en', 'translation', strings.en);
    if (strings.es) i18n.addResources('es', 'translation', strings.es);
    added = true;
  }
  // Re-render what already shows the keys.
  if (added) void i18n.changeLanguage(i18n.language);
}

/** The note templates on this workstation (built-in and the clinic's), with their strings loaded. */
export function useNoteTemplates() {
  const { i18n } = useTranslation();
  const query = useRpcQuery('notes.templates', {}, { staleTime: 60_000 });
  const templates = query.data?.templates;
  useEffect(() => {
    if (templates) addTemplateStrings(i18n, templates);
  }, [templates, i18n]);
  return query;
}

export function findTemplate(
  templates: readonly TemplateEntry[] | undefined,
  id: string,
  version: number,
): TemplateDefinition | undefined {
  return templates?.find((entry) => entry.definition.id === id && entry.definition.version === version)?.definition;
}

/** A string key that is not among the compiled-in ones (template data, clinic strings). */
export function tk(t: TFunction, key: string, options: Record<string, unknown> = {}): string {
  return t(key as never, { defaultValue: key.split('.').at(-1) ?? key, ...options } as never) as unknown as string;
}

/** A template's name by id (the newest version that names it), e.g. "SOAP note". */
export function templateName(t: TFunction, templates: readonly TemplateEntry[] | undefined, id: string): string {
  const entry = templates
    ?.filter((candidate) => candidate.definition.id === id)
    .sort((a, b) => b.definition.version - a.definition.version)[0];
  return entry ? tk(t, entry.definition.nameKey) : humanise(id);
}
