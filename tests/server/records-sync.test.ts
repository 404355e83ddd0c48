import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands, type AdminIo } from '../../src/server/admin/commands.js';
import { verifyAuditChain } from '../../src/server/audit/chain.js';
import { users } from '../../src/server/db/schema.js';
import { insertRecords, type StoredEntity } from '../../src/server/records/store.js';
import { contentHash } from '../../src/shared/notes/canonical.js';
import { encodeHlc } from '../../src/shared/sync/hlc.js';
import type { Change } from '../../src/shared/sync/protocol.js';
import { recordSchemas, type RecordEntity } from '../../src/shared/sync/records.js';
import { BACKENDS, useBackends, type TestDatabase } from './helpers/backends.js';
import { assign, createClient, createUser, startTestServer, type TestServer } from './helpers/fixtures.js';
import { changesOf, putOf, syncClient, type SyncSession } from './helpers/sync-session.js';

const backends = useBackends();
const silentIo: AdminIo = { stdout: () => undefined, stderr: () => undefined, readStdin: async () => '' };

const at = (offsetDays = 0) => new Date(Date.now() + offsetDays * 86_400_000).toISOString();

/** Clearly synthetic data for every record type the `records` table holds (except staff and client). */
/** Record types about one client (staff and templates are clinic-wide; the client record is created with the client). */
type ClientEntity = Exclude<StoredEntity, 'staff' | 'client' | 'template'>;

function sampleData(staffId: string): Record<ClientEntity, Record<string, unknown>> {
  const created = { createdAt: at(-30) };
  const stamped = { ...created, updatedAt: at(-30) };
  return {
    emergencyContact: { name: 'Synthetic Contact', relationship: 'sibling', phone: '555-0100', ...stamped },
    careTeamMember: { staffId, role: 'primary_clinician', startDate: '2026-01-05' },
    consent: { kind: 'telehealth', signedAt: at(-30), ...created },
    appointment: {
      clinicianId: staffId,
      startsAt: at(2),
      endsAt: at(2),
      type: 'individual',
      modality: 'video',
      status: 'scheduled',
      ...stamped,
    },
    measure: {
      instrument: 'CRAVING',
      instrumentVersion: '1',
      administeredAt: at(-3),
      source: 'clinician',
      answers: { craving: 4 },
      totalScore: 4,
      ...created,
    },
    checkin: { submittedAt: at(-1), receivedAt: at(-1), mood: 6, craving: 2 },
    medication: { name: 'Synthetic medication', category: 'moud', status: 'active', ...stamped },
    drugScreen: { collectedAt: at(-7), specimen: 'urine', results: { fentanyl: 'negative' }, ...created },
    plan: {
      kind: 'relapse_prevention',
      version: 1,
      status: 'active',
      content: { warningSigns: ['w'], triggers: [], copingStrategies: [], supports: [], afterALapse: [] },
      ...stamped,
    },
    task: { assigneeId: staffId, kind: 'follow_up', title: 'Synthetic follow-up', status: 'open', ...stamped },
    // Linked to a note id that need not exist here: the store checks shapes, the push checks links.
    addendum: {
      noteId: randomUUID(),
      authorId: staffId,
      body: { text: 'Synthetic addendum.' },
      status: 'signed',
      signedAt: at(-2),
      contentHash: contentHash({ text: 'Synthetic addendum.' }),
      ...stamped,
    },
    cosignature: {
      noteId: randomUUID(),
      signerId: staffId,
      signedAt: at(-2),
      contentHash: contentHash({ text: 'Synthetic note.' }),
      kind: 'cosign',
      ...created,
    },
  };
}

const relapsePlan = (version: number, status: 'draft' | 'active' = 'active') => ({
  kind: 'relapse_prevention' as const,
  version,
  status,
  content: { warningSigns: [`sign ${version}`], triggers: [], copingStrategies: [], supports: [], afterALapse: [] },
  createdAt: at(),
  updatedAt: at(),
});

