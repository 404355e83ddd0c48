import { templateProtection, type TemplateProtection } from '../../shared/notes/protection';
import { templateRecordSchema, type RecordData } from '../../shared/sync/records';
import type { SqliteDatabase } from '../store/open-database';

/** `store_meta` keys of the clinic's note templates (one per template version record). */
export const TEMPLATE_KEY_PREFIX = 'sync.template:';

export type ClinicTemplate = RecordData<'template'> & { id: string };

/**
 * The clinic's own note templates as pulled from the server (`template` records, one per
 * template id and version), validated again on the way out. The built-in templates are in
 * src/shared/notes; run `validateTemplate` on a definition before offering it.
 */
export function clinicTemplates(sqlite: SqliteDatabase): ClinicTemplate[] {
  const rows = sqlite
    .prepare('SELECT key, value FROM store_meta WHERE key >= ? AND key < ? ORDER BY key')
    .all(TEMPLATE_KEY_PREFIX, `${TEMPLATE_KEY_PREFIX}\uffff`) as Array<{ key: string; value: string }>;
  const templates: ClinicTemplate[] = [];
  for (const row of rows) {
    let json: unknown;
    try {
      json = JSON.parse(row.value);
    } catch {
      continue;
    }
    const parsed = templateRecordSchema.safeParse(json);
    if (parsed.success) templates.push({ ...parsed.data, id: row.key.slice(TEMPLATE_KEY_PREFIX.length) });
  }
  return templates.sort((a, b) => a.templateId.localeCompare(b.templateId) || a.version - b.version);
}

/**
 * Which notes are protected (src/shared/notes/protection.ts) by the built-in templates and the
 * clinic's templates this workstation holds, active or not.
 */
export function clinicTemplateProtection(sqlite: SqliteDatabase): TemplateProtection {
  return templateProtection(
    clinicTemplates(sqlite).map((t) => ({ id: t.templateId, version: t.version, protected: t.definition.protected })),
  );
}
