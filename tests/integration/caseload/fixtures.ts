import { randomUUID } from 'node:crypto';
import type { WorkstationDb } from '../../../src/core/store/db';
import {
  appointmentParticipants,
  appointments,
  careGroups,
  careTeamMembers,
  checkIns,
  clients,
  consents,
  emergencyContacts,
  measures,
  medications,
  questionnaireResponses,
  relapsePreventionPlans,
  safetyPlans,
  sessionNotes,
  staff,
  syncCursors,
  syncOutbox,
} from '../../../src/core/store/schema';

/**
 * Rows written into the encrypted cache with drizzle, the way the sync engine applies pulled
 * records (the local tables, snake_case columns, ISO UTC times). All names are synthetic.
 */
export const DAY = 86_400_000;
export const at = (now: Date, days: number, hours = 0): string =>
  new Date(now.getTime() + days * DAY + hours * 3_600_000).toISOString();

const stamp = '2025-01-01T00:00:00.000Z';

export function addStaff(
  db: WorkstationDb,
  values: {
    id?: string;
    displayName: string;
    role?: 'counselor' | 'prescriber' | 'peer_support';
    credentials?: string;
  },
): string {
  const id = values.id ?? randomUUID();
  db.insert(staff)
    .values({
      id,
      displayName: values.displayName,
      role: values.role ?? 'counselor',
      credentials: values.credentials ?? null,
      createdAt: stamp,
      updatedAt: stamp,
    })
    .run();
  return id;
}

export function addClient(
  db: WorkstationDb,
  values: {
    id?: string;
    givenName: string;
    familyName: string;
    preferredName?: string | null;
    program?: 'aftercare' | 'iop';
    levelOfCare?: string;
    status?: 'active' | 'discharged' | 'on_hold';
    riskFlags?: string[];
    clinicianId?: string | null;
  },
): string {
  const id = values.id ?? randomUUID();
  db.insert(clients)
    .values({
      id,
      givenName: values.givenName,
      familyName: values.familyName,
      preferredName: values.preferredName ?? null,
      dateOfBirth: '1988-04-12',
      program: values.program ?? 'iop',
      levelOfCare: values.levelOfCare ?? 'IOP',
      status: values.status ?? 'active',
      riskFlags: values.riskFlags ?? [],
      primaryClinicianId: values.clinicianId ?? null,
      createdAt: stamp,
      updatedAt: stamp,
    })
    .run();
  return id;
}

export function addAppointment(
  db: WorkstationDb,
  values: {
    clientId: string | null;
    clinicianId: string;
    startsAt: string;
    status: 'scheduled' | 'checked_in' | 'completed' | 'no_show' | 'cancelled';
    type?: 'individual' | 'group' | 'medication_management' | 'intake';
    groupId?: string;
  },
): string {
  const id = randomUUID();
  db.insert(appointments)
    .values({
      id,
      clientId: values.clientId,
      groupId: values.groupId ?? null,
      clinicianId: values.clinicianId,
      startsAt: values.startsAt,
      endsAt: new Date(Date.parse(values.startsAt) + 3_600_000).toISOString(),
      type: values.type ?? 'individual',
      modality: 'video',
      status: values.status,
      createdAt: stamp,
      updatedAt: stamp,
    })
    .run();
  return id;
}

export function addGroupSession(
  db: WorkstationDb,
  values: {
    clinicianId: string;
    startsAt: string;
    status: 'scheduled' | 'completed';
    members: Array<{ clientId: string; attendance: 'expected' | 'present' | 'absent' }>;
  },
): string {
  const groupId = randomUUID();
  db.insert(careGroups).values({ id: groupId, name: 'Evening IOP', program: 'iop', createdAt: stamp }).run();
  const id = addAppointment(db, {
    clientId: null,
    clinicianId: values.clinicianId,
    startsAt: values.startsAt,
    status: values.status,
    type: 'group',
    groupId,
  });
  for (const member of values.members)
    db.insert(appointmentParticipants)
      .values({ appointmentId: id, clientId: member.clientId, attendance: member.attendance })
      .run();
  return id;
}

export function addCheckin(
  db: WorkstationDb,
  values: {
    clientId: string;
    submittedAt: string;
    craving?: number | null;
    useSinceLast?: boolean | null;
    reviewed?: boolean;
  },
): string {
  const id = randomUUID();
  db.insert(checkIns)
    .values({
      id,
      clientId: values.clientId,
      submittedAt: values.submittedAt,
      receivedAt: values.submittedAt,
      mood: 6,
      craving: values.craving ?? null,
      sleepHours: 7,
      medicationTaken: true,
      useSinceLast: values.useSinceLast ?? false,
      reviewedAt: values.reviewed ? values.submittedAt : null,
    })
    .run();
  return id;
}

export function addMeasure(
  db: WorkstationDb,
  values: {
    clientId: string;
    instrument: 'PHQ9' | 'GAD7' | 'CRAVING' | 'BAM';
    administeredAt: string;
    totalScore: number | null;
    band?: string | null;
    answers?: Record<string, number>;
  },
): string {
  const id = randomUUID();
  db.insert(questionnaireResponses)
    .values({
      id,
      clientId: values.clientId,
      instrument: values.instrument,
      instrumentVersion: '1',
      administeredAt: values.administeredAt,
      source: 'clinician',
      answers: values.answers ?? {},
      totalScore: values.totalScore,
      band: values.band ?? null,
      createdAt: values.administeredAt,
    })
    .run();
  return id;
}

export function addSeriesPoint(
  db: WorkstationDb,
  values: { clientId: string; code: string; value: number; observedAt: string; responseId?: string },
): void {
  db.insert(measures)
    .values({
      id: randomUUID(),
      clientId: values.clientId,
      responseId: values.responseId ?? null,
      code: values.code,
      value: values.value,
      observedAt: values.observedAt,
    })
    .run();
}

