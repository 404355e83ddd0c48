/**
 * A lightweight workstation for the load test and the raw pull: speaks the sync protocol over
 * HTTP directly (fetch), with a real access token, no local store. Answers are validated with
 * the protocol's zod schemas only where the benchmark says so (the raw pull measures the
 * server and the wire, not validation).
 */
import { randomBytes } from 'node:crypto';
import type { SignInResponse } from '../../src/shared/auth/api';
import {
  SYNC_PROTOCOL_VERSION,
  type Change,
  type Mutation,
  type PullResponse,
  type PushResponse,
} from '../../src/shared/sync/protocol';

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`HTTP ${status}`);
  }
}

export const newReplicaId = (): string => `bench-${randomBytes(9).toString('base64url')}`;

export async function signIn(
  url: string,
  username: string,
  password: string,
  deviceName: string,
): Promise<SignInResponse> {
  const response = await fetch(`${url}/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password, deviceName }),
  });
  if (!response.ok) throw new HttpError(response.status, await response.text());
  return (await response.json()) as SignInResponse;
}

export interface PullPage {
  response: PullResponse;
  bytes: number;
  ms: number;
}

export class ProtocolClient {
  private nextMutationId = 1;

  constructor(
    readonly url: string,
    private readonly accessToken: string,
    readonly replicaId: string = newReplicaId(),
  ) {}

  private async post(path: string, body: unknown): Promise<{ text: string; ms: number }> {
    const t0 = performance.now();
    const response = await fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.accessToken}` },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    const ms = performance.now() - t0;
    if (!response.ok) throw new HttpError(response.status, text);
    return { text, ms };
  }

  async pull(cursor: string | null, limit?: number): Promise<PullPage> {
    const { text, ms } = await this.post('/sync/pull', {
      protocolVersion: SYNC_PROTOCOL_VERSION,
      replicaId: this.replicaId,
      cursor,
      ...(limit ? { limit } : {}),
    });
    return { response: JSON.parse(text) as PullResponse, bytes: Buffer.byteLength(text), ms };
  }

  /** Pull from `cursor` until the server has no more; resyncs from null when told to. */
  async pullAll(
    cursor: string | null,
    onPage?: (changes: Change[], page: PullPage) => void,
  ): Promise<{ cursor: string; pages: number; bytes: number; changes: number }> {
    let current = cursor;
    let pages = 0;
    let bytes = 0;
    let changes = 0;
    for (;;) {
      const page = await this.pull(current);
      pages += 1;
      bytes += page.bytes;
      if (page.response.status === 'resyncRequired') {
        current = null;
        continue;
      }
      changes += page.response.changes.length;
      onPage?.(page.response.changes, page);
      current = page.response.cursor;
      if (!page.response.hasMore) return { cursor: current, pages, bytes, changes };
    }
  }

  /** Give these mutations this replica's next ids (an outbox entry keeps its id across retries). */
  number(mutations: Omit<Mutation, 'mutationId'>[]): Mutation[] {
    return mutations.map((m) => ({ ...m, mutationId: this.nextMutationId++ }));
  }

  /** Push numbered mutations; after a failure, push the same ones again (idempotent ids). */
  async push(mutations: Mutation[]): Promise<{ response: PushResponse; ms: number }> {
    const { text, ms } = await this.post('/sync/push', {
      protocolVersion: SYNC_PROTOCOL_VERSION,
      replicaId: this.replicaId,
      mutations,
    });
    return { response: JSON.parse(text) as PushResponse, ms };
  }

  /**
   * Hold GET /sync/events open and call `onPoke` for each poke. Resolves once the stream is
   * open; `close()` ends it.
   */
  async subscribe(onPoke: () => void): Promise<{ close(): void; done: Promise<void> }> {
    const abort = new AbortController();
    const response = await fetch(`${this.url}/sync/events`, {
      headers: { authorization: `Bearer ${this.accessToken}`, accept: 'text/event-stream' },
      signal: abort.signal,
    });
    if (!response.ok || !response.body) throw new HttpError(response.status, await response.text());
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    const done = (async () => {
      let buffer = '';
      try {
        for (;;) {
          const { value, done: ended } = await reader.read();
          if (ended) return;
          buffer += value;
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            const event = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (/^event: poke$/m.test(event)) onPoke();
            end = buffer.indexOf('\n\n');
          }
        }
      } catch (error) {
        if (!abort.signal.aborted) throw error;
      }
    })();
    return { close: () => abort.abort(), done };
  }
}
