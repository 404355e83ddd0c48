import type { Statement } from 'better-sqlite3';
import { sameContent } from '../../shared/notes/canonical';
import type { Change, EntityType } from '../../shared/sync/protocol';
import { APPLY_ORDER, type RecordData } from '../../shared/sync/records';
import type { TemplateProtection } from '../../shared/notes/protection';
import type { SqliteDatabase } from '../store/open-database';
import { knowNoteText } from '../store/schema-functions';
import { keepBeside } from '../notes/conflicts';
import { ownerOf } from '../session/owner';
import { parseContent } from '../notes/notes-queries';
import { noteTypeOf } from './note-projection';
import { prepareChange, toChange, type PreparedChange, type PreparedNote } from './prepare-changes';
import { clinicTemplateProtection, TEMPLATE_KEY_PREFIX } from './templates';

/**
 * Applying pulled changes to the encrypted cache (docs/sync-protocol.md, "Workstation sync
 * engine"). The caller runs `applyChanges` inside the one transaction that also moves the pull
 * cursor, so a page is applied whole or not at all.
 *
 * - Each `put` comes validated with its record schema (src/shared/sync/records.ts) by
 *   `prepareChanges` (./prepare-changes.ts, on this thread or in the pull worker); a record that
 *   does not fit, or a type this version does not know, is skipped and reported by id and
 *   code, never half-applied.
 * - Upserts by id keep the server's version in `server_version` and never replace a newer
 *   local copy with an older one (a replayed page changes nothing).
 * - A record with a pending local change in the outbox is not overwritten: the change is
 *   handed to `defer` and the engine applies it only if the server refuses the local change.
 * - `purgeClient` (and deleting a client record) removes every row about that client.
 *
 * Foreign keys are not checked while a page is applied (the caller turns them off): a page may
 * hold a note whose client record comes in a later page (the server leaves out a change that a
 * later one supersedes), and the cache is a copy of the server's consistent state.
 */
export interface SkippedRecord {
  entity: string;
  id: string;
  reason: 'INVALID_RECORD' | 'UNSUPPORTED_ENTITY' | 'WRITE_FAILED';
}

export interface ApplyResult {
  /** Clients whose records changed (for `sync.dataChanged`). */
  clientIds: Set<string>;
  /** Whether a clinic-wide record (staff) changed. */
  clinicWide: boolean;
  applied: number;
  skipped: SkippedRecord[];
  deferred: number;
  purged: number;
}

export interface ApplyOptions {
  /** `entity:id` keys with pending outbox rows: the local change wins until the server answers it. */
  pendingKeys: ReadonlySet<string>;
  /** Hand over a change held back for a pending local change (as pulled). */
  defer(change: Change): void;
  now: string;
}

export const entityKey = (entity: string, id: string): string => `${entity}:${id}`;

export { TEMPLATE_KEY_PREFIX };

const order = new Map<EntityType, number>(APPLY_ORDER.map((entity, index) => [entity, index]));

/** Purges first (in the server's order), then puts and deletes by APPLY_ORDER (stable). */
export function sortForApply<C extends Pick<Change, 'op'> & { entity?: EntityType }>(changes: readonly C[]): C[] {
  const purges = changes.filter((change) => change.op === 'purgeClient');
  const rest = changes.map((change, index) => ({ change, index })).filter(({ change }) => change.op !== 'purgeClient');
  rest.sort((a, b) => {
    const ea = a.change.entity === undefined ? 0 : (order.get(a.change.entity) ?? APPLY_ORDER.length);
    const eb = b.change.entity === undefined ? 0 : (order.get(b.change.entity) ?? APPLY_ORDER.length);
    return ea - eb || a.index - b.index;
  });
  return [...purges, ...rest.map(({ change }) => change)];
}

type Row = Record<string, string | number | null>;

interface TableSpec {
  table: string;
  /** Columns besides `id`, in insert order. */
  columns: readonly string[];
  /** Columns written on insert only (e.g. a local creation time). */
  insertOnly?: readonly string[];
  /** Has `server_version`: an older version never replaces a newer one. */
  versioned: boolean;
}

const json = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));
const bool = (value: boolean | null): number | null => (value === null ? null : value ? 1 : 0);

