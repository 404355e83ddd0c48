import { bandFor } from '../../shared/measures/bands';
import { CRAVING_DEFINITION } from '../../shared/measures/craving';
import type { MeasureDefinition } from '../../shared/measures/definition';
import { GAD7_DEFINITION } from '../../shared/measures/gad7';
import { PHQ9_DEFINITION } from '../../shared/measures/phq9';

/**
 * SQL pieces shared by the caseload read models.
 *
 * `client_appts`: one row per (client, appointment) for individual appointments (their
 * `client_id`) and group appointments (each row of `appointment_participants`), with the
 * appointment's status and the client's own outcome: a completed group session the client was
 * absent from is a `no_show` for that client.
 */
export function clientAppointmentsCte(options: { oneClient?: boolean } = {}): string {
  const onlyDirect = options.oneClient ? 'AND a.client_id = @clientId' : '';
  const onlyParticipant = options.oneClient ? 'AND p.client_id = @clientId' : '';
  return `client_appts AS (
    SELECT a.id AS appointment_id, a.client_id AS client_id, a.starts_at, a.type, a.modality,
           a.status, a.status AS outcome
      FROM appointments a
     WHERE a.client_id IS NOT NULL ${onlyDirect}
    UNION ALL
    SELECT a.id, p.client_id, a.starts_at, a.type, a.modality, a.status,
           CASE WHEN a.status = 'completed' AND p.attendance = 'absent' THEN 'no_show' ELSE a.status END
      FROM appointment_participants p
      JOIN appointments a ON a.id = p.appointment_id
     WHERE (a.client_id IS NULL OR a.client_id <> p.client_id) ${onlyParticipant}
  )`;
}

/** A JSON text column holding an array of strings (risk flags); anything else reads as empty. */
export function parseStringArray(text: string | null): string[] {
  if (!text) return [];
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

/** A stored time in the canonical ISO-8601 UTC form the RPC contract expects (null stays null). */
export function toIso(time: string | null): string | null {
  if (time === null) return null;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

const BANDED: Record<string, MeasureDefinition> = {
  PHQ9: PHQ9_DEFINITION,
  GAD7: GAD7_DEFINITION,
  CRAVING: CRAVING_DEFINITION,
};

/**
 * The published severity band of a total, for a stored administration that carries no band of
 * its own (a clinic's own bands, when it has them, arrive stored with the measure).
 */
export function publishedBand(instrument: string, total: number | null): string | null {
  const definition = BANDED[instrument];
  if (!definition?.defaultBands || !definition.totalRange || total === null || !Number.isInteger(total)) return null;
  if (total < definition.totalRange.min || total > definition.totalRange.max) return null;
  return bandFor(total, definition.defaultBands).code;
}
