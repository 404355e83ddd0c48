import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bulkImport } from '../../../src/core/store/bulk-import';
import { withBulkNoteSearch } from '../../../src/core/store/bulk-note-search';
import type { SqliteDatabase } from '../../../src/core/store/open-database';
import { knowNoteText } from '../../../src/core/store/schema-functions';
import { openWorkstationStore } from '../../../src/core/store/workstation-store';
import { unavailableKeychain } from '../../../src/core/vault/keychain';
import { tempDir } from '../../helpers/temp-dir';
import { FAST_SCRYPT, MIGRATIONS_DIR, seedClient, seedClinician } from './seed';

/**
 * The initial sync indexes pulled notes for search once per bulk transaction
 * (src/core/store/bulk-note-search.ts) instead of through the per-row FTS triggers. What a
 * clinician relies on: after it, search finds exactly the notes that are there, with their
 * latest text, and later notes are indexed as before; a failure or a crash never leaves notes
 * the index disagrees with.
 */
const PASSPHRASE = 'bulk note search passphrase';
const CRASH_FIXTURE = join(import.meta.dirname, 'fixtures/bulk-note-search-crash.ts');

async function unlockedStore(profileDir = tempDir()) {
  const store = await openWorkstationStore({
    profileDir,
    migrationsDir: MIGRATIONS_DIR,
    keychain: unavailableKeychain(),
    scrypt: FAST_SCRYPT,
  });
  await store.vault.create(PASSPHRASE);
  const clinicianId = seedClinician(store.db);
  const clientId = seedClient(store.db, { givenName: 'Ana', familyName: 'Ruiz', clinicianId });
  return { store, clinicianId, clientId };
}

function notes(sqlite: SqliteDatabase, clientId: string, authorId: string) {
  const insert = sqlite.prepare(
    `INSERT INTO session_notes (id, client_id, author_id, note_type, template, status, content, created_at, updated_at)
     VALUES (?, ?, ?, 'progress', 'DAP', 'draft', json_object('text', ?), ?, ?)`,
  );
  return {
    add(text: string, id = randomUUID()): string {
      const now = new Date().toISOString();
      insert.run(id, clientId, authorId, text, now, now);
      return id;
    },
    setText: (id: string, text: string) =>
      sqlite.prepare("UPDATE session_notes SET content = json_object('text', ?) WHERE id = ?").run(text, id),
    remove: (id: string) => sqlite.prepare('DELETE FROM session_notes WHERE id = ?').run(id),
  };
}

/** Note ids whose indexed text matches `word`, as search finds them. */
const found = (sqlite: SqliteDatabase, word: string): string[] =>
  (
    sqlite
      .prepare(
        'SELECT n.id FROM note_search JOIN session_notes n ON n.rowid = note_search.rowid WHERE note_search MATCH ? ORDER BY n.id',
      )
      .pluck()
      .all(word) as string[]
  ).sort();

/** FTS5's own check, comparing the index with the notes' text too (rank 1); throws if they disagree. */
const checkIndex = (sqlite: SqliteDatabase) =>
  sqlite.prepare("INSERT INTO note_search(note_search, rank) VALUES ('integrity-check', 1)").run();

const triggers = (sqlite: SqliteDatabase) =>
  sqlite.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' ORDER BY name").all();
const tempObjects = (sqlite: SqliteDatabase) =>
  sqlite.prepare('SELECT name FROM sqlite_temp_schema').pluck().all() as string[];

/** One bulk transaction as the initial sync writes it: rollback journal, search indexed at the end. */
const bulk = (sqlite: SqliteDatabase, work: () => void) =>
  bulkImport(sqlite, () => sqlite.transaction(() => withBulkNoteSearch(sqlite, work))());

