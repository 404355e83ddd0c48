import type { z } from 'zod';
import { contentHash, missingForSigning, noteContentSchema } from '../../shared/notes/index.js';
import {
  APPLY_ORDER,
  noteRecordSchema,
  recordSchemas,
  type RecordData,
  type RecordEntity,
} from '../../shared/sync/records.js';
import { clientProfile, fillerNotes, generateClient, tasksAndFlags } from './client-history.js';
import { DEMO_USERS, type DemoUserKey } from './credentials.js';
import { generateGroups } from './groups.js';
import { clientDisplayName } from '../records/clients.js';
import { staffRecordOf } from '../records/staff.js';
import {
  addMs,
  atTime,
  type ClientPlan,
  type Course,
  DAY,
  dayStart,
  type DemoUser,
  type Generation,
  GROUP_BLOCKS,
  GROUP_HOURS,
  HOUR,
  iso,
  pad,
  type RawNote,
  type RawRecord,
  type Substance,
} from './model.js';
import { createPrng, type Prng } from './prng.js';
import { FAMILY_NAMES, GIVEN_NAMES, REGION, STREETS, TOWNS } from './text.js';

export type { DemoUser } from './model.js';

/**
 * The demo clinic generator: a clearly synthetic clinic, the same for the same seed and "now".
 * Dates are relative to `now` (six months of history up to today, appointments into next
 * week), in the local time zone of the process. Every record is validated with the shared
 * record schemas (src/shared/sync/records.ts), every note with the note content schema, every
 * signed note with the template's signing rules, and every score comes from the shared scoring
 * functions (src/shared/measures); nothing is re-implemented here.
 *
 * Pure: no database, no clock other than `now`. `seedDemoClinic` (seed.ts) writes the result.
 */

export const DEFAULT_DEMO_SEED = 'continuum-demo-v1';
export const DEFAULT_DEMO_CLIENTS = 60;
export const DEFAULT_HISTORY_DAYS = 182;

export interface DemoClinicOptions {
  /** PRNG seed; the same seed and `now` give the same clinic. */
  seed?: string | number;
  /** The moment the clinic is generated around (default: the current time). */
  now?: Date;
  /** Number of clients, split across the two clinicians' caseloads (default 60). */
  clients?: number;
  /**
   * Exactly this many notes per client (benchmarks: 60 × 333 ≈ 20,000). Without it each
   * client has a note per attended session. Extra notes are brief phone contacts spread over the
   * history; with fewer, the most recent are kept.
   */
  notesPerClient?: number;
  /** Days of history (default 182, six months). */
  historyDays?: number;
}

export interface DemoClientRow {
  id: string;
  displayName: string;
  program: 'aftercare' | 'iop';
  createdAt: Date;
}

export interface DemoAssignment {
  userId: string;
  clientId: string;
  kind: 'caseload' | 'care_team';
  createdAt: Date;
}

export type DemoRecord = {
  [E in Exclude<RecordEntity, 'note' | 'conflict'>]: {
    entity: E;
    id: string;
    clientId: string | null;
    data: RecordData<E>;
  };
}[Exclude<RecordEntity, 'note' | 'conflict'>];

export interface DemoNote {
  id: string;
  clientId: string;
  /** The note in its wire shape (noteRecordSchema), content in the shared NoteContent shape. */
  data: RecordData<'note'>;
}

export interface DemoClinic {
  seed: string;
  now: Date;
  users: DemoUser[];
  clients: DemoClientRow[];
  assignments: DemoAssignment[];
  /** Every non-note record, in the order a workstation applies them (APPLY_ORDER), then by client. */
  records: DemoRecord[];
  notes: DemoNote[];
}

function individualSlots(clinicianIndex: number): { weekday: number; hour: number }[] {
  const block = GROUP_BLOCKS[clinicianIndex % GROUP_BLOCKS.length];
  const slots: { weekday: number; hour: number }[] = [];
  for (let weekday = 1; weekday <= 5; weekday += 1) {
    for (const hour of [8, 9, 10, 11, 13, 14, 15, 16]) {
      const inGroup =
        block !== undefined &&
        (block.weekdays as readonly number[]).includes(weekday) &&
        hour >= block.hour &&
        hour < block.hour + GROUP_HOURS;
      if (!inGroup) slots.push({ weekday, hour });
    }
  }
  return slots;
}

function makeUsers(rng: Prng): DemoUser[] {
  const ids = new Map(DEMO_USERS.map((spec) => [spec.key, rng.uuid()]));
  return DEMO_USERS.map((spec) => ({
    key: spec.key,
    id: ids.get(spec.key) ?? '',
    username: spec.username,
    displayName: spec.displayName,
    role: spec.role,
    credentials: spec.credentials,
    supervisorId: spec.role === 'clinician' ? (ids.get('supervisor') ?? null) : null,
  }));
}

