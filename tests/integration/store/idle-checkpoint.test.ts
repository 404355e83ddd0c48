import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startIdleCheckpoints, type IdleCheckpoints } from '../../../src/core/store/idle-checkpoint';
import { openDatabase, type SqliteDatabase } from '../../../src/core/store/open-database';
import { waitFor } from '../../helpers/async';
import { tempDir } from '../../helpers/temp-dir';

/**
 * The encrypted cache moves what autosaves wrote to its WAL into the database file while the
 * clinician pauses, not inside one of the saves: a real SQLCipher file on disk.
 */
const open: Array<{ sqlite: SqliteDatabase; checkpoints: IdleCheckpoints }> = [];
afterEach(() => {
  for (const { sqlite, checkpoints } of open.splice(0)) {
    checkpoints.stop();
    sqlite.close();
  }
});

function encryptedDatabase() {
  const path = join(tempDir(), 'cache.db');
  const sqlite = openDatabase(path, { key: randomBytes(32), create: true });
  sqlite.exec('CREATE TABLE drafts (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const save = sqlite.prepare('INSERT OR REPLACE INTO drafts (id, body) VALUES (?, ?)');
  return { path, sqlite, save };
}

const size = (path: string) => statSync(path).size;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('checkpoints while idle', () => {
  it('after a pause the saves are in the database file; none ran inside a save', async () => {
    const { path, sqlite, save } = encryptedDatabase();
    const checkpoints = startIdleCheckpoints(sqlite, { idleMs: 150, pollMs: 20 });
    open.push({ sqlite, checkpoints });
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(8_000);
    const before = size(path);
    // A burst of autosaves, well past SQLite's default threshold of 1,000 pages.
    for (let i = 0; i < 400; i += 1) save.run(i, 'x'.repeat(12_000));
    expect(size(path)).toBe(before);
    expect(size(`${path}-wal`)).toBeGreaterThan(1_000 * 4096);

    await waitFor(() => checkpoints.count === 1, 5_000);
    expect(size(path)).toBeGreaterThan(400 * 12_000);
    // Nothing new written: no further checkpoints.
    await sleep(300);
    expect(checkpoints.count).toBe(1);
  });

  it('waits while the clinician keeps typing', async () => {
    const { sqlite, save } = encryptedDatabase();
    const checkpoints = startIdleCheckpoints(sqlite, { idleMs: 200, pollMs: 20 });
    open.push({ sqlite, checkpoints });
    for (let i = 0; i < 15; i += 1) {
      save.run(1, `draft ${i}`);
      await sleep(50);
    }
    expect(checkpoints.count).toBe(0);
    await waitFor(() => checkpoints.count === 1, 5_000);
  });
});
