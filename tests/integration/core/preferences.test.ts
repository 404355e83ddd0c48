import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { RpcClient } from '../../../src/shared/rpc/client';
import { RpcError } from '../../../src/shared/rpc/errors';
import { DEFAULT_PREFERENCES } from '../../../src/shared/settings/preferences';
import { startTestCore } from '../../helpers/core';
import { createRpcChannel } from '../../helpers/message-channel-port';
import { tempDir } from '../../helpers/temp-dir';

const start = (profileDir: string) => startTestCore(profileDir);

const preferencesFile = (profileDir: string): string => join(profileDir, 'preferences.json');

describe('core preferences', () => {
  it('starts with the defaults on a fresh profile', async () => {
    const profile = tempDir();
    const { client } = start(profile);
    expect(await client.call('settings.get', {})).toEqual(DEFAULT_PREFERENCES);
    expect(existsSync(preferencesFile(profile))).toBe(false);
  });

  it('keeps an update across a restart of the core', async () => {
    const profile = tempDir();
    const first = start(profile);
    expect(await first.client.call('settings.update', { language: 'es' })).toEqual({
      language: 'es',
      colorScheme: 'auto',
      autoLockMinutes: 10,
    });
    expect(await first.client.call('settings.update', { colorScheme: 'dark' })).toEqual({
      language: 'es',
      colorScheme: 'dark',
      autoLockMinutes: 10,
    });
    await first.stop();

    const second = start(profile);
    expect(await second.client.call('settings.get', {})).toEqual({
      language: 'es',
      colorScheme: 'dark',
      autoLockMinutes: 10,
    });
    // Preferences are the clinician's own: readable by the owner only.
    expect(statSync(preferencesFile(profile)).mode & 0o777).toBe(0o600);
  });

  it('tells every subscribed window about a change', async () => {
    const profile = tempDir();
    const { core, client } = start(profile);
    const otherChannel = createRpcChannel();
    core.dispatcher.connect(otherChannel.corePort);
    const other = new RpcClient(otherChannel.clientPort);
    onTestFinished(() => {
      other.close();
      otherChannel.close();
    });
    const seen: unknown[] = [];
    other.subscribe('settings.changed', (payload) => seen.push(payload));
    await other.call('system.ping', { message: 'subscribed' });

    await client.call('settings.update', { language: 'es' });
    await other.call('system.ping', { message: 'sync' });
    expect(seen).toEqual([{ language: 'es', colorScheme: 'auto', autoLockMinutes: 10 }]);
  });

  it('moves an unreadable preferences file aside, intact, and uses the defaults', async () => {
    const profile = tempDir();
    const broken = '{"language": "es", "colorScheme": ';
    writeFileSync(preferencesFile(profile), broken);
    const { client, stop } = start(profile);

    expect(await client.call('settings.get', {})).toEqual(DEFAULT_PREFERENCES);
    const aside = readdirSync(profile).filter((name) => name.startsWith('preferences.json.'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(profile, aside[0] ?? ''), 'utf8')).toBe(broken);
    expect(existsSync(preferencesFile(profile))).toBe(false);

    // Saving again writes a fresh file and leaves the set-aside copy alone.
    await client.call('settings.update', { language: 'es' });
    await stop();
    expect(JSON.parse(readFileSync(preferencesFile(profile), 'utf8'))).toEqual({
      language: 'es',
      colorScheme: 'auto',
      autoLockMinutes: 10,
    });
    expect(readFileSync(join(profile, aside[0] ?? ''), 'utf8')).toBe(broken);
    expect(readFileSync(join(profile, 'logs', 'core.log'), 'utf8')).toContain('preferences were unreadable');
  });

  it('moves aside a file with a value outside the schema', async () => {
    const profile = tempDir();
    const content = JSON.stringify({ language: 'fr', colorScheme: 'dark' });
    writeFileSync(preferencesFile(profile), content);
    const { client } = start(profile);
    expect(await client.call('settings.get', {})).toEqual(DEFAULT_PREFERENCES);
    const aside = readdirSync(profile).filter((name) => name.startsWith('preferences.json.'));
    expect(aside.map((name) => readFileSync(join(profile, name), 'utf8'))).toEqual([content]);
  });

  it('rejects an invalid patch with BAD_REQUEST and leaves the file unchanged', async () => {
    const profile = tempDir();
    const { client, channel, recorder } = start(profile);
    await client.call('settings.update', { language: 'es', colorScheme: 'light' });
    const before = readFileSync(preferencesFile(profile));
    const changed: unknown[] = [];
    client.subscribe('settings.changed', (payload) => changed.push(payload));

    // Sent raw, past the client's own check, so the core's validation is what answers.
    channel.clientSide.postMessage({
      type: 'request',
      id: 1000,
      method: 'settings.update',
      params: { language: 'fr' },
    });
    const response = await recorder.response(1000);
    expect(response).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect((response as { error: { message: string } }).error.message).toContain('language');

    channel.clientSide.postMessage({ type: 'request', id: 1001, method: 'settings.update', params: { theme: 'dark' } });
    expect(await recorder.response(1001)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });

    // And through the client, which refuses before sending.
    const error: unknown = await client.call('settings.update', { language: 'fr' } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe('BAD_REQUEST');

    expect(readFileSync(preferencesFile(profile))).toEqual(before);
    expect(await client.call('settings.get', {})).toEqual({
      language: 'es',
      colorScheme: 'light',
      autoLockMinutes: 10,
    });
    expect(changed).toEqual([]);
  });

  it('describes itself through system.info', async () => {
    const { client } = start(tempDir());
    const info = await client.call('system.info', {});
    expect(info).toMatchObject({
      appVersion: '1.2.3-test',
      runtime: 'node',
      runtimeVersion: process.versions.node,
      rpcProtocolVersion: 1,
    });
    expect(await client.call('sync.status', {})).toEqual({ state: 'signedOut', pending: 0, lastSyncedAt: null });
  });
});