function planClients(gen: Generation, rng: Prng, count: number): ClientPlan[] {
  const slotsByClinician = gen.clinicians.map((_, index) => rng.fork(`slots:${index}`).shuffle(individualSlots(index)));
  const used = [0, 0];
  const plans: ClientPlan[] = [];
  for (let index = 0; index < count; index += 1) {
    const r = rng.fork(`client:${index}`);
    const clinicianIndex = index % 2;
    const clinician = gen.clinicians[clinicianIndex] as DemoUser;
    const otherClinician = gen.clinicians[1 - clinicianIndex] as DemoUser;
    const slots = slotsByClinician[clinicianIndex] ?? [];
    const slot = slots[(used[clinicianIndex] ?? 0) % slots.length] ?? { weekday: 2, hour: 10 };
    used[clinicianIndex] = (used[clinicianIndex] ?? 0) + 1;

    // A few clients of each kind whatever the size, the rest drawn at random.
    const forcedItem9 = index % 12 === 5;
    const forcedLapse = index % 12 === 7;
    const course: Course = forcedItem9
      ? 'struggling'
      : forcedLapse
        ? 'lapse'
        : r.pick(['improving', 'improving', 'improving', 'steady', 'steady', 'struggling'] as const);
    const program: 'aftercare' | 'iop' = index % 3 === 0 || (index % 3 === 1 && r.chance(0.15)) ? 'iop' : 'aftercare';
    const substance: Substance = forcedLapse
      ? 'opioid'
      : r.pick(['opioid', 'opioid', 'opioid', 'alcohol', 'alcohol', 'stimulant', 'cannabis'] as const);

    let enrolled: Date;
    let iop: ClientPlan['iop'] = null;
    if (program === 'iop') {
      enrolled = dayStart(gen.today, -r.int(14, 77));
      iop = { start: enrolled, end: dayStart(gen.today, r.int(14, 42)) };
    } else {
      const fullHistory = r.chance(0.75);
      enrolled = fullHistory ? dayStart(gen.historyStart, r.int(0, 3)) : dayStart(gen.today, -r.int(42, 140));
      const daysEnrolled = Math.round((gen.today.getTime() - enrolled.getTime()) / DAY);
      if (daysEnrolled >= 98 && r.chance(0.5)) iop = { start: enrolled, end: dayStart(enrolled, r.int(56, 70)) };
    }
    // The intake happens on the client's weekly slot day.
    while (enrolled.getDay() !== slot.weekday) enrolled = dayStart(enrolled, 1);
    if (iop) iop = { start: enrolled, end: iop.end };

    const givenName = GIVEN_NAMES[index % GIVEN_NAMES.length] as string;
    const familyName = FAMILY_NAMES[
      (index * 7 + Math.floor(index / GIVEN_NAMES.length)) % FAMILY_NAMES.length
    ] as string;
    const lowEngagement = index % 9 === 4 || (course === 'struggling' && r.chance(0.4));
    plans.push({
      index,
      id: r.uuid(),
      rng: r,
      clinician,
      otherClinician,
      sharedCare: program === 'iop' && index % 5 === 0,
      program,
      givenName,
      familyName,
      mrn: `DEMO-${String(100_001 + index).padStart(6, '0')}`,
      enrolled,
      iop,
      substance,
      course,
      baseDistress: 0.25 + r.next() * 0.35,
      lapseAt: course === 'lapse' ? addMs(gen.today, -r.int(6, 20) * DAY + r.int(18, 22) * HOUR) : null,
      engagement: lowEngagement ? 0.55 + r.next() * 0.15 : 0.8 + r.next() * 0.17,
      checkinGapDays: lowEngagement ? r.int(3, 6) : 0,
      item9: forcedItem9,
      slot,
      modality: r.pick(['video', 'video', 'video', 'video', 'video', 'video', 'phone', 'in_person'] as const),
      address: {
        line1: `${r.int(10, 980)} ${r.pick(STREETS)}`,
        city: r.pick(TOWNS),
        region: REGION,
        postalCode: `97${pad(r.int(0, 99))}0`,
        country: 'US',
      },
      leavesCheckinsUnreviewed: r.chance(0.25),
    });
  }
  return plans;
}

// ---------------------------------------------------------------------------------------------

