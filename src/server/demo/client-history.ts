import { scorePhq9, phq9ResponsesSchema } from '../../shared/measures/index.js';
import type { RiskScreenResult } from '../../shared/notes/index.js';
import { bamResponses, gad7Responses, measureData, type MeasureTaken, phq9Responses } from './measures.js';
import {
  addMs,
  atTime,
  clamp,
  type ClientPlan,
  DAY,
  dayStart,
  distress,
  type Generation,
  HOUR,
  iso,
  isoDate,
  MINUTE,
  pad,
  type RawNote,
  type RawRecord,
  template,
  usedAround,
} from './model.js';
import { encounterFor, individualContent } from './note-content.js';
import type { Prng } from './prng.js';
import {
  CHECKIN_COMMENTS,
  CONTACT_RELATIONSHIPS,
  FAMILY_NAMES,
  GIVEN_NAMES,
  PART2_RECIPIENTS,
  PRONOUNS,
  REGION,
  RELAPSE_PREVENTION,
  SAFETY_PLAN,
} from './text.js';

/**
 * One client's six months: consents, contacts and care team; medications; weekly sessions with
 * their notes and measures; check-ins; drug screens; plans; then, from what that history shows,
 * tasks and risk flags. Deterministic: everything draws from the client's own generator.
 */
// ---------------------------------------------------------------------------------------------
// One client's history

export interface ClientOutput {
  records: RawRecord[];
  notes: RawNote[];
  /** Measures linked to notes, for trimming in benchmark mode. */
  noteMeasures: Map<string, RawRecord[]>;
  lastIndividualStatus: string | null;
  lastCheckinAt: Date | null;
  refillSoon: boolean;
  item9Recent: boolean;
}

export const TEMPLATE_PREFERENCE: Record<number, string[]> = {
  0: ['soap', 'soap', 'soap', 'soap', 'birp'],
  1: ['dap', 'dap', 'dap', 'birp', 'girp'],
};

/** What each part of a client's history writes with. */
interface HistoryContext {
  gen: Generation;
  plan: ClientPlan;
  rng: Prng;
  out: ClientOutput;
  enrolledAt: Date;
  push: (entity: RawRecord['entity'], data: Record<string, unknown>, at: Date, id?: string) => RawRecord;
}

export function generateClient(gen: Generation, plan: ClientPlan): ClientOutput {
  const { rng } = plan;
  const out: ClientOutput = {
    records: [],
    notes: [],
    noteMeasures: new Map(),
    lastIndividualStatus: null,
    lastCheckinAt: null,
    refillSoon: false,
    item9Recent: false,
  };
  const ctx: HistoryContext = {
    gen,
    plan,
    rng,
    out,
    enrolledAt: atTime(plan.enrolled, plan.slot.hour),
    push: (entity, data, at, id = rng.uuid()) => {
      const record: RawRecord = { entity, id, clientId: plan.id, data, at: at.getTime(), clientIndex: plan.index };
      out.records.push(record);
      return record;
    },
  };
  consentsContactsAndCareTeam(ctx);
  const meds = medications(ctx);
  individualSessions(ctx);
  checkins(
    ctx,
    meds.some((med) => med['status'] === 'active'),
  );
  drugScreens(ctx, meds);
  plans(ctx);
  return out;
}

