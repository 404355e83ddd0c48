import { and, eq, isNull } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { appendAudit } from '../audit/chain.js';
import { verifyPassword } from '../auth/passwords.js';
import { hashRefreshToken, newRefreshToken, signAccessToken, verifyAccessToken } from '../auth/tokens.js';
import { parseInput, type ServerContext } from '../context.js';
import type { ServerDb } from '../db/database.js';
import { devices, refreshTokens, users } from '../db/schema.js';
import { refreshRequestSchema, signInRequestSchema } from '../../shared/auth/api.js';
import { ApiError } from '../errors.js';

export const signInBody = signInRequestSchema;
export const refreshBody = refreshRequestSchema;

const rateLimited = (config: ServerContext['config']) => ({
  rateLimit: { max: config.authRequestsPerMinute, timeWindow: 60_000 },
});

/** Issue an access token and a new refresh token of `familyId` for a device (inside `tx`). */
async function issueTokens(
  ctx: ServerContext,
  tx: ServerDb,
  userId: string,
  deviceId: string,
  familyId: string,
  now: Date,
) {
  const refresh = newRefreshToken();
  const refreshExpiresAt = new Date(now.getTime() + ctx.config.refreshTokenTtlSeconds * 1000);
  await tx.insert(refreshTokens).values({
    familyId,
    userId,
    deviceId,
    tokenHash: refresh.hash,
    createdAt: now,
    expiresAt: refreshExpiresAt,
  });
  const access = await signAccessToken(ctx.signingKey, { userId, deviceId }, now, ctx.config.accessTokenTtlSeconds);
  return {
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt.toISOString(),
    refreshToken: refresh.token,
    refreshTokenExpiresAt: refreshExpiresAt.toISOString(),
    deviceId,
  };
}

const invalidCredentials = () => new ApiError('INVALID_CREDENTIALS', 'Wrong username or password.');
const deviceRevoked = () =>
  new ApiError('DEVICE_REVOKED', 'This device has been revoked; its local data must be erased.');

