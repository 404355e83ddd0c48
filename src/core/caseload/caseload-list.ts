import type { CaseloadAlert, CaseloadList, CaseloadRow } from '../../shared/caseload/caseload';
import type { SqliteDatabase } from '../store/open-database';
import { clientAppointmentsCte, parseStringArray, publishedBand, toIso } from './sql';

/**
 * The Caseload page's read model (RPC `caseload.list`), computed from the encrypted cache in a
 * fixed number of set-based queries (one per fact, each grouped or windowed by client), never
 * one query per client: the page stays fast with hundreds of clients.
 *
 * Rules (times are the cache's ISO-8601 UTC strings, compared as text):
 * - display name: the preferred name, else the given name, then the family name;
 * - next appointment: the earliest `scheduled` or `checked_in` appointment starting now or later,
 *   individual or group (a group session counts for every participant);
 * - last contact: the latest of a completed appointment (that has started), a check-in, and a
 *   signed note (its session start, else its signing time);
 * - days since last session: whole days since the start of the latest completed appointment the
 *   client attended (absent from a group session does not count);
 * - craving: the last 8 values, oldest first, from check-ins (craving 0–10), CRAVING measures
 *   administered in sessions, and CRAVING points of the measure series not already counted;
 * - PHQ-9: the last 8 complete totals (incomplete administrations have no total), oldest first,
 *   with the stored band or, when none is stored, the published band;
 * - alerts (CASELOAD_ALERTS), each rule documented at ALERT_RULES below;
 * - pending changes: this client's outbox mutations not yet acknowledged by the server (the
 *   upload of audit entries, e.g. of opening the chart, is not a change to the client's record).
 */
export const TREND_POINTS = 8;

export const ALERT_RULES = {
  /** An active client who has checked in at least this many times before (a habit)… */
  missedCheckinsHabit: 3,
  /** …and whose newest check-in is at least this many days old. */
  missedCheckinsDays: 3,
  /** A medication still active whose refill is due within this many days, or overdue. */
  refillDueDays: 3,
  /** Unreviewed check-ins older than this are not flagged any more (the window of review). */
  unreviewedWindowDays: 14,
} as const;

const DAY_MS = 86_400_000;

interface ClientRow {
  id: string;
  given_name: string;
  family_name: string;
  preferred_name: string | null;
  program: 'aftercare' | 'iop';
  level_of_care: string;
  status: 'active' | 'discharged' | 'on_hold';
  risk_flags: string | null;
}

interface AppointmentFacts {
  client_id: string;
  next_at: string | null;
  last_completed_at: string | null;
  last_outcome: string | null;
}

interface CheckinFacts {
  client_id: string;
  last_at: string;
  use_since_last: number | null;
  total: number;
  unreviewed: number;
}

interface Point {
  client_id: string;
  value: number;
  at: string;
  band?: string | null;
}