/** Consents (treatment, telehealth, releases, some Part 2 disclosures), emergency contacts, care team. */
function consentsContactsAndCareTeam(ctx: HistoryContext): void {
  const { gen, plan, rng, enrolledAt, push } = ctx;
  const treatment = { kind: 'treatment', signedAt: iso(enrolledAt), createdAt: iso(enrolledAt) };
  push('consent', treatment, enrolledAt);
  push('consent', { kind: 'telehealth', signedAt: iso(enrolledAt), createdAt: iso(enrolledAt) }, enrolledAt);
  const contactCount = rng.chance(0.3) ? 2 : 1;
  for (let priority = 1; priority <= contactCount; priority += 1) {
    const withRelease = rng.chance(0.9);
    let releaseId: string | null = null;
    if (withRelease) {
      releaseId = push(
        'consent',
        {
          kind: 'emergency_contact_release',
          recipient: 'Emergency contact on file',
          purpose: 'Contact in an emergency or after missed appointments',
          signedAt: iso(enrolledAt),
          createdAt: iso(enrolledAt),
        },
        enrolledAt,
      ).id;
    }
    push(
      'emergencyContact',
      {
        name: `${rng.pick(GIVEN_NAMES)} ${rng.pick(FAMILY_NAMES)}`,
        relationship: rng.pick(CONTACT_RELATIONSHIPS),
        phone: `555-01${pad(rng.int(0, 99))}`,
        releaseConsentId: releaseId,
        priority,
        createdAt: iso(enrolledAt),
        updatedAt: iso(enrolledAt),
      },
      enrolledAt,
    );
  }
  // Part 2 disclosures: some clients; client 2 has one that expired.
  if (plan.index === 2 || rng.chance(0.25)) {
    const target = rng.pick(PART2_RECIPIENTS);
    const signedAt = addMs(enrolledAt, HOUR);
    // Client 2's disclosure ran out nine days ago (they enrolled six weeks ago at the latest).
    const expiresAt = plan.index === 2 ? addMs(gen.today, -9 * DAY) : addMs(signedAt, 365 * DAY);
    push(
      'consent',
      {
        kind: 'part2_disclosure',
        recipient: target.recipient,
        purpose: target.purpose,
        scope: [...target.scope],
        signedAt: iso(signedAt),
        expiresAt: iso(expiresAt),
        documentRef: `DEMO-CONSENT-${plan.index}`,
        createdAt: iso(signedAt),
      },
      signedAt,
    );
  }
  const careTeam = (staffId: string, role: string) =>
    push('careTeamMember', { staffId, role, startDate: isoDate(plan.enrolled) }, enrolledAt);
  careTeam(plan.clinician.id, 'primary_clinician');
  careTeam(gen.supervisor.id, 'supervisor');
  if (plan.sharedCare) careTeam(plan.otherClinician.id, 'counselor');
}

/** MOUD / AUD / psychiatric medications, with refill dates (some due soon). */
function medications(ctx: HistoryContext): Record<string, unknown>[] {
  const { gen, plan, rng, out, enrolledAt, push } = ctx;
  const meds: Record<string, unknown>[] = [];
  const pharmacy = {
    name: `Demo Pharmacy #${rng.int(10, 40)} (synthetic)`,
    phone: `555-01${pad(rng.int(0, 99))}`,
    delivers: rng.chance(0.3),
  };
  const refill = () => {
    const forcedSoon = plan.index % 10 === 3;
    const offset = forcedSoon ? rng.int(0, 2) : rng.int(-2, 27);
    if (offset <= 3) out.refillSoon = true;
    return isoDate(dayStart(gen.today, offset));
  };
  const medBase = {
    startDate: isoDate(plan.enrolled),
    status: 'active',
    createdAt: iso(enrolledAt),
    updatedAt: iso(enrolledAt),
  };
  if (plan.substance === 'opioid') {
    const kind = rng.pick(['bup', 'bup', 'bup', 'methadone', 'naltrexone'] as const);
    if (kind === 'bup')
      meds.push({
        ...medBase,
        name: 'Buprenorphine/naloxone 8 mg/2 mg sublingual film',
        category: 'moud',
        dose: rng.pick(['8 mg/2 mg', '16 mg/4 mg', '12 mg/3 mg']),
        route: 'sublingual',
        frequency: 'once daily',
        prescriber: 'Demo Psychiatry NP (synthetic)',
        pharmacy,
        refillDue: refill(),
        pdmpCheckedAt: iso(addMs(gen.today, -rng.int(1, 28) * DAY + 10 * HOUR)),
        pdmpState: REGION,
      });
    else if (kind === 'methadone')
      meds.push({
        ...medBase,
        name: 'Methadone oral solution',
        category: 'moud',
        dose: `${rng.int(6, 12) * 10} mg`,
        route: 'oral',
        frequency: 'once daily (observed dosing)',
        prescriber: 'OTP medical director (synthetic)',
        otpName: 'Demo Valley Opioid Treatment Program (synthetic)',
      });
    else
      meds.push({
        ...medBase,
        name: 'Naltrexone extended-release injectable suspension',
        category: 'moud',
        dose: '380 mg',
        route: 'intramuscular',
        frequency: 'every 4 weeks',
        prescriber: 'Demo Psychiatry NP (synthetic)',
        refillDue: refill(),
      });
  } else if (plan.substance === 'alcohol' && rng.chance(0.7)) {
    meds.push(
      rng.chance(0.6)
        ? {
            ...medBase,
            name: 'Naltrexone',
            category: 'aud',
            dose: '50 mg',
            route: 'oral',
            frequency: 'once daily',
            prescriber: 'Demo Primary Care (synthetic)',
            pharmacy,
            refillDue: refill(),
          }
        : {
            ...medBase,
            name: 'Acamprosate',
            category: 'aud',
            dose: '666 mg',
            route: 'oral',
            frequency: 'three times daily',
            prescriber: 'Demo Primary Care (synthetic)',
            pharmacy,
            refillDue: refill(),
          },
    );
  }
  if (rng.chance(0.45)) {
    const psych = rng.pick([
      { name: 'Sertraline', dose: rng.pick(['50 mg', '100 mg']), frequency: 'once daily' },
      { name: 'Bupropion XL', dose: '150 mg', frequency: 'once daily in the morning' },
      { name: 'Mirtazapine', dose: '15 mg', frequency: 'at bedtime' },
      { name: 'Hydroxyzine', dose: '25 mg', frequency: 'as needed for anxiety' },
    ]);
    meds.push({
      ...medBase,
      ...psych,
      category: 'psychiatric',
      route: 'oral',
      prescriber: 'Demo Psychiatry NP (synthetic)',
      pharmacy,
      refillDue: refill(),
    });
  }
  if (rng.chance(0.15)) {
    const stopped = addMs(enrolledAt, rng.int(20, 60) * DAY);
    if (stopped < gen.now)
      meds.push({
        ...medBase,
        name: 'Trazodone',
        category: 'psychiatric',
        dose: '50 mg',
        route: 'oral',
        frequency: 'at bedtime',
        prescriber: 'Demo Psychiatry NP (synthetic)',
        endDate: isoDate(stopped),
        status: 'stopped',
        updatedAt: iso(stopped),
      });
  }
  for (const med of meds) push('medication', med, enrolledAt);

  return meds;
}

