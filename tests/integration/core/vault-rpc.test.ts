import { readFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CoreOptions } from '../../../src/core/core';
import type { EventName, EventPayload } from '../../../src/shared/rpc/contract';
import { RpcError } from '../../../src/shared/rpc/errors';
import { rejectionOf, waitFor } from '../../helpers/async';
import { startTestCore } from '../../helpers/core';
import { tempDir } from '../../helpers/temp-dir';

/**
 * The lock screen's contract, end to end through the real core: a real SQLCipher file, the
 * passphrase-only vault (no keychain: the keychain itself is covered by the vault suite) and
 * RPC over a real MessageChannel.
 */
const PASSPHRASE = 'orchard velvet compass nine';

function start(profileDir: string, options: Partial<CoreOptions> = {}) {
  const running = startTestCore(profileDir, options);
  const events: Array<{ event: EventName; payload: unknown; at: number }> = [];
  const listen = <E extends EventName>(event: E): void => {
    running.client.subscribe(event, (payload: EventPayload<E>) => events.push({ event, payload, at: Date.now() }));
  };
  listen('vault.stateChanged');
  listen('vault.locking');
  return { ...running, events };
}

describe('vault over RPC', () => {
  it('first run: uninitialised, then create opens the cache and says how it is protected', async () => {
    const { client, events } = start(tempDir());
    expect(await client.call('vault.status', {})).toMatchObject({
      state: 'uninitialised',
      keychain: 'unavailable',
      protection: null,
      autoLockSeconds: 600,
      problem: null,
    });
    const status = await client.call('vault.create', { passphrase: PASSPHRASE });
    expect(status).toMatchObject({ state: 'unlocked', protection: 'passphrase', failedAttempts: 0 });
    await waitFor(() => events.some((e) => e.event === 'vault.stateChanged'));
  });

  it('refuses a passphrase shorter than the rule, and creates nothing', async () => {
    const { client } = start(tempDir());
    const error = await rejectionOf(client.call('vault.create', { passphrase: 'too short' }), RpcError);
    expect(error.code).toBe('PASSPHRASE_TOO_WEAK');
    expect((await client.call('vault.status', {})).state).toBe('uninitialised');
  });

  it('lock, a wrong passphrase (counted), then the right one; the lock survives a core restart', async () => {
    const profile = tempDir();
    const first = start(profile);
    await first.client.call('vault.create', { passphrase: PASSPHRASE });
    expect(await first.client.call('vault.lock', {})).toMatchObject({ state: 'locked', lastLockReason: 'manual' });

    const wrong = await rejectionOf(
      first.client.call('vault.unlock', { passphrase: 'this is not it at all' }),
      RpcError,
    );
    expect(wrong.code).toBe('WRONG_PASSPHRASE');
    expect(wrong.message).not.toContain('this is not it');
    expect(await first.client.call('vault.status', {})).toMatchObject({ state: 'locked', failedAttempts: 1 });
    await first.stop();

    const second = start(profile);
    expect(await second.client.call('vault.status', {})).toMatchObject({ state: 'locked', failedAttempts: 1 });
    expect(await second.client.call('vault.unlock', { passphrase: PASSPHRASE })).toMatchObject({
      state: 'unlocked',
      failedAttempts: 0,
    });
  });

  it('methods that need the caseload are refused while locked', async () => {
    const { client } = start(tempDir());
    await client.call('vault.create', { passphrase: PASSPHRASE });
    await client.call('vault.lock', {});
    const error = await rejectionOf(
      client.call('vault.changePassphrase', { current: PASSPHRASE, next: 'x'.repeat(12) }),
      RpcError,
    );
    expect(error.code).toBe('LOCKED');
  });

  it('after the idle time it announces the lock, waits for windows to flush, then locks', async () => {
    const { client, events } = start(tempDir(), { autoLockSeconds: 1 });
    await client.call('vault.create', { passphrase: PASSPHRASE });
    const unlockedAt = Date.now();
    await waitFor(
      () => events.some((e) => e.event === 'vault.stateChanged' && (e.payload as { state: string }).state === 'locked'),
      6_000,
    );
    const locking = events.find((e) => e.event === 'vault.locking');
    const locked = events.find(
      (e) => e.event === 'vault.stateChanged' && (e.payload as { state: string }).state === 'locked',
    );
    expect(locking?.payload).toEqual({ reason: 'idle', graceMs: 1000 });
    expect(locking!.at - unlockedAt).toBeGreaterThanOrEqual(900);
    expect(locked!.at - locking!.at).toBeGreaterThanOrEqual(900);
    expect(await client.call('vault.status', {})).toMatchObject({ state: 'locked', lastLockReason: 'idle' });
  });

  it('activity keeps it unlocked', async () => {
    const { client } = start(tempDir(), { autoLockSeconds: 1 });
    await client.call('vault.create', { passphrase: PASSPHRASE });
    const until = Date.now() + 2_500;
    while (Date.now() < until) {
      await client.call('session.activity', {});
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect((await client.call('vault.status', {})).state).toBe('unlocked');
  });

  it('erase only goes ahead when the caller saw the current number of unsynced changes', async () => {
    const { client } = start(tempDir());
    await client.call('vault.create', { passphrase: PASSPHRASE });
    await client.call('vault.lock', {});
    const refused = await rejectionOf(client.call('vault.erase', { acknowledgedUnsyncedChanges: 3 }), RpcError);
    expect(refused.code).toBe('CONFLICT');
    expect((await client.call('vault.status', {})).state).toBe('locked');
    expect(await client.call('vault.erase', { acknowledgedUnsyncedChanges: 0 })).toMatchObject({
      state: 'uninitialised',
    });
  });

  it('a second core on the same profile reports PROFILE_IN_USE and changes nothing', async () => {
    const profile = tempDir();
    const first = start(profile);
    await first.client.call('vault.create', { passphrase: PASSPHRASE });
    const second = start(profile);
    expect(await second.client.call('vault.status', {})).toMatchObject({
      state: 'unavailable',
      problem: 'PROFILE_IN_USE',
    });
    const error = await rejectionOf(second.client.call('vault.unlock', { passphrase: PASSPHRASE }), RpcError);
    expect(error.code).toBe('PROFILE_IN_USE');
    expect((await first.client.call('vault.status', {})).state).toBe('unlocked');
  });

  it('a truncated key file: a clear error, and the file is left exactly as it was', async () => {
    const profile = tempDir();
    const first = start(profile);
    await first.client.call('vault.create', { passphrase: PASSPHRASE });
    await first.stop();
    const keyFile = join(profile, 'vault.key.json');
    truncateSync(keyFile, Math.floor(statSync(keyFile).size / 2));
    const damaged = readFileSync(keyFile);
    const database = readFileSync(join(profile, 'caseload.db'));

    const second = start(profile);
    const error = await rejectionOf(second.client.call('vault.unlock', { passphrase: PASSPHRASE }), RpcError);
    expect(error.code).toBe('STORE_DAMAGED');
    expect(error.message).toMatch(/key file is damaged/);
    await second.stop();
    expect(readFileSync(keyFile).equals(damaged)).toBe(true);
    expect(readFileSync(join(profile, 'caseload.db')).equals(database)).toBe(true);
  });
});
