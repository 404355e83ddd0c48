import type { FastifyInstance } from 'fastify';
import { pullRequestSchema, pushRequestSchema } from '../../shared/sync/protocol.js';
import { parseInput, principalOf, type ServerContext } from '../context.js';
import type { authenticate } from '../routes/auth.js';
import { pullChanges } from './pull.js';
import { applyPush } from './push.js';

/** POST /sync/push and POST /sync/pull (docs/sync-protocol.md). */
export function registerSyncRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  onRequest: ReturnType<typeof authenticate>,
): void {
  app.post('/sync/push', { onRequest }, async (request) => {
    const principal = principalOf(request);
    const body = parseInput(pushRequestSchema, request.body);
    return applyPush(ctx.db, principal, body, ctx.now());
  });

  app.post('/sync/pull', { onRequest }, async (request) => {
    const principal = principalOf(request);
    const body = parseInput(pullRequestSchema, request.body);
    return pullChanges(ctx.db, principal, body, ctx.now());
  });
}
