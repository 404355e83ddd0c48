import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadClientOverview } from '../../../src/core/caseload/client-overview';
import { RpcError } from '../../../src/shared/rpc/errors';
import { rejectionOf } from '../../helpers/async';
import { startTestCore } from '../../helpers/core';
import { tempDir } from '../../helpers/temp-dir';
import {
  addAppointment,
  addCareTeamMember,
  addCheckin,
  addClient,
  addConsent,
  addEmergencyContact,
  addGroupSession,
  addMeasure,
  addMedication,
  addNote,
  addRelapsePlan,
  addSafetyPlan,
  addStaff,
  at,
} from './fixtures';

/**
 * `client.overview` through the real core (SQLCipher file, RPC over a MessageChannel): what the
 * clinician reads before a session, and the audit entry that opening it leaves behind.
 */
const PASSPHRASE = 'overview audit test passphrase';

async function unlockedCore() {
  const running = startTestCore(tempDir());
  await running.client.call('vault.create', { passphrase: PASSPHRASE });
  const store = running.core.vault.unlockedStore;
  return { ...running, store };
}

describe('client.overview', () => {
  it('shows identity, contacts with release status, care team, consents, plans, medications, appointments, notes and measures', async () => {
    const { client, store } = await unlockedCore();
    const db = store.db;
    const now = new Date();
    const counselor = addStaff(db, { displayName: 'Sam Synthcounselor', credentials: 'LADC' });
    const prescriber = addStaff(db, { displayName: 'Dr. Ria Synthprescriber', role: 'prescriber', credentials: 'MD' });
    const former = addStaff(db, { displayName: 'Former Synthpeer', role: 'peer_support' });
    const clientId = addClient(db, {
      givenName: 'Jordan',
      familyName: 'Synthrivera',
      preferredName: 'Jo',
      riskFlags: ['suicide_risk'],
    });
    const other = addClient(db, { givenName: 'Other', familyName: 'Synthclient' });

    const release = addConsent(db, {
      clientId,
      kind: 'emergency_contact_release',
      recipient: 'Sister',
      signedAt: at(now, -100),
    });
    const revokedRelease = addConsent(db, {
      clientId,
      kind: 'emergency_contact_release',
      recipient: 'Friend',
      signedAt: at(now, -200),
      revokedAt: at(now, -10),
    });
    addConsent(db, {
      clientId,
      kind: 'part2_disclosure',
      recipient: 'County court',
      signedAt: at(now, -400),
      expiresAt: at(now, -35),
    });
    addEmergencyContact(db, { clientId, name: 'Sister Synthrivera', releaseConsentId: release, priority: 1 });
    addEmergencyContact(db, { clientId, name: 'Friend Synthfriend', releaseConsentId: revokedRelease, priority: 2 });
    addEmergencyContact(db, { clientId, name: 'Neighbour Synthnext', priority: 3 });

    addCareTeamMember(db, { clientId, staffId: counselor, role: 'primary_clinician' });
    addCareTeamMember(db, { clientId, staffId: prescriber, role: 'prescriber' });
    addCareTeamMember(db, { clientId, staffId: former, role: 'peer_support', endDate: at(now, -30).slice(0, 10) });
    // A member whose staff record has not arrived yet.
    const unknownStaff = randomUUID();
    store.sqlite.pragma('foreign_keys = OFF');
    addCareTeamMember(db, { clientId, staffId: unknownStaff, role: 'counselor' });
    store.sqlite.pragma('foreign_keys = ON');

    addSafetyPlan(db, { clientId, version: 1, status: 'superseded', warningSign: 'Old sign' });
    addSafetyPlan(db, { clientId, version: 2, status: 'active', warningSign: 'Not sleeping' });
    addRelapsePlan(db, { clientId, version: 1 });

    addMedication(db, { clientId, name: 'Buprenorphine/naloxone', refillDue: at(now, 2).slice(0, 10) });
    addMedication(db, { clientId, name: 'Sertraline', status: 'stopped', category: 'psychiatric' });

    for (let i = 1; i <= 12; i += 1)
      addAppointment(db, { clientId, clinicianId: counselor, startsAt: at(now, -i * 7), status: 'completed' });
    addAppointment(db, { clientId, clinicianId: counselor, startsAt: at(now, 2), status: 'scheduled' });
    addGroupSession(db, {
      clinicianId: counselor,
      startsAt: at(now, -3, 1),
      status: 'completed',
      members: [{ clientId, attendance: 'absent' }],
    });
    addAppointment(db, { clientId: other, clinicianId: counselor, startsAt: at(now, 1), status: 'scheduled' });

    addNote(db, { clientId, authorId: counselor, status: 'signed', startedAt: at(now, -7), signedAt: at(now, -7) });
    addNote(db, {
      clientId,
      authorId: counselor,
      status: 'signed',
      startedAt: at(now, -14),
      signedAt: at(now, -13),
      noteType: 'sud_counseling',
    });
    addNote(db, { clientId, authorId: prescriber, status: 'draft', startedAt: at(now, -1) });
    addNote(db, {
      clientId: other,
      authorId: counselor,
      status: 'signed',
      startedAt: at(now, -2),
      signedAt: at(now, -2),
    });

    addMeasure(db, { clientId, instrument: 'PHQ9', administeredAt: at(now, -7), totalScore: 14, band: 'moderate' });
    addMeasure(db, { clientId, instrument: 'BAM', administeredAt: at(now, -14), totalScore: null });
    // Stored without a band: the published band of the total is shown.
    addMeasure(db, { clientId, instrument: 'GAD7', administeredAt: at(now, -21), totalScore: 9, band: null });
    addCheckin(db, { clientId, submittedAt: at(now, -1), craving: 3 });

    const overview = await client.call('client.overview', { clientId });

    expect(overview.client).toMatchObject({
      id: clientId,
      givenName: 'Jordan',
      familyName: 'Synthrivera',
      preferredName: 'Jo',
      dateOfBirth: '1988-04-12',
      program: 'iop',
      status: 'active',
      riskFlags: ['suicide_risk'],
    });
    expect(overview.emergencyContacts.map((c) => [c.name, c.hasRelease])).toEqual([
      ['Sister Synthrivera', true],
      ['Friend Synthfriend', false],
      ['Neighbour Synthnext', false],
    ]);
    expect(overview.careTeam).toEqual([
      { staffId: counselor, displayName: 'Sam Synthcounselor', role: 'primary_clinician', credentials: 'LADC' },
      { staffId: unknownStaff, displayName: '', role: 'counselor', credentials: null },
      { staffId: prescriber, displayName: 'Dr. Ria Synthprescriber', role: 'prescriber', credentials: 'MD' },
    ]);
    expect(overview.consents.map((c) => [c.recipient, c.active, c.revokedAt !== null])).toEqual([
      ['Sister', true, false],
      ['Friend', false, true],
      ['County court', false, false],
    ]);
    // The current safety plan comes first; superseded versions are not shown.
    expect(overview.plans.map((p) => [p.kind, p.version, p.status])).toEqual([
      ['safety', 2, 'active'],
      ['relapse_prevention', 1, 'active'],
    ]);
    expect(overview.plans[0]?.content).toMatchObject({ warningSigns: ['Not sleeping'], whereKept: 'Phone notes' });
    expect(overview.medications.map((m) => [m.name, m.status, m.refillDue])).toEqual([
      ['Buprenorphine/naloxone', 'active', at(now, 2).slice(0, 10)],
      ['Sertraline', 'stopped', null],
    ]);
    // The next appointment and the ten most recent, newest first; the missed group session shows as missed.
    expect(overview.appointments).toHaveLength(11);
    expect(overview.appointments[0]).toMatchObject({ startsAt: at(now, 2), status: 'scheduled' });
    expect(overview.appointments[1]).toMatchObject({ startsAt: at(now, -3, 1), type: 'group', status: 'no_show' });
    // The SUD counseling note is the counselor's, not shared with the care team: someone else
    // (here nobody is signed in) does not see it listed; its author does.
    expect(overview.notes.map((n) => [n.status, n.noteType, n.isProtected, n.authorName])).toEqual([
      ['draft', 'progress', false, 'Dr. Ria Synthprescriber'],
      ['signed', 'progress', false, 'Sam Synthcounselor'],
    ]);
    const asAuthor = loadClientOverview(store.sqlite, clientId, new Date(), counselor);
    expect(asAuthor?.notes.map((n) => [n.status, n.noteType, n.isProtected])).toEqual([
      ['draft', 'progress', false],
      ['signed', 'progress', false],
      ['signed', 'sud_counseling', true],
    ]);
    expect(overview.measures.map((m) => [m.instrument, m.totalScore, m.band])).toEqual([
      ['PHQ9', 14, 'moderate'],
      ['BAM', null, null],
      ['GAD7', 9, 'mild'],
    ]);
  });

  it('opening a chart is written to the local audit log, which stays intact', async () => {
    const { client, store } = await unlockedCore();
    const clientId = addClient(store.db, { givenName: 'Audit', familyName: 'Synthsubject' });
    const before = store.audit.recent(100).length;

    await client.call('client.overview', { clientId });
    await client.call('client.overview', { clientId });

    const entries = store.audit.recent(100);
    expect(entries).toHaveLength(before + 2);
    const opens = entries.filter((entry) => entry.action === 'chart.opened');
    expect(opens).toHaveLength(2);
    for (const entry of opens)
      expect(entry).toMatchObject({ recordType: 'client', recordId: clientId, clientId, detail: null });
    expect(store.audit.verify()).toMatchObject({ ok: true });
  });

  it('an unknown client is NOT_FOUND and leaves no chart entry; a locked workstation says LOCKED', async () => {
    const { client, store } = await unlockedCore();
    const before = store.audit.recent(100).length;
    const missing = await rejectionOf(client.call('client.overview', { clientId: randomUUID() }), RpcError);
    expect(missing.code).toBe('NOT_FOUND');
    expect(store.audit.recent(100)).toHaveLength(before);

    const invalid = await rejectionOf(client.call('client.overview', { clientId: 'not-a-uuid' }), RpcError);
    expect(invalid.code).toBe('BAD_REQUEST');

    await client.call('vault.lock', {});
    const locked = await rejectionOf(client.call('client.overview', { clientId: randomUUID() }), RpcError);
    expect(locked.code).toBe('LOCKED');
    const list = await rejectionOf(client.call('caseload.list', {}), RpcError);
    expect(list.code).toBe('LOCKED');
  });

  it('caseload.list answers through the core with the rows of the cache', async () => {
    const { client, store } = await unlockedCore();
    const id = addClient(store.db, { givenName: 'Rpc', familyName: 'Synthrow', preferredName: 'R' });
    const list = await client.call('caseload.list', {});
    expect(list.rows.map((row) => [row.id, row.displayName])).toEqual([[id, 'R Synthrow']]);
    expect(list.asOf).toBeNull();
  });

  it('reads nothing when the client is missing (pure read model)', async () => {
    const { store } = await unlockedCore();
    expect(loadClientOverview(store.sqlite, randomUUID())).toBeNull();
  });
});
