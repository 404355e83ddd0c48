import { expect } from 'vitest';
import { pokeSchema, type Poke } from '../../../src/shared/sync/protocol.js';
import type { TestServer } from './fixtures.js';

/** A subscription to GET /sync/events. */
export interface Stream {
  response: Response;
  /** The next event, 'end' when the server closed the stream, null after `timeoutMs` of silence. */
  next(timeoutMs: number): Promise<Poke | 'end' | null>;
  close(): Promise<void>;
}

/** Subscribe to /sync/events; resolves once the headers and the first comment have arrived. */
export async function openStream(server: TestServer, token: string): Promise<Stream> {
  const abort = new AbortController();
  const response = await fetch(`${server.url}/sync/events`, {
    headers: { authorization: `Bearer ${token}` },
    signal: abort.signal,
  });
  if (response.status !== 200 || !response.body) {
    abort.abort();
    throw new Error(`events: ${response.status}`);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let done = false;
  let pending: Promise<void> | undefined;
  const fill = () =>
    (pending ??= reader.read().then(
      (chunk) => {
        pending = undefined;
        if (chunk.done) done = true;
        else buffer += chunk.value;
      },
      () => {
        pending = undefined;
        done = true;
      },
    ));
  /** The next frame (comments included), 'end', or null on timeout. */
  const nextFrame = async (timeoutMs: number): Promise<string | 'end' | null> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = buffer.indexOf('\n\n');
      if (at >= 0) {
        const frame = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        return frame;
      }
      if (done) return 'end';
      const left = deadline - Date.now();
      if (left <= 0) return null;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        fill().then(() => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), left))),
      ]);
      clearTimeout(timer);
      if (timedOut) return null;
    }
  };
  const first = await nextFrame(2000);
  if (first !== ': connected') {
    abort.abort();
    throw new Error(`unexpected first frame ${String(first)}`);
  }
  return {
    response,
    async next(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const frame = await nextFrame(Math.max(deadline - Date.now(), 0));
        if (frame === null || frame === 'end') return frame;
        const data = frame
          .split('\n')
          .filter((line) => line.startsWith('data: '))
          .map((line) => line.slice(6))
          .join('\n');
        if (data === '') continue; // a comment (heartbeat)
        const event = frame.split('\n').find((line) => line.startsWith('event: '));
        const poke = pokeSchema.parse(JSON.parse(data));
        expect(event).toBe(`event: ${poke.type}`);
        return poke;
      }
    },
    async close() {
      abort.abort();
      await reader.cancel().catch(() => undefined);
    },
  };
}

/**
 * Close a test server without waiting for the sockets undici opens (and leaves unused) after a
 * stream is aborted: Node's close would wait for its keep-alive timeout.
 */
export async function closeServer(server: TestServer | undefined): Promise<void> {
  if (!server) return;
  const closing = server.close();
  server.app.server.closeAllConnections();
  await closing;
}
