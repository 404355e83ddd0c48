import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTemplateFile, TemplateFileError, templateRecordId } from '../../src/server/records/templates.js';
import { validateTemplate } from '../../src/shared/notes/index.js';
import { templateRecordSchema } from '../../src/shared/sync/records.js';
import { BACKENDS, useBackends, type TestDatabase } from './helpers/backends.js';
import { createUser, startTestServer } from './helpers/fixtures.js';
import { runServerMain } from './helpers/run-script.js';
import { changesOf, putOf, syncClient } from './helpers/sync-session.js';

/**
 * A clinic's own note templates (issue 5): a JSON file the server validates and publishes at
 * start as clinic-wide `template` records that every workstation pulls.
 */
const backends = useBackends();
const folder = mkdtempSync(path.join(tmpdir(), 'continuum-templates-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

let files = 0;
function writeTemplates(json: unknown, raw?: string): string {
  files += 1;
  const file = path.join(folder, `templates-${files}.json`);
  writeFileSync(file, raw ?? JSON.stringify(json, null, 2));
  return file;
}

/** A clinic template with its own strings (English and Spanish). */
const intakeReview = (version = 1, summaryLabel = 'Summary') => ({
  schemaVersion: 1,
  id: 'clinic_intake_review',
  version,
  nameKey: 'clinic.intakeReview.name',
  kind: 'individual',
  protected: false,
  encounter: {
    requiredForSigning: {
      date: 'always',
      startTime: 'always',
      endTime: 'always',
      modality: 'always',
      clientLocation: 'telehealth',
    },
  },
  sections: [
    {
      id: 'review',
      titleKey: 'clinic.intakeReview.section',
      scope: 'shared',
      fields: [
        {
          id: 'summary',
          type: 'richText',
          labelKey: 'clinic.intakeReview.summary',
          requiredForSigning: 'always',
        },
        { id: 'phq9', type: 'measure', measureId: 'phq9', labelKey: 'measures.phq9.title' },
        ...(version > 1 ? [{ id: 'goals', type: 'text', labelKey: 'clinic.intakeReview.goals' }] : []),
      ],
    },
  ],
  strings: {
    en: {
      'clinic.intakeReview.name': 'Intake review',
      'clinic.intakeReview.section': 'Review',
      'clinic.intakeReview.summary': summaryLabel,
      'clinic.intakeReview.goals': 'Goals',
    },
    es: {
      'clinic.intakeReview.name': 'Revisión de ingreso',
      'clinic.intakeReview.section': 'Revisión',
      'clinic.intakeReview.summary': 'Resumen',
      'clinic.intakeReview.goals': 'Metas',
    },
  },
});

describe.each(BACKENDS)('clinic templates (%s)', (backend) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await backends.open(backend);
  });

  const templateRows = () =>
    database.raw(`select id, version, data->>'active' as active from records where entity = 'template' order by id`);

  it('publishes the templates file at start, delivers it to every workstation, and keeps versions immutable', async () => {
    const clinician = await createUser(database.db);
    const adminUser = await createUser(database.db, { role: 'admin' });
    const v1 = intakeReview(1);
    const v1Id = templateRecordId('clinic_intake_review', 1);
    const v2Id = templateRecordId('clinic_intake_review', 2);

    let server = await startTestServer(database.db, {}, { templates: loadTemplateFile(writeTemplates([v1])) });
    let sync = syncClient(server);
    const s = await sync.session(clinician.username);
    const first = await sync.pullAll(s, null);
    // A clinician with no clients receives it; clinic-wide: no client.
    const change = putOf(first.changes, v1Id);
    expect(change).toMatchObject({ entity: 'template', clientId: null, version: 1 });
    const data = templateRecordSchema.parse(change.data);
    expect(data).toMatchObject({ templateId: 'clinic_intake_review', version: 1, active: true });
    expect(data.definition).toEqual(v1);
    expect(validateTemplate(data.definition).ok).toBe(true);
    // An admin's workstation too (no clinical scope, but the clinic's templates).
    const adminSession = await sync.session(adminUser.username);
    expect(putOf((await sync.pullAll(adminSession, null)).changes, v1Id).entity).toBe('template');
    await server.close();

    // Restarting with the same file changes nothing.
    server = await startTestServer(
      database.db,
      {},
      { templates: loadTemplateFile(writeTemplates({ templates: [v1] })) },
    );
    sync = syncClient(server);
    expect((await sync.pullAll(s, first.cursor)).changes).toEqual([]);
    await server.close();

    // Version 2 replaces version 1 for new notes; version 1 stays (older notes render), inactive.
    server = await startTestServer(database.db, {}, { templates: loadTemplateFile(writeTemplates([intakeReview(2)])) });
    sync = syncClient(server);
    const second = await sync.pullAll(s, first.cursor);
    expect(templateRecordSchema.parse(putOf(second.changes, v1Id).data)).toMatchObject({ version: 1, active: false });
    expect(templateRecordSchema.parse(putOf(second.changes, v2Id).data)).toMatchObject({ version: 2, active: true });
    await server.close();

    // A published version changed in place: the server does not start, and nothing changes.
    const before = await templateRows();
    const changed = loadTemplateFile(writeTemplates([intakeReview(2, 'Clinical summary')]));
    const refused = startTestServer(database.db, {}, { templates: changed });
    await expect(refused).rejects.toBeInstanceOf(TemplateFileError);
    await expect(refused).rejects.toThrow(
      /"clinic_intake_review" version 2 differs from the version already published.*new version number/,
    );
    expect(await templateRows()).toEqual(before);

    // Without a templates file the published ones stay as they are.
    server = await startTestServer(database.db);
    sync = syncClient(server);
    expect(changesOf((await sync.pullAll(s, second.cursor)).changes, v2Id)).toEqual([]);
    await server.close();
    expect(await templateRows()).toEqual(before);
  });
});

