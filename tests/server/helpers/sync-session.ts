import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { encodeHlc } from '../../../src/shared/sync/hlc.js';
import {
  PULL_CURSOR_HEADER,
  PULL_HAS_MORE_HEADER,
  pullResponseSchema,
  pushResponseSchema,
  type Change,
  type Mutation,
  type PullResponse,
  type PushResponse,
} from '../../../src/shared/sync/protocol.js';
import type { TestServer } from './fixtures.js';

/** One workstation replica signed in to a test server: pushes with increasing ids, pulls. */
export interface SyncSession {
  token: string;
  userId: string;
  replicaId: string;
  next: number;
}

export type MutationInput = Omit<Mutation, 'mutationId' | 'hlc'> & { hlc?: string };

export const newReplicaId = () => `r${randomUUID().replaceAll('-', '').slice(0, 20)}`;

let counter = 0;
/** A hybrid logical clock timestamp `offsetMs` from now on this replica. */
export const hlcAt = (replicaId: string, offsetMs = 0) =>
  encodeHlc({ wallMs: Date.now() + offsetMs, counter: (counter = (counter + 1) % 1000), replicaId });

export function syncClient(server: TestServer) {
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });

  async function session(username: string): Promise<SyncSession> {
    const signedIn = await server.signIn(username);
    return { token: signedIn.accessToken, userId: signedIn.user.id, replicaId: newReplicaId(), next: 1 };
  }

  /** Number the mutations with the session's next ids (and a current HLC unless one is given). */
  function mutations(s: SyncSession, ...items: MutationInput[]): Mutation[] {
    return items.map((item) => ({ hlc: hlcAt(s.replicaId), ...item, mutationId: s.next++ }));
  }

  async function pushRaw(s: SyncSession, batch: Mutation[]): Promise<PushResponse> {
    const response = await server.post(
      '/sync/push',
      { protocolVersion: 1, replicaId: s.replicaId, mutations: batch },
      auth(s.token),
    );
    expect(response.status).toBe(200);
    return pushResponseSchema.parse(await response.json());
  }

  /** Push and return each mutation's status, or its rejection code. */
  async function push(s: SyncSession, ...items: MutationInput[]): Promise<string[]> {
    const response = await pushRaw(s, mutations(s, ...items));
    return response.results.map((r) => (r.status === 'rejected' ? r.code : r.status));
  }

  async function pull(s: SyncSession, cursor: string | null, limit?: number): Promise<PullResponse> {
    const response = await server.post(
      '/sync/pull',
      { protocolVersion: 1, replicaId: s.replicaId, cursor, ...(limit ? { limit } : {}) },
      auth(s.token),
    );
    expect(response.status).toBe(200);
    const answer = pullResponseSchema.parse(await response.json());
    // Every ok answer repeats its cursor in headers (the workstation asks for the next page on
    // them before reading the body); a resync answer has none.
    expect({
      cursor: response.headers.get(PULL_CURSOR_HEADER),
      hasMore: response.headers.get(PULL_HAS_MORE_HEADER),
    }).toEqual(
      answer.status === 'ok'
        ? { cursor: answer.cursor, hasMore: String(answer.hasMore) }
        : { cursor: null, hasMore: null },
    );
    return answer;
  }

  /** Every page from `cursor` on; throws on resyncRequired. */
  async function pullAll(s: SyncSession, cursor: string | null): Promise<{ changes: Change[]; cursor: string }> {
    const all: Change[] = [];
    let at = cursor;
    for (;;) {
      const page = await pull(s, at);
      if (page.status !== 'ok') throw new Error(`expected ok, got ${page.reason}`);
      all.push(...page.changes);
      at = page.cursor;
      if (!page.hasMore) return { changes: all, cursor: at };
    }
  }

  return { session, mutations, pushRaw, push, pull, pullAll };
}

/** The put/delete changes of one record id. */
export const changesOf = (changes: Change[], id: string) =>
  changes.filter((c): c is Exclude<Change, { op: 'purgeClient' }> => c.op !== 'purgeClient' && c.id === id);

/** The single put of a record id in a page (fails if there is none or several). */
export function putOf(changes: Change[], id: string): Extract<Change, { op: 'put' }> {
  const found = changesOf(changes, id);
  expect(found).toHaveLength(1);
  const change = found[0];
  if (change?.op !== 'put') throw new Error(`expected a put of ${id}, got ${JSON.stringify(change)}`);
  return change;
}