export function listCaseload(sqlite: SqliteDatabase, now: Date = new Date()): CaseloadList {
  const nowIso = now.toISOString();
  const params = {
    now: nowIso,
    refillHorizon: new Date(now.getTime() + ALERT_RULES.refillDueDays * DAY_MS).toISOString().slice(0, 10),
    unreviewedSince: new Date(now.getTime() - ALERT_RULES.unreviewedWindowDays * DAY_MS).toISOString(),
  };

  const read = sqlite.transaction(() => {
    const clients = sqlite
      .prepare(
        `SELECT id, given_name, family_name, preferred_name, program, level_of_care, status, risk_flags
           FROM clients ORDER BY family_name COLLATE NOCASE, given_name COLLATE NOCASE, id`,
      )
      .all() as ClientRow[];

    const appointments = sqlite
      .prepare(
        `WITH ${clientAppointmentsCte()},
         latest AS (
           SELECT client_id, outcome,
                  ROW_NUMBER() OVER (PARTITION BY client_id ORDER BY starts_at DESC) AS rn
             FROM client_appts
            WHERE starts_at <= @now AND outcome IN ('completed', 'no_show')
         )
         SELECT c.client_id,
                MIN(CASE WHEN c.starts_at >= @now AND c.status IN ('scheduled', 'checked_in') THEN c.starts_at END) AS next_at,
                MAX(CASE WHEN c.starts_at <= @now AND c.outcome = 'completed' THEN c.starts_at END) AS last_completed_at,
                (SELECT l.outcome FROM latest l WHERE l.client_id = c.client_id AND l.rn = 1) AS last_outcome
           FROM client_appts c
          GROUP BY c.client_id`,
      )
      .all({ now: params.now }) as AppointmentFacts[];

    const checkins = sqlite
      .prepare(
        `SELECT client_id, submitted_at AS last_at, use_since_last, total, unreviewed FROM (
           SELECT client_id, submitted_at, use_since_last,
                  COUNT(*) OVER (PARTITION BY client_id) AS total,
                  SUM(CASE WHEN reviewed_at IS NULL AND submitted_at >= @unreviewedSince THEN 1 ELSE 0 END)
                    OVER (PARTITION BY client_id) AS unreviewed,
                  ROW_NUMBER() OVER (PARTITION BY client_id ORDER BY submitted_at DESC) AS rn
             FROM check_ins
            WHERE submitted_at <= @now
         ) WHERE rn = 1`,
      )
      .all({ now: params.now, unreviewedSince: params.unreviewedSince }) as CheckinFacts[];

    const signedNotes = sqlite
      .prepare(
        `SELECT client_id, MAX(coalesce(started_at, signed_at)) AS last_at
           FROM session_notes WHERE status = 'signed' GROUP BY client_id`,
      )
      .all() as Array<{ client_id: string; last_at: string | null }>;

    const craving = sqlite
      .prepare(
        `SELECT client_id, value, at FROM (
           SELECT client_id, value, at,
                  ROW_NUMBER() OVER (PARTITION BY client_id ORDER BY at DESC) AS rn
             FROM (
               SELECT client_id, craving AS value, submitted_at AS at
                 FROM check_ins WHERE craving IS NOT NULL AND submitted_at <= @now
               UNION ALL
               SELECT client_id, total_score, administered_at
                 FROM questionnaire_responses
                WHERE instrument = 'CRAVING' AND total_score IS NOT NULL AND administered_at <= @now
               UNION ALL
               SELECT m.client_id, m.value, m.observed_at
                 FROM measures m
                WHERE m.code = 'CRAVING' AND m.observed_at <= @now
                  AND NOT EXISTS (SELECT 1 FROM questionnaire_responses q
                                   WHERE q.id = m.response_id AND q.instrument = 'CRAVING'
                                     AND q.total_score IS NOT NULL)
             )
         ) WHERE rn <= ${TREND_POINTS} ORDER BY client_id, at`,
      )
      .all({ now: params.now }) as Point[];

    const phq9 = sqlite
      .prepare(
        `SELECT client_id, value, at, band FROM (
           SELECT client_id, value, at, band,
                  ROW_NUMBER() OVER (PARTITION BY client_id ORDER BY at DESC) AS rn
             FROM (
               SELECT client_id, total_score AS value, administered_at AS at, band
                 FROM questionnaire_responses
                WHERE instrument = 'PHQ9' AND total_score IS NOT NULL AND administered_at <= @now
               UNION ALL
               SELECT m.client_id, m.value, m.observed_at, NULL
                 FROM measures m
                WHERE m.code = 'PHQ9' AND m.observed_at <= @now
                  AND NOT EXISTS (SELECT 1 FROM questionnaire_responses q
                                   WHERE q.id = m.response_id AND q.instrument = 'PHQ9'
                                     AND q.total_score IS NOT NULL)
             )
         ) WHERE rn <= ${TREND_POINTS} ORDER BY client_id, at`,
      )
      .all({ now: params.now }) as Point[];

    // Item 9 of the newest PHQ-9, complete or not: a positive answer needs follow-up whatever the total.
    const item9 = sqlite
      .prepare(
        `SELECT client_id FROM (
           SELECT client_id, json_extract(answers, '$.q9') AS q9,
                  ROW_NUMBER() OVER (PARTITION BY client_id ORDER BY administered_at DESC) AS rn
             FROM questionnaire_responses
            WHERE instrument = 'PHQ9' AND administered_at <= @now
         ) WHERE rn = 1 AND q9 > 0`,
      )
      .all({ now: params.now }) as Array<{ client_id: string }>;

    const refills = sqlite
      .prepare(
        `SELECT DISTINCT client_id FROM medications
          WHERE status = 'active' AND refill_due IS NOT NULL AND refill_due <= @refillHorizon`,
      )
      .all({ refillHorizon: params.refillHorizon }) as Array<{ client_id: string }>;

    const pending = sqlite
      .prepare(
        `SELECT client_id, COUNT(*) AS n FROM sync_outbox
          WHERE status = 'pending' AND client_id IS NOT NULL AND name <> 'audit.append'
          GROUP BY client_id`,
      )
      .all() as Array<{ client_id: string; n: number }>;

    const asOf = sqlite.prepare('SELECT MAX(updated_at) AS at FROM sync_cursors').get() as { at: string | null };

    return { clients, appointments, checkins, signedNotes, craving, phq9, item9, refills, pending, asOf: asOf.at };
  });
  const facts = read.deferred();

  const byClient = <T extends { client_id: string }>(rows: T[]): Map<string, T> =>
    new Map(rows.map((row) => [row.client_id, row]));
  const seriesByClient = (rows: Point[]): Map<string, Point[]> => {
    const map = new Map<string, Point[]>();
    for (const row of rows) {
      const list = map.get(row.client_id);
      if (list) list.push(row);
      else map.set(row.client_id, [row]);
    }
    return map;
  };
  const appointments = byClient(facts.appointments);
  const checkins = byClient(facts.checkins);
  const signedNotes = byClient(facts.signedNotes);
  const craving = seriesByClient(facts.craving);
  const phq9 = seriesByClient(facts.phq9);
  const item9 = new Set(facts.item9.map((row) => row.client_id));
  const refills = new Set(facts.refills.map((row) => row.client_id));
  const pending = new Map(facts.pending.map((row) => [row.client_id, row.n]));

  const rows = facts.clients.map((client): CaseloadRow => {
    const appointment = appointments.get(client.id);
    const checkin = checkins.get(client.id);
    const lastSignedNote = signedNotes.get(client.id)?.last_at ?? null;
    const lastSession = appointment?.last_completed_at ?? null;

    const alerts: CaseloadAlert[] = [];
    if (
      client.status === 'active' &&
      checkin &&
      checkin.total >= ALERT_RULES.missedCheckinsHabit &&
      now.getTime() - Date.parse(checkin.last_at) >= ALERT_RULES.missedCheckinsDays * DAY_MS
    )
      alerts.push('missed_checkins');
    if (item9.has(client.id)) alerts.push('phq9_item9');
    if (appointment?.last_outcome === 'no_show') alerts.push('missed_appointment');
    if (refills.has(client.id)) alerts.push('refill_due');
    if (checkin?.use_since_last === 1) alerts.push('use_reported');
    if (checkin && checkin.unreviewed > 0) alerts.push('checkin_unreviewed');

    return {
      id: client.id,
      displayName: `${client.preferred_name?.trim() || client.given_name} ${client.family_name}`.trim(),
      givenName: client.given_name,
      familyName: client.family_name,
      program: client.program,
      levelOfCare: client.level_of_care,
      status: client.status,
      riskFlags: parseStringArray(client.risk_flags),
      nextAppointmentAt: toIso(appointment?.next_at ?? null),
      lastContactAt: latest([lastSession, checkin?.last_at ?? null, lastSignedNote]),
      daysSinceLastSession:
        lastSession === null ? null : Math.max(0, Math.floor((now.getTime() - Date.parse(lastSession)) / DAY_MS)),
      craving: (craving.get(client.id) ?? []).map((point) => ({ value: point.value, at: toIso(point.at) ?? point.at })),
      phq9: (phq9.get(client.id) ?? []).map((point) => ({
        value: point.value,
        at: toIso(point.at) ?? point.at,
        band: point.band ?? publishedBand('PHQ9', point.value),
      })),
      alerts,
      pendingChanges: pending.get(client.id) ?? 0,
    };
  });

  return { rows, asOf: toIso(facts.asOf) };
}

function latest(times: Array<string | null>): string | null {
  let best: number | null = null;
  for (const time of times) {
    if (time === null) continue;
    const ms = Date.parse(time);
    if (!Number.isNaN(ms) && (best === null || ms > best)) best = ms;
  }
  return best === null ? null : new Date(best).toISOString();
}