describe('clinic templates file validation', () => {
  const problemOf = (json: unknown, raw?: string) => {
    const file = writeTemplates(json, raw);
    try {
      loadTemplateFile(file);
    } catch (error) {
      expect(error).toBeInstanceOf(TemplateFileError);
      return (error as Error).message;
    }
    throw new Error('expected a TemplateFileError');
  };

  it('names the file, the template, the place and the problem', () => {
    expect(problemOf(null, '{ "templates": [ ')).toMatch(/templates-\d+\.json is not valid JSON/);
    expect(problemOf({ template: [] })).toMatch(/expected an array of templates or \{ "templates"/);
    expect(() => loadTemplateFile(path.join(folder, 'missing.json'))).toThrow(/missing\.json does not exist/);

    const unknownKey = intakeReview(1);
    unknownKey.sections[0]!.fields[0]!.labelKey = 'clinic.intakeReview.nowhere';
    expect(problemOf([intakeReview(1), { ...unknownKey, id: 'clinic_bad' }])).toMatch(
      /template 2 \("clinic_bad"\): sections\.0\.fields\.0\.labelKey: no English text for "clinic\.intakeReview\.nowhere".*\[unknown_string_key\]/,
    );
    expect(problemOf([{ ...intakeReview(1), kind: 'triple' }])).toMatch(
      /template 1 \("clinic_intake_review"\): kind: .*\[invalid_shape\]/,
    );
    expect(problemOf([{ ...intakeReview(1), id: 'soap' }])).toMatch(/"soap" is a built-in template's/);
    expect(problemOf([intakeReview(1), intakeReview(1)])).toMatch(/version 1 appears twice/);
  });

  it('stops the server at start with the problem in words, no stack trace, before opening the database', async () => {
    const bad = intakeReview(1);
    bad.sections[0]!.fields[0]!.labelKey = 'clinic.intakeReview.nowhere';
    const file = writeTemplates([bad]);
    const dataDir = path.join(folder, 'never-created');
    const { code, stdout, stderr } = await runServerMain(['--templates', file, '--data', dataDir, '--port', '0']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^The server could not start: .*templates-\d+\.json has invalid templates:/);
    expect(stderr).toMatch(/sections\.0\.fields\.0\.labelKey: no English text for "clinic\.intakeReview\.nowhere"/);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stdout).not.toMatch(/listening/);
    expect(existsSync(dataDir)).toBe(false);
  });
});
