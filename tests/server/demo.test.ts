import { count, eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, careAssignments, changes, clients, notes, records, users } from '../../src/server/db/schema.js';
import { DEMO_PASSWORD, DEMO_USERS } from '../../src/server/demo/credentials.js';
import { type DemoClinic, generateDemoClinic } from '../../src/server/demo/generate.js';
import { DemoSeedError, demoSeedState, seedDemoClinic, writeDemoClinic } from '../../src/server/demo/seed.js';
import { FAMILY_NAMES } from '../../src/server/demo/text.js';
import { scoreMeasure } from '../../src/shared/measures/index.js';
import {
  BUILT_IN_TEMPLATES,
  contentHash,
  missingForSigning,
  noteContentSchema,
  type NoteContent,
} from '../../src/shared/notes/index.js';
import type { Change } from '../../src/shared/sync/protocol.js';
import { noteRecordSchema, recordSchemas, type RecordData } from '../../src/shared/sync/records.js';
import { BACKENDS, useBackends, type TestDatabase } from './helpers/backends.js';
import { createUser, startTestServer, type SignInResult, type TestServer } from './helpers/fixtures.js';
import { newReplicaId, syncClient } from './helpers/sync-session.js';

/**
 * The demo clinic (src/server/demo): what `npm run demo` serves. The generator must be
 * deterministic and clinically plausible, every record must fit the shared schemas with scores
 * from the shared scorers, seeding must be idempotent, and a clinician's first pull must bring
 * exactly their own clients.
 */

const DAY = 86_400_000;
// A Wednesday afternoon, local time: sessions done today, others still to come.
const NOW = new Date(2026, 2, 11, 15, 20, 0);

let clinic: DemoClinic;
beforeAll(() => {
  clinic = generateDemoClinic({ now: NOW });
});

const recordsOf = <E extends keyof typeof recordSchemas>(entity: E) =>
  clinic.records.filter((record) => record.entity === entity) as unknown as {
    id: string;
    clientId: string | null;
    data: RecordData<E>;
  }[];
const userId = (key: string) => clinic.users.find((user) => user.key === key)?.id ?? '';
const groupBy = <T>(items: T[], key: (item: T) => string) => {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return out;
};
const templates = new Map(BUILT_IN_TEMPLATES.map((template) => [template.id, template]));

