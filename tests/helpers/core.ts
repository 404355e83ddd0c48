import { onTestFinished } from 'vitest';
import { startCore, type Core, type CoreOptions } from '../../src/core/core';
import { unavailableKeychain } from '../../src/core/store';
import { RpcClient } from '../../src/shared/rpc/client';
import { MIGRATIONS_DIR, FAST_SCRYPT, PULL_WORKER } from '../integration/store/seed';
import { createRpcChannel, MessageRecorder, type RpcChannel } from './message-channel-port';

export interface RunningCore {
  core: Core;
  client: RpcClient;
  channel: RpcChannel;
  /** Every raw message the core sent to this window. */
  recorder: MessageRecorder;
  stop(): Promise<void>;
}

/**
 * A real core on `profileDir` with one window connected over a real MessageChannel; stopped
 * when the test finishes. Passphrase-only vault (the keychain has its own suite) with a fast KDF.
 */
export function startTestCore(profileDir: string, options: Partial<CoreOptions> = {}): RunningCore {
  const core = startCore({
    profileDir,
    appVersion: '1.2.3-test',
    runtime: 'node',
    migrationsDir: MIGRATIONS_DIR,
    pullWorker: PULL_WORKER,
    keychain: unavailableKeychain(),
    scrypt: FAST_SCRYPT,
    ...options,
  });
  const channel = createRpcChannel();
  const recorder = new MessageRecorder(channel.clientSide);
  core.dispatcher.connect(channel.corePort);
  const client = new RpcClient(channel.clientPort);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    client.close();
    channel.close();
    await core.close();
  };
  onTestFinished(stop);
  return { core, client, channel, recorder, stop };
}