const TABLES = {
  staff: {
    table: 'staff',
    columns: [
      'display_name',
      'role',
      'credentials',
      'supervisor_id',
      'requires_cosign',
      'server_version',
      'created_at',
      'updated_at',
    ],
    insertOnly: ['created_at'],
    versioned: true,
  },
  clients: {
    table: 'clients',
    columns: [
      'mrn',
      'given_name',
      'family_name',
      'preferred_name',
      'pronouns',
      'date_of_birth',
      'phone',
      'address',
      'preferred_hospital',
      'program',
      'level_of_care',
      'primary_clinician_id',
      'recovery_start_date',
      'status',
      'risk_flags',
      'server_version',
      'created_at',
      'updated_at',
    ],
    versioned: true,
  },
  emergency_contacts: {
    table: 'emergency_contacts',
    columns: [
      'client_id',
      'name',
      'relationship',
      'phone',
      'release_consent_id',
      'priority',
      'created_at',
      'updated_at',
    ],
    versioned: false,
  },
  care_team_members: {
    table: 'care_team_members',
    columns: ['client_id', 'staff_id', 'role', 'start_date', 'end_date', 'server_version'],
    versioned: true,
  },
  consents: {
    table: 'consents',
    columns: [
      'client_id',
      'kind',
      'recipient',
      'purpose',
      'scope',
      'signed_at',
      'expires_at',
      'revoked_at',
      'document_ref',
      'server_version',
      'created_at',
    ],
    versioned: true,
  },
  appointments: {
    table: 'appointments',
    columns: [
      'client_id',
      'clinician_id',
      'starts_at',
      'ends_at',
      'type',
      'modality',
      'status',
      'video_link',
      'server_version',
      'created_at',
      'updated_at',
    ],
    versioned: true,
  },
  questionnaire_responses: {
    table: 'questionnaire_responses',
    columns: [
      'client_id',
      'instrument',
      'instrument_version',
      'administered_at',
      'administered_by',
      'source',
      'note_id',
      'answers',
      'total_score',
      'subscores',
      'band',
      'server_version',
      'created_at',
    ],
    versioned: true,
  },
  measures: {
    table: 'measures',
    columns: ['client_id', 'response_id', 'code', 'value', 'unit', 'observed_at', 'server_version'],
    versioned: true,
  },
  check_ins: {
    table: 'check_ins',
    columns: [
      'client_id',
      'submitted_at',
      'received_at',
      'mood',
      'craving',
      'sleep_hours',
      'medication_taken',
      'use_since_last',
      'comment',
      'reviewed_at',
      'reviewed_by',
      'server_version',
    ],
    versioned: true,
  },
  medications: {
    table: 'medications',
    columns: [
      'client_id',
      'name',
      'category',
      'dose',
      'route',
      'frequency',
      'prescriber',
      'otp_name',
      'pharmacy',
      'start_date',
      'end_date',
      'refill_due',
      'pdmp_checked_at',
      'pdmp_state',
      'status',
      'server_version',
      'created_at',
      'updated_at',
    ],
    versioned: true,
  },
  drug_screens: {
    table: 'drug_screens',
    columns: ['client_id', 'collected_at', 'specimen', 'observed', 'results', 'server_version', 'created_at'],
    versioned: true,
  },
  relapse_prevention_plans: {
    table: 'relapse_prevention_plans',
    columns: ['client_id', 'version', 'status', 'content', 'updated_by', 'server_version', 'created_at', 'updated_at'],
    versioned: true,
  },
  safety_plans: {
    table: 'safety_plans',
    columns: [
      'client_id',
      'version',
      'status',
      'content',
      'reviewed_at',
      'updated_by',
      'server_version',
      'created_at',
      'updated_at',
    ],
    versioned: true,
  },
  tasks: {
    table: 'tasks',
    columns: [
      'client_id',
      'assignee_id',
      'kind',
      'title',
      'due_at',
      'status',
      'completed_at',
      'server_version',
      'created_at',
      'updated_at',
    ],
    versioned: true,
  },
  note_addenda: {
    table: 'note_addenda',
    columns: [
      'note_id',
      'author_id',
      'body_text',
      'body',
      'status',
      'proposal',
      'proposed_content',
      'proposed_from_signature',
      'late_entry',
      'signed_at',
      'content_hash',
      'server_version',
      'created_at',
      'updated_at',
    ],
    versioned: true,
  },
  note_signatures: {
    table: 'note_signatures',
    columns: ['note_id', 'addendum_id', 'kind', 'signer_id', 'signed_at', 'content_hash', 'server_version'],
    versioned: true,
  },
} as const satisfies Record<string, TableSpec>;

