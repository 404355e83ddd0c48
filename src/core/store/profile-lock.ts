import { closeSync, openSync, readFileSync, rmSync, writeSync, fsyncSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ProfileLockedError, toStoreError } from './errors';

export interface ProfileLock {
  readonly path: string;
  release(): void;
}

interface LockContent {
  pid: number;
  host: string;
  startedAt: string;
}

/**
 * Take the profile's exclusive lock file (`<profileDir>/profile.lock`, created with O_EXCL and
 * holding the pid). A second workstation process on the same profile gets ProfileLockedError
 * instead of opening the cache beside the first. A lock left by a process that no longer runs
 * on this host (crash, power loss) is stale and is taken over. A lock from another host (a
 * profile on a network share) is never taken over automatically.
 *
 * The SQLite connection additionally runs in EXCLUSIVE locking mode, so even a process that
 * ignored this file could not open the database concurrently.
 */
export function acquireProfileLock(profileDir: string): ProfileLock {
  const path = join(profileDir, 'profile.lock');
  const content: LockContent = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, JSON.stringify(content));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      return {
        path,
        release: () => {
          const holder = readLock(path);
          if (holder && holder.pid === content.pid && holder.host === content.host) rmSync(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw toStoreError(error, 'taking the profile lock');
    }
    const holder = readLock(path);
    if (holder && isHeld(holder)) throw new ProfileLockedError(holder.pid, holder.host);
    // Stale (dead pid on this host) or unreadable (crash while writing it): take it over.
    rmSync(path, { force: true });
  }
  const holder = readLock(path);
  throw new ProfileLockedError(holder?.pid ?? -1, holder?.host ?? 'unknown');
}

function readLock(path: string): LockContent | null {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockContent>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return null;
    return { pid: parsed.pid, host: parsed.host, startedAt: String(parsed.startedAt ?? '') };
  } catch {
    return null;
  }
}

function isHeld(holder: LockContent): boolean {
  if (holder.host !== hostname()) return true;
  if (holder.pid === process.pid) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
