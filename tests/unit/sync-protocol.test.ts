import { describe, expect, it } from 'vitest';
import { encodeHlc } from '../../src/shared/sync/hlc';
import {
  MAX_MUTATIONS_PER_PUSH,
  pullRequestSchema,
  pullResponseSchema,
  pushRequestSchema,
  SYNC_PROTOCOL_VERSION,
} from '../../src/shared/sync/protocol';

const mutation = (mutationId: number) => ({
  mutationId,
  name: 'note.saveDraft' as const,
  clientId: '5b0f7c1e-6a53-4c4b-9c2a-2f1f3b7e9a10',
  args: { noteId: 'b9d2a0f4-1d7e-4f57-8a55-0c7a8a0c6d11' },
  hlc: encodeHlc({ wallMs: Date.UTC(2026, 10, 22), counter: 0, replicaId: 'replica-laptop-1' }),
});

describe('sync wire format', () => {
  it('accepts a well-formed push', () => {
    const parsed = pushRequestSchema.safeParse({
      protocolVersion: SYNC_PROTOCOL_VERSION,
      replicaId: 'replica-laptop-1',
      mutations: [mutation(1), mutation(2)],
    });
    expect(parsed.success).toBe(true);
  });

  it('refuses unknown mutation names, extra fields, empty and oversized batches', () => {
    const base = { protocolVersion: SYNC_PROTOCOL_VERSION, replicaId: 'replica-laptop-1' };
    expect(pushRequestSchema.safeParse({ ...base, mutations: [{ ...mutation(1), name: 'note.delete' }] }).success).toBe(
      false,
    );
    expect(pushRequestSchema.safeParse({ ...base, mutations: [mutation(1)], extra: true }).success).toBe(false);
    expect(pushRequestSchema.safeParse({ ...base, mutations: [] }).success).toBe(false);
    const tooMany = Array.from({ length: MAX_MUTATIONS_PER_PUSH + 1 }, (_, i) => mutation(i + 1));
    expect(pushRequestSchema.safeParse({ ...base, mutations: tooMany }).success).toBe(false);
    expect(pushRequestSchema.safeParse({ ...base, mutations: [{ ...mutation(0) }] }).success).toBe(false);
  });

  it('defaults the pull page size and bounds it', () => {
    const parsed = pullRequestSchema.parse({
      protocolVersion: SYNC_PROTOCOL_VERSION,
      replicaId: 'replica-laptop-1',
      cursor: null,
    });
    expect(parsed.limit).toBe(1000);
    expect(
      pullRequestSchema.safeParse({ protocolVersion: 1, replicaId: 'replica-laptop-1', cursor: null, limit: 5000 })
        .success,
    ).toBe(false);
  });

  it('reads a resync answer and a purge of a client who left the caseload', () => {
    expect(pullResponseSchema.parse({ status: 'resyncRequired', reason: 'CURSOR_EXPIRED' })).toEqual({
      status: 'resyncRequired',
      reason: 'CURSOR_EXPIRED',
    });
    const page = pullResponseSchema.parse({
      status: 'ok',
      changes: [{ op: 'purgeClient', clientId: '5b0f7c1e-6a53-4c4b-9c2a-2f1f3b7e9a10' }],
      cursor: 'c1',
      hasMore: false,
      lastMutationId: 7,
    });
    expect(page.status === 'ok' && page.changes[0]?.op).toBe('purgeClient');
  });

  it("accepts a put's data only as a JSON object (its record schema checks the rest)", () => {
    const put = (data: unknown) => ({
      status: 'ok',
      changes: [
        { op: 'put', entity: 'note', id: '5b0f7c1e-6a53-4c4b-9c2a-2f1f3b7e9a10', clientId: null, version: 1, data },
      ],
      cursor: 'c1',
      hasMore: false,
      lastMutationId: 0,
    });
    for (const data of [null, [], ['a'], 'text', 3, true, undefined]) {
      expect(pullResponseSchema.safeParse(put(data)).success, JSON.stringify(data) ?? 'undefined').toBe(false);
    }
    const data = { status: 'draft', content: { text: 'x' } };
    const page = pullResponseSchema.parse(put(data));
    expect(page.status === 'ok' && page.changes[0]?.op === 'put' && page.changes[0].data).toEqual(data);
  });
});