/** Weekly individual sessions from the intake to next week, with notes and measures. */
function individualSessions(ctx: HistoryContext): void {
  const { gen, plan, rng, out, enrolledAt, push } = ctx;
  const preference = TEMPLATE_PREFERENCE[plan.index % 2] ?? ['soap'];
  let nextPhq = plan.enrolled;
  let nextBam = plan.enrolled;
  const horizon = dayStart(gen.today, 14);
  const sessions: Date[] = [];
  for (let day = plan.enrolled; day < horizon; day = dayStart(day, 7)) sessions.push(atTime(day, plan.slot.hour));
  sessions.forEach((start, sessionIndex) => {
    const intake = sessionIndex === 0;
    const end = addMs(start, intake ? 75 * MINUTE : 50 * MINUTE);
    const type = intake ? 'intake' : 'individual';
    const modality = intake ? 'in_person' : rng.chance(0.85) ? plan.modality : rng.pick(['video', 'phone'] as const);
    const createdAt = new Date(
      Math.min(gen.now.getTime(), Math.max(enrolledAt.getTime() - DAY, start.getTime() - 7 * DAY)),
    );
    const later = (d: Date) => (d < createdAt ? createdAt : d);
    let status: string;
    let updatedAt = createdAt;
    if (end <= gen.now) {
      const roll = rng.next();
      const showRate = intake ? 1 : plan.engagement + 0.08;
      status = roll < showRate ? 'completed' : roll < showRate + (1 - showRate) * 0.6 ? 'no_show' : 'cancelled';
      updatedAt = later(status === 'cancelled' ? addMs(start, -rng.int(4, 30) * HOUR) : end);
      out.lastIndividualStatus = status;
    } else if (start <= gen.now) {
      status = 'checked_in';
      updatedAt = later(addMs(start, -3 * MINUTE));
    } else {
      status = rng.chance(0.04) ? 'cancelled' : 'scheduled';
      if (status === 'cancelled') updatedAt = later(addMs(gen.now, -rng.int(1, 20) * HOUR));
    }
    const appointmentId = rng.uuid();
    push(
      'appointment',
      {
        clinicianId: plan.clinician.id,
        startsAt: iso(start),
        endsAt: iso(end),
        type,
        modality,
        status,
        videoLink: modality === 'video' ? `https://telehealth.example.com/demo/${appointmentId.slice(0, 8)}` : null,
        createdAt: iso(createdAt),
        updatedAt: iso(updatedAt),
      },
      start,
      appointmentId,
    );
    if (status !== 'completed') return;

    // Measures given in this session.
    const level = clamp(distress(plan, gen, start) + (rng.next() - 0.5) * 0.12, 0, 1);
    const used = usedAround(plan, start) || (plan.course === 'struggling' && rng.chance(0.08));
    const craving = clamp(Math.round(level * 10 + (used ? 2 : 0) + (rng.next() - 0.5) * 2), 0, 10);
    const taken: MeasureTaken[] = [{ measureId: 'craving', responses: { level: craving } }];
    let phqBand = 'mild';
    let risk: RiskScreenResult = 'none';
    if (start >= nextPhq) {
      const recent = gen.now.getTime() - start.getTime() < 45 * DAY;
      const item9 = plan.item9 && recent ? rng.int(1, 2) : plan.index % 12 === 11 && sessionIndex === 2 ? 1 : 0;
      const phq = phq9Responses(rng, level, item9);
      taken.push({ measureId: 'phq9', responses: phq });
      const score = scorePhq9(phq9ResponsesSchema.parse(phq)).score;
      if (score.status === 'complete') phqBand = score.band.code;
      if (item9 > 0) {
        risk = item9 > 1 ? 'moderate' : 'low';
        if (recent) out.item9Recent = true;
      }
      if (rng.chance(0.85)) taken.push({ measureId: 'gad7', responses: gad7Responses(rng, level) });
      nextPhq = dayStart(start, rng.int(14, 28));
    }
    if (start >= nextBam) {
      taken.push({ measureId: 'bam', responses: bamResponses(rng, plan, level, used) });
      nextBam = dayStart(start, rng.int(28, 35));
    }

    const noteId = rng.uuid();
    const templateId = intake ? 'soap' : rng.pick(preference);
    const definition = template(templateId);
    const next = sessions[sessionIndex + 1];
    const content = individualContent({
      rng,
      template: definition,
      encounter: encounterFor(gen, plan, start, end, modality, rng),
      measures: taken,
      risk,
      fill: { craving, band: phqBand, topic: '', iop: plan.iop !== null && plan.iop.end > start },
      nextAppointment: next ?? null,
    });
    const late = rng.chance(0.07);
    let signedAt: Date | null = addMs(end, late ? rng.int(26, 50) * HOUR : rng.int(10, 240) * MINUTE);
    const recentSession = gen.now.getTime() - end.getTime() < 3 * DAY;
    if (signedAt > gen.now || (recentSession && rng.chance(0.35))) signedAt = null;
    const note: RawNote = {
      id: noteId,
      clientId: plan.id,
      clientIndex: plan.index,
      authorId: plan.clinician.id,
      template: definition,
      content,
      sessionStart: start,
      status: signedAt ? 'signed' : 'draft',
      signedAt,
      createdAt: addMs(start, 5 * MINUTE),
      updatedAt: signedAt ?? addMs(end, rng.int(5, 40) * MINUTE),
    };
    if (note.updatedAt > gen.now) note.updatedAt = gen.now;
    out.notes.push(note);
    const linked = taken.map((measure) =>
      push(
        'measure',
        measureData(measure, addMs(start, 10 * MINUTE), plan.clinician.id, 'clinician', noteId),
        addMs(start, 10 * MINUTE),
      ),
    );
    out.noteMeasures.set(noteId, linked);

    // Now and then a protected SUD counseling note beside the progress note.
    if (!intake && rng.chance(0.05)) {
      const counselingId = rng.uuid();
      const counseling = template('sud_counseling');
      const counselingSigned = addMs(end, rng.int(30, 180) * MINUTE);
      if (counselingSigned <= gen.now)
        out.notes.push({
          id: counselingId,
          clientId: plan.id,
          clientIndex: plan.index,
          authorId: plan.clinician.id,
          template: counseling,
          content: individualContent({
            rng,
            template: counseling,
            encounter: encounterFor(gen, plan, start, end, modality, rng),
            measures: [],
            risk: 'none',
            fill: { craving, band: phqBand, topic: '', iop: plan.iop !== null && plan.iop.end > start },
            nextAppointment: null,
          }),
          sessionStart: start,
          status: 'signed',
          signedAt: counselingSigned,
          createdAt: addMs(end, 5 * MINUTE),
          updatedAt: counselingSigned,
        });
    }
  });
}

