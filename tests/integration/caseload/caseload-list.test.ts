import { describe, expect, it } from 'vitest';
import { ALERT_RULES, listCaseload } from '../../../src/core/caseload/caseload-list';
import { openWorkstationStore, type WorkstationStore } from '../../../src/core/store/workstation-store';
import { unavailableKeychain } from '../../../src/core/vault/keychain';
import { caseloadListSchema, type CaseloadRow } from '../../../src/shared/caseload/caseload';
import { tempDir } from '../../helpers/temp-dir';
import { FAST_SCRYPT, MIGRATIONS_DIR } from '../store/seed';
import {
  addAppointment,
  addCheckin,
  addClient,
  addGroupSession,
  addMeasure,
  addMedication,
  addNote,
  addOutbox,
  addSeriesPoint,
  addStaff,
  at,
  DAY,
  markSynced,
} from './fixtures';

/**
 * The Caseload read model on a real encrypted store (SQLCipher file, drizzle inserts as the sync
 * engine applies pulled records), at a fixed "now".
 */
const NOW = new Date('2026-03-10T15:00:00.000Z');

async function openStore(): Promise<WorkstationStore> {
  const store = await openWorkstationStore({
    profileDir: tempDir(),
    migrationsDir: MIGRATIONS_DIR,
    keychain: unavailableKeychain(),
    scrypt: FAST_SCRYPT,
  });
  await store.vault.create('caseload read model test passphrase');
  return store;
}

function rowOf(rows: CaseloadRow[], id: string): CaseloadRow {
  const row = rows.find((candidate) => candidate.id === id);
  if (!row) throw new Error(`no row for ${id}`);
  return row;
}