export function registerAuthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { db } = ctx;

  app.post('/auth/sign-in', { config: rateLimited(ctx.config) }, async (request, reply) => {
    const body = parseInput(signInBody, request.body);
    const now = ctx.now();
    const username = body.username.toLowerCase();
    const limiterKey = `${username}\u0000${request.ip}`;
    const retryAfter = ctx.signInLimiter.retryAfterSeconds(limiterKey, now.getTime());
    if (retryAfter > 0) {
      await appendAudit(db, {
        userId: null,
        deviceId: null,
        action: 'auth.sign_in',
        outcome: 'denied',
        details: { reason: 'RATE_LIMITED' },
      });
      void reply.header('retry-after', String(retryAfter));
      throw new ApiError('RATE_LIMITED', `Too many failed sign-ins; retry after ${retryAfter} seconds.`);
    }

    const [user] = await db.select().from(users).where(eq(users.username, username)).limit(1);
    const passwordOk = await verifyPassword(user?.passwordHash, body.password);
    if (!user || !passwordOk || user.disabledAt !== null) {
      ctx.signInLimiter.recordFailure(limiterKey, now.getTime());
      await appendAudit(db, {
        userId: user?.id ?? null,
        deviceId: null,
        action: 'auth.sign_in',
        outcome: 'failed',
        details: { reason: user?.disabledAt ? 'DISABLED' : 'INVALID_CREDENTIALS' },
      });
      throw invalidCredentials();
    }
    ctx.signInLimiter.reset(limiterKey);

    const result = await db.transaction(async (tx) => {
      let deviceId: string | undefined;
      if (body.deviceId !== undefined) {
        const [device] = await tx
          .select()
          .from(devices)
          .where(and(eq(devices.id, body.deviceId), eq(devices.userId, user.id)));
        if (device?.revokedAt) return { revoked: device.id } as const;
        if (device) {
          deviceId = device.id;
          await tx.update(devices).set({ name: body.deviceName, lastSeenAt: now }).where(eq(devices.id, device.id));
        }
      }
      if (deviceId === undefined) {
        const [created] = await tx
          .insert(devices)
          .values({ userId: user.id, name: body.deviceName, createdAt: now, lastSeenAt: now })
          .returning({ id: devices.id });
        if (!created) throw new Error('device insert returned nothing');
        deviceId = created.id;
      }
      const tokens = await issueTokens(ctx, tx, user.id, deviceId, crypto.randomUUID(), now);
      await appendAudit(tx, {
        userId: user.id,
        deviceId,
        action: 'auth.sign_in',
        outcome: 'ok',
        recordType: 'device',
        recordIds: [deviceId],
      });
      return { tokens } as const;
    });

    if ('revoked' in result) {
      await appendAudit(db, {
        userId: user.id,
        deviceId: result.revoked,
        action: 'auth.sign_in',
        outcome: 'denied',
        details: { reason: 'DEVICE_REVOKED' },
      });
      throw deviceRevoked();
    }
    return {
      ...result.tokens,
      user: { id: user.id, username: user.username, displayName: user.displayName, role: user.role },
    };
  });

  app.post('/auth/refresh', { config: rateLimited(ctx.config) }, async (request) => {
    const body = parseInput(refreshBody, request.body);
    const now = ctx.now();
    const [row] = await db
      .select({ token: refreshTokens, device: devices, user: users })
      .from(refreshTokens)
      .innerJoin(devices, eq(devices.id, refreshTokens.deviceId))
      .innerJoin(users, eq(users.id, refreshTokens.userId))
      .where(eq(refreshTokens.tokenHash, hashRefreshToken(body.refreshToken)))
      .limit(1);
    if (!row) throw new ApiError('REFRESH_INVALID', 'The refresh token is not valid; sign in again.');
    const { token, device, user } = row;
    const audit = (outcome: 'ok' | 'denied', reason?: string) =>
      appendAudit(db, {
        userId: user.id,
        deviceId: device.id,
        action: 'auth.refresh',
        outcome,
        ...(reason === undefined ? {} : { details: { reason } }),
      });

    if (device.revokedAt !== null) {
      await audit('denied', 'DEVICE_REVOKED');
      throw deviceRevoked();
    }
    if (token.rotatedAt !== null) {
      // A rotated token came back: it was copied. Revoke the whole family.
      await db
        .update(refreshTokens)
        .set({ revokedAt: now })
        .where(and(eq(refreshTokens.familyId, token.familyId), isNull(refreshTokens.revokedAt)));
      await audit('denied', 'REFRESH_REUSED');
      throw new ApiError('REFRESH_REUSED', 'The refresh token was already used; every session of it is revoked.');
    }
    if (token.revokedAt !== null || token.expiresAt.getTime() <= now.getTime() || user.disabledAt !== null) {
      await audit('denied', 'REFRESH_INVALID');
      throw new ApiError('REFRESH_INVALID', 'The refresh token is not valid; sign in again.');
    }

    const tokens = await db.transaction(async (tx) => {
      const rotated = await tx
        .update(refreshTokens)
        .set({ rotatedAt: now })
        .where(and(eq(refreshTokens.id, token.id), isNull(refreshTokens.rotatedAt), isNull(refreshTokens.revokedAt)))
        .returning({ id: refreshTokens.id });
      if (rotated.length === 0) return null; // lost a race with another use of the same token
      await tx.update(devices).set({ lastSeenAt: now }).where(eq(devices.id, device.id));
      const issued = await issueTokens(ctx, tx, user.id, device.id, token.familyId, now);
      await appendAudit(tx, { userId: user.id, deviceId: device.id, action: 'auth.refresh', outcome: 'ok' });
      return issued;
    });
    if (!tokens) {
      await audit('denied', 'REFRESH_REUSED');
      throw new ApiError('REFRESH_REUSED', 'The refresh token was already used; every session of it is revoked.');
    }
    return tokens;
  });

  app.post('/auth/sign-out', { config: rateLimited(ctx.config) }, async (request, reply) => {
    const body = parseInput(refreshBody, request.body);
    const [token] = await db
      .select()
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, hashRefreshToken(body.refreshToken)))
      .limit(1);
    if (token) {
      await db.transaction(async (tx) => {
        await tx
          .update(refreshTokens)
          .set({ revokedAt: ctx.now() })
          .where(and(eq(refreshTokens.familyId, token.familyId), isNull(refreshTokens.revokedAt)));
        await appendAudit(tx, {
          userId: token.userId,
          deviceId: token.deviceId,
          action: 'auth.sign_out',
          outcome: 'ok',
        });
      });
    }
    return reply.status(204).send();
  });
}

/**
 * onRequest hook for protected routes: a valid bearer token for a user who is enabled and a
 * device that is not revoked (checked in the database on every request, so revocation is
 * immediate). Sets `request.principal`.
 */
export function authenticate(ctx: ServerContext) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9_.-]+)$/.exec(header) : null;
    if (!match?.[1]) throw new ApiError('UNAUTHENTICATED', 'Sign in first (Authorization: Bearer <access token>).');
    const claims = await verifyAccessToken(ctx.signingKey, match[1], ctx.now());
    const [row] = await ctx.db
      .select({ role: users.role, disabledAt: users.disabledAt, revokedAt: devices.revokedAt })
      .from(devices)
      .innerJoin(users, eq(users.id, devices.userId))
      .where(and(eq(devices.id, claims.deviceId), eq(users.id, claims.userId)))
      .limit(1);
    if (!row || row.disabledAt !== null) throw new ApiError('UNAUTHENTICATED', 'The access token is not valid.');
    if (row.revokedAt !== null) {
      await appendAudit(ctx.db, {
        userId: claims.userId,
        deviceId: claims.deviceId,
        action: 'auth.access',
        outcome: 'denied',
        details: { reason: 'DEVICE_REVOKED' },
      });
      throw deviceRevoked();
    }
    request.principal = {
      id: claims.userId,
      role: row.role,
      deviceId: claims.deviceId,
      accessExpiresAt: claims.expiresAt,
    };
  };
}
