import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bulkImport } from '../../../src/core/store/bulk-import';
import { openWorkstationStore } from '../../../src/core/store/workstation-store';
import { unavailableKeychain } from '../../../src/core/vault/keychain';
import { tempDir } from '../../helpers/temp-dir';
import { FAST_SCRYPT, MIGRATIONS_DIR, seedClient, seedClinician } from './seed';

const MARKER_GIVEN = 'Philomena';
const MARKER_FAMILY = 'Vandersloot';

async function unlockedStore() {
  const store = await openWorkstationStore({
    profileDir: tempDir(),
    migrationsDir: MIGRATIONS_DIR,
    keychain: unavailableKeychain(),
    scrypt: FAST_SCRYPT,
  });
  await store.vault.create('bulk import passphrase');
  return store;
}

describe('bulk import (initial sync) with a rollback journal', () => {
  it('keeps the rollback journal encrypted while a transaction is open', async () => {
    const store = await unlockedStore();
    try {
      const clinician = seedClinician(store.db);
      const clientId = seedClient(store.db, {
        givenName: MARKER_GIVEN,
        familyName: MARKER_FAMILY,
        clinicianId: clinician,
      });
      let journalChecked = false;
      bulkImport(store.sqlite, () => {
        store.sqlite.transaction(() => {
          // Changing an existing row puts the page's previous content (with the marker) in the journal.
          store.sqlite
            .prepare('UPDATE clients SET given_name = ?, family_name = ? WHERE id = ?')
            .run('A', 'B', clientId);
          const journal = `${store.paths.database}-journal`;
          expect(existsSync(journal)).toBe(true);
          const bytes = readFileSync(journal);
          expect(bytes.length).toBeGreaterThan(0);
          expect(bytes.includes(Buffer.from(MARKER_GIVEN))).toBe(false);
          expect(bytes.includes(Buffer.from(MARKER_FAMILY))).toBe(false);
          journalChecked = true;
        })();
      });
      expect(journalChecked).toBe(true);
    } finally {
      store.close();
    }
  });

  it('returns to WAL mode afterwards, with the imported rows in place, even when the work fails', async () => {
    const store = await unlockedStore();
    try {
      const clinician = seedClinician(store.db);
      const insert = (given: string) =>
        seedClient(store.db, { givenName: given, familyName: 'Import', clinicianId: clinician });
      bulkImport(store.sqlite, () => store.sqlite.transaction(() => ['One', 'Two', 'Three'].forEach(insert))());
      expect(store.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');

      expect(() =>
        bulkImport(store.sqlite, () =>
          store.sqlite.transaction(() => {
            insert('Four');
            throw new Error('page failed validation');
          })(),
        ),
      ).toThrow('page failed validation');
      expect(store.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
      const names = store.sqlite
        .prepare("SELECT given_name FROM clients WHERE family_name = 'Import' ORDER BY given_name")
        .pluck()
        .all();
      expect(names).toEqual(['One', 'Three', 'Two']);
      expect(store.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      store.close();
    }
  });

  it('leaves the connection able to checkpoint, even after a migration rebuilt a table on it', async () => {
    const store = await unlockedStore();
    try {
      // A table rebuild, as drizzle-kit writes them for SQLite.
      store.sqlite.transaction(() => {
        store.sqlite.exec('CREATE TABLE rebuilt_old (id INTEGER PRIMARY KEY AUTOINCREMENT, a TEXT)');
        store.sqlite.exec('CREATE TABLE rebuilt_new (id INTEGER PRIMARY KEY AUTOINCREMENT, a TEXT, b TEXT)');
        store.sqlite.exec('DROP TABLE rebuilt_old');
        store.sqlite.exec('ALTER TABLE rebuilt_new RENAME TO rebuilt_old');
      })();
      const clinician = seedClinician(store.db);
      bulkImport(store.sqlite, () =>
        store.sqlite.transaction(() =>
          seedClient(store.db, { givenName: 'C', familyName: 'D', clinicianId: clinician }),
        )(),
      );
      expect(store.sqlite.pragma('wal_checkpoint(TRUNCATE)')).toEqual([{ busy: 0, log: 0, checkpointed: 0 }]);
    } finally {
      store.close();
    }
  });
});
