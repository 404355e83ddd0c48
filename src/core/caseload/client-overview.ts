import type { ClientOverview } from '../../shared/caseload/caseload';
import { VISIBLE } from '../notes/notes-queries';
import { PROTECTED_NOTE_TYPES } from '../store/repositories/notes';
import type { SqliteDatabase } from '../store/open-database';
import type { PostalAddress } from '../store/schema';
import { clientAppointmentsCte, parseStringArray, publishedBand, toIso } from './sql';

/** How much of each list the overview shows. */
export const OVERVIEW_LIMITS = { upcoming: 10, past: 10, notes: 15, measures: 20 } as const;

interface ClientRow {
  id: string;
  mrn: string | null;
  given_name: string;
  family_name: string;
  preferred_name: string | null;
  pronouns: string | null;
  date_of_birth: string;
  phone: string | null;
  address: string | null;
  preferred_hospital: string | null;
  program: 'aftercare' | 'iop';
  level_of_care: string;
  status: 'active' | 'discharged' | 'on_hold';
  recovery_start_date: string | null;
  risk_flags: string | null;
}

/**
 * One client's overview (RPC `client.overview`) in one read transaction; null when the client is
 * not in the cache. The caller audits the access. Protected note types (SUD counseling,
 * psychotherapy) are listed with `isProtected` and never with their content.
 */
