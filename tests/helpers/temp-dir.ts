import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';

export interface TempDir {
  path: string;
  remove(): void;
}

/** A fresh folder under the OS temp dir; the caller removes it (for beforeAll/afterAll use). */
export function createTempDir(prefix = 'continuum-test-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A fresh folder that is removed when the current test finishes. Call it inside a test. */
export function tempDir(prefix?: string): string {
  const dir = createTempDir(prefix);
  onTestFinished(() => dir.remove());
  return dir.path;
}
