import type { z } from 'zod';
import {
  apiErrorSchema,
  signInResponseSchema,
  tokenResponseSchema,
  type SignInRequest,
  type SignInResponse,
  type TokenResponse,
} from '../../shared/auth/api';

/**
 * Why a call to the clinic server did not succeed, as the workstation acts on it:
 * - OFFLINE: no answer (no network, server down, timeout) — keep working locally, retry later.
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
}

export interface ClinicServerClientOptions {
  /** Validated with parseServerUrl. */
  baseUrl: URL;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** The workstation's HTTP client for the clinic server. Stateless: tokens are the caller's. */
export class ClinicServerClient {
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;

  constructor(private readonly options: ClinicServerClientOptions) {
    this.fetchImpl = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  signIn(request: SignInRequest): Promise<SignInResponse> {
    return this.post('/auth/sign-in', request, signInResponseSchema);
  }

  refresh(refreshToken: string): Promise<TokenResponse> {
    return this.post('/auth/refresh', { refreshToken }, tokenResponseSchema);
  }

  async signOut(refreshToken: string): Promise<void> {
    await this.request('/auth/sign-out', { refreshToken });
  }

  private async post<S extends z.ZodType>(path: string, body: unknown, schema: S): Promise<z.output<S>> {
    const response = await this.request(path, body);
    const parsed = schema.safeParse(await readJson(response));
    if (!parsed.success) {
      throw new ClinicServerError('BAD_RESPONSE', 'The clinic server sent an unexpected answer.', response.status);
    }
    return parsed.data;
  }

  private async request(path: string, body: unknown): Promise<Response> {
    const url = new URL(this.options.baseUrl.toString());
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        redirect: 'error',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch {
      throw new ClinicServerError('OFFLINE', 'The clinic server cannot be reached.', null);
    }
    if (response.ok) return response;
    const error = apiErrorSchema.safeParse(await readJson(response));
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

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}
