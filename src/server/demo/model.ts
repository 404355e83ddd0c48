import { BUILT_IN_TEMPLATES, type NoteContent, type TemplateDefinition } from '../../shared/notes/index.js';
import type { RecordEntity } from '../../shared/sync/records.js';
import type { DemoUserKey } from './credentials.js';
import type { Prng } from './prng.js';

/**
 * The demo generator's working model: who the clients are (their plan: program, course,
 * schedule), the raw records and notes before validation, and time helpers. Times are in the
 * local time zone of the process, so the demo's sessions fall in working hours where it runs.
 */

export interface DemoUser {
  key: DemoUserKey;
  id: string;
  username: string;
  displayName: string;
  role: 'clinician' | 'supervisor' | 'admin';
  credentials: string | null;
  supervisorId: string | null;
}

// ---------------------------------------------------------------------------------------------
// Time helpers (local time of this process)

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export function dayStart(base: Date, offsetDays = 0): Date {
  const d = new Date(base.getTime());
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() + offsetDays);
  return d;
}
export function atTime(day: Date, hour: number, minute = 0): Date {
  const d = new Date(day.getTime());
  d.setHours(hour, minute, 0, 0);
  return d;
}
export const pad = (n: number) => String(n).padStart(2, '0');
export const isoDate = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
export const hhmm = (d: Date) => `${pad(d.getHours())}:${pad(d.getMinutes())}`;
export const iso = (d: Date) => d.toISOString();
export const addMs = (d: Date, ms: number) => new Date(d.getTime() + ms);
export const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

// ---------------------------------------------------------------------------------------------
// The people

export type Substance = 'opioid' | 'alcohol' | 'stimulant' | 'cannabis';
export type Course = 'improving' | 'steady' | 'struggling' | 'lapse';

export interface ClientPlan {
  index: number;
  id: string;
  rng: Prng;
  clinician: DemoUser;
  otherClinician: DemoUser;
  /** The other clinician is on the care team (co-facilitates this client's group). */
  sharedCare: boolean;
  program: 'aftercare' | 'iop';
  givenName: string;
  familyName: string;
  mrn: string;
  enrolled: Date;
  /** IOP group attendance: from the start (inclusive) to the end (exclusive). */
  iop: { start: Date; end: Date } | null;
  substance: Substance;
  course: Course;
  baseDistress: number;
  lapseAt: Date | null;
  /** Probability of showing up / checking in on a given day. */
  engagement: number;
  /** Has stopped checking in for the last few days. */
  checkinGapDays: number;
  /** Recent PHQ-9s carry a non-zero item 9. */
  item9: boolean;
  slot: { weekday: number; hour: number };
  modality: 'video' | 'phone' | 'in_person';
  address: { line1: string; city: string; region: string; postalCode: string; country: string };
  leavesCheckinsUnreviewed: boolean;
}

export interface Generation {
  now: Date;
  today: Date;
  historyStart: Date;
  timeZone: string;
  users: DemoUser[];
  clinicians: [DemoUser, DemoUser];
  supervisor: DemoUser;
}

/** A record before validation. */
export interface RawRecord {
  entity: Exclude<RecordEntity, 'note' | 'conflict'>;
  id: string;
  clientId: string | null;
  data: Record<string, unknown>;
  /** Sort key within its entity. */
  at: number;
  clientIndex: number;
}

export interface RawNote {
  id: string;
  clientId: string;
  clientIndex: number;
  authorId: string;
  template: TemplateDefinition;
  content: NoteContent;
  sessionStart: Date;
  status: 'draft' | 'signed';
  signedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const TEMPLATES = new Map(BUILT_IN_TEMPLATES.map((template) => [template.id, template]));
export function template(id: string): TemplateDefinition {
  const found = TEMPLATES.get(id);
  if (!found) throw new Error(`no built-in template ${id}`);
  return found;
}

/** Group blocks per clinician index: weekdays (0 = Sunday) and start hour; three hours each. */
export const GROUP_BLOCKS = [
  { weekdays: [1, 3, 5], hour: 9 },
  { weekdays: [1, 3, 5], hour: 13 },
] as const;
export const GROUP_HOURS = 3;

/** How unwell the client is at `t`, 0 (well) … 1 (very unwell), before noise. */
export function distress(plan: ClientPlan, gen: Generation, t: Date): number {
  const span = Math.max(DAY, gen.now.getTime() - plan.enrolled.getTime());
  const progress = clamp((t.getTime() - plan.enrolled.getTime()) / span, 0, 1);
  const base = plan.baseDistress;
  switch (plan.course) {
    case 'improving':
      return base - 0.22 * progress;
    case 'steady':
      return base;
    case 'struggling':
      return base + 0.22 * progress;
    case 'lapse': {
      const before = base - 0.2 * progress;
      if (!plan.lapseAt || t < plan.lapseAt) return before;
      const daysSince = (t.getTime() - plan.lapseAt.getTime()) / DAY;
      return before + 0.3 * Math.exp(-daysSince / 21);
    }
  }
}

export function usedAround(plan: ClientPlan, t: Date): boolean {
  if (!plan.lapseAt) return false;
  const days = (t.getTime() - plan.lapseAt.getTime()) / DAY;
  return days >= 0 && days < 4;
}
