import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { Core } from '../core/core';
import { RpcClient } from '../shared/rpc/client';
import { RpcError } from '../shared/rpc/errors';
import type { ClientMessage, CoreMessage, RpcPort } from '../shared/rpc/wire';

/**
 * Set up the demo workstation the way a clinician would on first run, through the core's own
 * RPC methods (the core runs in this process): sign in to the clinic server, then create the
 * workstation passphrase, which keeps the session in the new encrypted cache. A profile that is
 * already set up is left alone (it unlocks with the same passphrase).
 */
export interface DemoWorkstationOptions {
  serverUrl: string;
  username: string;
  password: string;
  passphrase: string;
}

export type DemoWorkstationOutcome =
  | { status: 'signedIn'; displayName: string }
  | { status: 'alreadySetUp'; vault: 'locked' | 'unlocked' | 'unavailable' }
  /** This core cannot sign in yet (`session.signIn` answers UNAVAILABLE): nothing was changed. */
  | { status: 'signInUnavailable' }
  | { status: 'failed'; step: 'signIn' | 'createPassphrase'; code: string; message: string };

function portOf<In, Out>(port: MessagePort): RpcPort<In, Out> {
  return {
    send: (message) => port.postMessage(message),
    onMessage: (listener) => {
      const handler = (data: unknown): void => listener(data as In);
      port.on('message', handler);
      return () => port.off('message', handler);
    },
    onClose: (listener) => {
      port.on('close', listener);
      return () => port.off('close', listener);
    },
    close: () => port.close(),
  };
}

const failed = (step: 'signIn' | 'createPassphrase', error: unknown): DemoWorkstationOutcome =>
  error instanceof RpcError
    ? { status: 'failed', step, code: error.code, message: error.message }
    : { status: 'failed', step, code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };

export async function setUpDemoWorkstation(
  core: Core,
  options: DemoWorkstationOptions,
): Promise<DemoWorkstationOutcome> {
  const { port1, port2 } = new MessageChannel();
  const disconnect = core.dispatcher.connect(portOf<unknown, CoreMessage>(port2));
  const client = new RpcClient(portOf<unknown, ClientMessage>(port1));
  try {
    const vault = await client.call('vault.status', {});
    if (vault.state !== 'uninitialised') return { status: 'alreadySetUp', vault: vault.state };
    let displayName: string;
    try {
      const session = await client.call('session.signIn', {
        serverUrl: options.serverUrl,
        username: options.username,
        password: options.password,
      });
      displayName = session.user?.displayName ?? options.username;
    } catch (error) {
      if (error instanceof RpcError && error.code === 'UNAVAILABLE') return { status: 'signInUnavailable' };
      return failed('signIn', error);
    }
    try {
      await client.call('vault.create', { passphrase: options.passphrase });
    } catch (error) {
      return failed('createPassphrase', error);
    }
    return { status: 'signedIn', displayName };
  } finally {
    client.close();
    disconnect();
  }
}