describe('search index of notes written in bulk (initial sync)', () => {
  it('the index check used by these tests notices a note missing from the index', async () => {
    const { store, clientId, clinicianId } = await unlockedStore();
    try {
      const { sqlite } = store;
      checkIndex(sqlite);
      expect(() =>
        sqlite.transaction(() => {
          sqlite.exec('DROP TRIGGER session_notes_search_ai');
          notes(sqlite, clientId, clinicianId).add('unindexed text');
          checkIndex(sqlite);
        })(),
      ).toThrow();
      // Rolled back: the trigger is there again and the index agrees with the notes.
      expect(triggers(sqlite).map((t) => (t as { name: string }).name)).toContain('session_notes_search_ai');
      checkIndex(sqlite);
    } finally {
      store.close();
    }
  });

  it('finds exactly the notes there are after a bulk write, with their last text, and indexes later notes as before', async () => {
    const { store, clientId, clinicianId } = await unlockedStore();
    try {
      const { sqlite } = store;
      const n = notes(sqlite, clientId, clinicianId);
      const before = triggers(sqlite);
      // A first batch, then notes already indexed when the next batch begins.
      let first: string[] = [];
      bulk(sqlite, () => {
        first = Array.from({ length: 50 }, (_, i) => n.add(`heron sighting ${i}`));
      });
      const kept = n.add('osprey kept as written');
      const edited = n.add('kingfisher before the edit');
      const removed = n.add('plover to be removed');
      // The newest row: deleting it lets SQLite hand its rowid to the next new note.
      const lastRow = n.add('curlew, newest row');

      let added: string[] = [];
      let newThenEdited = '';
      let reusedRowid = '';
      bulk(sqlite, () => {
        added = Array.from({ length: 30 }, (_, i) => n.add(`egret sighting ${i}`));
        n.setText(edited, 'kingfisher after the edit');
        n.remove(removed);
        newThenEdited = n.add('godwit first draft');
        n.setText(newThenEdited, 'godwit second draft');
        const newThenRemoved = n.add('sandpiper gone again');
        n.remove(newThenRemoved);
        n.remove(lastRow);
        reusedRowid = n.add('dunlin in a reused row');
        // A note changed twice (an updated copy in a later page of the same batch).
        n.setText(first[0]!, 'heron sighting 0 corrected, redshank');
      });

      checkIndex(sqlite);
      expect(found(sqlite, 'heron')).toEqual([...first].sort());
      expect(found(sqlite, 'egret')).toEqual([...added].sort());
      expect(found(sqlite, 'osprey')).toEqual([kept]);
      expect(found(sqlite, 'kingfisher')).toEqual([edited]);
      expect(found(sqlite, 'before')).toEqual([]);
      expect(found(sqlite, 'after')).toEqual([edited]);
      expect(found(sqlite, 'plover')).toEqual([]);
      expect(found(sqlite, 'godwit')).toEqual([newThenEdited]);
      expect(found(sqlite, 'first')).toEqual([]);
      expect(found(sqlite, 'sandpiper')).toEqual([]);
      expect(found(sqlite, 'curlew')).toEqual([]);
      expect(found(sqlite, 'dunlin')).toEqual([reusedRowid]);
      expect(found(sqlite, 'redshank')).toEqual([first[0]]);

      // The triggers are back exactly as the migrations made them; nothing temporary is left.
      expect(triggers(sqlite)).toEqual(before);
      expect(tempObjects(sqlite)).toEqual([]);
      const later = n.add('avocet after the sync');
      n.setText(kept, 'osprey edited after the sync');
      expect(found(sqlite, 'avocet')).toEqual([later]);
      expect(found(sqlite, 'edited')).toEqual([kept]);
      checkIndex(sqlite);
      expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      store.close();
    }
  });

  it('a bulk write that fails leaves the notes, the index and the triggers as they were', async () => {
    const { store, clientId, clinicianId } = await unlockedStore();
    try {
      const { sqlite } = store;
      const n = notes(sqlite, clientId, clinicianId);
      const before = triggers(sqlite);
      const kept = n.add('lapwing already there');
      expect(() =>
        bulk(sqlite, () => {
          n.add('whimbrel never committed');
          n.setText(kept, 'lapwing changed, then rolled back');
          throw new Error('page failed');
        }),
      ).toThrow('page failed');
      expect(triggers(sqlite)).toEqual(before);
      expect(tempObjects(sqlite)).toEqual([]);
      expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
      checkIndex(sqlite);
      expect(found(sqlite, 'whimbrel')).toEqual([]);
      expect(found(sqlite, 'lapwing')).toEqual([kept]);
      expect(found(sqlite, 'changed')).toEqual([]);
      const later = n.add('stint after the failure');
      expect(found(sqlite, 'stint')).toEqual([later]);
    } finally {
      store.close();
    }
  });

  it('indexes a note with the words its writer computed for that content, never with words told for another', async () => {
    const { store, clientId, clinicianId } = await unlockedStore();
    try {
      const { sqlite } = store;
      const n = notes(sqlite, clientId, clinicianId);
      const contentOf = (id: string) =>
        sqlite.prepare('SELECT content FROM session_notes WHERE id = ?').pluck().get(id) as string;
      let told = '';
      let stale = '';
      let untold = '';
      bulk(sqlite, () => {
        // The pull worker's words for exactly this content: taken as they are, not computed again
        // (deliberately different words here, to see which ones the index took).
        told = n.add('whimbrel as stored');
        knowNoteText(sqlite, told, contentOf(told), 'turnstone told by the writer');
        // Words told for content the note no longer has (it changed after): not used.
        stale = n.add('avocet first');
        knowNoteText(sqlite, stale, contentOf(stale), 'stilt told for the first content');
        n.setText(stale, 'avocet changed afterwards');
        untold = n.add('phalarope nobody told');
      });
      expect(found(sqlite, 'turnstone')).toEqual([told]);
      expect(found(sqlite, 'whimbrel')).toEqual([]);
      expect(found(sqlite, 'stilt')).toEqual([]);
      expect(found(sqlite, 'afterwards')).toEqual([stale]);
      expect(found(sqlite, 'phalarope')).toEqual([untold]);
      // Outside a bulk write nothing told is kept: a later note is indexed with its own words.
      knowNoteText(sqlite, 'any', contentOf(untold), 'dotterel');
      const later = n.add('knot written later');
      expect(found(sqlite, 'knot')).toEqual([later]);
      expect(found(sqlite, 'dotterel')).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('leaves the triggers alone when the index is written by triggers it does not know (a later schema)', async () => {
    const { store, clientId, clinicianId } = await unlockedStore();
    try {
      const { sqlite } = store;
      const n = notes(sqlite, clientId, clinicianId);
      // A later migration's extra trigger touching the index (here harmlessly).
      sqlite.exec(
        'CREATE TRIGGER session_notes_search_extra AFTER INSERT ON session_notes BEGIN SELECT count(*) FROM note_search WHERE 0; END',
      );
      const before = triggers(sqlite);
      let dropped: string[] = [];
      let added = '';
      bulk(sqlite, () => {
        dropped = (before as Array<{ name: string }>)
          .map((t) => t.name)
          .filter((name) => !(triggers(sqlite) as Array<{ name: string }>).some((t) => t.name === name));
        added = n.add('redknot written the old way');
      });
      expect(dropped).toEqual([]);
      expect(triggers(sqlite)).toEqual(before);
      expect(found(sqlite, 'redknot')).toEqual([added]);
      checkIndex(sqlite);
    } finally {
      store.close();
    }
  });

  it('a crash in the middle of a bulk write leaves a cache whose index agrees with its notes', async () => {
    const dir = tempDir();
    const setup = await unlockedStore(dir);
    const before = triggers(setup.store.sqlite);
    setup.store.close();

    const child = spawn(process.execPath, ['--import', 'tsx', CRASH_FIXTURE, dir, MIGRATIONS_DIR, PASSPHRASE], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the writer did not reach its second batch: ${stderr}`)), 30_000);
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('inside\n')) {
          clearTimeout(timer);
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    expect(await exited).toBe('SIGKILL');
    expect(stdout).toContain('committed\n');

    const store = await openWorkstationStore({
      profileDir: dir,
      migrationsDir: MIGRATIONS_DIR,
      keychain: unavailableKeychain(),
      scrypt: FAST_SCRYPT,
    });
    await store.vault.unlock(PASSPHRASE); // also takes over the killed writer's profile lock
    try {
      const { sqlite } = store;
      expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
      // The committed batch is there and searchable; the interrupted one is gone, triggers restored.
      expect(
        sqlite.prepare("SELECT count(*) FROM session_note_text WHERE body_text LIKE 'committedword%'").pluck().get(),
      ).toBe(200);
      expect(found(sqlite, 'committedword')).toHaveLength(200);
      expect(
        sqlite.prepare("SELECT count(*) FROM session_note_text WHERE body_text LIKE 'uncommittedword%'").pluck().get(),
      ).toBe(0);
      expect(found(sqlite, 'uncommittedword')).toEqual([]);
      expect(triggers(sqlite)).toEqual(before);
      checkIndex(sqlite);
      const { clientId, clinicianId } = sqlite
        .prepare('SELECT id AS clientId, primary_clinician_id AS clinicianId FROM clients LIMIT 1')
        .get() as { clientId: string; clinicianId: string };
      const later = notes(sqlite, clientId, clinicianId).add('knot after the crash');
      expect(found(sqlite, 'knot')).toEqual([later]);
    } finally {
      store.close();
    }
  });
});
