import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { ServerDb } from '../db/database.js';
import { serverKeys } from '../db/schema.js';
import { ApiError } from '../errors.js';

const ISSUER = 'continuum-clinic-server';
const AUDIENCE = 'continuum-workstation';
const KEY_NAME = 'jwt-hs256';

/** The HS256 key: from the configuration, or generated once and shared through the database. */
export async function loadSigningKey(db: ServerDb, configured?: string): Promise<Uint8Array> {
  if (configured !== undefined) {
    const key = Buffer.from(configured, 'base64url');
    if (key.length < 32) throw new Error('jwtSecret must be at least 32 bytes (base64url)');
    return new Uint8Array(key);
  }
  await db
    .insert(serverKeys)
    .values({ name: KEY_NAME, secret: randomBytes(32).toString('base64url') })
    .onConflictDoNothing();
  const [row] = await db.select().from(serverKeys).where(eq(serverKeys.name, KEY_NAME));
  if (!row) throw new Error('Signing key missing');
  return new Uint8Array(Buffer.from(row.secret, 'base64url'));
}

export interface AccessClaims {
  userId: string;
  deviceId: string;
}

export async function signAccessToken(
  key: Uint8Array,
  claims: AccessClaims,
  now: Date,
  ttlSeconds: number,
): Promise<{ token: string; expiresAt: Date }> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expiresAt = issuedAt + ttlSeconds;
  const token = await new SignJWT({ did: claims.deviceId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .setJti(randomUUID())
    .sign(key);
  return { token, expiresAt: new Date(expiresAt * 1000) };
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Verify an access token; 401 TOKEN_EXPIRED or UNAUTHENTICATED otherwise. */
export async function verifyAccessToken(
  key: Uint8Array,
  token: string,
  now: Date,
): Promise<AccessClaims & { expiresAt: Date }> {
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      currentDate: now,
      requiredClaims: ['sub', 'exp', 'iat'],
    });
    const deviceId = payload['did'];
    if (typeof deviceId !== 'string' || !uuidPattern.test(deviceId) || !uuidPattern.test(payload.sub ?? '')) {
      throw new ApiError('UNAUTHENTICATED', 'The access token is not valid.');
    }
    return { userId: payload.sub ?? '', deviceId, expiresAt: new Date((payload.exp ?? 0) * 1000) };
  } catch (error) {
    if (error instanceof ApiError) throw error;
    if (error instanceof joseErrors.JWTExpired) {
      throw new ApiError('TOKEN_EXPIRED', 'The access token has expired; refresh it.');
    }
    throw new ApiError('UNAUTHENTICATED', 'The access token is not valid.');
  }
}

/** An opaque refresh token (256 random bits) and the hash stored in its place. */
export function newRefreshToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashRefreshToken(token) };
}

export const hashRefreshToken = (token: string): string => createHash('sha256').update(token).digest('hex');
