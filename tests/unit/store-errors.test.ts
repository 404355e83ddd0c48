import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DiskFullError, StoreCorruptError, StoreError, toStoreError } from '../../src/core/store/errors';
import { toMatchExpression } from '../../src/core/store/repositories/notes';
import { throttleDelayMs } from '../../src/core/vault/key-vault';

describe('toStoreError', () => {
  it('maps a real ENOSPC (writing to /dev/full) to DiskFullError', () => {
    let raw: unknown;
    try {
      writeFileSync('/dev/full', 'x'.repeat(100_000));
    } catch (error) {
      raw = error;
    }
    expect((raw as NodeJS.ErrnoException).code).toBe('ENOSPC');
    const mapped = toStoreError(raw, 'saving');
    expect(mapped).toBeInstanceOf(DiskFullError);
    expect(mapped.code).toBe('DISK_FULL');
  });

  it('maps SQLite codes', () => {
    const sqlite = (code: string, message = 'x') => Object.assign(new Error(message), { code });
    expect(toStoreError(sqlite('SQLITE_FULL'), 's')).toBeInstanceOf(DiskFullError);
    expect(toStoreError(sqlite('SQLITE_NOTADB'), 's')).toBeInstanceOf(StoreCorruptError);
    expect(toStoreError(sqlite('SQLITE_CORRUPT'), 's')).toBeInstanceOf(StoreCorruptError);
    const other = toStoreError(
      sqlite('SQLITE_ERROR', 'near "SELECT": syntax error in SELECT given_name FROM clients'),
      'loading',
    );
    expect(other).toBeInstanceOf(StoreError);
    expect(other.code).toBe('STORE_IO');
    // No SQL (or PHI inside it) in the message.
    expect(other.message).toBe('loading failed (SQLITE_ERROR).');
  });
});

describe('toMatchExpression', () => {
  it('quotes words so user input is never FTS syntax; last word is a prefix', () => {
    expect(toMatchExpression('naloxone kit')).toBe('"naloxone" "kit"*');
    expect(toMatchExpression('a"b OR NEAR(')).toBe('"a" "b" "OR" "NEAR"*');
    expect(toMatchExpression('   ')).toBeNull();
  });
});

describe('throttleDelayMs', () => {
  it('is free for 5 failures, then doubles from 30 s, capped at 15 min', () => {
    expect([0, 4].map(throttleDelayMs)).toEqual([0, 0]);
    expect(throttleDelayMs(5)).toBe(30_000);
    expect(throttleDelayMs(6)).toBe(60_000);
    expect(throttleDelayMs(40)).toBe(900_000);
  });
});
