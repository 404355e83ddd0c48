import { randomBytes, randomUUID } from 'node:crypto';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MigrationError } from '../../../src/core/store/errors';
import { migrateDatabase, planMigrations } from '../../../src/core/store/migrate';
import { openDatabase, type SqliteDatabase } from '../../../src/core/store/open-database';
import { tempDir } from '../../helpers/temp-dir';
import { MIGRATIONS_DIR } from './seed';

const journal = JSON.parse(readFileSync(join(MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8')) as {
  entries: Array<{ idx: number; when: number; tag: string; version: string; breakpoints: boolean }>;
};

/** Staff member `s1` and client `c1`, in any schema version's tables; returns the time written. */
function seedStaffAndClient(db: SqliteDatabase): string {
  const now = new Date().toISOString();
  db.prepare(
    "INSERT INTO staff (id, display_name, role, created_at, updated_at) VALUES ('s1','C','counselor',?,?)",
  ).run(now, now);
  db.prepare(
    "INSERT INTO clients (id, given_name, family_name, date_of_birth, program, level_of_care, created_at, updated_at) VALUES ('c1','A','B','1990-01-01','iop','IOP',?,?)",
  ).run(now, now);
  return now;
}

/** An encrypted database at the first schema version, holding a client and a note. */
function olderDatabase(dir: string, key: Buffer): { path: string; noteId: string } {
  const path = join(dir, 'caseload.db');
  const db = openDatabase(path, { key, create: true });
  const result = migrateDatabase(db, { migrationsDir: MIGRATIONS_DIR, dbPath: path, upTo: 1 });
  expect(result.version).toBe(1);
  const now = seedStaffAndClient(db);
  const noteId = randomUUID();
  db.prepare(
    `INSERT INTO session_notes (id, client_id, author_id, note_type, template, content, body_text, created_at, updated_at)
     VALUES (@id, 'c1', 's1', 'progress', 'SOAP', json_object('text', @text), @text, @now, @now)`,
  ).run({ id: noteId, text: 'written before search existed: buprenorphine induction', now });
  // An outbox row in the first schema's shape (written by no released version, but possible).
  db.prepare(
    "INSERT INTO sync_outbox (id, entity_type, entity_id, op, payload, created_at) VALUES ('m1', 'note', ?, 'update', '{}', ?)",
  ).run(noteId, now);
  // The older schema has no search table yet.
  expect(db.prepare("SELECT name FROM sqlite_schema WHERE name = 'note_search'").get()).toBeUndefined();
  db.close();
  return { path, noteId };
}

describe('migrations', () => {
  it('the journal starts with the initial schema and the custom FTS migration, each with its SQL file', () => {
    const tags = journal.entries.map((e) => e.tag);
    expect(tags.slice(0, 2)).toEqual(['0000_initial', '0001_note_search_and_audit_guards']);
    expect([...tags].sort()).toEqual(tags);
    for (const tag of tags) expect(existsSync(join(MIGRATIONS_DIR, `${tag}.sql`)), tag).toBe(true);
  });

  it('upgrades a database created by an older schema version, keeping and indexing its data', () => {
    const dir = tempDir();
    const key = randomBytes(32);
    const { path, noteId } = olderDatabase(dir, key);

    const db = openDatabase(path, { key, create: false });
    const later = journal.entries.slice(1).map((e) => e.tag);
    expect(planMigrations(db, MIGRATIONS_DIR).pending.map((m) => m.tag)).toEqual(later);
    const result = migrateDatabase(db, { migrationsDir: MIGRATIONS_DIR, dbPath: path });
    expect(result).toEqual({ applied: later, version: journal.entries.length });
    const hit = db
      .prepare(
        "SELECT n.id FROM note_search JOIN session_notes n ON n.rowid = note_search.rowid WHERE note_search MATCH 'buprenorphine'",
      )
      .all();
    expect(hit).toEqual([{ id: noteId }]);
    // The old-shape outbox row is kept, visible as rejected, never dropped.
    expect(db.prepare('SELECT name, status, rejection_code, entity_id FROM sync_outbox').all()).toEqual([
      { name: 'legacy.update', status: 'rejected', rejection_code: 'LEGACY_FORMAT', entity_id: noteId },
    ]);
    expect(existsSync(`${path}.pre-migration`)).toBe(false);
    // Idempotent: nothing pending the second time.
    expect(migrateDatabase(db, { migrationsDir: MIGRATIONS_DIR, dbPath: path }).applied).toEqual([]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('a failing migration restores the copy and throws MigrationError', () => {
    const dir = tempDir();
    const key = randomBytes(32);
    const { path } = olderDatabase(dir, key);
    // A migrations folder with a broken migration after the real ones.
    const broken = join(dir, 'migrations');
    cpSync(MIGRATIONS_DIR, broken, { recursive: true });
    const last = journal.entries[journal.entries.length - 1]!;
    const entries = [...journal.entries, { ...last, idx: last.idx + 1, when: last.when + 1000, tag: '9999_broken' }];
    writeFileSync(join(broken, 'meta/_journal.json'), JSON.stringify({ ...journal, entries }));
    writeFileSync(
      join(broken, '9999_broken.sql'),
      'CREATE TABLE `new_thing` (`id` text PRIMARY KEY);\n--> statement-breakpoint\nDELETE FROM clients;\n--> statement-breakpoint\nINSERT INTO no_such_table VALUES (1);\n',
    );
    const before = readFileSync(path);

    const db = openDatabase(path, { key, create: false });
    let error: unknown;
    try {
      migrateDatabase(db, { migrationsDir: broken, dbPath: path });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MigrationError);
    expect(error).toMatchObject({ code: 'MIGRATION_FAILED', migration: '9999_broken', restored: true });
    expect(db.open).toBe(false);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(existsSync(`${path}.pre-migration`)).toBe(false);

    const reopened = openDatabase(path, { key, create: false });
    // Back at version 1: neither the real migrations nor the broken one left anything behind.
    expect(reopened.prepare("SELECT name FROM sqlite_schema WHERE name IN ('new_thing','note_search')").all()).toEqual(
      [],
    );
    expect(reopened.prepare('SELECT count(*) AS n FROM clients').get()).toEqual({ n: 1 });
    expect(planMigrations(reopened, MIGRATIONS_DIR).pending).toHaveLength(journal.entries.length - 1);
    reopened.close();
  });

  it('0007: notes written before it are found by search as before, their words no longer stored beside the content', () => {
    const dir = tempDir();
    const key = randomBytes(32);
    const path = join(dir, 'caseload.db');
    const before = journal.entries.findIndex((e) => e.tag === '0007_notes_text_from_content');
    expect(before).toBeGreaterThan(0);
    let db = openDatabase(path, { key, create: true });
    migrateDatabase(db, { migrationsDir: MIGRATIONS_DIR, dbPath: path, upTo: before });
    const now = seedStaffAndClient(db);
    const content = (words: string) =>
      JSON.stringify({ templateId: 'dap', sections: { data: { observations: { type: 'text', value: words } } } });
    const insert = db.prepare(
      `INSERT INTO session_notes (id, client_id, author_id, note_type, template, status, content, body_text, signed_at, content_hash, created_at, updated_at)
       VALUES (?, 'c1', 's1', 'progress', 'DAP', ?, ?, ?, ?, ?, ?, ?)`,
    );
    const draft = randomUUID();
    const signed = randomUUID();
    insert.run(
      draft,
      'draft',
      content('Naloxone kit reviewed with her sister.'),
      'Naloxone kit reviewed with her sister.',
      null,
      null,
      now,
      now,
    );
    insert.run(
      signed,
      'signed',
      content('Urge surfing practised twice.'),
      'Urge surfing practised twice.',
      now,
      'h',
      now,
      now,
    );
    db.close();

    db = openDatabase(path, { key, create: false });
    expect(migrateDatabase(db, { migrationsDir: MIGRATIONS_DIR, dbPath: path }).applied).toContain(
      '0007_notes_text_from_content',
    );
    const columns = db.prepare("SELECT name FROM pragma_table_info('session_notes')").pluck().all();
    expect(columns).toContain('content');
    expect(columns).not.toContain('body_text');
    const search = (word: string) =>
      db
        .prepare(
          `SELECT n.id, snippet(note_search, 0, '[', ']', '…', 8) AS snippet
             FROM note_search JOIN session_notes n ON n.rowid = note_search.rowid WHERE note_search MATCH ?`,
        )
        .all(word);
    expect(search('naloxone')).toEqual([{ id: draft, snippet: '[Naloxone] kit reviewed with her sister.' }]);
    expect(search('surfing')).toEqual([{ id: signed, snippet: 'Urge [surfing] practised twice.' }]);
    // A draft edited after the upgrade is found by its new words only; a signed note stays locked.
    db.prepare('UPDATE session_notes SET content = ? WHERE id = ?').run(content('Sister now keeps the kit.'), draft);
    expect(search('naloxone')).toEqual([]);
    expect(search('sister')).toEqual([{ id: draft, snippet: '[Sister] now keeps the kit.' }]);
    expect(() =>
      db.prepare('UPDATE session_notes SET content = ? WHERE id = ?').run(content('changed'), signed),
    ).toThrow(/signed notes are immutable/);
    db.prepare('DELETE FROM session_notes WHERE id = ?').run(draft);
    expect(search('sister')).toEqual([]);
    db.prepare("INSERT INTO note_search(note_search, rank) VALUES ('integrity-check', 1)").run();
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('a missing migrations folder is a clear error', () => {
    const dir = tempDir();
    const db = openDatabase(join(dir, 'x.db'), { key: randomBytes(32), create: true });
    expect(() => migrateDatabase(db, { migrationsDir: join(dir, 'nope'), dbPath: join(dir, 'x.db') })).toThrow(
      /migrations were not found/,
    );
    db.close();
  });
});