/** Daily-ish check-ins from the client app, with gaps; recent ones not always reviewed yet. */
function checkins(ctx: HistoryContext, onMedication: boolean): void {
  const { gen, plan, rng, out, push } = ctx;
  const lastCheckinDay = dayStart(gen.today, -plan.checkinGapDays);
  for (let day = dayStart(plan.enrolled, 1); day <= lastCheckinDay; day = dayStart(day, 1)) {
    if (!rng.chance(plan.engagement)) continue;
    const submittedAt = atTime(day, rng.int(7, 21), rng.int(0, 59));
    if (submittedAt > gen.now) continue;
    const level = clamp(distress(plan, gen, submittedAt) + (rng.next() - 0.5) * 0.2, 0, 1);
    const used = usedAround(plan, submittedAt) && rng.chance(0.7);
    const ageHours = (gen.now.getTime() - submittedAt.getTime()) / HOUR;
    // Most clinicians read check-ins within hours; some have a backlog; reported use waits for
    // the next session's review.
    const unreviewed = used ? ageHours < 5 * 24 : plan.leavesCheckinsUnreviewed ? ageHours < 40 : ageHours < 0.25;
    const reviewed = addMs(submittedAt, rng.int(10, 240) * MINUTE);
    const reviewedAt = reviewed > gen.now ? addMs(gen.now, -5 * MINUTE) : reviewed;
    push(
      'checkin',
      {
        submittedAt: iso(submittedAt),
        receivedAt: iso(addMs(submittedAt, rng.int(1, 40) * 1000)),
        mood: clamp(Math.round(10 - level * 10 + (rng.next() - 0.5) * 2), 0, 10),
        craving: clamp(Math.round(level * 10 + (used ? 3 : 0) + (rng.next() - 0.5) * 2), 0, 10),
        sleepHours: clamp(Math.round((8.5 - level * 4 + (rng.next() - 0.5) * 2) * 2) / 2, 2, 12),
        medicationTaken: onMedication ? rng.chance(0.93) : null,
        useSinceLast: used,
        comment: rng.chance(0.15) ? rng.pick(CHECKIN_COMMENTS) : null,
        reviewedAt: unreviewed ? null : iso(reviewedAt),
        reviewedBy: unreviewed ? null : plan.clinician.id,
      },
      submittedAt,
    );
    out.lastCheckinAt = submittedAt;
  }
}

