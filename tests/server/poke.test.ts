import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands, type AdminIo } from '../../src/server/admin/commands.js';
import { encodeHlc } from '../../src/shared/sync/hlc.js';
import { BACKENDS, useBackends, type TestDatabase } from './helpers/backends.js';
import { closeServer, openStream, type Stream } from './helpers/events.js';
import { assign, createClient, createUser, errorOf, startTestServer, type TestServer } from './helpers/fixtures.js';

/**
 * How long a test waits for an event before failing. Generous on purpose: delivery latency is
 * measured by `npm run bench -- --sync` (push-to-visible), not asserted here.
 */
const POKE_WAIT_MS = 10_000;

const backends = useBackends();

const silentIo: AdminIo = { stdout: () => undefined, stderr: () => undefined, readStdin: async () => '' };

async function admin(database: TestDatabase, name: string, options: Record<string, string>) {
  const spec = commands[name];
  if (!spec) throw new Error(`no admin command ${name}`);
  await spec.run(database.db, options, silentIo);
}

let counter = 0;
const newReplicaId = () => `r${randomUUID().replaceAll('-', '').slice(0, 20)}`;

async function pushDraft(server: TestServer, token: string, clientId: string): Promise<void> {
  const replicaId = newReplicaId();
  counter = (counter + 1) % 1000;
  const response = await server.post(
    '/sync/push',
    {
      protocolVersion: 1,
      replicaId,
      mutations: [
        {
          mutationId: 1,
          hlc: encodeHlc({ wallMs: Date.now(), counter, replicaId }),
          name: 'note.saveDraft',
          clientId,
          args: { noteId: randomUUID(), content: { text: 'synthetic' }, baseVersion: null },
        },
      ],
    },
    { authorization: `Bearer ${token}` },
  );
  expect(response.status).toBe(200);
  const body = (await response.json()) as { results: { status: string }[] };
  expect(body.results.map((r) => r.status)).toEqual(['applied']);
}