function validateRecord(raw: RawRecord): DemoRecord {
  const schema = recordSchemas[raw.entity] as z.ZodType;
  const parsed = schema.safeParse(raw.data);
  if (!parsed.success)
    throw new Error(
      `demo ${raw.entity} does not fit its schema: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return { entity: raw.entity, id: raw.id, clientId: raw.clientId, data: parsed.data } as DemoRecord;
}

function finishNote(raw: RawNote): DemoNote {
  const content = noteContentSchema.parse(raw.content);
  if (raw.status === 'signed') {
    const problems = missingForSigning(raw.template, content);
    if (problems.length > 0)
      throw new Error(
        `demo note (${raw.template.id}) would not pass signing: ${problems.map((p) => `${p.code} ${p.path}`).join(', ')}`,
      );
  }
  const signed = raw.status === 'signed' && raw.signedAt !== null;
  const data = noteRecordSchema.parse({
    authorId: raw.authorId,
    status: raw.status,
    content,
    contentHash: signed ? contentHash(content) : null,
    signedAt: signed && raw.signedAt ? iso(raw.signedAt) : null,
    signedBy: signed ? raw.authorId : null,
    createdAt: iso(raw.createdAt),
    updatedAt: iso(raw.updatedAt),
  });
  return { id: raw.id, clientId: raw.clientId, data };
}

export function generateDemoClinic(options: DemoClinicOptions = {}): DemoClinic {
  const seed = String(options.seed ?? DEFAULT_DEMO_SEED);
  const now = new Date(options.now?.getTime() ?? Date.now());
  const count = options.clients ?? DEFAULT_DEMO_CLIENTS;
  if (!Number.isInteger(count) || count < 1 || count > 10_000) throw new RangeError('clients must be 1–10000');
  const notesPerClient = options.notesPerClient;
  if (
    notesPerClient !== undefined &&
    (!Number.isInteger(notesPerClient) || notesPerClient < 0 || notesPerClient > 5_000)
  )
    throw new RangeError('notesPerClient must be 0–5000');
  const historyDays = options.historyDays ?? DEFAULT_HISTORY_DAYS;

  const rng = createPrng(seed);
  const users = makeUsers(rng.fork('users'));
  const byKey = (key: DemoUserKey) => {
    const user = users.find((u) => u.key === key);
    if (!user) throw new Error(`demo user ${key} missing`);
    return user;
  };
  const today = dayStart(now);
  const gen: Generation = {
    now,
    today,
    historyStart: dayStart(today, -historyDays),
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    users,
    clinicians: [byKey('clinician1'), byKey('clinician2')],
    supervisor: byKey('supervisor'),
  };

  const plans = planClients(gen, rng.fork('plans'), count);
  const outputs = new Map(plans.map((plan) => [plan.id, generateClient(gen, plan)]));
  generateGroups(gen, plans, outputs, rng.fork('groups'));

  const clients: DemoClientRow[] = [];
  const assignments: DemoAssignment[] = [];
  const rawRecords: RawRecord[] = [];
  const rawNotes: RawNote[] = [];
  for (const plan of plans) {
    const output = outputs.get(plan.id);
    if (!output) continue;
    const flags = tasksAndFlags(gen, plan, output);
    const enrolledAt = atTime(plan.enrolled, plan.slot.hour);
    const profile = clientProfile(gen, plan, flags);
    rawRecords.push({
      entity: 'client',
      id: plan.id,
      clientId: plan.id,
      data: profile,
      at: 0,
      clientIndex: plan.index,
    });
    clients.push({
      id: plan.id,
      displayName: clientDisplayName({ preferredName: null, givenName: plan.givenName, familyName: plan.familyName }),
      program: plan.program,
      createdAt: enrolledAt,
    });
    assignments.push({ userId: plan.clinician.id, clientId: plan.id, kind: 'caseload', createdAt: enrolledAt });
    if (plan.sharedCare)
      assignments.push({ userId: plan.otherClinician.id, clientId: plan.id, kind: 'care_team', createdAt: enrolledAt });

    let notes = output.notes.sort((a, b) => a.sessionStart.getTime() - b.sessionStart.getTime());
    if (notesPerClient !== undefined) {
      if (notes.length > notesPerClient) {
        const dropped = notes.slice(0, notes.length - notesPerClient);
        notes = notes.slice(notes.length - notesPerClient);
        for (const note of dropped)
          for (const measure of output.noteMeasures.get(note.id) ?? []) measure.data['noteId'] = null;
      } else if (notes.length < notesPerClient) {
        notes = [...notes, ...fillerNotes(gen, plan, notesPerClient - notes.length, notes)].sort(
          (a, b) => a.sessionStart.getTime() - b.sessionStart.getTime(),
        );
      }
    }
    rawNotes.push(...notes);
    rawRecords.push(...output.records);
  }

  // Staff records exactly as the server derives them from accounts (records/staff.ts), so its
  // start-up reconciliation finds nothing to change.
  const staff: DemoRecord[] = users.map((user) =>
    validateRecord({ entity: 'staff', id: user.id, clientId: null, at: 0, clientIndex: -1, data: staffRecordOf(user) }),
  );

  const order = new Map(APPLY_ORDER.map((entity, index) => [entity, index]));
  rawRecords.sort(
    (a, b) => (order.get(a.entity) ?? 99) - (order.get(b.entity) ?? 99) || a.clientIndex - b.clientIndex || a.at - b.at,
  );
  return {
    seed,
    now,
    users,
    clients,
    assignments,
    records: [...staff, ...rawRecords.map(validateRecord)],
    notes: rawNotes.map(finishNote),
  };
}
