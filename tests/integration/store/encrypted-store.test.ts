import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveDraft, searchNotes } from '../../../src/core/store/repositories/notes';
import { loadChart } from '../../../src/core/store/repositories/chart';
import { openDatabase, SQLITE_PLAIN_MAGIC } from '../../../src/core/store/open-database';
import { CACHE_CIPHERS } from '../../../src/core/store/cache-cipher';
import { KeyVault } from '../../../src/core/vault/key-vault';
import {
  openWorkstationStore,
  type WorkstationStore,
  type WorkstationStoreOptions,
} from '../../../src/core/store/workstation-store';
import { StoreCorruptError, DiskFullError, StoreError } from '../../../src/core/store/errors';
import { migrateDatabase } from '../../../src/core/store/migrate';
import { createDrizzle } from '../../../src/core/store/db';
import { measures } from '../../../src/core/store/schema';
import { unavailableKeychain } from '../../../src/core/vault/keychain';
import { tempDir } from '../../helpers/temp-dir';
import { FAST_SCRYPT, MIGRATIONS_DIR, seedClient, seedClinician } from './seed';

const PASSPHRASE = 'correct horse battery staple';
// Client names (each part is stored in its own column) and phrases of note text.
const MARKERS = [
  'Zebulon',
  'Quatermaine',
  'Xanthippe',
  'Okonkwo-Lindqvist',
  'Maplewood bus depot',
  'pawnshop Ferriswheel',
];
const NOTE_TEXT = 'fentanyl relapse near the Maplewood bus depot; sold guitar at the pawnshop Ferriswheel';

async function newStore(
  profileDir: string,
  options: Pick<WorkstationStoreOptions, 'cacheCipher'> = {},
): Promise<WorkstationStore> {
  return openWorkstationStore({
    profileDir,
    migrationsDir: MIGRATIONS_DIR,
    keychain: unavailableKeychain(),
    scrypt: FAST_SCRYPT,
    ...options,
  });
}

function containsAny(path: string, markers: string[]): string[] {
  const bytes = readFileSync(path);
  const found: string[] = [];
  for (const marker of markers) {
    for (const encoding of ['utf8', 'utf16le'] as const) {
      if (bytes.includes(Buffer.from(marker, encoding))) found.push(`${marker} (${encoding})`);
    }
  }
  return found;
}

function writeMarkedData(store: WorkstationStore): { clientId: string; clinicianId: string } {
  const clinicianId = seedClinician(store.db);
  const clientId = seedClient(store.db, { givenName: 'Zebulon', familyName: 'Quatermaine', clinicianId });
  seedClient(store.db, { givenName: 'Xanthippe', familyName: 'Okonkwo-Lindqvist', clinicianId });
  for (let i = 0; i < 200; i += 1) {
    saveDraft(store.db, {
      id: randomUUID(),
      clientId,
      authorId: clinicianId,
      noteType: 'progress',
      template: 'SOAP',
      content: { S: `${NOTE_TEXT} (${i})`, O: 'Xanthippe Okonkwo-Lindqvist attended' },
    });
  }
  return { clientId, clinicianId };
}