describe('demo clinic generator', () => {
  it('is the same clinic for the same seed and moment, another for another seed', () => {
    const a = generateDemoClinic({ now: NOW, clients: 8 });
    const b = generateDemoClinic({ now: NOW, clients: 8 });
    const other = generateDemoClinic({ now: NOW, clients: 8, seed: 'another seed' });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(other.clients.map((c) => c.id)).not.toEqual(a.clients.map((c) => c.id));
    expect(other.notes.map((n) => n.data.contentHash)).not.toEqual(a.notes.map((n) => n.data.contentHash));
    // The small clinic is the start of the big one: sizes do not reshuffle the first clients.
    expect(clinic.clients.slice(0, 8).map((c) => c.id)).toEqual(a.clients.map((c) => c.id));
  });

  it('fits the shared record schemas, note content shape and signing rules everywhere', () => {
    for (const record of clinic.records) {
      const parsed = (recordSchemas[record.entity] as z.ZodType).safeParse(record.data);
      expect(parsed.success, `${record.entity} ${record.id}`).toBe(true);
    }
    for (const note of clinic.notes) {
      expect(noteRecordSchema.safeParse(note.data).success).toBe(true);
      const content = noteContentSchema.parse(note.data.content);
      const template = templates.get(content.templateId);
      expect(template, content.templateId).toBeDefined();
      if (note.data.status === 'signed' && template) {
        expect(missingForSigning(template, content)).toEqual([]);
        expect(note.data.contentHash).toBe(contentHash(content));
        expect(note.data.signedBy).toBe(note.data.authorId);
        expect(new Date(note.data.signedAt ?? 0).getTime()).toBeLessThanOrEqual(NOW.getTime());
      } else {
        expect(note.data.contentHash).toBeNull();
        expect(note.data.signedAt).toBeNull();
      }
    }
    const ids = [...clinic.records.map((r) => r.id), ...clinic.notes.map((n) => n.id)];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has two clinicians and a supervisor over both, an admin, and 60 obviously synthetic clients split across the caseloads', () => {
    expect(clinic.users.map((u) => [u.username, u.role])).toEqual(DEMO_USERS.map((u) => [u.username, u.role]));
    const supervisor = userId('supervisor');
    expect(clinic.users.filter((u) => u.role === 'clinician').map((u) => u.supervisorId)).toEqual([
      supervisor,
      supervisor,
    ]);
    expect(clinic.clients).toHaveLength(60);
    const caseloads = groupBy(
      clinic.assignments.filter((a) => a.kind === 'caseload'),
      (a) => a.userId,
    );
    expect(caseloads.get(userId('clinician1'))).toHaveLength(30);
    expect(caseloads.get(userId('clinician2'))).toHaveLength(30);
    // A few clients also have the other clinician on their care team.
    expect(clinic.assignments.filter((a) => a.kind === 'care_team').length).toBeGreaterThan(0);
    for (const program of ['aftercare', 'iop'] as const)
      for (const clinician of ['clinician1', 'clinician2'])
        expect(
          recordsOf('client').filter(
            (c) => c.data.program === program && c.data.primaryClinicianId === userId(clinician),
          ).length,
        ).toBeGreaterThanOrEqual(5);
    for (const { data } of recordsOf('client')) {
      expect(data.mrn).toMatch(/^DEMO-\d{6}$/);
      expect(FAMILY_NAMES).toContain(data.familyName);
      expect(data.phone).toMatch(/^555-01\d\d$/);
    }
  });

  it('schedules six months of weekly sessions and IOP group days, with no-shows, cancellations and next week', () => {
    const appointments = recordsOf('appointment');
    const starts = appointments.map((a) => new Date(a.data.startsAt).getTime());
    expect(Math.min(...starts)).toBeLessThanOrEqual(NOW.getTime() - 175 * DAY);
    const statuses = groupBy(appointments, (a) => a.data.status);
    expect(statuses.get('completed')?.length ?? 0).toBeGreaterThan(1_000);
    expect(statuses.get('no_show')?.length ?? 0).toBeGreaterThan(20);
    expect(statuses.get('cancelled')?.length ?? 0).toBeGreaterThan(10);
    // What happened is in the past; a cancellation may also be of a session still to come.
    for (const status of ['completed', 'no_show'])
      for (const a of statuses.get(status) ?? [])
        expect(new Date(a.data.endsAt).getTime()).toBeLessThanOrEqual(NOW.getTime());
    // Everyone has an individual session coming up within the next week or two.
    const upcoming = appointments.filter(
      (a) =>
        a.data.status === 'scheduled' &&
        a.data.type === 'individual' &&
        new Date(a.data.startsAt).getTime() > NOW.getTime() &&
        new Date(a.data.startsAt).getTime() < NOW.getTime() + 14 * DAY,
    );
    expect(new Set(upcoming.map((a) => a.clientId)).size).toBeGreaterThanOrEqual(55);
    // IOP clients meet in groups three days a week, by video.
    const iopClients = new Set(
      recordsOf('client')
        .filter((c) => c.data.program === 'iop')
        .map((c) => c.id),
    );
    const groups = appointments.filter((a) => a.data.type === 'group');
    expect(new Set(groups.map((a) => new Date(a.data.startsAt).getDay()))).toEqual(new Set([1, 3, 5]));
    for (const id of iopClients) expect(groups.some((g) => g.clientId === id)).toBe(true);
    // A weekly individual session: consecutive sessions of one client are a week apart.
    const first = groupBy(
      appointments.filter((a) => a.data.type !== 'group'),
      (a) => a.clientId ?? '',
    );
    for (const list of first.values()) {
      const times = list.map((a) => new Date(a.data.startsAt).getTime()).sort((x, y) => x - y);
      for (let i = 1; i < times.length; i += 1)
        expect(Math.round(((times[i] ?? 0) - (times[i - 1] ?? 0)) / DAY)).toBe(7);
    }
  });

  it('documents sessions with mostly signed SOAP, DAP and BIRP notes, group notes filed per member, and a few drafts', () => {
    const byTemplate = groupBy(clinic.notes, (n) => (n.data.content as NoteContent).templateId);
    for (const id of ['soap', 'dap', 'birp', 'iop_group']) expect(byTemplate.get(id)?.length ?? 0).toBeGreaterThan(50);
    const drafts = clinic.notes.filter((n) => n.data.status === 'draft');
    expect(drafts.length).toBeGreaterThanOrEqual(2);
    expect(drafts.length).toBeLessThan(clinic.notes.length * 0.05);
    // A group note in a member's chart names no other member.
    for (const note of byTemplate.get('iop_group') ?? []) {
      const content = note.data.content as NoteContent;
      expect(Object.keys(content.members ?? {})).toEqual([note.clientId]);
      const clientsNamed = (content.encounter.participants ?? []).filter((p) => p.kind === 'client');
      expect(clientsNamed.map((p) => p.refId)).toEqual([note.clientId]);
    }
    // Every client with a completed individual session has notes.
    const seen = new Set(clinic.notes.map((n) => n.clientId));
    expect(seen.size).toBe(60);
  });

  it('records PHQ-9 every 2–4 weeks with shared scoring (a few with item 9), GAD-7, frequent craving and monthly BAM', () => {
    const measures = recordsOf('measure');
    const phq9 = measures.filter((m) => m.data.instrument === 'PHQ9');
    for (const m of phq9) {
      const scoring = scoreMeasure('phq9', m.data.answers);
      const scored = scoring.ok && scoring.result.measureId === 'phq9' ? scoring.result : undefined;
      if (scored?.score.status !== 'complete') throw new Error('incomplete PHQ-9');
      expect(m.data.totalScore).toBe(scored.score.total);
      expect(m.data.band).toBe(scored.score.band.code);
    }
    expect(new Set(phq9.map((m) => m.data.band)).size).toBeGreaterThanOrEqual(4);
    const item9 = phq9.filter((m) => (m.data.answers['q9'] as number) > 0);
    expect(item9.length).toBeGreaterThanOrEqual(3);
    expect(new Set(item9.map((m) => m.clientId)).size).toBeGreaterThanOrEqual(3);
    // The usual gap between PHQ-9s of one client is two to four weeks.
    const gaps: number[] = [];
    for (const list of groupBy(phq9, (m) => m.clientId ?? '').values()) {
      const times = list.map((m) => new Date(m.data.administeredAt).getTime()).sort((a, b) => a - b);
      for (let i = 1; i < times.length; i += 1) gaps.push(((times[i] ?? 0) - (times[i - 1] ?? 0)) / DAY);
    }
    gaps.sort((a, b) => a - b);
    const median = gaps[Math.floor(gaps.length / 2)] ?? 0;
    expect(median).toBeGreaterThanOrEqual(14);
    expect(median).toBeLessThanOrEqual(28);

    for (const m of measures.filter((x) => x.data.instrument === 'GAD7')) {
      const scoring = scoreMeasure('gad7', m.data.answers);
      const scored = scoring.ok && scoring.result.measureId === 'gad7' ? scoring.result : undefined;
      if (scored?.score.status !== 'complete') throw new Error('incomplete GAD-7');
      expect([m.data.totalScore, m.data.band]).toEqual([scored.score.total, scored.score.band.code]);
    }
    const bam = measures.filter((m) => m.data.instrument === 'BAM');
    expect(bam.length).toBeGreaterThanOrEqual(60 * 2);
    for (const m of bam) {
      const scoring = scoreMeasure('bam', m.data.answers);
      const scored = scoring.ok && scoring.result.measureId === 'bam' ? scoring.result : undefined;
      if (!scored) throw new Error('BAM does not score');
      expect(m.data.totalScore).toBeNull();
      expect(m.data.subscores).toEqual({
        use: scored.use.status === 'complete' ? scored.use.sum : -1,
        risk: scored.risk.status === 'complete' ? scored.risk.sum : -1,
        protective: scored.protective.status === 'complete' ? scored.protective.sum : -1,
      });
    }
    const craving = measures.filter((m) => m.data.instrument === 'CRAVING');
    expect(craving.length).toBeGreaterThan(phq9.length * 3);
    // Measures given in a session point at that session's note, which carries the same answers.
    const noteById = new Map(clinic.notes.map((n) => [n.id, n]));
    for (const m of phq9) {
      const note = noteById.get(m.data.noteId ?? '');
      expect(note?.clientId).toBe(m.clientId);
      expect(JSON.stringify(note?.data.content)).toContain(JSON.stringify(m.data.answers));
    }
  });

  it('has check-ins with gaps, unreviewed ones and reported use; MOUD with refills due; consents, contacts, plans, tasks and flags', () => {
    const checkins = recordsOf('checkin');
    const lastByClient = new Map<string, number>();
    for (const c of checkins)
      lastByClient.set(
        c.clientId ?? '',
        Math.max(lastByClient.get(c.clientId ?? '') ?? 0, new Date(c.data.submittedAt).getTime()),
      );
    const quiet = [...lastByClient.values()].filter((t) => NOW.getTime() - t >= 3 * DAY);
    expect(quiet.length).toBeGreaterThanOrEqual(3);
    expect(quiet.length).toBeLessThan(20);
    expect(checkins.length / 60).toBeGreaterThan(60);
    expect(checkins.filter((c) => c.data.reviewedAt === null).length).toBeGreaterThan(5);
    expect(checkins.filter((c) => c.data.useSinceLast === true).length).toBeGreaterThan(3);

    const medications = recordsOf('medication');
    for (const name of ['Buprenorphine', 'Naltrexone', 'Methadone'])
      expect(medications.some((m) => m.data.name.startsWith(name))).toBe(true);
    expect(medications.find((m) => m.data.name.startsWith('Methadone'))?.data.otpName).toMatch(/Opioid Treatment/);
    const soon = medications.filter(
      (m) => m.data.refillDue !== null && new Date(`${m.data.refillDue}T23:59:59`).getTime() - NOW.getTime() < 3 * DAY,
    );
    expect(soon.length).toBeGreaterThanOrEqual(3);

    const consents = recordsOf('consent');
    for (const kind of ['treatment', 'telehealth', 'part2_disclosure', 'emergency_contact_release'] as const)
      expect(consents.some((c) => c.data.kind === kind)).toBe(true);
    const expired = consents.filter(
      (c) => c.data.expiresAt !== null && new Date(c.data.expiresAt).getTime() < NOW.getTime(),
    );
    expect(expired.map((c) => c.data.kind)).toEqual(['part2_disclosure']);
    const consentById = new Map(consents.map((c) => [c.id, c]));
    for (const contact of recordsOf('emergencyContact')) {
      if (contact.data.releaseConsentId === null) continue;
      const release = consentById.get(contact.data.releaseConsentId);
      expect([release?.data.kind, release?.clientId]).toEqual(['emergency_contact_release', contact.clientId]);
    }
    expect(recordsOf('emergencyContact').filter((c) => c.data.releaseConsentId !== null).length).toBeGreaterThan(50);

    const plans = recordsOf('plan');
    expect(plans.some((p) => p.data.kind === 'safety')).toBe(true);
    expect(plans.some((p) => p.data.kind === 'relapse_prevention' && p.data.version === 2)).toBe(true);
    const flagged = recordsOf('client').filter((c) => c.data.riskFlags.length > 0);
    expect(flagged.length).toBeGreaterThanOrEqual(4);
    expect(flagged.length).toBeLessThan(20);
    // Every client flagged for suicide risk has an active safety plan.
    for (const client of flagged.filter((c) => c.data.riskFlags.includes('suicide_risk')))
      expect(
        plans.some((p) => p.clientId === client.id && p.data.kind === 'safety' && p.data.status === 'active'),
      ).toBe(true);
    const tasks = recordsOf('task');
    expect(tasks.some((t) => t.data.status === 'open' && t.data.kind === 'outreach')).toBe(true);
    expect(tasks.some((t) => t.data.status === 'done')).toBe(true);
    const teams = groupBy(recordsOf('careTeamMember'), (m) => m.clientId ?? '');
    expect(teams.size).toBe(60);
    for (const team of teams.values()) expect(team.map((m) => m.data.role)).toContain('primary_clinician');
  });

  it('sizes notes exactly for benchmarks: extra brief contacts, or the most recent ones kept', () => {
    const more = generateDemoClinic({ now: NOW, clients: 3, notesPerClient: 120 });
    const fewer = generateDemoClinic({ now: NOW, clients: 3, notesPerClient: 4 });
    for (const sized of [more, fewer]) {
      const perClient = groupBy(sized.notes, (n) => n.clientId);
      expect([...perClient.values()].map((list) => list.length)).toEqual(sized === more ? [120, 120, 120] : [4, 4, 4]);
      // Measures never point at a note that is not there.
      const noteIds = new Set(sized.notes.map((n) => n.id));
      for (const m of sized.records)
        if (m.entity === 'measure' && m.data.noteId !== null) expect(noteIds.has(m.data.noteId)).toBe(true);
    }
  });
});