/** Monthly urine drug screens, for clients on MOUD and some others. */
function drugScreens(ctx: HistoryContext, meds: Record<string, unknown>[]): void {
  const { gen, plan, rng, push } = ctx;
  if (plan.substance === 'opioid' || rng.chance(0.3)) {
    for (let day = dayStart(plan.enrolled, 3); day <= gen.today; day = dayStart(day, rng.int(26, 34))) {
      const collectedAt = atTime(day, rng.int(9, 15));
      if (collectedAt > gen.now) break;
      const used =
        usedAround(plan, collectedAt) ||
        (plan.lapseAt !== null && Math.abs(collectedAt.getTime() - plan.lapseAt.getTime()) < 5 * DAY);
      const results: Record<string, string> = {
        fentanyl: used && plan.substance === 'opioid' ? 'positive' : 'negative',
        opiates: 'negative',
        cocaine: used && plan.substance === 'stimulant' ? 'positive' : 'negative',
        amphetamines: 'negative',
        thc: plan.substance === 'cannabis' && used ? 'positive' : 'negative',
        ethyl_glucuronide: used && plan.substance === 'alcohol' ? 'positive' : 'negative',
      };
      const moud = meds.find((med) => med['category'] === 'moud');
      if (moud && String(moud['name']).startsWith('Buprenorphine')) results['buprenorphine'] = 'expected_positive';
      if (moud && String(moud['name']).startsWith('Methadone')) results['methadone'] = 'expected_positive';
      push(
        'drugScreen',
        {
          collectedAt: iso(collectedAt),
          specimen: 'urine',
          observed: rng.chance(0.3),
          results,
          createdAt: iso(collectedAt),
        },
        collectedAt,
      );
    }
  }
}