describe('encrypted store on disk', () => {
  it('never writes marker names or note text in clear: database, WAL, key file', async () => {
    const dir = tempDir();
    const store = await newStore(dir);
    await store.vault.create(PASSPHRASE);
    writeMarkedData(store);

    const db = store.paths.database;
    const wal = `${db}-wal`;
    // The connection is still open: the recent writes sit in the WAL.
    expect(statSync(wal).size).toBeGreaterThan(100_000);
    expect(containsAny(wal, MARKERS)).toEqual([]);
    expect(containsAny(db, MARKERS)).toEqual([]);
    // (WAL frame headers — page numbers, salts, checksums — are plaintext by design; every
    // page image in the WAL is encrypted and authenticated like in the main file.)
    expect(readFileSync(db).subarray(0, 16).toString('latin1')).not.toBe(SQLITE_PLAIN_MAGIC);
    // Temp files: temp_store=MEMORY, and no stray files beside the database.
    expect(store.sqlite.pragma('temp_store', { simple: true })).toBe(2);

    store.close();
    expect(containsAny(db, MARKERS)).toEqual([]);
    expect(containsAny(store.paths.keyFile, MARKERS)).toEqual([]);
    expect(readFileSync(db).subarray(0, 16).toString('latin1')).not.toBe(SQLITE_PLAIN_MAGIC);
    expect(readFileSync(store.paths.keyFile, 'utf8')).not.toContain(PASSPHRASE);
  });

  it('the marker check would catch plaintext (control: the same data unencrypted)', () => {
    const dir = tempDir();
    const plain = openDatabase(join(dir, 'plain.db'), { key: null, create: true });
    migrateDatabase(plain, { migrationsDir: MIGRATIONS_DIR, dbPath: join(dir, 'plain.db') });
    const db = createDrizzle(plain);
    const clinicianId = seedClinician(db);
    seedClient(db, { givenName: 'Zebulon', familyName: 'Quatermaine', clinicianId });
    expect(containsAny(join(dir, 'plain.db-wal'), MARKERS)).toEqual(['Zebulon (utf8)', 'Quatermaine (utf8)']);
    plain.close();
    expect(readFileSync(join(dir, 'plain.db')).subarray(0, 16).toString('latin1')).toBe(SQLITE_PLAIN_MAGIC);
  });

  it('creates new caches in AEGIS-256 (recorded in the key file), with WAL, foreign keys, synchronous FULL, deleted content overwritten, no KDF at open', async () => {
    const dir = tempDir();
    const store = await newStore(dir);
    await store.vault.create(PASSPHRASE);
    const s = store.sqlite;
    expect(s.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(s.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(s.pragma('synchronous', { simple: true })).toBe(2);
    expect(s.pragma('secure_delete', { simple: true })).toBe(1);
    expect(s.pragma('cipher', { simple: true })).toBe('aegis');
    writeMarkedData(store);
    store.close();
    expect(JSON.parse(readFileSync(store.paths.keyFile, 'utf8')).database).toEqual({ cipher: 'aegis-256' });

    // With the real key, the file opens as AEGIS-256 and not as SQLCipher 4: it is what the key file says.
    const key = (await new KeyVault({ dir, keychain: unavailableKeychain() }).unlock(PASSPHRASE)).key;
    expect(() => openDatabase(store.paths.database, { key, cipher: CACHE_CIPHERS['sqlcipher-4'] })).toThrow(
      StoreCorruptError,
    );
    const db = openDatabase(store.paths.database, { key, cipher: CACHE_CIPHERS['aegis-256'] });
    expect(db.prepare('SELECT count(*) FROM session_notes').pluck().get()).toBe(200);
    db.close();
    key.fill(0);
  });

  it('still opens a cache in the format of earlier versions (SQLCipher 4, no format in the key file), and keeps it', async () => {
    const dir = tempDir();
    const old = await newStore(dir, { cacheCipher: 'sqlcipher-4' });
    await old.vault.create(PASSPHRASE);
    const { clientId } = writeMarkedData(old);
    old.close();
    // Exactly what earlier versions wrote: no `database` in the key file.
    expect(JSON.parse(readFileSync(old.paths.keyFile, 'utf8'))).not.toHaveProperty('database');

    const store = await newStore(dir);
    await store.vault.unlock(PASSPHRASE);
    expect(store.sqlite.pragma('cipher', { simple: true })).toBe('sqlcipher');
    expect(store.sqlite.pragma('secure_delete', { simple: true })).toBe(1);
    expect(loadChart(store.db, clientId)?.client.givenName).toBe('Zebulon');
    // A new passphrase re-wraps the key; the file keeps its format and opens again.
    await store.vault.changePassphrase(PASSPHRASE, 'a different long passphrase 2');
    store.close();
    expect(JSON.parse(readFileSync(store.paths.keyFile, 'utf8'))).not.toHaveProperty('database');
    const again = await newStore(dir);
    await again.vault.unlock('a different long passphrase 2');
    expect(searchNotes(again.db, 'Ferriswheel').length).toBeGreaterThan(0);
    again.close();
  });

  it('refuses a key file whose recorded format was removed or altered (it is authenticated)', async () => {
    const dir = tempDir();
    const store = await newStore(dir);
    await store.vault.create(PASSPHRASE);
    store.close();
    const file = JSON.parse(readFileSync(store.paths.keyFile, 'utf8')) as Record<string, unknown>;
    // Removed: the header no longer matches what the key was wrapped with.
    writeFileSync(store.paths.keyFile, JSON.stringify({ ...file, database: undefined }));
    const reopened = await newStore(dir);
    await expect(reopened.vault.unlock(PASSPHRASE)).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
    // A format this version does not know: written by a newer Continuum.
    writeFileSync(store.paths.keyFile, JSON.stringify({ ...file, database: { cipher: 'aegis-512' } }));
    await expect(reopened.vault.unlock(PASSPHRASE)).rejects.toMatchObject({ code: 'KEY_FILE_UNSUPPORTED_VERSION' });
    writeFileSync(store.paths.keyFile, JSON.stringify(file));
    await reopened.vault.unlock(PASSPHRASE);
    expect(reopened.isUnlocked).toBe(true);
    reopened.close();
  });

  it('loads a chart, saves drafts, searches note text (protected notes excluded by default)', async () => {
    const dir = tempDir();
    const store = await newStore(dir);
    await store.vault.create(PASSPHRASE);
    const clinicianId = seedClinician(store.db);
    const clientId = seedClient(store.db, { givenName: 'Ana', familyName: 'Ruiz', clinicianId });
    const noteId = randomUUID();
    saveDraft(store.db, {
      id: noteId,
      clientId,
      authorId: clinicianId,
      noteType: 'progress',
      template: 'DAP',
      content: { D: 'discussed naloxone kit' },
    });
    const again = saveDraft(store.db, {
      id: noteId,
      clientId,
      authorId: clinicianId,
      noteType: 'progress',
      template: 'DAP',
      content: { D: 'discussed naloxone kit and sleep hygiene' },
    });
    expect(again.draftRevision).toBe(2);
    saveDraft(store.db, {
      id: randomUUID(),
      clientId,
      authorId: clinicianId,
      noteType: 'psychotherapy',
      template: 'DAP',
      content: { D: 'naloxone protected' },
    });
    store.db
      .insert(measures)
      .values([
        { id: randomUUID(), clientId, code: 'PHQ9', value: 12, observedAt: '2026-01-01T00:00:00Z' },
        { id: randomUUID(), clientId, code: 'PHQ9', value: 9, observedAt: '2026-02-01T00:00:00Z' },
      ])
      .run();

    expect(searchNotes(store.db, 'sleep hyg').map((h) => h.noteId)).toEqual([noteId]);
    expect(searchNotes(store.db, 'naloxone')).toHaveLength(1);
    expect(searchNotes(store.db, 'naloxone', { includeProtected: true })).toHaveLength(2);
    expect(searchNotes(store.db, 'kit"); DROP TABLE clients; --')).toEqual([]);

    const chart = loadChart(store.db, clientId);
    expect(chart?.client.familyName).toBe('Ruiz');
    expect(chart?.notes).toHaveLength(2);
    expect(chart?.measureSeries.PHQ9?.map((p) => p.value)).toEqual([12, 9]);
    store.close();
  });

  it('a signed note cannot be edited in place (trigger) and saveDraft refuses it', async () => {
    const dir = tempDir();
    const store = await newStore(dir);
    await store.vault.create(PASSPHRASE);
    const clinicianId = seedClinician(store.db);
    const clientId = seedClient(store.db, { givenName: 'Ana', familyName: 'Ruiz', clinicianId });
    const id = randomUUID();
    saveDraft(store.db, {
      id,
      clientId,
      authorId: clinicianId,
      noteType: 'progress',
      template: 'DAP',
      content: { D: 'x' },
    });
    store.sqlite
      .prepare("UPDATE session_notes SET status='signed', signed_at=?, signed_by=?, content_hash='h' WHERE id=?")
      .run(new Date().toISOString(), clinicianId, id);
    expect(() => store.sqlite.prepare(`UPDATE session_notes SET content='{"D":"changed"}' WHERE id=?`).run(id)).toThrow(
      /immutable/,
    );
    store.sqlite.prepare("UPDATE session_notes SET server_version='7' WHERE id=?").run(id);
    expect(() =>
      saveDraft(store.db, {
        id,
        clientId,
        authorId: clinicianId,
        noteType: 'progress',
        template: 'DAP',
        content: { D: 'y' },
      }),
    ).toThrow(StoreError);
    store.close();
  });
});

describe('bad input ends in typed errors, never a reset', () => {
  it('a damaged database header fails unlock with StoreCorruptError and leaves the file untouched', async () => {
    const dir = tempDir();
    const store = await newStore(dir);
    await store.vault.create(PASSPHRASE);
    writeMarkedData(store);
    store.close();

    const path = join(dir, 'caseload.db');
    const bytes = readFileSync(path);
    bytes.fill(0x41, 200, 600); // inside page 1
    writeFileSync(path, bytes);
    const before = readFileSync(path);

    const again = await newStore(dir);
    await expect(again.vault.unlock(PASSPHRASE)).rejects.toBeInstanceOf(StoreCorruptError);
    expect(again.isUnlocked).toBe(false);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(existsSync(again.paths.keyFile)).toBe(true);
    again.close();
  });

  it('a damaged data page surfaces as StoreCorruptError when read', async () => {
    const dir = tempDir();
    const store = await newStore(dir);
    await store.vault.create(PASSPHRASE);
    const { clientId } = writeMarkedData(store);
    store.close();
    const path = join(dir, 'caseload.db');
    const bytes = readFileSync(path);
    // Flip one byte in every page after the first 8 (HMAC fails on each).
    for (let offset = 4096 * 8 + 100; offset < bytes.length; offset += 4096)
      bytes[offset] = (bytes[offset] ?? 0) ^ 0xff;
    writeFileSync(path, bytes);
    const again = await newStore(dir);
    let error: unknown;
    try {
      await again.vault.unlock(PASSPHRASE);
      loadChart(again.db, clientId);
      searchNotes(again.db, 'Maplewood');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreCorruptError);
    again.close();
  });

  it('a missing database file with an existing key file is an error, not a fresh database', async () => {
    const dir = tempDir();
    const store = await newStore(dir);
    await store.vault.create(PASSPHRASE);
    store.close();
    const { rmSync } = await import('node:fs');
    rmSync(join(dir, 'caseload.db'));
    const again = await newStore(dir);
    await expect(again.vault.unlock(PASSPHRASE)).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
    expect(existsSync(join(dir, 'caseload.db'))).toBe(false);
    again.close();
  });

  it('a full database (SQLITE_FULL) fails the save with DiskFullError and keeps earlier data', async () => {
    const dir = tempDir();
    const store = await newStore(dir);
    await store.vault.create(PASSPHRASE);
    const clinicianId = seedClinician(store.db);
    const clientId = seedClient(store.db, { givenName: 'Ana', familyName: 'Ruiz', clinicianId });
    const pages = store.sqlite.pragma('page_count', { simple: true }) as number;
    store.sqlite.pragma(`max_page_count = ${pages + 3}`);
    const big = randomBytes(6000).toString('hex');
    let error: unknown;
    let saved = 0;
    try {
      for (let i = 0; i < 50; i += 1) {
        saveDraft(store.db, {
          id: randomUUID(),
          clientId,
          authorId: clinicianId,
          noteType: 'progress',
          template: 'DAP',
          content: { D: big },
        });
        saved += 1;
      }
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DiskFullError);
    expect((error as DiskFullError).code).toBe('DISK_FULL');
    const count = (store.sqlite.prepare('SELECT count(*) AS n FROM session_notes').get() as { n: number }).n;
    expect(count).toBe(saved);
    expect(store.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    store.close();
  });
});