describe('caseload.list read model', () => {
  it('before the first sync: no rows and no "as of" time', async () => {
    const store = await openStore();
    expect(listCaseload(store.sqlite, NOW)).toEqual({ rows: [], asOf: null });
    store.close();
  });

  it('computes names, appointments, last contact, trends, alerts and pending changes per client', async () => {
    const store = await openStore();
    const db = store.db;
    const clinician = addStaff(db, { displayName: 'Synthetic Counselor' });

    // Mari: rich history with every kind of fact.
    const mari = addClient(db, {
      givenName: 'Maria',
      familyName: 'Synthlopez',
      preferredName: 'Mari',
      riskFlags: ['overdose_risk', 'suicide_risk'],
      program: 'aftercare',
      levelOfCare: 'Aftercare',
    });
    addAppointment(db, { clientId: mari, clinicianId: clinician, startsAt: at(NOW, -5), status: 'completed' });
    addAppointment(db, { clientId: mari, clinicianId: clinician, startsAt: at(NOW, -2), status: 'no_show' });
    addAppointment(db, { clientId: mari, clinicianId: clinician, startsAt: at(NOW, 1), status: 'cancelled' });
    addAppointment(db, { clientId: mari, clinicianId: clinician, startsAt: at(NOW, 3), status: 'scheduled' });
    addAppointment(db, { clientId: mari, clinicianId: clinician, startsAt: at(NOW, 10), status: 'scheduled' });
    // Ten daily check-ins, the newest four days ago, cravings 0…9; a session craving score yesterday.
    for (let i = 0; i < 10; i += 1)
      addCheckin(db, { clientId: mari, submittedAt: at(NOW, -13 + i), craving: i, reviewed: true });
    const sessionCraving = addMeasure(db, {
      clientId: mari,
      instrument: 'CRAVING',
      administeredAt: at(NOW, -1),
      totalScore: 7,
    });
    // The same craving score also in the measure series (linked to its response): counted once.
    addSeriesPoint(db, {
      clientId: mari,
      code: 'CRAVING',
      value: 7,
      observedAt: at(NOW, -1),
      responseId: sessionCraving,
    });
    // A series point without a response counts on its own.
    addSeriesPoint(db, { clientId: mari, code: 'CRAVING', value: 2, observedAt: at(NOW, -1, 1) });
    // Ten PHQ-9 totals; the newest answers item 9 with "several days".
    const totals = [21, 19, 17, 15, 14, 12, 11, 9, 8, 6];
    totals.forEach((total, i) =>
      addMeasure(db, {
        clientId: mari,
        instrument: 'PHQ9',
        administeredAt: at(NOW, -30 + i * 3),
        totalScore: total,
        band: i === 9 ? null : 'stored_band',
        answers: { q9: i === 9 ? 1 : 0 },
      }),
    );
    addMedication(db, { clientId: mari, name: 'Buprenorphine', refillDue: at(NOW, 2).slice(0, 10) });
    addNote(db, {
      clientId: mari,
      authorId: clinician,
      status: 'signed',
      startedAt: at(NOW, -5),
      signedAt: at(NOW, -5),
    });
    addOutbox(db, { clientId: mari, status: 'pending' });
    addOutbox(db, { clientId: mari, status: 'pending' });
    addOutbox(db, { clientId: mari, status: 'rejected' });
    addOutbox(db, { clientId: mari, status: 'applied' });
    addOutbox(db, { clientId: null, status: 'pending' });
    // Uploading the audit trail of opening the chart is not a change to the client's record.
    addOutbox(db, { clientId: mari, status: 'pending', name: 'audit.append' });

    // Quiet: a client with nothing recorded yet.
    const quiet = addClient(db, { givenName: 'Quinn', familyName: 'Synthquiet' });

    // Two members of one IOP group: one attended yesterday, one was absent.
    const present = addClient(db, { givenName: 'Pat', familyName: 'Synthpresent' });
    const absent = addClient(db, { givenName: 'Alex', familyName: 'Synthabsent' });
    addGroupSession(db, {
      clinicianId: clinician,
      startsAt: at(NOW, -1),
      status: 'completed',
      members: [
        { clientId: present, attendance: 'present' },
        { clientId: absent, attendance: 'absent' },
      ],
    });
    addGroupSession(db, {
      clinicianId: clinician,
      startsAt: at(NOW, 1),
      status: 'scheduled',
      members: [
        { clientId: present, attendance: 'expected' },
        { clientId: absent, attendance: 'expected' },
      ],
    });
    // Pat reported use an hour ago; nobody has reviewed it. Stopped medication overdue: no alert.
    addCheckin(db, { clientId: present, submittedAt: at(NOW, 0, -1), craving: 6, useSinceLast: true });
    addMedication(db, {
      clientId: present,
      name: 'Naltrexone',
      status: 'stopped',
      refillDue: at(NOW, -20).slice(0, 10),
    });
    // Pat's newest PHQ-9 is incomplete (no total) and answers item 9 with 0; an older one said 2.
    addMeasure(db, {
      clientId: present,
      instrument: 'PHQ9',
      administeredAt: at(NOW, -20),
      totalScore: 12,
      band: 'moderate',
      answers: { q9: 2 },
    });
    addMeasure(db, {
      clientId: present,
      instrument: 'PHQ9',
      administeredAt: at(NOW, -2),
      totalScore: null,
      answers: { q9: 0 },
    });

    // A discharged client who stopped checking in: no missed-check-in alert.
    const discharged = addClient(db, { givenName: 'Dana', familyName: 'Synthdone', status: 'discharged' });
    for (let i = 0; i < 5; i += 1)
      addCheckin(db, { clientId: discharged, submittedAt: at(NOW, -40 + i), reviewed: true });
    // An old unreviewed check-in, outside the review window: not flagged.
    addCheckin(db, { clientId: discharged, submittedAt: at(NOW, -(ALERT_RULES.unreviewedWindowDays + 20)) });

    markSynced(db, at(NOW, 0, -2));

    const list = listCaseload(store.sqlite, NOW);
    expect(caseloadListSchema.parse(list)).toEqual(list);
    expect(list.asOf).toBe(at(NOW, 0, -2));
    // Sorted by family name, then given name.
    expect(list.rows.map((row) => row.familyName)).toEqual([
      'Synthabsent',
      'Synthdone',
      'Synthlopez',
      'Synthpresent',
      'Synthquiet',
    ]);

    const m = rowOf(list.rows, mari);
    expect(m).toMatchObject({
      displayName: 'Mari Synthlopez',
      givenName: 'Maria',
      program: 'aftercare',
      levelOfCare: 'Aftercare',
      status: 'active',
      riskFlags: ['overdose_risk', 'suicide_risk'],
      nextAppointmentAt: at(NOW, 3),
      // The newest of: completed session 5 days ago, check-in 4 days ago, signed note 5 days ago.
      lastContactAt: at(NOW, -4),
      daysSinceLastSession: 5,
      pendingChanges: 2,
    });
    // Last 8 cravings, oldest first: check-ins 6…9 were at -7…-4 days; but 8 points in all.
    expect(m.craving.map((point) => point.value)).toEqual([4, 5, 6, 7, 8, 9, 7, 2]);
    expect(m.craving.map((point) => point.at)).toEqual([
      at(NOW, -9),
      at(NOW, -8),
      at(NOW, -7),
      at(NOW, -6),
      at(NOW, -5),
      at(NOW, -4),
      at(NOW, -1),
      at(NOW, -1, 1),
    ]);
    expect(m.phq9.map((point) => point.value)).toEqual([17, 15, 14, 12, 11, 9, 8, 6]);
    // A stored band is kept; a missing one is the published band of the total (6 → mild).
    expect(m.phq9.map((point) => point.band)).toEqual([...Array<string>(7).fill('stored_band'), 'mild']);
    expect(m.alerts).toEqual(['missed_checkins', 'phq9_item9', 'missed_appointment', 'refill_due']);

    expect(rowOf(list.rows, quiet)).toEqual({
      id: quiet,
      displayName: 'Quinn Synthquiet',
      givenName: 'Quinn',
      familyName: 'Synthquiet',
      program: 'iop',
      levelOfCare: 'IOP',
      status: 'active',
      riskFlags: [],
      nextAppointmentAt: null,
      lastContactAt: null,
      daysSinceLastSession: null,
      craving: [],
      phq9: [],
      alerts: [],
      pendingChanges: 0,
    });

    const p = rowOf(list.rows, present);
    expect(p).toMatchObject({
      nextAppointmentAt: at(NOW, 1),
      lastContactAt: at(NOW, 0, -1),
      daysSinceLastSession: 1,
      craving: [{ value: 6, at: at(NOW, 0, -1) }],
      // The incomplete PHQ-9 has no total, so the trend shows the complete one.
      phq9: [{ value: 12, at: at(NOW, -20), band: 'moderate' }],
    });
    // Item 9 counts from the newest administration only (it said 0).
    expect(p.alerts).toEqual(['use_reported', 'checkin_unreviewed']);

    const a = rowOf(list.rows, absent);
    expect(a).toMatchObject({ nextAppointmentAt: at(NOW, 1), daysSinceLastSession: null, lastContactAt: null });
    expect(a.alerts).toEqual(['missed_appointment']);

    expect(rowOf(list.rows, discharged).alerts).toEqual([]);
    store.close();
  });

  it('500 clients: the same rows as a per-client reference, in a fixed number of queries', async () => {
    const store = await openStore();
    const db = store.db;
    const clinician = addStaff(db, { displayName: 'Synthetic Counselor' });
    const random = mulberry32(20260310);
    const expected = new Map<string, Expected>();

    const ids: string[] = [];
    store.sqlite.transaction(() => {
      for (let c = 0; c < 500; c += 1) {
        const id = addClient(db, {
          givenName: `Given${c}`,
          familyName: `Family${String(c).padStart(3, '0')}`,
          preferredName: c % 7 === 0 ? `Pref${c}` : null,
        });
        ids.push(id);
        const e: Expected = {
          next: null,
          lastSession: null,
          lastOutcome: null,
          checkins: [],
          phq9: [],
          refillDue: false,
          pending: 0,
        };
        const appointmentCount = Math.floor(random() * 6);
        for (let i = 0; i < appointmentCount; i += 1) {
          const day = Math.floor(random() * 60) - 40;
          const startsAt = at(NOW, day, Math.floor(random() * 8) + i / 60);
          const past = Date.parse(startsAt) <= NOW.getTime();
          const status = past ? (random() < 0.8 ? 'completed' : 'no_show') : 'scheduled';
          addAppointment(db, { clientId: id, clinicianId: clinician, startsAt, status });
          if (!past && (e.next === null || startsAt < e.next)) e.next = startsAt;
          if (past && (e.lastOutcome === null || startsAt > e.lastOutcome.at)) e.lastOutcome = { at: startsAt, status };
          if (past && status === 'completed' && (e.lastSession === null || startsAt > e.lastSession))
            e.lastSession = startsAt;
        }
        const checkinCount = Math.floor(random() * 14);
        for (let i = 0; i < checkinCount; i += 1) {
          const submittedAt = at(NOW, -i * (1 + Math.floor(random() * 2)) - Math.floor(random() * 3), -i - 1);
          const craving = random() < 0.9 ? Math.floor(random() * 11) : null;
          const useSinceLast = random() < 0.1;
          addCheckin(db, { clientId: id, submittedAt, craving, useSinceLast, reviewed: random() < 0.7 });
          e.checkins.push({ at: submittedAt, craving, useSinceLast });
        }
        const phqCount = Math.floor(random() * 12);
        for (let i = 0; i < phqCount; i += 1) {
          const administeredAt = at(NOW, -i * 7 - 1, -(c % 5));
          const total = Math.floor(random() * 28);
          addMeasure(db, { clientId: id, instrument: 'PHQ9', administeredAt, totalScore: total, band: `b${total}` });
          e.phq9.push({ at: administeredAt, value: total });
        }
        if (random() < 0.2) {
          const refill = at(NOW, Math.floor(random() * 10) - 3).slice(0, 10);
          addMedication(db, { clientId: id, name: 'Acamprosate', refillDue: refill });
          e.refillDue = refill <= at(NOW, ALERT_RULES.refillDueDays).slice(0, 10);
        }
        const pendingCount = Math.floor(random() * 3);
        for (let i = 0; i < pendingCount; i += 1) addOutbox(db, { clientId: id, status: 'pending' });
        e.pending = pendingCount;
        expected.set(id, e);
      }
    })();

    // Count the statements the read model prepares: the same for 500 clients as for none.
    const prepare = store.sqlite.prepare.bind(store.sqlite);
    let prepared = 0;
    store.sqlite.prepare = ((source: string) => {
      prepared += 1;
      return prepare(source);
    }) as typeof store.sqlite.prepare;
    const list = listCaseload(store.sqlite, NOW);
    const preparedFor500 = prepared;
    prepared = 0;
    const empty = await openStore();
    const emptyPrepare = empty.sqlite.prepare.bind(empty.sqlite);
    empty.sqlite.prepare = ((source: string) => {
      prepared += 1;
      return emptyPrepare(source);
    }) as typeof empty.sqlite.prepare;
    listCaseload(empty.sqlite, NOW);
    expect(preparedFor500).toBe(prepared);
    expect(preparedFor500).toBeLessThanOrEqual(12);
    empty.close();

    expect(caseloadListSchema.parse(list)).toEqual(list);
    expect(list.rows).toHaveLength(500);
    for (const id of ids) {
      const row = rowOf(list.rows, id);
      const e = expected.get(id)!;
      const checkins = [...e.checkins].sort((x, y) => x.at.localeCompare(y.at));
      const lastCheckin = checkins.at(-1) ?? null;
      const cravings = checkins.filter((c) => c.craving !== null).slice(-8);
      const phq9 = [...e.phq9].sort((x, y) => x.at.localeCompare(y.at)).slice(-8);
      const contact = [e.lastSession, lastCheckin?.at ?? null]
        .filter((t): t is string => t !== null)
        .sort()
        .at(-1);

      const alerts: string[] = [];
      if (
        lastCheckin &&
        checkins.length >= ALERT_RULES.missedCheckinsHabit &&
        NOW.getTime() - Date.parse(lastCheckin.at) >= ALERT_RULES.missedCheckinsDays * DAY
      )
        alerts.push('missed_checkins');
      if (e.lastOutcome?.status === 'no_show') alerts.push('missed_appointment');
      if (e.refillDue) alerts.push('refill_due');
      if (lastCheckin?.useSinceLast) alerts.push('use_reported');

      expect(row.nextAppointmentAt).toBe(e.next);
      expect(row.lastContactAt).toBe(contact ?? null);
      expect(row.daysSinceLastSession).toBe(
        e.lastSession === null ? null : Math.floor((NOW.getTime() - Date.parse(e.lastSession)) / DAY),
      );
      expect(row.craving).toEqual(cravings.map((c) => ({ value: c.craving, at: c.at })));
      expect(row.phq9).toEqual(phq9.map((p) => ({ value: p.value, at: p.at, band: `b${p.value}` })));
      expect(row.alerts.filter((alert) => alert !== 'checkin_unreviewed')).toEqual(alerts);
      expect(row.pendingChanges).toBe(e.pending);
    }
    store.close();
  });
});

interface Expected {
  next: string | null;
  lastSession: string | null;
  lastOutcome: { at: string; status: string } | null;
  checkins: Array<{ at: string; craving: number | null; useSinceLast: boolean }>;
  phq9: Array<{ at: string; value: number }>;
  refillDue: boolean;
  pending: number;
}

/** A small seeded PRNG, so the generated caseload is the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