/** Relapse-prevention plans (revised after a lapse) and safety plans. */
function plans(ctx: HistoryContext): void {
  const { gen, plan, rng, enrolledAt, push } = ctx;
  const planAt = addMs(enrolledAt, 14 * DAY);
  if (planAt < gen.now && (rng.chance(0.6) || plan.course === 'lapse')) {
    const revised = plan.course === 'lapse' && plan.lapseAt ? addMs(plan.lapseAt, 4 * DAY) : null;
    const content = (n: number) => ({
      warningSigns: rng.shuffle(RELAPSE_PREVENTION.warningSigns).slice(0, n),
      triggers: rng.shuffle(RELAPSE_PREVENTION.triggers).slice(0, n),
      copingStrategies: rng.shuffle(RELAPSE_PREVENTION.copingStrategies).slice(0, n),
      supports: rng.shuffle(RELAPSE_PREVENTION.supports).slice(0, n),
      afterALapse: [...RELAPSE_PREVENTION.afterALapse],
    });
    push(
      'plan',
      {
        kind: 'relapse_prevention',
        version: 1,
        status: revised && revised < gen.now ? 'superseded' : 'active',
        content: content(3),
        updatedBy: plan.clinician.id,
        createdAt: iso(planAt),
        updatedAt: iso(revised && revised < gen.now ? revised : planAt),
      },
      planAt,
    );
    if (revised && revised < gen.now)
      push(
        'plan',
        {
          kind: 'relapse_prevention',
          version: 2,
          status: 'active',
          content: content(4),
          updatedBy: plan.clinician.id,
          createdAt: iso(revised),
          updatedAt: iso(revised),
        },
        revised,
      );
  }
  if (plan.item9 || rng.chance(0.12)) {
    const safetyAt = plan.item9 ? addMs(gen.today, -rng.int(10, 40) * DAY + 15 * HOUR) : planAt;
    const createdAt = safetyAt < enrolledAt ? enrolledAt : safetyAt;
    if (createdAt < gen.now)
      push(
        'plan',
        {
          kind: 'safety',
          version: 1,
          status: 'active',
          content: {
            ...Object.fromEntries(Object.entries(SAFETY_PLAN).map(([key, items]) => [key, [...items]])),
            whereKept: 'Photo on phone and a paper copy in the kitchen drawer',
            barriers: 'Might not want to reach out late at night; agreed to text 988 instead.',
          },
          reviewedAt: iso(addMs(createdAt, 7 * DAY) < gen.now ? addMs(createdAt, 7 * DAY) : createdAt),
          updatedBy: plan.clinician.id,
          createdAt: iso(createdAt),
          updatedAt: iso(createdAt),
        },
        createdAt,
      );
  }
}

export function clientProfile(gen: Generation, plan: ClientPlan, riskFlags: string[]): Record<string, unknown> {
  const { rng } = plan;
  const age = rng.int(20, 64);
  const birth = new Date(gen.today.getFullYear() - age, rng.int(0, 11), rng.int(1, 28));
  const recoveryStart = dayStart(plan.enrolled, -rng.int(7, 120));
  const enrolledAt = atTime(plan.enrolled, plan.slot.hour);
  return {
    mrn: plan.mrn,
    givenName: plan.givenName,
    familyName: plan.familyName,
    preferredName: null,
    pronouns: rng.pick(PRONOUNS),
    dateOfBirth: isoDate(birth),
    phone: `555-01${pad(rng.int(0, 99))}`,
    address: plan.address,
    preferredHospital: 'Anytown General Hospital (demo)',
    program: plan.program,
    levelOfCare: plan.program === 'iop' ? 'ASAM 2.1 intensive outpatient' : 'ASAM 1.0 outpatient (aftercare)',
    primaryClinicianId: plan.clinician.id,
    recoveryStartDate: isoDate(recoveryStart),
    status: 'active',
    riskFlags,
    createdAt: iso(enrolledAt),
    updatedAt: iso(riskFlags.length > 0 ? addMs(gen.now, -2 * DAY) : enrolledAt),
  };
}

// ---------------------------------------------------------------------------------------------
// Tasks and risk flags (from what the history shows)