const backends = useBackends();

describe.each(BACKENDS)('demo clinic in the server (%s)', (backend) => {
  let database: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    database = await backends.open(backend);
    // The clinic generated above (seedDemoClinic's own first run is in demo-server.test.ts).
    expect(await demoSeedState(database.db)).toBe('empty');
    await writeDemoClinic(database.db, clinic, { batchSize: 400 });
    server = await startTestServer(database.db);
  }, 120_000);
  afterAll(async () => server?.close());

  const total = async (table: typeof users | typeof clients | typeof notes | typeof records | typeof changes) =>
    (await database.db.select({ n: count() }).from(table))[0]?.n;

  it('writes what the generator makes, each record with a change to pull, marked as seeded in the audit log', async () => {
    expect(await total(users)).toBe(4);
    expect(await total(clients)).toBe(60);
    expect(await total(notes)).toBe(clinic.notes.length);
    expect(await total(records)).toBe(clinic.records.length);
    expect(await total(changes)).toBe(clinic.records.length + clinic.notes.length);
    const [assignments] = await database.db.select({ n: count() }).from(careAssignments);
    expect(assignments?.n).toBe(clinic.assignments.length);
    // Stored as generated.
    const note = clinic.notes.find((n) => n.data.status === 'signed');
    const [stored] = await database.db
      .select()
      .from(notes)
      .where(eq(notes.id, note?.id ?? ''));
    expect(stored?.content).toEqual(note?.data.content);
    expect(stored?.contentHash).toBe(contentHash(stored?.content));
    const distinct = await database.db
      .select({ n: sql<number>`count(distinct ${changes.entityId})::int` })
      .from(changes);
    expect(distinct[0]?.n).toBe(clinic.records.length + clinic.notes.length);
    const marker = await database.db.select().from(auditLog).where(eq(auditLog.action, 'demo.seed'));
    expect(marker.map((row) => row.details['clients'])).toEqual([60]);
  });

  it('does nothing when seeded again, and refuses a database holding a clinic of its own', async () => {
    const before = await total(changes);
    expect(await seedDemoClinic(database.db, { now: NOW })).toEqual({
      status: 'alreadySeeded',
      generatedFor: NOW.toISOString(),
    });
    expect(await total(changes)).toBe(before);
    expect(await total(users)).toBe(4);

    const other = await backends.open(backend);
    await createUser(other.db, { username: 'real.clinician' });
    await expect(seedDemoClinic(other.db, { clients: 2 })).rejects.toBeInstanceOf(DemoSeedError);
    expect((await other.db.select({ n: count() }).from(clients))[0]?.n).toBe(0);
  });

  it("gives a clinician's full, paged first pull exactly their clients' records (and the staff)", async () => {
    const response = await server.post('/auth/sign-in', {
      username: 'demo.clinician1',
      password: DEMO_PASSWORD,
      deviceName: 'Demo laptop',
    });
    expect(response.status).toBe(200);
    const signedIn = (await response.json()) as SignInResult;
    const sync = syncClient(server);
    const { changes: pulled } = await sync.pullAll(
      { token: signedIn.accessToken, userId: signedIn.user.id, replicaId: newReplicaId(), next: 1 },
      null,
    );

    const me = userId('clinician1');
    const scope = new Set(clinic.assignments.filter((a) => a.userId === me).map((a) => a.clientId));
    expect(scope.size).toBeGreaterThan(30); // caseload plus the shared care-team clients
    const puts = pulled.filter((c): c is Extract<Change, { op: 'put' }> => c.op === 'put');
    expect(puts).toHaveLength(pulled.length);
    for (const change of puts) if (change.clientId !== null) expect(scope.has(change.clientId)).toBe(true);

    const key = (entity: string, id: string) => `${entity}:${id}`;
    const expected = new Set([
      ...clinic.records.filter((r) => r.clientId === null || scope.has(r.clientId)).map((r) => key(r.entity, r.id)),
      ...clinic.notes.filter((n) => scope.has(n.clientId)).map((n) => key('note', n.id)),
    ]);
    expect(new Set(puts.map((c) => key(c.entity, c.id)))).toEqual(expected);
    expect(puts).toHaveLength(expected.size);
    // Staff came as seeded (the server's start-up reconciliation found nothing to change).
    expect(puts.filter((c) => c.entity === 'staff').map((c) => c.version)).toEqual([1, 1, 1, 1]);
    // A measure arrives exactly as generated.
    const measure = recordsOf('measure').find((m) => scope.has(m.clientId ?? '') && m.data.instrument === 'PHQ9');
    expect(puts.find((c) => c.id === measure?.id)?.data).toEqual(measure?.data);
  });
});
