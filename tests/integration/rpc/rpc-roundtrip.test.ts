import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createLogger } from '../../../src/core/logging/logger';
import { RpcDispatcher, type Handlers, type RequestContext } from '../../../src/core/rpc/dispatcher';
import { RpcClient } from '../../../src/shared/rpc/client';
import type { MethodName } from '../../../src/shared/rpc/contract';
import { RpcError } from '../../../src/shared/rpc/errors';
import { within } from '../../helpers/async';
import { testHandlers } from '../../helpers/handlers';
import { createRpcChannel, isObject, MessageRecorder, type RpcChannel } from '../../helpers/message-channel-port';
import { tempDir } from '../../helpers/temp-dir';

/** Pretend PHI: it must never reach the caller or the log. */
const MARKER = 'PHI-MARKER-Jane-Doe-1985-03-14';

interface Setup {
  dispatcher: RpcDispatcher;
  client: RpcClient;
  channel: RpcChannel;
  /** Every raw message the first client received. */
  recorder: MessageRecorder;
  readLog(): string;
  /** Connect one more client (another window) to the same dispatcher. */
  connect(): { client: RpcClient; channel: RpcChannel; recorder: MessageRecorder };
}

function setup(overrides: Partial<Handlers> = {}): Setup {
  const dir = tempDir();
  const log = createLogger({ dir });
  const dispatcher = new RpcDispatcher(testHandlers(overrides), log);
  const opened: RpcChannel[] = [];
  const connect = (): { client: RpcClient; channel: RpcChannel; recorder: MessageRecorder } => {
    const channel = createRpcChannel();
    opened.push(channel);
    const recorder = new MessageRecorder(channel.clientSide);
    dispatcher.connect(channel.corePort);
    return { client: new RpcClient(channel.clientPort), channel, recorder };
  };
  const first = connect();
  onTestFinished(() => {
    dispatcher.close();
    for (const channel of opened) channel.close();
  });
  return {
    dispatcher,
    client: first.client,
    channel: first.channel,
    recorder: first.recorder,
    readLog: () => readFileSync(join(dir, 'core.log'), 'utf8'),
    connect,
  };
}