type TableName = keyof typeof TABLES;

function upsertSql(spec: TableSpec): string {
  const columns = ['id', ...spec.columns];
  const updates = spec.columns
    .filter((column) => !spec.insertOnly?.includes(column))
    .map((column) => `${column} = excluded.${column}`);
  const guard = spec.versioned
    ? ` WHERE ${spec.table}.server_version IS NULL OR CAST(${spec.table}.server_version AS INTEGER) < CAST(excluded.server_version AS INTEGER)`
    : '';
  return (
    `INSERT INTO ${spec.table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')}) ` +
    `ON CONFLICT(id) DO UPDATE SET ${updates.join(', ')}${guard}`
  );
}

/**
 * Every table that holds rows about one client, children before parents, with the condition
 * that finds that client's rows (`?` is the client id, bound once per `?`).
 */
const CLIENT_ROWS: ReadonlyArray<readonly [table: string, where: string, binds: number]> = [
  [
    'sync_conflicts',
    `CASE WHEN json_valid(local_payload) THEN json_extract(local_payload, '$.clientId') END = ? OR (entity_type = 'note' AND entity_id IN (SELECT id FROM session_notes WHERE client_id = ?))`,
    2,
  ],
  ['note_signatures', 'note_id IN (SELECT id FROM session_notes WHERE client_id = ?)', 1],
  ['note_addenda', 'note_id IN (SELECT id FROM session_notes WHERE client_id = ?)', 1],
  ['group_note_sections', 'client_id = ? OR note_id IN (SELECT id FROM session_notes WHERE client_id = ?)', 2],
  ['measures', 'client_id = ?', 1],
  ['questionnaire_responses', 'client_id = ?', 1],
  ['escalation_step_events', 'run_id IN (SELECT id FROM escalation_runs WHERE client_id = ?)', 1],
  ['tasks', 'client_id = ?', 1],
  ['escalation_runs', 'client_id = ?', 1],
  ['session_notes', 'client_id = ?', 1],
  ['check_ins', 'client_id = ?', 1],
  ['medication_events', 'client_id = ?', 1],
  ['medications', 'client_id = ?', 1],
  ['drug_screens', 'client_id = ?', 1],
  ['relapse_prevention_plans', 'client_id = ?', 1],
  ['safety_plans', 'client_id = ?', 1],
  ['appointment_participants', 'client_id = ?', 1],
  ['appointments', 'client_id = ?', 1],
  ['care_group_members', 'client_id = ?', 1],
  ['emergency_contacts', 'client_id = ?', 1],
  ['consents', 'client_id = ?', 1],
  ['care_team_members', 'client_id = ?', 1],
  // What was sent about the client and is settled (applied, or a refusal the clinician has
  // dismissed). Pending changes stay: the server answers them (OUT_OF_SCOPE) and the sync panel
  // shows them; dropping them here would lose a clinician's work silently.
  ['sync_outbox', 'client_id = ? AND acked_at IS NOT NULL', 1],
  ['clients', 'id = ?', 1],
];

/** The tables a `delete` of each entity removes the row from (children first). */
const DELETE_TABLES: Partial<Record<EntityType, readonly string[]>> = {
  staff: ['staff'],
  emergencyContact: ['emergency_contacts'],
  careTeamMember: ['care_team_members'],
  consent: ['consents'],
  appointment: ['appointment_participants:appointment_id', 'appointments'],
  note: [
    'note_signatures:note_id',
    'note_addenda:note_id',
    'group_note_sections:note_id',
    'sync_conflicts:entity_id',
    'session_notes',
  ],
  measure: ['measures', 'questionnaire_responses'],
  checkin: ['check_ins'],
  medication: ['medication_events:medication_id', 'medications'],
  drugScreen: ['drug_screens'],
  plan: ['relapse_prevention_plans', 'safety_plans'],
  task: ['tasks'],
  conflict: ['sync_conflicts'],
  addendum: ['note_signatures:addendum_id', 'note_addenda'],
  cosignature: ['note_signatures'],
};

interface Statements {
  sqlite: SqliteDatabase;
  upsert: Map<TableName, Statement>;
  purge: Statement[];
  deletes: Map<string, Statement>;
  noteState: Statement;
  noteInsert: Statement;
  noteUpdate: Statement;
  noteUpdateSameText: Statement;
  noteVersionOnly: Statement;
  noteDelete: Statement;
  measureDelete: Statement;
  planDelete: Map<'relapse_prevention_plans' | 'safety_plans', Statement>;
  conflictUpsert: Statement;
  conflictMutation: Statement;
  conflictSettled: Statement;
  templatePut: Statement;
  templateDelete: Statement;
  unprotectedTemplateVersions: Statement;
  protectTemplateVersion: Statement;
}

