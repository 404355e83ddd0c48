import type { z } from 'zod';
import {
  apiErrorSchema,
  signInResponseSchema,
  tokenResponseSchema,
  type SignInRequest,
  type SignInResponse,
  type TokenResponse,
} from '../../shared/auth/api';
import {
  PULL_CURSOR_HEADER,
  PULL_HAS_MORE_HEADER,
  pokeSchema,
  pushResponseSchema,
  type Poke,
  type PullRequest,
  type PushRequest,
  type PushResponse,
} from '../../shared/sync/protocol';
import { SseParser } from './sse';

/**
 * Why a call to the clinic server did not succeed, as the workstation acts on it:
 * - OFFLINE: no answer (no network, server down, timeout, connection cut mid-answer) — keep
 *   working locally, retry later.
 * - ABORTED: the workstation itself cancelled the call (lock, sign-out).
 * - INVALID_CREDENTIALS, RATE_LIMITED (with retryAfterSeconds), REFRESH_INVALID / REFRESH_REUSED
 *   (sign in again), DEVICE_REVOKED (erase the local cache), and the server's other codes.
 * - BAD_RESPONSE: the server answered something that does not match the API (wrong server?).
 */
export class ClinicServerError extends Error {
  override readonly name = 'ClinicServerError';
  constructor(
    readonly code: string,
    message: string,
    readonly status: number | null,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }

  /** Worth retrying later without anyone doing anything: no answer, a server error, or busy. */
  get transient(): boolean {
    return this.code === 'OFFLINE' || this.status === 429 || (this.status !== null && this.status >= 500);
  }
}

export interface ClinicServerClientOptions {
  /** Validated with parseServerUrl. */
  baseUrl: URL;
  timeoutMs?: number;
  fetch?: typeof fetch;
  /**
   * Called with the server's clock (its `Date` header, second resolution) and the local clock
   * before and after each answer, so the caller can measure this device's drift.
   */
  observeServerTime?: (serverMs: number, sentAtMs: number, receivedAtMs: number) => void;
  now?: () => number;
}

interface CallOptions {
  token?: string;
  signal?: AbortSignal;
  /** null: no time limit (the event stream). */
  timeoutMs?: number | null;
  /** Safe to send twice (the sync protocol's push and pull): one immediate retry after a dropped connection. */
  idempotent?: boolean;
}

/** One event of GET /sync/events: a poke, or `heartbeat` for the server's keep-alive comments. */
export type ServerEvent = Poke | { type: 'heartbeat' };

/** The workstation's HTTP client for the clinic server. Stateless: tokens are the caller's. */
/** A pull answer whose headers have arrived (`ClinicServerClient.pullPage`). */
export interface PullPageAnswer {
  next: { cursor: string; hasMore: boolean } | null;
  body: Promise<Uint8Array>;
}

export class ClinicServerClient {
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(private readonly options: ClinicServerClientOptions) {
    this.fetchImpl = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.now = options.now ?? Date.now;
  }

  get baseUrl(): URL {
    return this.options.baseUrl;
  }

  /** Retried once after a dropped connection: at worst the server registers the sign-in twice. */
  signIn(request: SignInRequest): Promise<SignInResponse> {
    return this.post('/auth/sign-in', request, signInResponseSchema, { idempotent: true });
  }

  /** Never retried: a refresh token the server already rotated would count as reused. */

  refresh(refreshToken: string): Promise<TokenResponse> {
    return this.post('/auth/refresh', { refreshToken }, tokenResponseSchema);
  }

  async signOut(refreshToken: string): Promise<void> {
    await this.request('/auth/sign-out', { body: { refreshToken } });
  }

  /** POST /sync/push: one batch of the outbox. */
  push(token: string, request: PushRequest, signal?: AbortSignal): Promise<PushResponse> {
    return this.post('/sync/push', request, pushResponseSchema, {
      token,
      idempotent: true,
      ...(signal ? { signal } : {}),
    });
  }

  /**
   * POST /sync/pull, resolved when the answer's headers arrive: the next cursor they carry (null
   * when the server sent none, e.g. `resyncRequired`) and the body as received, still arriving.
   * The caller parses and validates the body (src/core/sync/prepare-changes.ts, on its thread
   * or the pull worker's) and checks that it agrees with the headers.
   */
  async pullPage(token: string, request: PullRequest, signal?: AbortSignal): Promise<PullPageAnswer> {
    const response = await this.request('/sync/pull', {
      body: request,
      token,
      idempotent: true,
      timeoutMs: Math.max(this.timeoutMs, 30_000),
      ...(signal ? { signal } : {}),
    });
    const cursor = response.headers.get(PULL_CURSOR_HEADER);
    const hasMore = response.headers.get(PULL_HAS_MORE_HEADER);
    const next =
      cursor !== null && cursor.length <= 200 && (hasMore === 'true' || hasMore === 'false')
        ? { cursor, hasMore: hasMore === 'true' }
        : null;
    const body = response.arrayBuffer().then(
      (buffer) => new Uint8Array(buffer),
      () => {
        if (signal?.aborted) throw new ClinicServerError('ABORTED', 'The request was cancelled.', null);
        throw new ClinicServerError('OFFLINE', 'The connection to the clinic server dropped.', response.status);
      },
    );
    // Awaited by the caller (or dropped with the pull): never an unhandled rejection.
    body.catch(() => undefined);
    return { next, body };
  }

