import { randomUUID } from 'node:crypto';
import type { NoteContent } from '../../shared/notes/content';
import type { NoteDetail } from '../../shared/notes/rpc';
import type { SqliteDatabase } from '../store/open-database';
import { replicaIdOf } from './context';
import { parseContent, type NoteRow } from './notes-queries';

/**
 * Two devices edited one draft: the server kept the version that reached it first and returned
 * the other as a `conflict` record (to the author, on every device), while the device whose
 * edit lost has the server's version in its note row and its own text in the conflict (or, until
 * that record arrives, in its outbox row the server answered `conflict`).
 */
interface OpenConflict {
  ids: string[];
  /** The text that did not win, and whether it was written on this workstation. */
  losing: NoteContent | null;
  losingIsMine: boolean;
  detectedAt: string | null;
}

function openConflict(sqlite: SqliteDatabase, noteId: string): OpenConflict | null {
  const replica = replicaIdOf(sqlite);
  const pulled = sqlite
    .prepare(
      `SELECT id, local_payload, detected_at FROM sync_conflicts
        WHERE entity_type = 'note' AND entity_id = ? AND resolved_at IS NULL ORDER BY detected_at DESC, id`,
    )
    .all(noteId) as Array<{ id: string; local_payload: string; detected_at: string }>;
  const reported = sqlite
    .prepare(
      `SELECT conflict_id, args, coalesce(sent_at, created_at) AS at FROM sync_outbox
        WHERE status = 'conflict' AND acked_at IS NULL AND entity_type = 'note' AND entity_id = ?
        ORDER BY mutation_id DESC`,
    )
    .all(noteId) as Array<{ conflict_id: string | null; args: string; at: string }>;
  if (pulled.length === 0 && reported.length === 0) return null;
  const ids = [
    ...pulled.map((row) => row.id),
    ...reported.flatMap((row) => (row.conflict_id ? [row.conflict_id] : [])),
  ];
  const newest = pulled[0];
  if (newest) {
    let payload: { replicaId?: unknown; content?: unknown } = {};
    try {
      payload = JSON.parse(newest.local_payload) as typeof payload;
    } catch {
      // unreadable payload: shown without the other text
    }
    return {
      ids: [...new Set(ids)],
      losing: payload.content ? parseContent(JSON.stringify(payload.content)) : null,
      losingIsMine: replica !== null && payload.replicaId === replica,
      detectedAt: newest.detected_at,
    };
  }
  const row = reported[0]!;
  let content: unknown;
  try {
    content = (JSON.parse(row.args) as { content?: unknown }).content ?? null;
  } catch {
    content = null;
  }
  return {
    ids: [...new Set(ids)],
    losing: content ? parseContent(JSON.stringify(content)) : null,
    losingIsMine: true,
    detectedAt: row.at,
  };
}

const iso = (value: string | null): string | null => {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
};

/** Both texts of a conflicted draft: `mine` is this workstation's, `theirs` the other device's. */
export function conflictDetail(
  sqlite: SqliteDatabase,
  row: NoteRow,
  current: NoteContent,
): NoteDetail['conflictDetail'] {
  if (row.status !== 'draft') return null;
  const open = openConflict(sqlite, row.id);
  if (!open?.losing) return null;
  return open.losingIsMine
    ? { mine: open.losing, theirs: current, theirsSavedAt: iso(row.last_saved_at) ?? iso(row.updated_at) }
    : { mine: current, theirs: open.losing, theirsSavedAt: iso(open.detectedAt) };
}

/** The conflict ids a resolution settles (pulled records and conflicts reported by a push). */
export function openConflictIds(sqlite: SqliteDatabase, noteId: string): string[] | null {
  return openConflict(sqlite, noteId)?.ids ?? null;
}

/** Mark a note's conflicts resolved by the clinician's merge (inside the caller's transaction). */
export function markResolved(sqlite: SqliteDatabase, noteId: string, ids: readonly string[], at: string): void {
  // A conflict reported by a push whose record has not arrived: its record, when it comes, stays resolved.
  const placeholder = sqlite.prepare(
    `INSERT INTO sync_conflicts (id, entity_type, entity_id, local_payload, detected_at, resolved_at, resolution)
     VALUES (?, 'note', ?, '{}', ?, ?, 'merged') ON CONFLICT(id) DO NOTHING`,
  );
  for (const id of ids) placeholder.run(id, noteId, at, at);
  sqlite
    .prepare(
      `UPDATE sync_conflicts SET resolved_at = ?, resolution = 'merged'
        WHERE entity_type = 'note' AND entity_id = ? AND resolved_at IS NULL`,
    )
    .run(at, noteId);
  // The push answers that reported them leave the sync panel too.
  sqlite
    .prepare(
      `UPDATE sync_outbox SET acked_at = ?
        WHERE status = 'conflict' AND acked_at IS NULL AND entity_type = 'note' AND entity_id = ?`,
    )
    .run(at, noteId);
}

/**
 * An edit made on an older revision of a draft than the one now stored: the editor was open
 * while a newer version arrived (another device's edit, pulled) and the clinician went on
 * typing. Neither text is dropped: the stored draft stays as it is (it is what the clinic server
 * holds), and this text is kept beside it as this workstation's side of a conflict, which the
 * merge screen shows next to the other. Nothing goes to the clinic server until the merge.
 * Further stale saves replace this text (the editor sends its whole content each time).
 */
export function keepBeside(
  sqlite: SqliteDatabase,
  row: Pick<NoteRow, 'id' | 'client_id' | 'server_version'>,
  content: NoteContent,
  at: string,
): string {
  const payload = JSON.stringify({
    clientId: row.client_id,
    replicaId: replicaIdOf(sqlite),
    baseVersion: row.server_version === null ? null : Number(row.server_version),
    serverVersion: row.server_version === null ? null : Number(row.server_version),
    content,
    keptOnThisDevice: true,
  });
  const existing = sqlite
    .prepare(
      `SELECT id FROM sync_conflicts
        WHERE entity_type = 'note' AND entity_id = ? AND resolved_at IS NULL AND mutation_id IS NULL
          AND json_valid(local_payload) AND json_extract(local_payload, '$.keptOnThisDevice') = 1
        LIMIT 1`,
    )
    .pluck()
    .get(row.id) as string | undefined;
  if (existing) {
    sqlite
      .prepare('UPDATE sync_conflicts SET local_payload = ?, detected_at = ? WHERE id = ?')
      .run(payload, at, existing);
    return existing;
  }
  const id = randomUUID();
  sqlite
    .prepare(
      `INSERT INTO sync_conflicts (id, entity_type, entity_id, mutation_id, local_payload, server_payload, detected_at)
       VALUES (?, 'note', ?, NULL, ?, NULL, ?)`,
    )
    .run(id, row.id, payload, at);
  return id;
}