export function loadClientOverview(
  sqlite: SqliteDatabase,
  clientId: string,
  now: Date = new Date(),
  /** The signed-in clinician: protected notes of others are listed only as src/core/notes allows. */
  me: string | null = null,
): ClientOverview | null {
  const nowIso = now.toISOString();
  const today = nowIso.slice(0, 10);
  const read = sqlite.transaction((): ClientOverview | null => {
    const client = sqlite
      .prepare(
        `SELECT id, mrn, given_name, family_name, preferred_name, pronouns, date_of_birth, phone, address,
                preferred_hospital, program, level_of_care, status, recovery_start_date, risk_flags
           FROM clients WHERE id = ?`,
      )
      .get(clientId) as ClientRow | undefined;
    if (!client) return null;

    const consents = (
      sqlite
        .prepare(
          `SELECT id, kind, recipient, signed_at, expires_at, revoked_at
             FROM consents WHERE client_id = ? ORDER BY signed_at DESC`,
        )
        .all(clientId) as Array<{
        id: string;
        kind: string;
        recipient: string | null;
        signed_at: string;
        expires_at: string | null;
        revoked_at: string | null;
      }>
    ).map((row) => ({
      id: row.id,
      kind: row.kind,
      recipient: row.recipient,
      signedAt: toIso(row.signed_at) ?? row.signed_at,
      expiresAt: toIso(row.expires_at),
      revokedAt: toIso(row.revoked_at),
      active: row.revoked_at === null && (row.expires_at === null || Date.parse(row.expires_at) > now.getTime()),
    }));
    const activeConsents = new Set(consents.filter((consent) => consent.active).map((consent) => consent.id));

    const emergencyContacts = (
      sqlite
        .prepare(
          `SELECT id, name, relationship, phone, release_consent_id
             FROM emergency_contacts WHERE client_id = ? ORDER BY priority, name`,
        )
        .all(clientId) as Array<{
        id: string;
        name: string;
        relationship: string | null;
        phone: string;
        release_consent_id: string | null;
      }>
    ).map((row) => ({
      id: row.id,
      name: row.name,
      relationship: row.relationship,
      phone: row.phone,
      // A release counts only while its consent is in force (not revoked, not expired).
      hasRelease: row.release_consent_id !== null && activeConsents.has(row.release_consent_id),
    }));

    const careTeam = (
      sqlite
        .prepare(
          `SELECT m.staff_id, s.display_name, m.role, s.credentials
             FROM care_team_members m LEFT JOIN staff s ON s.id = m.staff_id
            WHERE m.client_id = @clientId AND (m.end_date IS NULL OR m.end_date >= @today)
            ORDER BY CASE m.role WHEN 'primary_clinician' THEN 0 ELSE 1 END, s.display_name`,
        )
        .all({ clientId, today }) as Array<{
        staff_id: string;
        display_name: string | null;
        role: string;
        credentials: string | null;
      }>
    ).map((row) => ({
      staffId: row.staff_id,
      // Staff names arrive with the clinic-wide records; until then the renderer says so.
      displayName: row.display_name ?? '',
      role: row.role,
      credentials: row.credentials,
    }));

    const planRows = sqlite
      .prepare(
        `SELECT id, 'safety' AS kind, version, status, updated_at, content FROM safety_plans
          WHERE client_id = @clientId AND status <> 'superseded'
         UNION ALL
         SELECT id, 'relapse_prevention', version, status, updated_at, content FROM relapse_prevention_plans
          WHERE client_id = @clientId AND status <> 'superseded'
         ORDER BY kind DESC, version DESC`,
      )
      .all({ clientId }) as Array<{
      id: string;
      kind: 'safety' | 'relapse_prevention';
      version: number;
      status: string;
      updated_at: string;
      content: string;
    }>;
    const plans = planRows.map((row) => ({
      id: row.id,
      kind: row.kind,
      version: row.version,
      status: row.status,
      updatedAt: toIso(row.updated_at) ?? row.updated_at,
      content: planContent(row.content),
    }));

    const medications = (
      sqlite
        .prepare(
          `SELECT id, name, category, dose, frequency, prescriber, status, refill_due
             FROM medications WHERE client_id = ?
            ORDER BY CASE status WHEN 'active' THEN 0 WHEN 'on_hold' THEN 1 ELSE 2 END, name`,
        )
        .all(clientId) as Array<{
        id: string;
        name: string;
        category: string;
        dose: string | null;
        frequency: string | null;
        prescriber: string | null;
        status: string;
        refill_due: string | null;
      }>
    ).map((row) => ({
      id: row.id,
      name: row.name,
      category: row.category,
      dose: row.dose,
      frequency: row.frequency,
      prescriber: row.prescriber,
      status: row.status,
      refillDue: row.refill_due,
    }));

    const appointments = (
      sqlite
        .prepare(
          `WITH ${clientAppointmentsCte({ oneClient: true })},
           upcoming AS (SELECT * FROM client_appts WHERE starts_at >= @now ORDER BY starts_at ASC LIMIT @upcoming),
           past AS (SELECT * FROM client_appts WHERE starts_at < @now ORDER BY starts_at DESC LIMIT @past)
           SELECT appointment_id AS id, starts_at, type, modality, outcome AS status FROM upcoming
           UNION ALL
           SELECT appointment_id, starts_at, type, modality, outcome FROM past
           ORDER BY starts_at DESC`,
        )
        .all({ clientId, now: nowIso, upcoming: OVERVIEW_LIMITS.upcoming, past: OVERVIEW_LIMITS.past }) as Array<{
        id: string;
        starts_at: string;
        type: string;
        modality: string;
        status: string;
      }>
    ).map((row) => ({
      id: row.id,
      startsAt: toIso(row.starts_at) ?? row.starts_at,
      type: row.type,
      modality: row.modality,
      status: row.status,
    }));

    const notes = (
      sqlite
        .prepare(
          `SELECT n.id, n.status, n.template, n.note_type, s.display_name AS author_name, n.started_at,
                  n.signed_at, n.is_protected
             FROM session_notes n LEFT JOIN staff s ON s.id = n.author_id
            WHERE n.client_id = @clientId AND ${VISIBLE}
            ORDER BY coalesce(n.started_at, n.created_at) DESC LIMIT ${OVERVIEW_LIMITS.notes}`,
        )
        .all({ clientId, me }) as Array<{
        id: string;
        status: 'draft' | 'signed';
        template: string;
        note_type: string;
        author_name: string | null;
        started_at: string | null;
        signed_at: string | null;
        is_protected: number;
      }>
    ).map((row) => ({
      id: row.id,
      status: row.status,
      template: row.template,
      noteType: row.note_type,
      authorName: row.author_name,
      sessionDate: toIso(row.started_at),
      signedAt: toIso(row.signed_at),
      isProtected: row.is_protected === 1 || (PROTECTED_NOTE_TYPES as readonly string[]).includes(row.note_type),
    }));

    const measures = (
      sqlite
        .prepare(
          `SELECT id, instrument, administered_at, total_score, band
             FROM questionnaire_responses WHERE client_id = ?
            ORDER BY administered_at DESC LIMIT ${OVERVIEW_LIMITS.measures}`,
        )
        .all(clientId) as Array<{
        id: string;
        instrument: string;
        administered_at: string;
        total_score: number | null;
        band: string | null;
      }>
    ).map((row) => ({
      id: row.id,
      instrument: row.instrument,
      administeredAt: toIso(row.administered_at) ?? row.administered_at,
      totalScore: row.total_score,
      band: row.band ?? publishedBand(row.instrument, row.total_score),
    }));

    return {
      client: {
        id: client.id,
        mrn: client.mrn,
        givenName: client.given_name,
        familyName: client.family_name,
        preferredName: client.preferred_name,
        pronouns: client.pronouns,
        dateOfBirth: client.date_of_birth,
        phone: client.phone,
        address: parseAddress(client.address),
        preferredHospital: client.preferred_hospital,
        program: client.program,
        levelOfCare: client.level_of_care,
        status: client.status,
        recoveryStartDate: client.recovery_start_date,
        riskFlags: parseStringArray(client.risk_flags),
      },
      emergencyContacts,
      careTeam,
      consents,
      plans,
      medications,
      appointments,
      notes,
      measures,
    };
  });
  return read.deferred();
}

function parseAddress(text: string | null): PostalAddress | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as Partial<PostalAddress> | null;
    if (!value || typeof value.line1 !== 'string' || typeof value.city !== 'string') return null;
    return {
      line1: value.line1,
      ...(typeof value.line2 === 'string' ? { line2: value.line2 } : {}),
      city: value.city,
      region: typeof value.region === 'string' ? value.region : '',
      postalCode: typeof value.postalCode === 'string' ? value.postalCode : '',
      ...(typeof value.country === 'string' ? { country: value.country } : {}),
    };
  } catch {
    return null;
  }
}

/** Plan sections as the contract carries them: lists of strings, or a string (where kept, barriers). */
function planContent(text: string): Record<string, string[] | string> {
  const out: Record<string, string[] | string> = {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return out;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return out;
  for (const [key, section] of Object.entries(value as Record<string, unknown>)) {
    if (typeof section === 'string') out[key] = section;
    else if (Array.isArray(section)) out[key] = section.filter((item): item is string => typeof item === 'string');
  }
  return out;
}