const NOTE_COLUMNS = [
  'client_id',
  'author_id',
  'note_type',
  'template',
  'is_protected',
  'template_id',
  'template_version',
  'status',
  'modality',
  'started_at',
  'ended_at',
  'content',
  'signed_at',
  'signed_by',
  'content_hash',
  'cosign',
  'sharing',
  'last_saved_device_id',
  'last_saved_at',
  'server_version',
  'created_at',
  'updated_at',
] as const;

const statementCache = new WeakMap<SqliteDatabase, Statements>();

function statements(sqlite: SqliteDatabase): Statements {
  const cached = statementCache.get(sqlite);
  if (cached) return cached;
  const upsert = new Map<TableName, Statement>();
  for (const [name, spec] of Object.entries(TABLES) as Array<[TableName, TableSpec]>) {
    upsert.set(name, sqlite.prepare(upsertSql(spec)));
  }
  const deletes = new Map<string, Statement>();
  for (const tables of Object.values(DELETE_TABLES)) {
    for (const entry of tables) {
      if (deletes.has(entry)) continue;
      const [table, column] = entry.split(':') as [string, string | undefined];
      deletes.set(entry, sqlite.prepare(`DELETE FROM ${table} WHERE ${column ?? 'id'} = ?`));
    }
  }
  const noteSet = NOTE_COLUMNS.filter((column) => column !== 'created_at')
    .map((column) => `${column} = @${column}`)
    .join(', ');
  const created: Statements = {
    sqlite,
    upsert,
    deletes,
    purge: CLIENT_ROWS.map(([table, where]) => sqlite.prepare(`DELETE FROM ${table} WHERE ${where}`)),
    noteState: sqlite.prepare(
      'SELECT status, content_hash, server_version, content, author_id FROM session_notes WHERE id = ?',
    ),
    noteInsert: sqlite.prepare(
      `INSERT INTO session_notes (id, ${NOTE_COLUMNS.join(', ')}, draft_revision) ` +
        `VALUES (@id, ${NOTE_COLUMNS.map((column) => `@${column}`).join(', ')}, 1)`,
    ),
    noteUpdate: sqlite.prepare(
      `UPDATE session_notes SET ${noteSet}, draft_revision = draft_revision + 1 WHERE id = @id`,
    ),
    // The server's copy of a draft with the text this workstation already has (its own save,
    // echoed): the revision an open editor works from stays valid.
    noteUpdateSameText: sqlite.prepare(`UPDATE session_notes SET ${noteSet} WHERE id = @id`),
    // What changes on a signed note: its co-sign state, its sharing, and its protection (only
    // ever to protected: the clinic template it was written with may arrive after it).
    noteVersionOnly: sqlite.prepare(
      'UPDATE session_notes SET server_version = ?, cosign = ?, sharing = ?, is_protected = max(is_protected, ?) WHERE id = ?',
    ),
    noteDelete: sqlite.prepare('DELETE FROM session_notes WHERE id = ?'),
    measureDelete: sqlite.prepare('DELETE FROM measures WHERE id = ?'),
    planDelete: new Map([
      ['relapse_prevention_plans', sqlite.prepare('DELETE FROM relapse_prevention_plans WHERE id = ?')],
      ['safety_plans', sqlite.prepare('DELETE FROM safety_plans WHERE id = ?')],
    ]),
    conflictUpsert: sqlite.prepare(
      `INSERT INTO sync_conflicts (id, entity_type, entity_id, mutation_id, local_payload, server_payload, detected_at, resolved_at)
       VALUES (@id, @entity_type, @entity_id, @mutation_id, @local_payload, NULL, @detected_at, @resolved_at)
       ON CONFLICT(id) DO UPDATE SET local_payload = excluded.local_payload,
         mutation_id = coalesce(sync_conflicts.mutation_id, excluded.mutation_id),
         resolved_at = coalesce(sync_conflicts.resolved_at, excluded.resolved_at)`,
    ),
    conflictMutation: sqlite.prepare('SELECT mutation_id FROM sync_outbox WHERE conflict_id = ? LIMIT 1').pluck(),
    conflictSettled: sqlite.prepare(
      `UPDATE sync_outbox SET acked_at = ? WHERE conflict_id = ? AND status = 'conflict' AND acked_at IS NULL`,
    ),
    templatePut: sqlite.prepare(
      'INSERT INTO store_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    ),
    templateDelete: sqlite.prepare('DELETE FROM store_meta WHERE key = ?'),
    unprotectedTemplateVersions: sqlite.prepare(
      'SELECT DISTINCT template_id AS id, template_version AS version FROM session_notes WHERE template_id = ? AND is_protected = 0',
    ),
    protectTemplateVersion: sqlite.prepare(
      'UPDATE session_notes SET is_protected = 1 WHERE template_id = ? AND template_version IS ? AND is_protected = 0',
    ),
  };
  statementCache.set(sqlite, created);
  return created;
}

/** Apply one page of prepared changes (`prepareChanges`), inside the caller's transaction. */
export function applyChanges(
  sqlite: SqliteDatabase,
  changes: readonly PreparedChange[],
  options: ApplyOptions,
): ApplyResult {
  const s = statements(sqlite);
  const protection = protectionOf(sqlite);
  const result: ApplyResult = {
    clientIds: new Set(),
    clinicWide: false,
    applied: 0,
    skipped: [],
    deferred: 0,
    purged: 0,
  };
  for (const change of sortForApply(changes)) {
    if (change.op === 'purgeClient') {
      purgeClient(s, change.clientId);
      result.purged += 1;
      result.clientIds.add(change.clientId);
      continue;
    }
    if (options.pendingKeys.has(entityKey(change.entity, change.id))) {
      options.defer(toChange(change));
      result.deferred += 1;
      continue;
    }
    if (change.op === 'delete') {
      deleteRecord(s, change.entity, change.id);
      markTouched(result, change.entity, change.clientId, change.id);
      result.applied += 1;
      continue;
    }
    if (change.prepared === 'skip') {
      result.skipped.push({ entity: change.entity, id: change.id, reason: change.reason });
      continue;
    }
    try {
      if (!putRecord(s, protection, change, options.now)) {
        result.skipped.push({ entity: change.entity, id: change.id, reason: 'UNSUPPORTED_ENTITY' });
        continue;
      }
    } catch {
      // A constraint of the local schema (e.g. a duplicate MRN): this record only.
      result.skipped.push({ entity: change.entity, id: change.id, reason: 'WRITE_FAILED' });
      continue;
    }
    markTouched(result, change.entity, change.clientId, change.id);
    result.applied += 1;
  }
  return result;
}

/**
 * The protection rule over the templates this cache holds, read once per page and again after
 * a template record was written (a note and its clinic template may come in one page).
 */
interface ProtectionContext {
  get(): TemplateProtection;
  /** A template record changed: read them again, and mark the notes it makes protected. */
  templateChanged(templateId: string): void;
}

function protectionOf(sqlite: SqliteDatabase): ProtectionContext {
  let current: TemplateProtection | null = null;
  const s = statements(sqlite);
  return {
    get: () => (current ??= clinicTemplateProtection(sqlite)),
    templateChanged(templateId) {
      current = clinicTemplateProtection(sqlite);
      // Notes of this template that arrived before it: protected now if the rule says so.
      const versions = s.unprotectedTemplateVersions.all(templateId) as Array<{ id: string; version: number | null }>;
      for (const { version } of versions) {
        if (current(templateId, version)) s.protectTemplateVersion.run(templateId, version);
      }
    },
  };
}

function markTouched(result: ApplyResult, entity: EntityType, clientId: string | null, id: string): void {
  if (entity === 'client') result.clientIds.add(id);
  else if (clientId) result.clientIds.add(clientId);
  else result.clinicWide = true;
}

function purgeClient(s: Statements, clientId: string): void {
  s.purge.forEach((statement, index) => {
    statement.run(...Array<string>(CLIENT_ROWS[index]![2]).fill(clientId));
  });
}

function deleteRecord(s: Statements, entity: EntityType, id: string): void {
  if (entity === 'client') {
    purgeClient(s, id);
    return;
  }
  if (entity === 'template') {
    s.templateDelete.run(`${TEMPLATE_KEY_PREFIX}${id}`);
    return;
  }
  for (const entry of DELETE_TABLES[entity] ?? []) s.deletes.get(entry)?.run(id);
}

/** Apply one validated record; false for a record type the cache has no place for. */
function putRecord(
  s: Statements,
  protection: ProtectionContext,
  change: Extract<PreparedChange, { prepared: 'record' | 'note' }>,
  now: string,
): boolean {
  const { entity, id, clientId, version, data } = change;
  const v = String(version);
  const run = (table: TableName, row: Row) => s.upsert.get(table)!.run({ id, ...row, server_version: v });
  switch (entity) {
    case 'staff': {
      const d = data as RecordData<'staff'>;
      run('staff', {
        display_name: d.displayName,
        role: d.role,
        credentials: d.credentials,
        supervisor_id: d.supervisorId,
        requires_cosign: bool(d.requiresCosign),
        created_at: now,
        updated_at: now,
      });
      return true;
    }
    case 'client': {
      const d = data as RecordData<'client'>;
      run('clients', {
        mrn: d.mrn,
        given_name: d.givenName,
        family_name: d.familyName,
        preferred_name: d.preferredName,
        pronouns: d.pronouns,
        date_of_birth: d.dateOfBirth,
        phone: d.phone,
        address: json(d.address),
        preferred_hospital: d.preferredHospital,
        program: d.program,
        level_of_care: d.levelOfCare,
        primary_clinician_id: d.primaryClinicianId,
        recovery_start_date: d.recoveryStartDate,
        status: d.status,
        risk_flags: JSON.stringify(d.riskFlags),
        created_at: d.createdAt,
        updated_at: d.updatedAt,
      });
      return true;
    }
    case 'emergencyContact': {
      const d = data as RecordData<'emergencyContact'>;
      s.upsert.get('emergency_contacts')!.run({
        id,
        client_id: clientId,
        name: d.name,
        relationship: d.relationship,
        phone: d.phone,
        release_consent_id: d.releaseConsentId,
        priority: d.priority,
        created_at: d.createdAt,
        updated_at: d.updatedAt,
      });
      return true;
    }
    case 'careTeamMember': {
      const d = data as RecordData<'careTeamMember'>;
      run('care_team_members', {
        client_id: clientId,
        staff_id: d.staffId,
        role: d.role,
        start_date: d.startDate,
        end_date: d.endDate,
      });
      return true;
    }
    case 'consent': {
      const d = data as RecordData<'consent'>;
      run('consents', {
        client_id: clientId,
        kind: d.kind,
        recipient: d.recipient,
        purpose: d.purpose,
        scope: json(d.scope),
        signed_at: d.signedAt,
        expires_at: d.expiresAt,
        revoked_at: d.revokedAt,
        document_ref: d.documentRef,
        created_at: d.createdAt,
      });
      return true;
    }
    case 'appointment': {
      const d = data as RecordData<'appointment'>;
      run('appointments', {
        client_id: clientId,
        clinician_id: d.clinicianId,
        starts_at: d.startsAt,
        ends_at: d.endsAt,
        type: d.type,
        modality: d.modality,
        status: d.status,
        video_link: d.videoLink,
        created_at: d.createdAt,
        updated_at: d.updatedAt,
      });
      return true;
    }
    case 'note':
      if (change.prepared !== 'note') return false;
      putNote(s, id, clientId, v, change.data, change.note, protection.get(), now);
      return true;
    case 'measure': {
      const d = data as RecordData<'measure'>;
      run('questionnaire_responses', {
        client_id: clientId,
        instrument: d.instrument,
        instrument_version: d.instrumentVersion,
        administered_at: d.administeredAt,
        administered_by: d.administeredBy,
        source: d.source,
        note_id: d.noteId,
        answers: JSON.stringify(d.answers),
        total_score: d.totalScore,
        subscores: json(d.subscores),
        band: d.band,
        created_at: d.createdAt,
      });
      // The series a trend is drawn from: one value per administration with a total.
      if (d.totalScore === null) s.measureDelete.run(id);
      else {
        run('measures', {
          client_id: clientId,
          response_id: id,
          code: d.instrument,
          value: d.totalScore,
          unit: null,
          observed_at: d.administeredAt,
        });
      }
      return true;
    }
    case 'checkin': {
      const d = data as RecordData<'checkin'>;
      run('check_ins', {
        client_id: clientId,
        submitted_at: d.submittedAt,
        received_at: d.receivedAt,
        mood: d.mood,
        craving: d.craving,
        sleep_hours: d.sleepHours,
        medication_taken: bool(d.medicationTaken),
        use_since_last: bool(d.useSinceLast),
        comment: d.comment,
        reviewed_at: d.reviewedAt,
        reviewed_by: d.reviewedBy,
      });
      return true;
    }
    case 'medication': {
      const d = data as RecordData<'medication'>;
      run('medications', {
        client_id: clientId,
        name: d.name,
        category: d.category,
        dose: d.dose,
        route: d.route,
        frequency: d.frequency,
        prescriber: d.prescriber,
        otp_name: d.otpName,
        pharmacy: json(d.pharmacy),
        start_date: d.startDate,
        end_date: d.endDate,
        refill_due: d.refillDue,
        pdmp_checked_at: d.pdmpCheckedAt,
        pdmp_state: d.pdmpState,
        status: d.status,
        created_at: d.createdAt,
        updated_at: d.updatedAt,
      });
      return true;
    }
    case 'drugScreen': {
      const d = data as RecordData<'drugScreen'>;
      run('drug_screens', {
        client_id: clientId,
        collected_at: d.collectedAt,
        specimen: d.specimen,
        observed: bool(d.observed),
        results: JSON.stringify(d.results),
        created_at: d.createdAt,
      });
      return true;
    }
    case 'plan': {
      const d = data as RecordData<'plan'>;
      const common = {
        client_id: clientId,
        version: d.version,
        status: d.status,
        content: JSON.stringify(d.content),
        updated_by: d.updatedBy,
        created_at: d.createdAt,
        updated_at: d.updatedAt,
      };
      if (d.kind === 'safety') {
        s.planDelete.get('relapse_prevention_plans')!.run(id);
        run('safety_plans', { ...common, reviewed_at: d.reviewedAt });
      } else {
        s.planDelete.get('safety_plans')!.run(id);
        run('relapse_prevention_plans', common);
      }
      return true;
    }
    case 'task': {
      const d = data as RecordData<'task'>;
      run('tasks', {
        client_id: clientId,
        assignee_id: d.assigneeId,
        kind: d.kind,
        title: d.title,
        due_at: d.dueAt,
        status: d.status,
        completed_at: d.completedAt,
        created_at: d.createdAt,
        updated_at: d.updatedAt,
      });
      return true;
    }
    case 'conflict': {
      const d = data as RecordData<'conflict'>;
      s.conflictUpsert.run({
        id,
        entity_type: d.entity,
        entity_id: d.entityId,
        mutation_id: (s.conflictMutation.get(id) as number | undefined) ?? null,
        // The version that did not win, with what the clinician needs to merge it.
        local_payload: JSON.stringify({
          clientId,
          replicaId: d.replicaId,
          baseVersion: d.baseVersion,
          serverVersion: d.serverVersion,
          content: d.content,
        }),
        detected_at: d.createdAt,
        resolved_at: d.resolvedAt,
      });
      // Resolved (by a merge on any of the author's devices): the push answer that reported it
      // here is settled too, so it no longer keeps the conflict open on this workstation.
      if (d.resolvedAt !== null) s.conflictSettled.run(now, id);
      return true;
    }
    case 'addendum': {
      // A pulled draft is a proposal (the server keeps the text of a refused edit or signature;
      // the workstation's own addendum drafts are never pulled).
      const d = data as RecordData<'addendum'>;
      run('note_addenda', {
        note_id: d.noteId,
        author_id: d.authorId,
        body_text: d.body.text,
        body: JSON.stringify(d.body),
        status: d.status,
        proposal: bool(d.proposal),
        proposed_content: json(d.proposedContent),
        proposed_from_signature: json(d.proposedFromSignature),
        late_entry: bool(d.lateEntry),
        signed_at: d.signedAt,
        content_hash: d.contentHash,
        created_at: d.createdAt,
        updated_at: d.updatedAt,
      });
      return true;
    }
    case 'cosignature': {
      const d = data as RecordData<'cosignature'>;
      run('note_signatures', {
        note_id: d.noteId,
        addendum_id: null,
        kind: 'cosign',
        signer_id: d.signerId,
        signed_at: d.signedAt,
        content_hash: d.contentHash,
      });
      return true;
    }
    case 'template': {
      // Clinic templates are not PHI: kept as small facts of the store, one per template version.
      const d = data as RecordData<'template'>;
      s.templatePut.run(`${TEMPLATE_KEY_PREFIX}${id}`, JSON.stringify({ ...d, serverVersion: version }));
      protection.templateChanged(d.templateId);
      return true;
    }
    default:
      return false;
  }
}

/**
 * A note. A signed note is never edited in place on the workstation either (a trigger refuses
 * it): the same signature only updates the version; a different server truth (signed elsewhere
 * first) replaces the local row, whose text is still in the outbox row the server refused.
 */
function putNote(
  s: Statements,
  id: string,
  clientId: string | null,
  version: string,
  d: Omit<RecordData<'note'>, 'content'>,
  note: PreparedNote,
  protection: TemplateProtection,
  now: string,
): void {
  const local = s.noteState.get(id) as
    | { status: string; content_hash: string | null; server_version: string | null; content: string; author_id: string }
    | undefined;
  if (
    local?.server_version !== null &&
    local?.server_version !== undefined &&
    Number(local.server_version) >= Number(version)
  )
    return;
  if (local && local.server_version === null) keepOwnTextAfterRestore(s, local, id, clientId, version, note, now);
  const projection = note.projection;
  const { noteType, isProtected } = noteTypeOf(projection.templateId, projection.templateVersion, protection);
  const row = {
    id,
    client_id: clientId,
    author_id: d.authorId,
    note_type: noteType,
    template: projection.template,
    is_protected: isProtected ? 1 : 0,
    template_id: projection.templateId,
    template_version: projection.templateVersion,
    status: d.status,
    modality: projection.modality,
    started_at: projection.startedAt,
    ended_at: projection.endedAt,
    content: note.contentJson,
    signed_at: d.signedAt,
    signed_by: d.signedBy,
    content_hash: d.contentHash,
    cosign: d.cosign.required ? JSON.stringify(d.cosign) : null,
    sharing: d.sharing ? JSON.stringify(d.sharing) : null,
    last_saved_device_id: d.status === 'draft' ? (d.lastSaved?.deviceId ?? null) : null,
    last_saved_at: d.status === 'draft' ? (d.lastSaved?.at ?? null) : null,
    server_version: version,
    created_at: d.createdAt,
    updated_at: d.updatedAt,
  };
  // The search index of a bulk write takes the worker's text instead of parsing the note again.
  knowNoteText(s.sqlite, id, note.contentJson, projection.bodyText);
  if (!local) {
    s.noteInsert.run(row);
  } else if (local.status !== 'signed') {
    if (d.status === 'draft' && sameText(local.content, note.contentJson)) s.noteUpdateSameText.run(row);
    else s.noteUpdate.run(row);
  } else if (d.status === 'signed' && d.contentHash === local.content_hash) {
    s.noteVersionOnly.run(version, row.cosign, row.sharing, row.is_protected, id);
  } else {
    s.noteDelete.run(id);
    s.noteInsert.run(row);
  }
}

/**
 * A note of this cache that has no server version although nothing about it is pending: the
 * versions were forgotten because the clinic server was restored from an older backup
 * (./server-restore.ts). When it is this clinician's own and its text is not the server's, that
 * text is what the server lost and this workstation no longer has queued (older than the
 * outbox keeps): it is kept beside the server's copy, as the merge screen shows a text written
 * on an older revision, so the clinician decides, instead of it being overwritten unseen.
 */
function keepOwnTextAfterRestore(
  s: Statements,
  local: { content: string; author_id: string },
  id: string,
  clientId: string | null,
  version: string,
  note: PreparedNote,
  now: string,
): void {
  if (clientId === null || local.author_id !== ownerOf(s.sqlite)) return;
  if (sameText(local.content, note.contentJson)) return;
  const content = parseContent(local.content);
  if (content) keepBeside(s.sqlite, { id, client_id: clientId, server_version: version }, content, now);
}

/** A stored draft's text and a pulled one are the same (canonically: jsonb reorders keys). */
function sameText(stored: string, pulled: string): boolean {
  if (stored === pulled) return true;
  try {
    return sameContent(JSON.parse(stored), JSON.parse(pulled));
  } catch {
    return false;
  }
}

/** Validate and apply one record outside a page (a deferred put whose local change was refused). */
export function applyDeferred(sqlite: SqliteDatabase, change: Change, now: string): boolean {
  const s = statements(sqlite);
  if (change.op === 'purgeClient') {
    purgeClient(s, change.clientId);
    return true;
  }
  if (change.op === 'delete') {
    deleteRecord(s, change.entity, change.id);
    return true;
  }
  const prepared = prepareChange(change);
  if (prepared.op !== 'put' || prepared.prepared === 'skip') return false;
  return putRecord(s, protectionOf(sqlite), prepared, now);
}