export function tasksAndFlags(gen: Generation, plan: ClientPlan, output: ClientOutput): string[] {
  const { rng } = plan;
  const flags: string[] = [];
  if (plan.item9) flags.push('suicide_risk');
  if (plan.course === 'lapse' && plan.substance === 'opioid') flags.push('overdose_risk');
  if (plan.course === 'lapse') flags.push('recent_return_to_use');
  if (plan.checkinGapDays >= 5 && output.lastIndividualStatus === 'no_show') flags.push('disengagement');

  const task = (
    kind: string,
    title: string,
    due: Date | null,
    assigneeId = plan.clinician.id,
    done: Date | null = null,
  ) => {
    const createdAt = addMs(due ?? gen.now, -2 * DAY);
    output.records.push({
      entity: 'task',
      id: rng.uuid(),
      clientId: plan.id,
      clientIndex: plan.index,
      at: createdAt.getTime(),
      data: {
        assigneeId,
        kind,
        title,
        dueAt: due ? iso(due) : null,
        status: done ? 'done' : 'open',
        completedAt: done ? iso(done) : null,
        createdAt: iso(createdAt),
        updatedAt: iso(done ?? createdAt),
      },
    });
  };
  const endOfToday = atTime(gen.today, 17);
  if (plan.checkinGapDays > 0) task('outreach', 'Reach out: no check-ins for several days', endOfToday);
  if (output.lastIndividualStatus === 'no_show') task('outreach', 'Follow up on the missed session', endOfToday);
  if (output.refillSoon)
    task('notify_prescriber', 'Confirm refill with the prescriber', atTime(dayStart(gen.today, 1), 12));
  if (output.item9Recent) {
    task('follow_up', 'Follow up on PHQ-9 item 9 and review the safety plan', atTime(dayStart(gen.today, 1), 10));
    task('follow_up', 'Supervisor review of safety plan', atTime(dayStart(gen.today, 2), 10), gen.supervisor.id);
  }
  if (plan.course === 'lapse')
    task('plan_review', 'Update the relapse-prevention plan after the lapse', atTime(dayStart(gen.today, 3), 12));
  // Some finished work from the past.
  if (rng.chance(0.5)) {
    const due = addMs(gen.today, -rng.int(10, 90) * DAY + 12 * HOUR);
    if (due > plan.enrolled)
      task('follow_up', 'Send aftercare resources', due, plan.clinician.id, addMs(due, -3 * HOUR));
  }
  return flags;
}

// ---------------------------------------------------------------------------------------------
// Benchmark sizing: exactly `n` notes per client

export function fillerNotes(gen: Generation, plan: ClientPlan, count: number, existing: RawNote[]): RawNote[] {
  const rng = plan.rng.fork('filler');
  const start0 = plan.enrolled.getTime();
  const span = Math.max(DAY, dayStart(gen.today).getTime() - start0);
  const preference = TEMPLATE_PREFERENCE[plan.index % 2] ?? ['soap'];
  const taken = new Set(existing.map((note) => note.sessionStart.getTime()));
  const out: RawNote[] = [];
  for (let k = 0; k < count; k += 1) {
    const day = dayStart(new Date(start0 + ((k + 0.5) * span) / count));
    let start = atTime(day, 8 + (k % 9), (k * 7) % 4 === 0 ? 0 : 30);
    while (taken.has(start.getTime())) start = addMs(start, 5 * MINUTE);
    taken.add(start.getTime());
    const end = addMs(start, 15 * MINUTE);
    const definition = template(rng.pick(preference));
    const signedAt = addMs(end, rng.int(5, 90) * MINUTE);
    const signed = signedAt <= gen.now;
    out.push({
      id: rng.uuid(),
      clientId: plan.id,
      clientIndex: plan.index,
      authorId: plan.clinician.id,
      template: definition,
      content: individualContent({
        rng,
        template: definition,
        encounter: encounterFor(gen, plan, start, end, 'phone', rng),
        measures: [],
        risk: 'none',
        fill: { craving: 3, band: 'mild', topic: '', iop: false },
        nextAppointment: null,
      }),
      sessionStart: start,
      status: signed ? 'signed' : 'draft',
      signedAt: signed ? signedAt : null,
      createdAt: start,
      updatedAt: signed ? signedAt : end,
    });
  }
  return out;
}
