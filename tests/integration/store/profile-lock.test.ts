import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProfileLockedError } from '../../../src/core/store/errors';
import { openWorkstationStore } from '../../../src/core/store/workstation-store';
import { unavailableKeychain } from '../../../src/core/vault/keychain';
import { tempDir } from '../../helpers/temp-dir';
import { MIGRATIONS_DIR } from './seed';

const OPENER = join(import.meta.dirname, 'fixtures/open-profile.ts');
const open = (profileDir: string) =>
  openWorkstationStore({ profileDir, migrationsDir: MIGRATIONS_DIR, keychain: unavailableKeychain() });
const tryInChild = (profileDir: string): string =>
  execFileSync(process.execPath, ['--import', 'tsx', OPENER, profileDir, MIGRATIONS_DIR], { encoding: 'utf8' }).trim();

describe('profile lock', () => {
  it('a second workstation process on the same profile gets PROFILE_LOCKED', async () => {
    const dir = tempDir();
    const store = await open(dir);
    expect(tryInChild(dir)).toBe('error PROFILE_LOCKED');
    store.close();
    expect(tryInChild(dir)).toBe('opened');
  });

  it('a second open in the same process is refused too', async () => {
    const dir = tempDir();
    const store = await open(dir);
    const error = await open(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProfileLockedError);
    expect((error as ProfileLockedError).holderPid).toBe(process.pid);
    store.close();
  });

  it('a stale lock (its process is gone) is taken over', async () => {
    const dir = tempDir();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const lockPath = join(dir, 'profile.lock');
    const { hostname } = await import('node:os');
    writeFileSync(
      lockPath,
      JSON.stringify({ pid: Number(dead.stdout), host: hostname(), startedAt: new Date().toISOString() }),
    );
    const store = await open(dir);
    expect(JSON.parse(readFileSync(lockPath, 'utf8'))).toMatchObject({ pid: process.pid });
    store.close();
  });

  it('a lock held from another host is not taken over', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'profile.lock'), JSON.stringify({ pid: 1, host: 'other-laptop', startedAt: '' }));
    await expect(open(dir)).rejects.toMatchObject({ code: 'PROFILE_LOCKED', holderHost: 'other-laptop' });
  });
});