describe.each(BACKENDS)('poke channel GET /sync/events (%s)', (backend) => {
  let database: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    database = await backends.open(backend);
    server = await startTestServer(database.db);
  });
  afterAll(async () => closeServer(server));

  async function world() {
    const db = database.db;
    const supervisor = await createUser(db, { role: 'supervisor' });
    const alice = await createUser(db, { supervisorId: supervisor.id });
    const bob = await createUser(db);
    const carol = await createUser(db);
    const shared = await createClient(db);
    const carolClient = await createClient(db);
    await assign(db, alice.id, shared, 'caseload');
    await assign(db, bob.id, shared, 'care_team');
    await assign(db, carol.id, carolClient, 'caseload');
    return { supervisor, alice, bob, carol, shared, carolClient };
  }

  it('refuses a request without a valid token with a 401 JSON error', async () => {
    const missing = await server.get('/sync/events');
    expect(await errorOf(missing)).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    const bad = await server.get('/sync/events', 'not.a.token');
    expect(await errorOf(bad)).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it('pokes the care team and the supervisor after a push, and no one out of scope', async () => {
    const { supervisor, alice, bob, carol, shared } = await world();
    const [aliceSession, bobSession, carolSession, supervisorSession] = await Promise.all(
      [alice, bob, carol, supervisor].map((user) => server.signIn(user.username)),
    );
    const streams: Stream[] = [];
    try {
      for (const s of [bobSession, carolSession, supervisorSession]) {
        streams.push(await openStream(server, s!.accessToken));
      }
      const [bobStream, carolStream, supervisorStream] = streams;
      expect(bobStream!.response.headers.get('content-type')).toBe('text/event-stream');
      expect(bobStream!.response.headers.get('cache-control')).toBe('no-store');

      await pushDraft(server, aliceSession!.accessToken, shared);
      expect(await bobStream!.next(POKE_WAIT_MS)).toEqual({ type: 'poke' });
      expect(await supervisorStream!.next(POKE_WAIT_MS)).toEqual({ type: 'poke' });
      expect(await carolStream!.next(300)).toBeNull();
    } finally {
      for (const stream of streams) await stream.close();
    }
  });

  it('pokes the care team after pushes of record mutations, and not after one that changed nothing', async () => {
    const { alice, bob, carol, shared } = await world();
    const [aliceSession, bobSession, carolSession] = await Promise.all(
      [alice, bob, carol].map((user) => server.signIn(user.username)),
    );
    const bobStream = await openStream(server, bobSession!.accessToken);
    const carolStream = await openStream(server, carolSession!.accessToken);
    try {
      const replicaId = newReplicaId();
      let mutationId = 0;
      const push = async (name: string, args: Record<string, unknown>) => {
        mutationId += 1;
        const response = await server.post(
          '/sync/push',
          {
            protocolVersion: 1,
            replicaId,
            mutations: [
              {
                mutationId,
                hlc: encodeHlc({ wallMs: Date.now(), counter: mutationId, replicaId }),
                name,
                clientId: shared,
                args,
              },
            ],
          },
          { authorization: `Bearer ${aliceSession!.accessToken}` },
        );
        expect(((await response.json()) as { results: { status: string }[] }).results[0]?.status).toBe('applied');
      };
      await push('client.updateFields', { fields: { phone: '555-0142' } });
      expect(await bobStream.next(POKE_WAIT_MS)).toEqual({ type: 'poke' });
      const measure = {
        id: randomUUID(),
        measure: {
          instrument: 'CRAVING',
          instrumentVersion: '1',
          administeredAt: new Date().toISOString(),
          source: 'clinician',
          answers: { craving: 3 },
          totalScore: 3,
        },
      };
      await push('measure.record', measure);
      expect(await bobStream.next(POKE_WAIT_MS)).toEqual({ type: 'poke' });
      // The same measure again changes nothing: no poke.
      await push('measure.record', measure);
      expect(await bobStream.next(300)).toBeNull();
      expect(await carolStream.next(300)).toBeNull();
    } finally {
      await bobStream.close();
      await carolStream.close();
    }
  });

  it('pokes every user when an admin creates a user (a new staff record)', async () => {
    const { carol } = await world();
    const session = await server.signIn(carol.username);
    const stream = await openStream(server, session.accessToken);
    try {
      await admin(database, 'create-user', {
        username: `poke-${randomUUID().slice(0, 6)}`,
        name: 'Synthetic',
        role: 'clinician',
      });
      expect(await stream.next(POKE_WAIT_MS)).toEqual({ type: 'poke' });
    } finally {
      await stream.close();
    }
  });

  it("dates the stream by the server's clock, like every other answer (workstations measure their drift from it)", async () => {
    const { bob } = await world();
    server.advance(-120_000);
    const abort = new AbortController();
    try {
      const session = await server.signIn(bob.username);
      const response = await fetch(`${server.url}/sync/events`, {
        headers: { authorization: `Bearer ${session.accessToken}` },
        signal: abort.signal,
      });
      expect(response.status).toBe(200);
      const behind = Date.now() - Date.parse(response.headers.get('date') ?? '');
      expect(behind).toBeGreaterThan(115_000);
      expect(behind).toBeLessThan(125_000);
    } finally {
      abort.abort();
      server.advance(120_000);
    }
  });

  it('audits the subscription with codes and ids only', async () => {
    const { bob } = await world();
    const session = await server.signIn(bob.username);
    const stream = await openStream(server, session.accessToken);
    try {
      const rows = await database.raw(
        `select action, outcome, record_type, record_ids, details from audit_log where user_id = $1 and action = 'sync.subscribe'`,
        [bob.id],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ outcome: 'ok', record_type: 'device', record_ids: [session.deviceId] });
    } finally {
      await stream.close();
    }
  });

  it('pokes a user when an admin assigns them a client', async () => {
    const { carol, shared } = await world();
    const session = await server.signIn(carol.username);
    const stream = await openStream(server, session.accessToken);
    try {
      await admin(database, 'assign-client', { username: carol.username, client: shared, kind: 'care_team' });
      expect(await stream.next(POKE_WAIT_MS)).toEqual({ type: 'poke' });
    } finally {
      await stream.close();
    }
  });

  it('sends deviceRevoked and closes the stream when the device is revoked', async () => {
    const { bob } = await world();
    const session = await server.signIn(bob.username);
    const other = await server.signIn(bob.username, { deviceName: 'Other laptop' });
    const stream = await openStream(server, session.accessToken);
    const otherStream = await openStream(server, other.accessToken);
    try {
      await admin(database, 'revoke-device', { device: session.deviceId });
      expect(await stream.next(POKE_WAIT_MS)).toEqual({ type: 'deviceRevoked' });
      expect(await stream.next(POKE_WAIT_MS)).toBe('end');
      expect(await otherStream.next(300)).toBeNull();
    } finally {
      await stream.close();
      await otherStream.close();
    }
  });

  it('closes the stream when the access token expires', async () => {
    // Token expiry has whole-second precision (exp = floor(now) + ttl): a 1 s token can have
    // almost nothing left by the time the stream opens, and the open itself is refused (401) on
    // a busy machine. 3 s leaves at least 2 s to open it.
    const short = await startTestServer(database.db, { accessTokenTtlSeconds: 3 });
    let stream: Stream | undefined;
    try {
      const { bob } = await world();
      const session = await short.signIn(bob.username);
      stream = await openStream(short, session.accessToken);
      expect(await stream.next(4500)).toBe('end');
    } finally {
      await stream?.close();
      await closeServer(short);
    }
  });
});

describe('poke channel across two server instances (postgres)', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await backends.open('postgres');
  });

  it('a push through instance A pokes a subscriber connected to instance B', async () => {
    const serverA = await startTestServer(database.db);
    const serverB = await startTestServer(database.db);
    let stream: Stream | undefined;
    try {
      const db = database.db;
      const alice = await createUser(db);
      const bob = await createUser(db);
      const client = await createClient(db);
      await assign(db, alice.id, client, 'caseload');
      await assign(db, bob.id, client, 'care_team');
      const aliceSession = await serverA.signIn(alice.username);
      const bobSession = await serverB.signIn(bob.username);
      stream = await openStream(serverB, bobSession.accessToken);
      await pushDraft(serverA, aliceSession.accessToken, client);
      expect(await stream.next(POKE_WAIT_MS)).toEqual({ type: 'poke' });
    } finally {
      await stream?.close();
      await closeServer(serverA);
      await closeServer(serverB);
    }
  });
});
