import { randomUUID } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { sql } from 'drizzle-orm';
import type { TemplateDefinition } from '../shared/notes/templates/schema.js';
import { SignInLimiter } from './auth/sign-in-limiter.js';
import { loadSigningKey } from './auth/tokens.js';
import { resolveServerConfig, type ServerConfig } from './config.js';
import type { ServerContext } from './context.js';
import type { ServerDb } from './db/database.js';
import { ApiError, type ErrorBody } from './errors.js';
import { createServerLogger } from './logger.js';
import { reconcileStaffRecords } from './records/staff.js';
import { publishTemplates } from './records/templates.js';
import { reconcileNoteProtection } from './sync/note-visibility.js';
import { authenticate, registerAuthRoutes } from './routes/auth.js';
import { registerClientRoutes } from './routes/clients.js';
import { registerEventRoutes } from './sync/events.js';
import { createPokeBus, type PokeBus } from './sync/poke-bus.js';
import { registerSyncRoutes } from './sync/routes.js';

export interface BuildServerOptions {
  db: ServerDb;
  config?: Partial<ServerConfig>;
  /** A pino logger (createServerLogger); defaults to one on stdout at level info. */
  logger?: FastifyBaseLogger;
  /** PEM certificate and key: serve HTTPS. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** The clock (tests move it to expire tokens). */
  now?: () => Date;
  /** Pokes across instances; defaults to LISTEN/NOTIFY on `db`, closed with the server. */
  pokeBus?: PokeBus;
  /**
   * The clinic's own note templates (validated: `loadTemplateFile`), published at start as
   * clinic-wide `template` records; versions not listed become inactive. Absent: unchanged.
   */
  templates?: readonly TemplateDefinition[];
}

const fastifyErrorAnswers: Record<string, ApiError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: new ApiError('PAYLOAD_TOO_LARGE', 'The request body is too large.'),
  FST_ERR_CTP_INVALID_JSON_BODY: new ApiError('MALFORMED_JSON', 'The request body is not valid JSON.'),
  FST_ERR_CTP_EMPTY_JSON_BODY: new ApiError('MALFORMED_JSON', 'The request body is empty; JSON was expected.'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: new ApiError(
    'UNSUPPORTED_MEDIA_TYPE',
    'The request body must be JSON (Content-Type: application/json).',
  ),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: new ApiError('MALFORMED_JSON', 'The Content-Length does not match the body.'),
};

/** The clinic server: a Fastify app with every route registered, not yet listening. */
export async function buildServer(options: BuildServerOptions): Promise<FastifyInstance> {
  const config = resolveServerConfig(options.config);
  const logger = options.logger ?? createServerLogger();
  const base = {
    loggerInstance: logger,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    genReqId: () => randomUUID(),
    // Body-less requests with a body type are not an error; bad JSON is (handled below).
    return503OnClosing: true,
  };
  const app = (options.tls
    ? Fastify({ ...base, https: { cert: options.tls.cert, key: options.tls.key } })
    : Fastify(base)) as unknown as FastifyInstance;

  // Staff records for users that have none or an outdated one (created before staff records
  // existed, or inserted by other means than the admin commands).
  const staffWritten = await reconcileStaffRecords(options.db, (options.now ?? (() => new Date()))());
  if (staffWritten > 0) logger.info({ staffWritten }, 'staff records reconciled');
  if (options.templates) {
    const published = await publishTemplates(options.db, options.templates, (options.now ?? (() => new Date()))());
    logger.info({ templates: options.templates.length, ...published }, 'clinic templates published');
  }
  // Protected notes (by the built-in and the published templates) not marked so yet: marked, and
  // withdrawn from the workstations that received them before (docs/sync-protocol.md).
  const protectedNotes = await reconcileNoteProtection(options.db, (options.now ?? (() => new Date()))());
  if (protectedNotes > 0) logger.info({ protectedNotes }, 'note protection reconciled');

  const pokeBus = options.pokeBus ?? (await createPokeBus(options.db, logger));
  if (!options.pokeBus) app.addHook('onClose', async () => pokeBus.close());

  const ctx: ServerContext = {
    pokeBus,
    db: options.db,
    config,
    signingKey: await loadSigningKey(options.db, config.jwtSecret),
    now: options.now ?? (() => new Date()),
    signInLimiter: new SignInLimiter(config.signInMaxFailures, config.signInWindowSeconds * 1000),
  };

  app.decorateRequest('principal', null);
  // The Date header comes from the same clock as every server time in the answers (workstations
  // measure their clock drift from both; one clock keeps them consistent).
  app.addHook('onSend', async (_request, reply) => {
    reply.header('date', ctx.now().toUTCString());
  });
  // JSON only: no text/plain bodies.
  app.removeContentTypeParser('text/plain');

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ApiError) {
      request.log.info({ code: error.code }, 'request refused');
      return reply.status(error.statusCode).send(error.toBody());
    }
    const known = fastifyErrorAnswers[error.code];
    if (known) {
      request.log.info({ code: known.code }, 'request refused');
      return reply.status(known.statusCode).send(known.toBody());
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      const refused = new ApiError('VALIDATION_FAILED', 'The request is not valid.');
      request.log.info({ code: refused.code, fastifyCode: error.code }, 'request refused');
      return reply.status(400).send(refused.toBody());
    }
    // Unexpected: log the class and a reference, never the message (it may quote SQL or data).
    const ref = randomUUID().slice(0, 8);
    request.log.error({ ref, errorClass: error.name, errorCode: error.code }, 'internal error');
    const body: ErrorBody = { error: { code: 'INTERNAL', message: 'Something went wrong on the server.', ref } };
    return reply.status(500).send(body);
  });
  app.setNotFoundHandler((_request, reply) => {
    const error = new ApiError('NOT_FOUND', 'There is no such route.');
    return reply.status(404).send(error.toBody());
  });

  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new ApiError('RATE_LIMITED', `Too many requests; retry after ${Math.ceil(context.ttl / 1000)} seconds.`),
  });

  app.get('/health', async (_request, reply) => {
    try {
      await ctx.db.execute(sql`select 1`);
      return { status: 'ok' };
    } catch {
      return reply.status(503).send({ status: 'unavailable' });
    }
  });

  registerAuthRoutes(app, ctx);
  registerClientRoutes(app, ctx, authenticate(ctx));
  registerSyncRoutes(app, ctx, authenticate(ctx));
  registerEventRoutes(app, ctx, authenticate(ctx));
  return app;
}
