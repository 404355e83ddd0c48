import { describe, expect, it } from 'vitest';
import { prepareChanges, type PreparedPullResponse } from '../../src/core/sync/prepare-changes';
import { packPreparedPage, unpackPreparedPage } from '../../src/core/sync/prepared-page-transfer';
import type { Change } from '../../src/shared/sync/protocol';

/**
 * A prepared page crosses from the pull worker to the core's thread packed (notes as flat
 * arrays) and is unpacked there: what the core writes must be exactly what the worker prepared,
 * every field of every kind of change, after a real copy between threads (structured clone).
 */
const CLIENT = '0c6e1d3a-2b4f-4e8a-9c1d-7f3e5a2b8c90';
const AUTHOR = 'b9d2a0f4-1d7e-4f57-8a55-0c7a8a0c6d11';
const SUPERVISOR = '3a0c5f6e-8b1d-4d2e-9f7a-6c5b4a3d2e10';
const DEVICE = '7e6d5c4b-3a29-4817-8615-a4b3c2d1e0f9';
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

const content = (words: string) => ({
  templateId: 'soap',
  templateVersion: 1,
  encounter: {
    modality: 'video',
    date: '2026-11-02',
    timeZone: 'America/Chicago',
    startTime: '09:00',
    endTime: '09:50',
  },
  sections: { S: { report: { type: 'text', value: words } } },
});

const changes: Change[] = [
  // A signed note with every optional field set: co-signature, sharing, signature.
  {
    op: 'put',
    entity: 'note',
    id: id(1),
    clientId: CLIENT,
    version: 7,
    data: {
      authorId: AUTHOR,
      status: 'signed',
      content: JSON.stringify(content('Reports “three days” without use.')),
      contentHash: 'a'.repeat(64),
      signedAt: '2026-11-02T16:00:00.000Z',
      signedBy: AUTHOR,
      cosign: {
        required: true,
        status: 'returned',
        by: SUPERVISOR,
        at: '2026-11-03T09:00:00.000Z',
        comment: 'Add the plan.',
      },
      sharing: { careTeam: true, at: '2026-11-02T16:05:00.000Z', by: AUTHOR },
      createdAt: '2026-11-02T15:00:00.000Z',
      updatedAt: '2026-11-03T09:00:00.000Z',
    },
  },
  // A draft last saved on another device; the fields a draft leaves out take their defaults.
  {
    op: 'put',
    entity: 'note',
    id: id(2),
    clientId: CLIENT,
    version: 2,
    data: {
      authorId: AUTHOR,
      status: 'draft',
      content: JSON.stringify(content('Craving 3/10.')),
      lastSaved: { deviceId: DEVICE, at: '2026-11-04T10:00:00.000Z' },
      createdAt: '2026-11-04T09:00:00.000Z',
      updatedAt: '2026-11-04T10:00:00.000Z',
    },
  },
  {
    op: 'put',
    entity: 'checkin',
    id: id(3),
    clientId: CLIENT,
    version: 1,
    data: {
      submittedAt: '2026-11-04T08:00:00.000Z',
      receivedAt: '2026-11-04T08:00:02.000Z',
      craving: 4,
      mood: 3,
      useSinceLast: false,
    },
  },
  // A note that does not validate: kept as pulled, not packed.
  { op: 'put', entity: 'note', id: id(4), clientId: CLIENT, version: 1, data: { status: 'draft' } },
  { op: 'put', entity: 'hologram' as never, id: id(5), clientId: CLIENT, version: 1, data: {} },
  { op: 'delete', entity: 'note', id: id(6), clientId: CLIENT, version: 3 },
  { op: 'purgeClient', clientId: id(7) },
];

const page: PreparedPullResponse = {
  status: 'ok',
  changes: prepareChanges(changes),
  cursor: '1234',
  hasMore: true,
  lastMutationId: 41,
};

describe('a prepared page crossing from the pull worker to the core', () => {
  it('arrives with every change exactly as the worker prepared it', () => {
    const prepared = page.status === 'ok' ? page.changes : [];
    // The fixture covers what it claims to: two prepared notes, a record, skipped puts, a tombstone, a purge.
    expect(prepared.map((c) => (c.op === 'put' ? c.prepared : c.op))).toEqual([
      'note',
      'note',
      'record',
      'skip',
      'skip',
      'delete',
      'purgeClient',
    ]);
    const arrived = unpackPreparedPage(structuredClone(packPreparedPage(page)));
    expect(arrived).toStrictEqual(page);
  });

  it('sends the notes as arrays, without their field names', () => {
    const packed = packPreparedPage(page);
    if (packed.status !== 'ok') throw new Error('not an ok page');
    expect(packed.changes.filter(Array.isArray)).toHaveLength(2);
    expect(JSON.stringify(packed.changes[0])).not.toContain('authorId');
  });

  it('passes a resync answer through', () => {
    const resync: PreparedPullResponse = { status: 'resyncRequired', reason: 'CURSOR_UNKNOWN' };
    expect(unpackPreparedPage(structuredClone(packPreparedPage(resync)))).toStrictEqual(resync);
  });
});
