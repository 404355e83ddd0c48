import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/core/fs/atomic-write';
import { tempDir } from '../helpers/temp-dir';

const mode = (path: string): number => statSync(path).mode & 0o777;

describe('writeFileAtomic', () => {
  it('creates a file with the content and mode 0600', () => {
    const dir = tempDir();
    const file = join(dir, 'preferences.json');
    writeFileAtomic(file, '{"language":"es"}\n');
    expect(readFileSync(file, 'utf8')).toBe('{"language":"es"}\n');
    expect(mode(file)).toBe(0o600);
  });

  it('replaces existing content completely and leaves no temporary files', () => {
    const dir = tempDir();
    const file = join(dir, 'state.json');
    writeFileSync(file, 'a much longer old content that must not survive in any part');
    writeFileAtomic(file, 'new');
    expect(readFileSync(file, 'utf8')).toBe('new');
    for (let i = 0; i < 20; i += 1) writeFileAtomic(file, `version ${i}`);
    expect(readFileSync(file, 'utf8')).toBe('version 19');
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it('writes binary data byte for byte', () => {
    const dir = tempDir();
    const file = join(dir, 'blob.bin');
    const bytes = new Uint8Array(300_000).map((_, i) => (i * 7) % 256);
    writeFileAtomic(file, bytes);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('keeps the file owner-only even when it was more open before', () => {
    const dir = tempDir();
    const file = join(dir, 'preferences.json');
    writeFileSync(file, 'old');
    chmodSync(file, 0o644);
    writeFileAtomic(file, 'new');
    expect(mode(file)).toBe(0o600);
    writeFileAtomic(file, 'newer');
    expect(mode(file)).toBe(0o600);
  });

  it('honours an explicit mode', () => {
    const dir = tempDir();
    const file = join(dir, 'public.txt');
    writeFileAtomic(file, 'x', 0o400);
    expect(mode(file)).toBe(0o400);
  });

  it('leaves the old content and no temporary file when the replace fails', () => {
    const dir = tempDir();
    const target = join(dir, 'occupied');
    mkdirSync(target);
    writeFileSync(join(target, 'inside.txt'), 'kept');
    expect(() => writeFileAtomic(target, 'new')).toThrow();
    expect(readdirSync(dir)).toEqual(['occupied']);
    expect(readFileSync(join(target, 'inside.txt'), 'utf8')).toBe('kept');
  });

  it('fails without writing anything when the folder does not exist', () => {
    const dir = tempDir();
    expect(() => writeFileAtomic(join(dir, 'missing', 'file.json'), 'x')).toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
