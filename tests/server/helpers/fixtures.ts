import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildServer, type BuildServerOptions } from '../../../src/server/app.js';
import { hashPassword } from '../../../src/server/auth/passwords.js';
import type { ServerConfig } from '../../../src/server/config.js';
import type { ServerDb } from '../../../src/server/db/database.js';
import { careAssignments, users } from '../../../src/server/db/schema.js';
import { createServerLogger } from '../../../src/server/logger.js';
import { createClientWithProfile, type NewClientProfile } from '../../../src/server/records/clients.js';
import { refreshStaffRecord } from '../../../src/server/records/staff.js';

export const PASSWORD = 'correct horse battery staple';
let passwordHash: Promise<string> | undefined;

/** A unique username per call, so tests sharing a database never collide. */
export const uniqueName = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/** A user and their staff record, as the admin command writes them. */
export async function createUser(
  db: ServerDb,
  options: {
    role?: 'clinician' | 'supervisor' | 'admin';
    supervisorId?: string;
    username?: string;
    credentials?: string;
  } = {},
): Promise<{ id: string; username: string }> {
  passwordHash ??= hashPassword(PASSWORD);
  const username = options.username ?? uniqueName(options.role ?? 'clinician');
  const hash = await passwordHash;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(users)
      .values({
        username,
        displayName: `Synthetic ${username}`,
        role: options.role ?? 'clinician',
        credentials: options.credentials ?? null,
        passwordHash: hash,
        supervisorId: options.supervisorId ?? null,
      })
      .returning({ id: users.id, username: users.username });
    if (!row) throw new Error('no user');
    await refreshStaffRecord(tx, row.id);
    return row;
  });
}

/** A clearly synthetic client profile; override any field. */
export const syntheticProfile = (overrides: Partial<NewClientProfile> = {}): NewClientProfile => ({
  givenName: 'Synthetic',
  familyName: 'Client',
  dateOfBirth: '1990-01-01',
  program: 'iop',
  levelOfCare: 'ASAM 2.1',
  status: 'active',
  ...overrides,
});

/** A client (anchor row and profile record), as the admin command creates one. */
export async function createClient(db: ServerDb, overrides: Partial<NewClientProfile> = {}): Promise<string> {
  return db.transaction((tx) => createClientWithProfile(tx, syntheticProfile(overrides)));
}

export async function assign(db: ServerDb, userId: string, clientId: string, kind: 'caseload' | 'care_team') {
  await db.insert(careAssignments).values({ userId, clientId, kind });
}

export interface TestServer {
  app: FastifyInstance;
  url: string;
  /** Move the server's clock. */
  advance(ms: number): void;
  close(): Promise<void>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  get(path: string, token?: string): Promise<Response>;
  signIn(username: string, extra?: Record<string, unknown>): Promise<SignInResult>;
}

export interface SignInResult {
  accessToken: string;
  refreshToken: string;
  deviceId: string;
  accessTokenExpiresAt: string;
  refreshTokenExpiresAt: string;
  user: { id: string; username: string; displayName: string; role: string };
}

/**
 * The real server on a loopback port, driven with fetch. Logs go to a silent logger. `options`:
 * more build options (e.g. the clinic's `templates`).
 */
export async function startTestServer(
  db: ServerDb,
  config: Partial<ServerConfig> = {},
  options: Pick<BuildServerOptions, 'templates'> = {},
): Promise<TestServer> {
  let offset = 0;
  const app = await buildServer({
    ...options,
    db,
    config,
    logger: createServerLogger({ level: 'silent' }),
    now: () => new Date(Date.now() + offset),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address !== 'object') throw new Error('no address');
  const url = `http://127.0.0.1:${address.port}`;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  return {
    app,
    url,
    advance: (ms) => {
      offset += ms;
    },
    close: () => app.close(),
    post,
    get: (path, token) =>
      fetch(`${url}${path}`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } }),
    signIn: async (username, extra = {}) => {
      const response = await post('/auth/sign-in', {
        username,
        password: PASSWORD,
        deviceName: 'Test laptop',
        ...extra,
      });
      if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
      return (await response.json()) as SignInResult;
    },
  };
}

export async function errorOf(response: Response): Promise<{ status: number; code: string; message: string }> {
  const body = (await response.json()) as { error: { code: string; message: string } };
  return { status: response.status, code: body.error.code, message: body.error.message };
}