  /**
   * GET /sync/events: resolves once the stream is open (errors before that are thrown like any
   * other call), then yields pokes and heartbeats until the server ends the stream, the
   * connection drops (the iterator throws OFFLINE) or `signal` aborts (the iterator ends).
   */
  async events(token: string, signal: AbortSignal): Promise<AsyncIterable<ServerEvent>> {
    const response = await this.request('/sync/events', { method: 'GET', token, signal, timeoutMs: null });
    const body = response.body;
    if (!body || !(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      await response.body?.cancel().catch(() => undefined);
      throw new ClinicServerError('BAD_RESPONSE', 'The clinic server sent an unexpected answer.', response.status);
    }
    return readEvents(body, signal);
  }

  private async post<S extends z.ZodType>(
    path: string,
    body: unknown,
    schema: S,
    call: CallOptions = {},
  ): Promise<z.output<S>> {
    const response = await this.request(path, { ...call, body });
    const parsed = schema.safeParse(parseJson(await readText(response, call.signal)));
    if (!parsed.success) {
      throw new ClinicServerError('BAD_RESPONSE', 'The clinic server sent an unexpected answer.', response.status);
    }
    return parsed.data;
  }

  private async request(
    path: string,
    call: CallOptions & { body?: unknown; method?: 'GET' | 'POST' },
  ): Promise<Response> {
    const url = new URL(this.options.baseUrl.toString());
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    if (call.token) headers['authorization'] = `Bearer ${call.token}`;
    let response: Response | null = null;
    let sentAt = this.now();
    // A request the protocol makes safe to repeat (push and pull are idempotent) is tried once
    // more at once when the connection failed before any answer: a kept-alive connection that
    // the network dropped meanwhile fails the first request sent on it.
    for (let attempt = 1; response === null; attempt += 1) {
      const timeout = call.timeoutMs === null ? null : AbortSignal.timeout(call.timeoutMs ?? this.timeoutMs);
      const signals = [timeout, call.signal].filter(
        (signal): signal is AbortSignal => signal !== null && signal !== undefined,
      );
      sentAt = this.now();
      try {
        response = await this.fetchImpl(url, {
          method: call.method ?? 'POST',
          headers,
          ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
          redirect: 'error',
          ...(signals.length > 0 ? { signal: AbortSignal.any(signals) } : {}),
        });
      } catch {
        if (call.signal?.aborted) throw new ClinicServerError('ABORTED', 'The request was cancelled.', null);
        if (!call.idempotent || attempt > 1 || timeout?.aborted) {
          throw new ClinicServerError('OFFLINE', 'The clinic server cannot be reached.', null);
        }
      }
    }
    const date = Date.parse(response.headers.get('date') ?? '');
    if (Number.isFinite(date)) this.options.observeServerTime?.(date, sentAt, this.now());
    if (response.ok) return response;
    const text = await readText(response, call.signal);
    const error = apiErrorSchema.safeParse(parseJson(text));
    const retryAfter = Number.parseInt(response.headers.get('retry-after') ?? '', 10);
    if (!error.success) {
      throw new ClinicServerError('BAD_RESPONSE', `The clinic server answered ${response.status}.`, response.status);
    }
    throw new ClinicServerError(
      error.data.error.code,
      error.data.error.message,
      response.status,
      Number.isFinite(retryAfter) ? retryAfter : null,
    );
  }
}

/** The body as text; a connection that drops in the middle of it is OFFLINE, not a bad answer. */
async function readText(response: Response, signal?: AbortSignal): Promise<string> {
  try {
    return await response.text();
  } catch {
    if (signal?.aborted) throw new ClinicServerError('ABORTED', 'The request was cancelled.', null);
    throw new ClinicServerError('OFFLINE', 'The connection to the clinic server dropped.', response.status);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

async function* readEvents(body: ReadableStream<Uint8Array>, signal: AbortSignal): AsyncGenerator<ServerEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  const onAbort = () => void reader.cancel().catch(() => undefined);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch {
        if (signal.aborted) return;
        throw new ClinicServerError('OFFLINE', 'The event stream dropped.', null);
      }
      if (chunk.done) return;
      for (const message of parser.feed(decoder.decode(chunk.value, { stream: true }))) {
        if (message.kind === 'comment') {
          yield { type: 'heartbeat' };
          continue;
        }
        let data: unknown;
        try {
          data = JSON.parse(message.data);
        } catch {
          data = { type: message.event };
        }
        const poke = pokeSchema.safeParse(data);
        // Events of a later protocol version are ignored rather than fatal.
        if (poke.success && poke.data.type === message.event) yield poke.data;
      }
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    reader.releaseLock();
    await body.cancel().catch(() => undefined);
  }
}
