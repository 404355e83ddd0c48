import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { canonicalize } from '../../shared/notes/canonical.js';
import { BUILT_IN_TEMPLATES, validateTemplate, type TemplateDefinition } from '../../shared/notes/index.js';
import type { RecordData } from '../../shared/sync/records.js';
import type { ServerDb } from '../db/database.js';
import { records } from '../db/schema.js';
import { derivedUuid } from './ids.js';
import { lockFeed, putRecord } from './store.js';

/**
 * A clinic's own note templates: a JSON file the server loads at start (`--templates <file>`),
 * each template validated with the shared `validateTemplate`, published as clinic-wide
 * `template` records (client null) that every workstation pulls. One record per template id and
 * version (`templateRecordId`); a published version is immutable (notes record the version they
 * were written with), so a changed template needs a new version number. Versions no longer in the
 * file stay, inactive, so that older notes still render. Without a file nothing changes.
 *
 * The file holds an array of templates, or `{ "templates": [ … ] }`.
 */

/** Why the templates file cannot be used: a sentence naming the file, template and problem. */
export class TemplateFileError extends Error {
  override readonly name = 'TemplateFileError';
}

export const templateRecordId = (templateId: string, version: number) =>
  derivedUuid(`template:${templateId}:${version}`);

const BUILT_IN_IDS = new Set(BUILT_IN_TEMPLATES.map((template) => template.id));

/** Validate templates parsed from `source` (a file name, for messages). */
export function parseTemplates(json: unknown, source: string): TemplateDefinition[] {
  const list = Array.isArray(json)
    ? json
    : typeof json === 'object' && json !== null && Array.isArray((json as { templates?: unknown }).templates)
      ? (json as { templates: unknown[] }).templates
      : null;
  if (list === null) {
    throw new TemplateFileError(`${source}: expected an array of templates or { "templates": [ … ] }.`);
  }
  const problems: string[] = [];
  const templates: TemplateDefinition[] = [];
  const seen = new Set<string>();
  list.forEach((item, index) => {
    const name =
      typeof item === 'object' && item !== null && typeof (item as { id?: unknown }).id === 'string'
        ? `template ${index + 1} ("${(item as { id: string }).id}")`
        : `template ${index + 1}`;
    const result = validateTemplate(item);
    if (!result.ok) {
      for (const problem of result.problems)
        problems.push(`${name}: ${problem.path || '(template)'}: ${problem.message} [${problem.code}]`);
      return;
    }
    const { template } = result;
    if (BUILT_IN_IDS.has(template.id)) {
      problems.push(`${name}: id "${template.id}" is a built-in template's; choose another id`);
      return;
    }
    const key = `${template.id}@${template.version}`;
    if (seen.has(key)) {
      problems.push(`${name}: "${template.id}" version ${template.version} appears twice`);
      return;
    }
    seen.add(key);
    templates.push(template);
  });
  if (problems.length > 0) {
    const shown = problems.slice(0, 20);
    const more = problems.length > shown.length ? `\n  … and ${problems.length - shown.length} more` : '';
    throw new TemplateFileError(`${source} has invalid templates:\n  ${shown.join('\n  ')}${more}`);
  }
  return templates;
}

/** Read and validate a templates file; a TemplateFileError says what is wrong and where. */
export function loadTemplateFile(file: string): TemplateDefinition[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TemplateFileError(
      code === 'ENOENT'
        ? `The templates file ${file} does not exist.`
        : code === 'EISDIR'
          ? `The templates file ${file} is a folder, not a file.`
          : `The templates file ${file} cannot be read (${code ?? 'error'}).`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TemplateFileError(`The templates file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  return parseTemplates(json, file);
}

export interface PublishResult {
  /** New template versions. */
  published: number;
  /** Versions offered again. */
  reactivated: number;
  /** Versions no longer in the file (kept, inactive). */
  retired: number;
}

/**
 * Publish the clinic's templates (in one transaction, each write with its change, so pulls
 * deliver them): new versions are inserted, versions absent from `templates` become inactive.
 * A version already published with another definition is refused (TemplateFileError).
 */
export async function publishTemplates(
  db: ServerDb,
  templates: readonly TemplateDefinition[],
  now: Date = new Date(),
): Promise<PublishResult> {
  return db.transaction(async (tx) => {
    await lockFeed(tx);
    const stored = await tx.select().from(records).where(eq(records.entity, 'template')).for('update');
    const byId = new Map(stored.map((row) => [row.id, row]));
    const result: PublishResult = { published: 0, reactivated: 0, retired: 0 };
    const wanted = new Set<string>();
    for (const template of templates) {
      const id = templateRecordId(template.id, template.version);
      wanted.add(id);
      const row = byId.get(id);
      if (!row) {
        const data: RecordData<'template'> = {
          templateId: template.id,
          version: template.version,
          definition: template,
          active: true,
          publishedAt: now.toISOString(),
        };
        await putRecord(tx, { entity: 'template', id, clientId: null, data, now });
        result.published += 1;
        continue;
      }
      const data = row.data as RecordData<'template'>;
      if (canonicalize(data.definition) !== canonicalize(template)) {
        throw new TemplateFileError(
          `Template "${template.id}" version ${template.version} differs from the version already published; ` +
            'a published version never changes: give the changed template a new version number.',
        );
      }
      if (!data.active && row.deletedAt === null) {
        await putRecord(tx, { entity: 'template', id, clientId: null, data: { ...data, active: true }, now });
        result.reactivated += 1;
      }
    }
    for (const row of stored) {
      const data = row.data as RecordData<'template'>;
      if (wanted.has(row.id) || !data.active || row.deletedAt !== null) continue;
      await putRecord(tx, { entity: 'template', id: row.id, clientId: null, data: { ...data, active: false }, now });
      result.retired += 1;
    }
    return result;
  });
}
