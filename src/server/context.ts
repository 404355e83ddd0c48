import type { FastifyRequest } from 'fastify';
import { type z } from 'zod';
import type { ServerConfig } from './config.js';
import type { ServerDb } from './db/database.js';
import { ApiError } from './errors.js';
import type { SignInLimiter } from './auth/sign-in-limiter.js';
import type { Principal } from './scope.js';
import type { PokeBus } from './sync/poke-bus.js';

/** What every route handler needs. */
export interface ServerContext {
  db: ServerDb;
  config: ServerConfig;
  signingKey: Uint8Array;
  now: () => Date;
  signInLimiter: SignInLimiter;
  /** Pokes to workstations, across server instances (sync/poke-bus.ts). */
  pokeBus: PokeBus;
}

/** The authenticated user and device of a request (set by the authenticate hook). */
export interface RequestPrincipal extends Principal {
  deviceId: string;
  /** When the request's access token expires (the poke stream closes then). */
  accessExpiresAt?: Date;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: RequestPrincipal | null;
  }
}

export function principalOf(request: FastifyRequest): RequestPrincipal {
  if (!request.principal) throw new ApiError('UNAUTHENTICATED', 'Sign in first.');
  return request.principal;
}

/** Describe a validation failure by field and rule; input values are never echoed. */
export function describeIssues(error: z.ZodError): string {
  const parts = error.issues.slice(0, 5).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.join('.') : 'body';
    return `${where}: ${issue.message}`;
  });
  return `The request is not valid: ${parts.join('; ')}.`;
}

export function parseInput<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new ApiError('VALIDATION_FAILED', describeIssues(result.error));
  return result.data;
}