const measureArgs = (id: string) => ({
  id,
  measure: {
    instrument: 'PHQ9',
    instrumentVersion: '1',
    administeredAt: at(),
    source: 'clinician',
    answers: { q1: 1, q2: 0 },
    totalScore: 1,
    band: 'minimal',
  },
});

describe.each(BACKENDS)('sync of every record type (%s)', (backend) => {
  let database: TestDatabase;
  let server: TestServer;
  let sync: ReturnType<typeof syncClient>;

  beforeAll(async () => {
    database = await backends.open(backend);
    server = await startTestServer(database.db);
    sync = syncClient(server);
  });
  afterAll(async () => server?.close());

  const admin = async (name: string, options: Record<string, string | boolean>) => {
    const spec = commands[name];
    if (!spec) throw new Error(`no admin command ${name}`);
    await spec.run(database.db, options, silentIo);
  };

  /** Seed one record of every type about `clientId`; returns the ids by entity. */
  async function seed(clientId: string, staffId: string) {
    const ids = {} as Record<ClientEntity, string>;
    const items = Object.entries(sampleData(staffId)).map(([entity, data]) => {
      const id = randomUUID();
      ids[entity as keyof typeof ids] = id;
      return { entity: entity as StoredEntity, id, clientId, data };
    });
    await database.db.transaction((tx) => insertRecords(tx, items, new Date()));
    return ids;
  }

  async function world() {
    const db = database.db;
    const supervisor = await createUser(db, { role: 'supervisor' });
    const alice = await createUser(db, { supervisorId: supervisor.id, credentials: 'LCSW' });
    const bob = await createUser(db);
    const aliceClient = await createClient(db, { givenName: 'Avery', familyName: 'Synthetic' });
    const aliceOther = await createClient(db);
    const bobClient = await createClient(db);
    await assign(db, alice.id, aliceClient, 'caseload');
    await assign(db, alice.id, aliceOther, 'caseload');
    await assign(db, bob.id, bobClient, 'caseload');
    return { supervisor, alice, bob, aliceClient, aliceOther, bobClient };
  }

  const counts = async () =>
    (
      await database.raw(
        `select (select count(*) from records)::int as records, (select count(*) from changes)::int as changes,
                (select count(*) from notes)::int as notes,
                (select coalesce(sum(version), 0)::int from records) as versions`,
      )
    )[0];

  const recordRow = async (id: string) =>
    (await database.raw(`select version, data, deleted_at, field_clocks from records where id = $1`, [id]))[0];

  const draft = (clientId: string, noteId: string, text: string, baseVersion: number | null = null) => ({
    name: 'note.saveDraft' as const,
    clientId,
    args: { noteId, content: { text }, baseVersion },
  });

  it('delivers every record type in scope on a full pull, each fitting its schema, and nothing out of scope', async () => {
    const { alice, aliceClient, bobClient, bob } = await world();
    const ids = await seed(aliceClient, alice.id);
    const bobIds = await seed(bobClient, bob.id);
    const laptop = await sync.session(alice.username);
    const desktop = await sync.session(alice.username);
    const noteId = randomUUID();
    expect(await sync.push(laptop, draft(aliceClient, noteId, 'v1'))).toEqual(['applied']);
    expect(await sync.push(laptop, draft(aliceClient, noteId, 'laptop', 1))).toEqual(['applied']);
    expect(await sync.push(desktop, draft(aliceClient, noteId, 'desktop', 1))).toEqual(['conflict']);

    const { changes } = await sync.pullAll(desktop, null);
    const entities = new Set(changes.map((c) => (c.op === 'purgeClient' ? 'purge' : c.entity)));
    // Every record type (templates only come from a clinic's templates file: tests/server/note-templates.test.ts).
    const expected = (Object.keys(recordSchemas) as RecordEntity[]).filter((entity) => entity !== 'template');
    expect([...entities].sort()).toEqual([...expected].sort());
    for (const change of changes) {
      if (change.op !== 'put') continue;
      const parsed = recordSchemas[change.entity as RecordEntity].safeParse(change.data);
      expect(parsed.success, `${change.entity} ${change.id}`).toBe(true);
    }
    for (const [entity, id] of Object.entries(ids)) {
      expect(putOf(changes, id)).toMatchObject({ entity, clientId: aliceClient, version: 1 });
    }
    expect(putOf(changes, aliceClient)).toMatchObject({
      entity: 'client',
      clientId: aliceClient,
      data: { givenName: 'Avery', familyName: 'Synthetic', program: 'iop', status: 'active' },
    });
    // Staff are clinic-wide: every user, with no client.
    expect(putOf(changes, bob.id)).toMatchObject({ entity: 'staff', clientId: null });
    const text = JSON.stringify(changes);
    for (const id of [bobClient, ...Object.values(bobIds)]) expect(text).not.toContain(id);
  });

  it('pulls each mutation type incrementally after the cursor', async () => {
    const { alice, aliceClient } = await world();
    const ids = await seed(aliceClient, alice.id);
    const a = await sync.session(alice.username);
    const other = await sync.session(alice.username);
    let { cursor } = await sync.pullAll(other, null);
    /** What the other device pulls after the last step. */
    const step = async () => {
      const result = await sync.pullAll(other, cursor);
      cursor = result.cursor;
      return result.changes;
    };

    expect(
      await sync.push(a, {
        name: 'client.updateFields',
        clientId: aliceClient,
        args: { fields: { phone: '555-0199' } },
      }),
    ).toEqual(['applied']);
    expect(putOf(await step(), aliceClient)).toMatchObject({ version: 2, data: { phone: '555-0199' } });

    const measureId = randomUUID();
    expect(await sync.push(a, { name: 'measure.record', clientId: aliceClient, args: measureArgs(measureId) })).toEqual(
      ['applied'],
    );
    expect(putOf(await step(), measureId)).toMatchObject({
      entity: 'measure',
      version: 1,
      // Administered by the clinician who pushed it (the server does not take it from the workstation).
      data: { instrument: 'PHQ9', totalScore: 1, administeredBy: alice.id },
    });

    const reviewedAt = at();
    expect(
      await sync.push(a, {
        name: 'checkin.acknowledge',
        clientId: aliceClient,
        args: { checkinId: ids.checkin, reviewedAt },
      }),
    ).toEqual(['applied']);
    expect(putOf(await step(), ids.checkin)).toMatchObject({ version: 2, data: { reviewedAt, reviewedBy: alice.id } });

    const completedAt = at();
    expect(
      await sync.push(a, { name: 'task.complete', clientId: aliceClient, args: { taskId: ids.task, completedAt } }),
    ).toEqual(['applied']);
    expect(putOf(await step(), ids.task)).toMatchObject({ version: 2, data: { status: 'done', completedAt } });

    const planId = randomUUID();
    expect(
      await sync.push(a, { name: 'plan.save', clientId: aliceClient, args: { id: planId, plan: relapsePlan(2) } }),
    ).toEqual(['applied']);
    const planChanges = await step();
    expect(putOf(planChanges, planId)).toMatchObject({
      version: 1,
      data: { version: 2, status: 'active', updatedBy: alice.id },
    });
    // The earlier version is kept, superseded.
    expect(putOf(planChanges, ids.plan)).toMatchObject({ version: 2, data: { version: 1, status: 'superseded' } });

    expect(
      await sync.push(a, {
        name: 'record.delete',
        clientId: aliceClient,
        args: { entity: 'emergencyContact', id: ids.emergencyContact },
      }),
    ).toEqual(['applied']);
    expect(changesOf(await step(), ids.emergencyContact)).toEqual([
      { op: 'delete', entity: 'emergencyContact', id: ids.emergencyContact, clientId: aliceClient, version: 2 },
    ]);

    const noteId = randomUUID();
    const text = 'synthetic note text';
    expect(
      await sync.push(a, draft(aliceClient, noteId, text), {
        name: 'note.sign',
        clientId: aliceClient,
        args: { noteId, contentHash: contentHash({ text }), signedAt: at() },
      }),
    ).toEqual(['applied', 'applied']);
    expect(putOf(await step(), noteId)).toMatchObject({
      version: 2,
      data: { status: 'signed', contentHash: contentHash({ text }), signedBy: alice.id },
    });

    // Nothing else moved.
    expect(await step()).toEqual([]);
  });

  it('merges profile fields per field by HLC: different fields both win, the newest clock wins one field in any order', async () => {
    const { alice, aliceClient, aliceOther } = await world();
    const laptop = await sync.session(alice.username);
    const desktop = await sync.session(alice.username);
    const older = (s: SyncSession) => encodeHlc({ wallMs: Date.now() - 20_000, counter: 0, replicaId: s.replicaId });
    const newer = (s: SyncSession) => encodeHlc({ wallMs: Date.now() - 10_000, counter: 0, replicaId: s.replicaId });
    const update = (clientId: string, fields: Record<string, unknown>, hlc: string) => ({
      name: 'client.updateFields' as const,
      clientId,
      args: { fields },
      hlc,
    });

    // Different fields, offline on two devices: both changes stay.
    expect(await sync.push(laptop, update(aliceClient, { phone: '555-0101' }, older(laptop)))).toEqual(['applied']);
    expect(await sync.push(desktop, update(aliceClient, { pronouns: 'they/them' }, older(desktop)))).toEqual([
      'applied',
    ]);
    expect((await recordRow(aliceClient))?.['data']).toMatchObject({ phone: '555-0101', pronouns: 'they/them' });

    // The same field: the newer clock wins whether it arrives first or last.
    for (const [clientId, order] of [
      [aliceClient, 'newer first'],
      [aliceOther, 'older first'],
    ] as const) {
      const win = update(clientId, { preferredName: 'Winner', levelOfCare: 'ASAM 1.0' }, newer(laptop));
      const lose = update(clientId, { preferredName: 'Loser' }, older(desktop));
      if (order === 'newer first') {
        expect(await sync.push(laptop, win)).toEqual(['applied']);
        const before = await recordRow(clientId);
        expect(await sync.push(desktop, lose)).toEqual(['applied']);
        // The losing edit changed nothing: same version, no change announced.
        expect((await recordRow(clientId))?.['version']).toBe(before?.['version']);
      } else {
        expect(await sync.push(desktop, lose)).toEqual(['applied']);
        expect(await sync.push(laptop, win)).toEqual(['applied']);
      }
      const row = await recordRow(clientId);
      expect(row?.['data']).toMatchObject({ preferredName: 'Winner', levelOfCare: 'ASAM 1.0' });
      expect((row?.['field_clocks'] as Record<string, string>)['preferredName']).toBe(win.hlc);
    }
    // The display name on the server's client list follows the preferred name.
    const [listed] = await database.raw(`select display_name from clients where id = $1`, [aliceOther]);
    expect(listed?.['display_name']).toBe('Winner Client');

    // Both devices pull the same merged record.
    const [l, d] = [await sync.pullAll(laptop, null), await sync.pullAll(desktop, null)];
    expect(putOf(l.changes, aliceClient)).toEqual(putOf(d.changes, aliceClient));
  });

  it('applies replays once: same mutation ids are duplicates, same record ids change nothing', async () => {
    const { alice, aliceClient } = await world();
    const ids = await seed(aliceClient, alice.id);
    const s = await sync.session(alice.username);
    const measureId = randomUUID();
    const planId = randomUUID();
    const batch = sync.mutations(
      s,
      { name: 'measure.record', clientId: aliceClient, args: measureArgs(measureId) },
      { name: 'checkin.acknowledge', clientId: aliceClient, args: { checkinId: ids.checkin, reviewedAt: at() } },
      { name: 'task.complete', clientId: aliceClient, args: { taskId: ids.task, completedAt: at() } },
      { name: 'plan.save', clientId: aliceClient, args: { id: planId, plan: relapsePlan(2) } },
      { name: 'record.delete', clientId: aliceClient, args: { entity: 'emergencyContact', id: ids.emergencyContact } },
    );
    const first = await sync.pushRaw(s, batch);
    expect(first.results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'applied', 'applied']);
    const after = await counts();
    // The batch again: duplicates by mutation id.
    const again = await sync.pushRaw(s, batch);
    expect(again.results.map((r) => r.status)).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
    ]);
    // The same operations under new mutation ids (an outbox rebuilt after a crash): nothing twice.
    const replayed = await sync.push(
      s,
      { name: 'measure.record', clientId: aliceClient, args: measureArgs(measureId) },
      { name: 'checkin.acknowledge', clientId: aliceClient, args: { checkinId: ids.checkin, reviewedAt: at(1) } },
      { name: 'task.complete', clientId: aliceClient, args: { taskId: ids.task, completedAt: at(1) } },
      { name: 'plan.save', clientId: aliceClient, args: { id: planId, plan: relapsePlan(3) } },
      { name: 'record.delete', clientId: aliceClient, args: { entity: 'emergencyContact', id: ids.emergencyContact } },
    );
    expect(replayed).toEqual(['applied', 'applied', 'applied', 'applied', 'applied']);
    expect(await counts()).toEqual(after);
    expect((await recordRow(planId))?.['data']).toMatchObject({ version: 2 });
  });

  it('brings tombstones to a replica that was offline, and refuses changes after them', async () => {
    const { alice, aliceClient } = await world();
    const ids = await seed(aliceClient, alice.id);
    const online = await sync.session(alice.username);
    const offline = await sync.session(alice.username);
    const draftId = randomUUID();
    const signedId = randomUUID();
    expect(
      await sync.push(online, draft(aliceClient, draftId, 'to delete'), draft(aliceClient, signedId, 'kept'), {
        name: 'note.sign',
        clientId: aliceClient,
        args: { noteId: signedId, contentHash: contentHash({ text: 'kept' }), signedAt: at() },
      }),
    ).toEqual(['applied', 'applied', 'applied']);
    const { cursor } = await sync.pullAll(offline, null);

    const del = (entity: 'note' | 'emergencyContact' | 'task', id: string) => ({
      name: 'record.delete' as const,
      clientId: aliceClient,
      args: { entity, id },
    });
    expect(
      await sync.push(
        online,
        del('note', draftId),
        del('emergencyContact', ids.emergencyContact),
        del('task', ids.task),
      ),
    ).toEqual(['applied', 'applied', 'applied']);
    expect(await sync.push(online, del('note', signedId))).toEqual(['SIGNED_NOTE_IMMUTABLE']);

    // The offline replica comes back: it learns about every delete.
    const { changes } = await sync.pullAll(offline, cursor);
    const deletes = changes.filter((c) => c.op === 'delete').map((c) => (c.op === 'delete' ? [c.entity, c.id] : []));
    expect(deletes.sort()).toEqual(
      [
        ['note', draftId],
        ['emergencyContact', ids.emergencyContact],
        ['task', ids.task],
      ].sort(),
    );
    expect(changes.filter((c) => c.op === 'put')).toEqual([]);
    // A full pull carries the tombstones too (a resync into an existing cache).
    const full = await sync.pullAll(offline, null);
    expect(changesOf(full.changes, ids.task)).toEqual([
      { op: 'delete', entity: 'task', id: ids.task, clientId: aliceClient, version: 2 },
    ]);

    // Edits made offline against deleted records are refused with DELETED; deleting again is a no-op.
    const before = await counts();
    expect(
      await sync.push(
        offline,
        { name: 'task.complete', clientId: aliceClient, args: { taskId: ids.task, completedAt: at() } },
        draft(aliceClient, draftId, 'edited offline', 1),
        del('task', ids.task),
      ),
    ).toEqual(['DELETED', 'DELETED', 'applied']);
    expect(await counts()).toEqual(before);
    expect(await database.raw(`select status from notes where id = $1`, [signedId])).toEqual([{ status: 'signed' }]);
  });

  it('refuses out-of-scope and wrong-client mutations, audited, with nothing written', async () => {
    const { alice, aliceClient, aliceOther, bobClient, bob } = await world();
    const ids = await seed(aliceClient, alice.id);
    const bobIds = await seed(bobClient, bob.id);
    const s = await sync.session(alice.username);
    const before = await counts();
    const results = await sync.push(
      s,
      { name: 'client.updateFields', clientId: bobClient, args: { fields: { phone: '555-0000' } } },
      { name: 'task.complete', clientId: bobClient, args: { taskId: bobIds.task, completedAt: at() } },
      // In scope, but the record belongs to another client.
      { name: 'task.complete', clientId: aliceOther, args: { taskId: ids.task, completedAt: at() } },
      { name: 'checkin.acknowledge', clientId: aliceOther, args: { checkinId: ids.checkin, reviewedAt: at() } },
      { name: 'record.delete', clientId: aliceOther, args: { entity: 'emergencyContact', id: ids.emergencyContact } },
      { name: 'record.delete', clientId: aliceClient, args: { entity: 'task', id: ids.emergencyContact } },
      { name: 'measure.record', clientId: aliceOther, args: measureArgs(ids.measure) },
      { name: 'plan.save', clientId: aliceOther, args: { id: ids.plan, plan: relapsePlan(2) } },
      // A task of alice's client, through bob's: the client is out of scope first.
      { name: 'task.complete', clientId: bobClient, args: { taskId: ids.task, completedAt: at() } },
      // A draft under the id of an existing record.
      draft(aliceClient, ids.measure, 'reusing an id'),
    );
    expect(results).toEqual([
      'OUT_OF_SCOPE',
      'OUT_OF_SCOPE',
      'INVALID',
      'INVALID',
      'INVALID',
      'INVALID',
      'INVALID',
      'INVALID',
      'OUT_OF_SCOPE',
      'INVALID',
    ]);
    expect(await counts()).toEqual(before);
    const denied = await database.raw(
      `select action, record_type, record_ids, details from audit_log
        where user_id = $1 and outcome = 'denied' and action like 'sync.%' order by seq`,
      [alice.id],
    );
    expect(denied.map((row) => [row['action'], row['record_ids']])).toEqual([
      ['sync.client.updateFields', [bobClient]],
      ['sync.task.complete', [bobClient]],
      ['sync.task.complete', [ids.task]],
      ['sync.checkin.acknowledge', [ids.checkin]],
      ['sync.record.delete', [ids.emergencyContact]],
      ['sync.record.delete', [ids.emergencyContact]],
      ['sync.measure.record', [ids.measure]],
      ['sync.plan.save', [ids.plan]],
      ['sync.task.complete', [bobClient]],
      ['sync.note.saveDraft', [ids.measure]],
    ]);
    expect(JSON.stringify(denied)).not.toMatch(/555-0000/);
    expect((await verifyAuditChain(database.db)).ok).toBe(true);
  });

  it('refuses malformed arguments with INVALID and a clear message, nothing written', async () => {
    const { alice, aliceClient } = await world();
    const ids = await seed(aliceClient, alice.id);
    const s = await sync.session(alice.username);
    const before = await counts();
    const response = await sync.pushRaw(
      s,
      sync.mutations(
        s,
        { name: 'client.updateFields', clientId: aliceClient, args: { fields: {} } },
        { name: 'client.updateFields', clientId: aliceClient, args: { fields: { givenName: 'Changed' } } },
        { name: 'client.updateFields', clientId: aliceClient, args: { fields: { status: 'gone' } } },
        {
          name: 'measure.record',
          clientId: aliceClient,
          args: { id: randomUUID(), measure: { ...measureArgs(randomUUID()).measure, instrument: 'XYZ' } },
        },
        {
          name: 'checkin.acknowledge',
          clientId: aliceClient,
          args: { checkinId: ids.checkin, reviewedAt: 'yesterday' },
        },
        { name: 'plan.save', clientId: aliceClient, args: { id: randomUUID(), plan: { kind: 'safety', version: 1 } } },
        { name: 'record.delete', clientId: aliceClient, args: { entity: 'measure', id: ids.measure } },
        { name: 'task.complete', clientId: null, args: { taskId: ids.task, completedAt: at() } },
      ),
    );
    const rejected = response.results.map((r) => (r.status === 'rejected' ? [r.code, r.message] : [r.status, '']));
    expect(rejected.map(([code]) => code)).toEqual(Array(8).fill('INVALID'));
    const messages = rejected.map(([, message]) => message);
    expect(messages[0]).toMatch(/No field to change/);
    expect(messages[1]).toMatch(/givenName/);
    expect(messages[2]).toMatch(/fields\.status/);
    expect(messages[3]).toMatch(/measure\.instrument/);
    expect(messages[4]).toMatch(/reviewedAt/);
    expect(messages[5]).toMatch(/plan\./);
    expect(messages[6]).toMatch(/entity/);
    expect(messages[7]).toMatch(/needs a clientId/);
    for (const message of messages) expect(message).not.toMatch(/Changed|XYZ|yesterday|gone/);
    expect(await counts()).toEqual(before);
  });

  it('refuses a signature whose content hash does not match the draft on the server', async () => {
    const { alice, aliceClient } = await world();
    const s = await sync.session(alice.username);
    const noteId = randomUUID();
    const sign = (text: string) => ({
      name: 'note.sign' as const,
      clientId: aliceClient,
      args: { noteId, contentHash: contentHash({ text }), signedAt: at() },
    });
    const response = await sync.pushRaw(
      s,
      sync.mutations(s, draft(aliceClient, noteId, 'on the server'), sign('on my screen')),
    );
    const [, signed] = response.results;
    expect(signed).toMatchObject({
      status: 'rejected',
      code: 'INVALID',
      message: expect.stringMatching(/content hash/),
    });
    expect(await database.raw(`select status, content_hash, version from notes where id = $1`, [noteId])).toEqual([
      { status: 'draft', content_hash: null, version: 1 },
    ]);
    expect(await sync.push(s, sign('on the server'))).toEqual(['applied']);
  });

  it('shows users as staff records to every workstation, admins included, and follows admin changes', async () => {
    const { alice, supervisor, aliceClient } = await world();
    const adminUser = await createUser(database.db, { role: 'admin' });
    const a = await sync.session(alice.username);
    const first = await sync.pullAll(a, null);
    expect(putOf(first.changes, alice.id)).toMatchObject({
      entity: 'staff',
      clientId: null,
      version: 1,
      data: {
        displayName: `Synthetic ${alice.username}`,
        role: 'counselor',
        credentials: 'LCSW',
        supervisorId: supervisor.id,
      },
    });
    expect(putOf(first.changes, supervisor.id).data).toMatchObject({ role: 'supervisor', supervisorId: null });
    expect(putOf(first.changes, adminUser.id).data).toMatchObject({ role: 'admin', credentials: null });

    // An admin has no clinical scope but sees the staff list.
    const adminSession = await sync.session(adminUser.username);
    const adminPull = await sync.pullAll(adminSession, null);
    expect(adminPull.changes.every((c) => c.op !== 'purgeClient' && c.entity === 'staff')).toBe(true);
    expect(JSON.stringify(adminPull)).not.toContain(aliceClient);

    // Admin commands refresh the record; workstations pull the change.
    await admin('create-user', {
      username: `new-${randomUUID().slice(0, 6)}`,
      name: 'New Synthetic',
      role: 'clinician',
      credentials: 'CADC',
    });
    await admin('update-user', { username: alice.username, name: 'Alice Synthetic', credentials: 'LCSW, LADC' });
    const next = await sync.pullAll(a, first.cursor);
    expect(putOf(next.changes, alice.id)).toMatchObject({
      version: 2,
      data: { displayName: 'Alice Synthetic', credentials: 'LCSW, LADC' },
    });
    expect(
      next.changes.filter((c) => c.op === 'put' && c.entity === 'staff' && c.data['displayName'] === 'New Synthetic'),
    ).toHaveLength(1);
  });

  it('writes missing staff records when the server starts', async () => {
    const [raw] = await database.db
      .insert(users)
      .values({
        username: `raw-${randomUUID().slice(0, 6)}`,
        displayName: 'Raw Synthetic',
        role: 'supervisor',
        passwordHash: 'x',
      })
      .returning({ id: users.id });
    expect(await recordRow(raw!.id)).toBeUndefined();
    const restarted = await startTestServer(database.db);
    await restarted.close();
    expect((await recordRow(raw!.id))?.['data']).toEqual({
      displayName: 'Raw Synthetic',
      role: 'supervisor',
      credentials: null,
      supervisorId: null,
      requiresCosign: false,
    });
  });

  it('resyncs a supervisor who gains a supervisee and purges the clients of one they lose', async () => {
    const { supervisor, alice, aliceClient, aliceOther } = await world();
    const other = await createUser(database.db, { role: 'supervisor' });
    const former = await sync.session(supervisor.username);
    const gaining = await sync.session(other.username);
    const formerFull = await sync.pullAll(former, null);
    expect(putOf(formerFull.changes, aliceClient).entity).toBe('client');
    const gainingFull = await sync.pullAll(gaining, null);
    expect(changesOf(gainingFull.changes, aliceClient)).toEqual([]);

    await admin('set-supervisor', { username: alice.username, supervisor: other.username });

    // The former supervisor's device purges alice's clients; a full pull purges them as well.
    const purged = await sync.pull(former, formerFull.cursor);
    if (purged.status !== 'ok') throw new Error(purged.reason);
    const purges = (changes: Change[]) =>
      changes
        .filter((c) => c.op === 'purgeClient')
        .map((c) => c.clientId)
        .sort();
    expect(purges(purged.changes)).toEqual([aliceClient, aliceOther].sort());
    const formerAgain = await sync.pullAll(former, null);
    expect(purges(formerAgain.changes)).toEqual([aliceClient, aliceOther].sort());
    expect(changesOf(formerAgain.changes, aliceClient)).toEqual([]);
    // The staff record says who supervises alice now.
    expect(putOf(purged.changes, alice.id).data).toMatchObject({ supervisorId: other.id });

    // The new supervisor's device pulls in full, once.
    expect(await sync.pull(gaining, gainingFull.cursor)).toEqual({ status: 'resyncRequired', reason: 'SCOPE_CHANGED' });
    const resynced = await sync.pullAll(gaining, null);
    expect(putOf(resynced.changes, aliceClient).entity).toBe('client');
    const settled = await sync.pull(gaining, resynced.cursor);
    expect(settled).toMatchObject({ status: 'ok', changes: [] });

    // Clearing the supervisor purges for the new one too.
    await admin('set-supervisor', { username: alice.username, none: true });
    const cleared = await sync.pull(gaining, resynced.cursor);
    if (cleared.status !== 'ok') throw new Error(cleared.reason);
    expect(purges(cleared.changes)).toEqual([aliceClient, aliceOther].sort());
  });

  it('creates a client profile record with the admin command', async () => {
    const clinician = await createUser(database.db);
    let out = '';
    await commands['create-client']!.run(
      database.db,
      {
        'given-name': 'Robin',
        'family-name': 'Synthetic',
        dob: '1985-06-15',
        program: 'aftercare',
        primary: clinician.username,
        pronouns: 'she/her',
      },
      { ...silentIo, stdout: (text) => (out += text) },
    );
    const id = /Created client ([0-9a-f-]{36})/.exec(out)?.[1] ?? '';
    expect(out).not.toMatch(/Robin/);
    const row = await recordRow(id);
    expect(row?.['version']).toBe(1);
    expect(row?.['data']).toMatchObject({
      givenName: 'Robin',
      familyName: 'Synthetic',
      dateOfBirth: '1985-06-15',
      program: 'aftercare',
      levelOfCare: 'ASAM 1.0',
      primaryClinicianId: clinician.id,
      pronouns: 'she/her',
      status: 'active',
      riskFlags: [],
    });
    expect(await database.raw(`select display_name, program from clients where id = $1`, [id])).toEqual([
      { display_name: 'Robin Synthetic', program: 'aftercare' },
    ]);
  });
});
