import { validateTemplate } from '../../shared/notes';
import { BUILT_IN_TEMPLATES } from '../../shared/notes/templates/builtin';
import type { TemplateDefinition } from '../../shared/notes/templates/schema';
import type { NoteTemplates } from '../../shared/notes/rpc';
import type { SqliteDatabase } from '../store/open-database';
import { TEMPLATE_KEY_PREFIX } from '../sync/apply-changes';
import { clinicTemplates } from '../sync/templates';

export interface AvailableTemplate {
  definition: TemplateDefinition;
  builtIn: boolean;
  active: boolean;
}

/**
 * The note templates this workstation knows: the built-in ones (src/shared/notes) and the
 * clinic's own, pulled from the clinic server (`template` records), each validated again. A
 * clinic template that does not validate is left out (and never offered).
 */
export function availableTemplates(sqlite: SqliteDatabase): AvailableTemplate[] {
  // Autosave looks templates up every second: validate the clinic's only when their records change.
  const raw = (
    sqlite
      .prepare('SELECT key, value FROM store_meta WHERE key >= ? AND key < ? ORDER BY key')
      .all(TEMPLATE_KEY_PREFIX, `${TEMPLATE_KEY_PREFIX}\uffff`) as Array<{ key: string; value: string }>
  )
    .map((row) => `${row.key}\n${row.value}`)
    .join('\n');
  const cached = cache.get(sqlite);
  if (cached?.raw === raw) return cached.templates;
  const builtIn = BUILT_IN_TEMPLATES.map((definition) => ({ definition, builtIn: true, active: true }));
  const clinic: AvailableTemplate[] = [];
  for (const record of clinicTemplates(sqlite)) {
    const checked = validateTemplate(record.definition);
    if (checked.ok) clinic.push({ definition: checked.template, builtIn: false, active: record.active });
  }
  const templates = [...builtIn, ...clinic];
  cache.set(sqlite, { raw, templates });
  return templates;
}

const cache = new WeakMap<SqliteDatabase, { raw: string; templates: AvailableTemplate[] }>();

export function templatesView(sqlite: SqliteDatabase): NoteTemplates {
  return { templates: availableTemplates(sqlite) };
}

/** A template by id and version (older, inactive versions too: they render older notes). */
export function findTemplate(sqlite: SqliteDatabase, id: string, version: number): TemplateDefinition | null {
  return (
    availableTemplates(sqlite).find((t) => t.definition.id === id && t.definition.version === version)?.definition ??
    null
  );
}

/** The newest active version of a template, for a new note. */
export function currentTemplate(sqlite: SqliteDatabase, id: string): TemplateDefinition | null {
  let best: TemplateDefinition | null = null;
  for (const t of availableTemplates(sqlite)) {
    if (t.definition.id !== id || !t.active) continue;
    if (!best || t.definition.version > best.version) best = t.definition;
  }
  return best;
}
