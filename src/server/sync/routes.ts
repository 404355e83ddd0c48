import type { FastifyInstance } from 'fastify';
import {
  PULL_CURSOR_HEADER,
  PULL_HAS_MORE_HEADER,
  pullRequestSchema,
  pushRequestSchema,
} from '../../shared/sync/protocol.js';
import { parseInput, principalOf, type ServerContext } from '../context.js';
import type { authenticate } from '../routes/auth.js';
import { pullChanges, type PageRow } from './pull.js';
import { DEFAULT_PULL_AHEAD, PullAhead } from './pull-ahead.js';
import { usersWithClientsInScope } from './poke-bus.js';
import { applyPush } from './push.js';

/** POST /sync/push and POST /sync/pull (docs/sync-protocol.md); pokes after a push that changed records. */
export function registerSyncRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  onRequest: ReturnType<typeof authenticate>,
): void {
  // Pages of long pulls read ahead while the workstation writes the previous ones.
  const ahead = new PullAhead<PageRow>({
    ...DEFAULT_PULL_AHEAD,
    depth: ctx.config.pullAheadPages,
    quietMs: ctx.config.pullAheadQuietMs,
  });
  app.decorate('pullAhead', ahead);
  app.addHook('onClose', async () => ahead.close());

  app.post('/sync/push', { onRequest, bodyLimit: ctx.config.pushBodyLimitBytes }, async (request) => {
    const principal = principalOf(request);
    const body = parseInput(pushRequestSchema, request.body);
    const changed = new Set<string>();
    const response = await applyPush(ctx.db, principal, body, ctx.now(), changed);
    if (changed.size > 0) {
      // After the commit; a failed poke only delays the others' pull, the push stands.
      try {
        await ctx.pokeBus.publish(await usersWithClientsInScope(ctx.db, [...changed]));
      } catch (error) {
        request.log.warn({ errorClass: (error as Error).name }, 'poke not sent');
      }
    }
    return response;
  });

  app.post('/sync/pull', { onRequest }, async (request, reply) => {
    const principal = principalOf(request);
    const body = parseInput(pullRequestSchema, request.body);
    // The answer is JSON text already (built by the database): sent as it is.
    const answer = await pullChanges(ctx.db, principal, body, ctx.now(), ahead);
    if (answer.next) {
      reply.header(PULL_CURSOR_HEADER, answer.next.cursor);
      reply.header(PULL_HAS_MORE_HEADER, String(answer.next.hasMore));
    }
    return reply.type('application/json; charset=utf-8').send(answer.json);
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The sync routes' read-ahead of pull pages (tests wait for it with `settled()`). */
    pullAhead: PullAhead<PageRow>;
  }
}