async function rpcError(promise: Promise<unknown>): Promise<RpcError> {
  const error: unknown = await promise.then(
    () => new Error('expected the call to fail'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RpcError);
  return error as RpcError;
}

/** A handler that starts, then waits until it is aborted; tells the test about both. */
function waitingHandler(): {
  handler: (input: { message: string }, context: RequestContext) => Promise<never>;
  started: Promise<void>;
  aborted: Promise<void>;
} {
  let markStarted!: () => void;
  let markAborted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const aborted = new Promise<void>((resolve) => (markAborted = resolve));
  return {
    started,
    aborted,
    handler: (_input, { signal }) =>
      new Promise<never>(() => {
        markStarted();
        signal.addEventListener('abort', () => markAborted(), { once: true });
      }),
  };
}

function expectNoStack(message: string): void {
  expect(message).not.toMatch(/\bat \S+ \(|\bat \S+:\d+:\d+|\n\s*at /);
  expect(message).not.toMatch(/\.ts:\d+|\.js:\d+|node:internal/);
}

describe('RPC client ↔ dispatcher over a MessageChannel', () => {
  it('echoes a ping with the time the core saw it', async () => {
    const { client } = setup();
    const before = Date.now();
    const result = await client.call('system.ping', { message: 'hello from the renderer' });
    expect(result.message).toBe('hello from the renderer');
    const seen = Date.parse(result.receivedAt);
    expect(seen).toBeGreaterThanOrEqual(before - 1000);
    expect(seen).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('runs concurrent calls and matches each answer to its request', async () => {
    const { client } = setup();
    const messages = Array.from({ length: 20 }, (_, i) => `message ${i}`);
    const results = await Promise.all(messages.map((message) => client.call('system.ping', { message })));
    expect(results.map((r) => r.message)).toEqual(messages);
  });

  describe('input validation', () => {
    it('rejects bad input on the client with BAD_REQUEST before anything is sent', async () => {
      let handled = 0;
      const { client, channel } = setup({
        'system.ping': ({ message }) => {
          handled += 1;
          return { message, receivedAt: new Date().toISOString() };
        },
      });
      const sentToCore = new MessageRecorder(channel.coreSide);
      const error = await rpcError(client.call('system.ping', { message: 42 } as never));
      expect(error.code).toBe('BAD_REQUEST');
      expect(error.message).toContain('message');

      const extra = await rpcError(client.call('system.ping', { message: 'x', extra: true } as never));
      expect(extra.code).toBe('BAD_REQUEST');
      expect(extra.message).toContain('extra');

      // A following valid call goes through and is the first thing the core ever received.
      await client.call('system.ping', { message: 'ok' });
      expect(handled).toBe(1);
      expect(sentToCore.messages).toHaveLength(1);
      expect(sentToCore.messages[0]).toMatchObject({ type: 'request', method: 'system.ping' });
    });

    it('does not quote the rejected value back in the error', async () => {
      const { client } = setup();
      const error = await rpcError(client.call('system.ping', { message: MARKER.repeat(50) }));
      expect(error.code).toBe('BAD_REQUEST');
      expect(error.message).toContain('message');
      expect(error.message).not.toContain(MARKER);
    });

    it('rejects bad params sent straight to the core with BAD_REQUEST naming the field, no stack', async () => {
      const { channel, recorder } = setup();
      channel.clientSide.postMessage({ type: 'request', id: 1, method: 'system.ping', params: { message: 42 } });
      const response = await recorder.response(1);
      expect(response).toMatchObject({ type: 'response', id: 1, ok: false, error: { code: 'BAD_REQUEST' } });
      const message = (response as { error: { message: string } }).error.message;
      expect(message).toMatch(/\bmessage\b/);
      expectNoStack(message);
      expect(response).not.toHaveProperty('error.stack');
    });

    it('rejects malformed wire messages with BAD_REQUEST naming the field, and keeps serving', async () => {
      const { channel, recorder } = setup();
      channel.clientSide.postMessage({ type: 'request', id: 2, method: 'Not A Name!', params: {} });
      channel.clientSide.postMessage({ type: 'request', id: 3, params: {} });
      channel.clientSide.postMessage({ type: 'request', method: 'system.ping', params: { message: 'no id' } });
      channel.clientSide.postMessage('just a string');
      channel.clientSide.postMessage({
        type: 'request',
        id: 4,
        method: 'system.ping',
        params: { message: 'still here' },
      });

      for (const id of [2, 3]) {
        const response = await recorder.response(id);
        expect(response).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
        const message = (response as { error: { message: string } }).error.message;
        expect(message).toContain('method');
        expectNoStack(message);
      }
      expect(await recorder.response(4)).toMatchObject({ ok: true, result: { message: 'still here' } });
      // Messages without an id cannot be answered and are dropped.
      expect(recorder.messages.filter((m) => isObject(m) && m.type === 'response')).toHaveLength(3);
    });

    it('rejects a patch with an unsupported language on the core, naming the field', async () => {
      const { channel, recorder } = setup();
      channel.clientSide.postMessage({ type: 'request', id: 7, method: 'settings.update', params: { language: 'fr' } });
      const response = await recorder.response(7);
      expect(response).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
      expect((response as { error: { message: string } }).error.message).toContain('language');
    });
  });

  it('answers an unknown method with UNKNOWN_METHOD, from the core and from the client', async () => {
    const { client, channel, recorder } = setup();
    channel.clientSide.postMessage({ type: 'request', id: 9, method: 'records.deleteAll', params: {} });
    expect(await recorder.response(9)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });

    const error = await rpcError(client.call('records.deleteAll' as MethodName, {} as never));
    expect(error.code).toBe('UNKNOWN_METHOD');
  });

  it('passes a deliberate RpcError from a handler through unchanged', async () => {
    const { client } = setup({
      'system.ping': () => {
        throw new RpcError('NOT_FOUND', 'That record was not found.');
      },
    });
    const error = await rpcError(client.call('system.ping', { message: 'x' }));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe('That record was not found.');
  });

  describe('internal failures', () => {
    it('answers INTERNAL with a ref, keeping the error message out of the answer and the log', async () => {
      const { client, readLog } = setup({
        'system.ping': () => {
          throw new Error(`could not load chart for ${MARKER}\nat 42 Elm Street ${MARKER}`);
        },
      });
      const error = await rpcError(client.call('system.ping', { message: 'x' }));
      expect(error.code).toBe('INTERNAL');
      expect(error.ref).toMatch(/^[0-9a-f]{8}$/);
      expect(error.message).not.toContain(MARKER);
      expectNoStack(error.message);

      const log = readLog();
      expect(log).toContain(error.ref);
      expect(log).toContain('rpc handler failed');
      expect(log).not.toContain(MARKER);
      expect(log).not.toContain('Elm Street');
      // The log keeps where it failed: stack frames from this test file.
      const entry = log
        .split('\n')
        .filter((line) => line.includes(error.ref ?? '!'))
        .map((line) => JSON.parse(line) as { error: { type: string; frames: string[] } })[0];
      expect(entry?.error.type).toBe('Error');
      expect(entry?.error.frames.some((frame) => frame.includes('rpc-roundtrip.test.ts'))).toBe(true);
    });

    it('treats thrown non-errors and async rejections the same way', async () => {
      const { client, readLog } = setup({
        'system.ping': () => {
          throw `plain string about ${MARKER}`;
        },
        'system.info': async () => Promise.reject(new TypeError(`bad value ${MARKER}`)),
      });
      const first = await rpcError(client.call('system.ping', { message: 'x' }));
      const second = await rpcError(client.call('system.info', {}));
      for (const error of [first, second]) {
        expect(error.code).toBe('INTERNAL');
        expect(error.message).not.toContain(MARKER);
      }
      expect(first.ref).not.toBe(second.ref);
      const log = readLog();
      expect(log).toContain(first.ref);
      expect(log).toContain(second.ref);
      expect(log).not.toContain(MARKER);
    });

    it('answers INTERNAL when a handler returns something outside the contract', async () => {
      const { client, readLog } = setup({
        'system.ping': () => ({ message: MARKER, receivedAt: 'yesterday' }),
      });
      const error = await rpcError(client.call('system.ping', { message: 'x' }));
      expect(error.code).toBe('INTERNAL');
      expect(error.message).not.toContain(MARKER);
      expect(readLog()).toContain(error.ref);
      expect(readLog()).not.toContain(MARKER);
    });
  });

  describe('cancellation and time limits', () => {
    it('cancels through an AbortSignal: the caller gets CANCELLED and the handler sees its signal abort', async () => {
      const waiting = waitingHandler();
      const { client } = setup({ 'system.ping': waiting.handler });
      const controller = new AbortController();
      const call = client.call('system.ping', { message: 'slow' }, { signal: controller.signal });
      await within(waiting.started, 2_000, 'the handler start');
      controller.abort();
      expect((await rpcError(call)).code).toBe('CANCELLED');
      await within(waiting.aborted, 2_000, "the handler's abort");
    });

    it('does not send a request whose signal is already aborted', async () => {
      let handled = 0;
      const { client } = setup({
        'system.ping': ({ message }) => {
          handled += 1;
          return { message, receivedAt: new Date().toISOString() };
        },
      });
      const error = await rpcError(client.call('system.ping', { message: 'x' }, { signal: AbortSignal.abort() }));
      expect(error.code).toBe('CANCELLED');
      await client.call('system.ping', { message: 'sync point' });
      expect(handled).toBe(1);
    });

    it('gives up with TIMEOUT and tells the core to stop', async () => {
      const waiting = waitingHandler();
      const { client } = setup({ 'system.ping': waiting.handler });
      const started = Date.now();
      const error = await rpcError(client.call('system.ping', { message: 'slow' }, { timeoutMs: 100 }));
      expect(error.code).toBe('TIMEOUT');
      expect(error.message).toContain('system.ping');
      expect(Date.now() - started).toBeGreaterThanOrEqual(90);
      await within(waiting.aborted, 2_000, "the handler's abort");
    });
  });

  describe('connection loss', () => {
    it('fails pending calls with UNAVAILABLE when the port closes, and aborts the handler', async () => {
      const waiting = waitingHandler();
      const { client, channel, dispatcher } = setup({ 'system.ping': waiting.handler });
      const call = client.call('system.ping', { message: 'slow' });
      await within(waiting.started, 2_000, 'the handler start');
      expect(dispatcher.connectionCount).toBe(1);
      channel.coreSide.close();
      expect((await rpcError(call)).code).toBe('UNAVAILABLE');
      await within(waiting.aborted, 2_000, "the handler's abort");
      expect(dispatcher.connectionCount).toBe(0);
      expect((await rpcError(client.call('system.ping', { message: 'again' }))).code).toBe('UNAVAILABLE');
    });

    it('fails pending calls with UNAVAILABLE when the client closes', async () => {
      const waiting = waitingHandler();
      const { client } = setup({ 'system.ping': waiting.handler });
      const call = client.call('system.ping', { message: 'slow' });
      await within(waiting.started, 2_000, 'the handler start');
      client.close();
      expect((await rpcError(call)).code).toBe('UNAVAILABLE');
      await within(waiting.aborted, 2_000, "the handler's abort");
    });
  });

  describe('events', () => {
    it('delivers settings.changed only to connections that subscribed', async () => {
      const { dispatcher, client: subscriber, connect } = setup();
      const other = connect();
      const received: unknown[] = [];
      subscriber.subscribe('settings.changed', (payload) => received.push(payload));
      await subscriber.call('system.ping', { message: 'subscription is in' });

      dispatcher.emit('settings.changed', { language: 'es', colorScheme: 'dark', autoLockMinutes: 10 });
      await subscriber.call('system.ping', { message: 'events before this answer have arrived' });
      await other.client.call('system.ping', { message: 'same for the other window' });

      expect(received).toEqual([{ language: 'es', colorScheme: 'dark', autoLockMinutes: 10 }]);
      expect(other.recorder.events()).toEqual([]);
    });

    it('stops delivering after unsubscribe', async () => {
      const { dispatcher, client, recorder } = setup();
      const first: unknown[] = [];
      const second: unknown[] = [];
      const stopFirst = client.subscribe('settings.changed', (p) => first.push(p));
      const stopSecond = client.subscribe('settings.changed', (p) => second.push(p));
      await client.call('system.ping', { message: 'sync' });

      dispatcher.emit('settings.changed', { language: 'es', colorScheme: 'auto', autoLockMinutes: 10 });
      await client.call('system.ping', { message: 'sync' });
      expect(first).toHaveLength(1);
      expect(second).toHaveLength(1);

      stopFirst(); // the other listener still wants the event
      dispatcher.emit('settings.changed', { language: 'en', colorScheme: 'auto', autoLockMinutes: 10 });
      await client.call('system.ping', { message: 'sync' });
      expect(first).toHaveLength(1);
      expect(second).toHaveLength(2);

      stopSecond(); // last listener gone: the core stops sending
      await client.call('system.ping', { message: 'unsubscribe is in' });
      dispatcher.emit('settings.changed', { language: 'es', colorScheme: 'light', autoLockMinutes: 10 });
      await client.call('system.ping', { message: 'sync' });
      expect(second).toHaveLength(2);
      expect(recorder.events()).toHaveLength(2);
    });

    it('sends no events to a connection after it unsubscribed (wire level)', async () => {
      const { dispatcher, channel, recorder } = setup();
      channel.clientSide.postMessage({ type: 'subscribe', event: 'sync.statusChanged' });
      channel.clientSide.postMessage({ type: 'request', id: 1, method: 'system.ping', params: { message: 'a' } });
      await recorder.response(1);
      dispatcher.emit('sync.statusChanged', { state: 'offline', pending: 2, lastSyncedAt: null });
      channel.clientSide.postMessage({ type: 'unsubscribe', event: 'sync.statusChanged' });
      channel.clientSide.postMessage({ type: 'request', id: 2, method: 'system.ping', params: { message: 'b' } });
      await recorder.response(2);
      dispatcher.emit('sync.statusChanged', { state: 'synced', pending: 0, lastSyncedAt: null });
      channel.clientSide.postMessage({ type: 'request', id: 3, method: 'system.ping', params: { message: 'c' } });
      await recorder.response(3);
      expect(recorder.events()).toEqual([
        { type: 'event', event: 'sync.statusChanged', payload: { state: 'offline', pending: 2, lastSyncedAt: null } },
      ]);
    });

    it('refuses to emit a payload outside the contract', () => {
      const { dispatcher } = setup();
      expect(() =>
        dispatcher.emit('settings.changed', { language: 'fr', colorScheme: 'auto', autoLockMinutes: 10 } as never),
      ).toThrow();
    });
  });

  describe('client-side checks of what the core sends', () => {
    /** A stand-in core that answers through the raw port with whatever the test wants. */
    function fakeCore(): { client: RpcClient; channel: RpcChannel; requests: MessageRecorder } {
      const channel = createRpcChannel();
      const requests = new MessageRecorder(channel.coreSide);
      const client = new RpcClient(channel.clientPort);
      onTestFinished(() => {
        client.close();
        channel.close();
      });
      return { client, channel, requests };
    }

    it('rejects a result that does not match the contract with INTERNAL', async () => {
      const { client, channel, requests } = fakeCore();
      const call = client.call('system.ping', { message: 'x' });
      const request = (await requests.next((m) => isObject(m) && m.type === 'request')) as { id: number };
      channel.coreSide.postMessage({ type: 'response', id: request.id, ok: true, result: { message: 5 } });
      const error = await rpcError(call);
      expect(error.code).toBe('INTERNAL');
      expect(error.message).toContain('system.ping');
    });

    it('accepts a matching result from the same stand-in core', async () => {
      const { client, channel, requests } = fakeCore();
      const call = client.call('system.ping', { message: 'x' });
      const request = (await requests.next((m) => isObject(m) && m.type === 'request')) as { id: number };
      const receivedAt = new Date().toISOString();
      channel.coreSide.postMessage({
        type: 'response',
        id: request.id,
        ok: true,
        result: { message: 'x', receivedAt },
      });
      expect(await call).toEqual({ message: 'x', receivedAt });
    });

    it('drops an event whose payload does not match the contract', async () => {
      const { client, channel, requests } = fakeCore();
      const received: unknown[] = [];
      client.subscribe('sync.statusChanged', (payload) => received.push(payload));
      await requests.next((m) => isObject(m) && m.type === 'subscribe' && m.event === 'sync.statusChanged');

      channel.coreSide.postMessage({ type: 'event', event: 'sync.statusChanged', payload: { state: 'exploded' } });
      channel.coreSide.postMessage({
        type: 'event',
        event: 'sync.statusChanged',
        payload: { state: 'synced', pending: -1, lastSyncedAt: null },
      });
      channel.coreSide.postMessage({
        type: 'event',
        event: 'sync.statusChanged',
        payload: { state: 'synced', pending: 0, lastSyncedAt: null },
      });
      // A round trip after the events: the answer arrives after them on the same port.
      const call = client.call('system.ping', { message: 'sync' });
      const request = (await requests.next((m) => isObject(m) && m.type === 'request')) as { id: number };
      channel.coreSide.postMessage({
        type: 'response',
        id: request.id,
        ok: true,
        result: { message: 'sync', receivedAt: new Date().toISOString() },
      });
      await call;

      expect(received).toEqual([{ state: 'synced', pending: 0, lastSyncedAt: null }]);
    });
  });
});