export function addMedication(
  db: WorkstationDb,
  values: {
    clientId: string;
    name: string;
    status?: 'active' | 'stopped' | 'on_hold';
    refillDue?: string | null;
    category?: 'moud' | 'aud' | 'psychiatric' | 'other';
  },
): string {
  const id = randomUUID();
  db.insert(medications)
    .values({
      id,
      clientId: values.clientId,
      name: values.name,
      category: values.category ?? 'moud',
      dose: '8 mg',
      frequency: 'daily',
      prescriber: 'Dr. Synthetic Prescriber',
      refillDue: values.refillDue ?? null,
      status: values.status ?? 'active',
      createdAt: stamp,
      updatedAt: stamp,
    })
    .run();
  return id;
}

export function addNote(
  db: WorkstationDb,
  values: {
    clientId: string;
    authorId: string;
    status: 'draft' | 'signed';
    startedAt?: string | null;
    signedAt?: string | null;
    noteType?: 'progress' | 'sud_counseling' | 'psychotherapy';
    createdAt?: string;
  },
): string {
  const id = randomUUID();
  const createdAt = values.createdAt ?? values.startedAt ?? stamp;
  db.insert(sessionNotes)
    .values({
      id,
      clientId: values.clientId,
      authorId: values.authorId,
      noteType: values.noteType ?? 'progress',
      template: 'SOAP',
      isProtected: values.noteType === 'sud_counseling' || values.noteType === 'psychotherapy',
      status: values.status,
      startedAt: values.startedAt ?? null,
      content: { S: 'synthetic' },
      signedAt: values.signedAt ?? null,
      signedBy: values.signedAt ? values.authorId : null,
      contentHash: values.signedAt ? 'a'.repeat(64) : null,
      createdAt,
      updatedAt: createdAt,
    })
    .run();
  return id;
}

export function addOutbox(
  db: WorkstationDb,
  values: {
    clientId: string | null;
    status: 'pending' | 'applied' | 'rejected' | 'conflict';
    name?: 'measure.record' | 'audit.append';
  },
): void {
  db.insert(syncOutbox)
    .values({
      name: values.name ?? 'measure.record',
      clientId: values.clientId,
      args: {},
      hlc: '0',
      createdAt: stamp,
      status: values.status,
    })
    .run();
}

export function markSynced(db: WorkstationDb, when: string): void {
  db.insert(syncCursors).values({ stream: 'caseload', cursor: 'c1', updatedAt: when }).run();
}

export function addConsent(
  db: WorkstationDb,
  values: {
    clientId: string;
    kind: 'treatment' | 'telehealth' | 'part2_disclosure' | 'emergency_contact_release' | 'tpo';
    recipient?: string | null;
    signedAt: string;
    expiresAt?: string | null;
    revokedAt?: string | null;
  },
): string {
  const id = randomUUID();
  db.insert(consents)
    .values({
      id,
      clientId: values.clientId,
      kind: values.kind,
      recipient: values.recipient ?? null,
      signedAt: values.signedAt,
      expiresAt: values.expiresAt ?? null,
      revokedAt: values.revokedAt ?? null,
      createdAt: values.signedAt,
    })
    .run();
  return id;
}

export function addEmergencyContact(
  db: WorkstationDb,
  values: { clientId: string; name: string; releaseConsentId?: string | null; priority?: number },
): string {
  const id = randomUUID();
  db.insert(emergencyContacts)
    .values({
      id,
      clientId: values.clientId,
      name: values.name,
      relationship: 'sibling',
      phone: '555-0100',
      releaseConsentId: values.releaseConsentId ?? null,
      priority: values.priority ?? 1,
      createdAt: stamp,
      updatedAt: stamp,
    })
    .run();
  return id;
}

export function addCareTeamMember(
  db: WorkstationDb,
  values: {
    clientId: string;
    staffId: string;
    role: 'primary_clinician' | 'counselor' | 'prescriber' | 'peer_support';
    endDate?: string | null;
  },
): void {
  db.insert(careTeamMembers)
    .values({
      id: randomUUID(),
      clientId: values.clientId,
      staffId: values.staffId,
      role: values.role,
      startDate: '2025-01-01',
      endDate: values.endDate ?? null,
    })
    .run();
}

export function addSafetyPlan(
  db: WorkstationDb,
  values: { clientId: string; version: number; status: 'draft' | 'active' | 'superseded'; warningSign: string },
): string {
  const id = randomUUID();
  db.insert(safetyPlans)
    .values({
      id,
      clientId: values.clientId,
      version: values.version,
      status: values.status,
      content: {
        warningSigns: [values.warningSign],
        internalCoping: ['Walk the dog'],
        distractions: ['Library'],
        peopleToAsk: ['Sister'],
        professionalsAndCrisisLines: ['988'],
        safeEnvironment: ['Medications locked away'],
        whereKept: 'Phone notes',
      },
      createdAt: stamp,
      updatedAt: stamp,
    })
    .run();
  return id;
}

export function addRelapsePlan(db: WorkstationDb, values: { clientId: string; version: number }): string {
  const id = randomUUID();
  db.insert(relapsePreventionPlans)
    .values({
      id,
      clientId: values.clientId,
      version: values.version,
      status: 'active',
      content: {
        warningSigns: ['Skipping meetings'],
        triggers: ['Payday'],
        copingStrategies: ['Call sponsor'],
        supports: ['Sponsor'],
        afterALapse: ['Tell the counselor'],
      },
      createdAt: stamp,
      updatedAt: stamp,
    })
    .run();
  return id;
}
