import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openWorkstationStore } from '../../../src/core/store/workstation-store';
import { unavailableKeychain } from '../../../src/core/vault/keychain';
import { tempDir } from '../../helpers/temp-dir';
import { FAST_SCRYPT, MIGRATIONS_DIR, seedClient, seedClinician } from './seed';

const PASSPHRASE = 'crash test passphrase';
const WRITER = join(import.meta.dirname, 'fixtures/draft-writer.ts');

describe('crash safety', () => {
  it('every draft whose save returned survives SIGKILL; the database is intact', async () => {
    const dir = tempDir();
    const setup = await openWorkstationStore({
      profileDir: dir,
      migrationsDir: MIGRATIONS_DIR,
      keychain: unavailableKeychain(),
      scrypt: FAST_SCRYPT,
    });
    await setup.vault.create(PASSPHRASE);
    const clinicianId = seedClinician(setup.db);
    seedClient(setup.db, { givenName: 'Ana', familyName: 'Ruiz', clinicianId, id: randomUUID() });
    setup.close();

    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir, MIGRATIONS_DIR, PASSPHRASE], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`writer did not get going: ${stderr}`)), 20_000);
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        // Kill in the middle of the stream, after a good number of saves (some are updates).
        if ((stdout.match(/^saved /gm)?.length ?? 0) >= 150) {
          clearTimeout(timer);
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    expect(await exited).toBe('SIGKILL');

    // The last returned revision of each note, as the writer reported it.
    const expected = new Map<string, { revision: number; marker: string }>();
    for (const line of stdout.split('\n')) {
      const match = /^saved (\S+) (\d+) (\S+)$/.exec(line);
      if (match) expected.set(match[1]!, { revision: Number(match[2]), marker: match[3]! });
    }
    expect(expected.size).toBeGreaterThan(90);

    const store = await openWorkstationStore({
      profileDir: dir,
      migrationsDir: MIGRATIONS_DIR,
      keychain: unavailableKeychain(),
      scrypt: FAST_SCRYPT,
    });
    await store.vault.unlock(PASSPHRASE); // also takes over the killed writer's stale profile lock
    expect(store.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    const rows = store.sqlite
      .prepare('SELECT id, draft_revision AS revision, note_text(content) AS body FROM session_notes')
      .all() as Array<{
      id: string;
      revision: number;
      body: string;
    }>;
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const [id, { revision, marker }] of expected) {
      const row = byId.get(id);
      expect(row, `draft ${id} lost`).toBeDefined();
      // The stored revision is the reported one or a later one (a save may have committed
      // just before the kill without its line being read).
      expect(row!.revision).toBeGreaterThanOrEqual(revision);
      if (row!.revision === revision) expect(row!.body.startsWith(`${marker}\n`)).toBe(true);
    }
    expect(store.audit.verify().ok).toBe(true);
    store.close();
  });
});
