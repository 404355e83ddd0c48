import { and, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import { alias, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { BUILT_IN_TEMPLATES } from '../../shared/notes/templates/builtin.js';
import {
  isProtectedContent,
  noteVisibleTo,
  SUPERVISOR_ACTION_STATES,
  templateProtection,
  type NoteAudienceFacts,
  type TemplateProtection,
  type TemplateProtectionFact,
} from '../../shared/notes/protection.js';
import { NO_COSIGN, type RecordData } from '../../shared/sync/records.js';
import type { ServerDb } from '../db/database.js';
import { careAssignments, changes, noteWithdrawals, notes, records, users } from '../db/schema.js';
import { lockFeed } from '../records/store.js';

/**
 * Protected notes on the clinic server (SUD counseling / psychotherapy; docs/sync-protocol.md,
 * "Protected notes"). Which notes are protected (`notes.is_protected`, from the note's template
 * by the shared rule in src/shared/notes/protection.ts), who may see one (`noteVisibleTo`, and
 * the same rule in SQL for pull), and who lost sight of one (`note_withdrawals`), so that their
 * workstations remove it at the next pull and nobody else ever hears of it.
 */

type NoteRow = typeof notes.$inferSelect;

const BUILT_IN_IDS = new Set(BUILT_IN_TEMPLATES.map((template) => template.id));

/** The clinic's template versions the server published (active or not), as protection facts. */
async function clinicTemplateFacts(db: ServerDb): Promise<TemplateProtectionFact[]> {
  const rows = await db.select({ data: records.data }).from(records).where(eq(records.entity, 'template'));
  return rows.map((row) => {
    const data = row.data as RecordData<'template'>;
    return { id: data.templateId, version: data.version, protected: data.definition.protected };
  });
}

/** The protection rule over the built-in templates and every clinic template version the server published. */
export async function serverTemplateProtection(db: ServerDb): Promise<TemplateProtection> {
  return templateProtection(await clinicTemplateFacts(db));
}

/** Whether note content is of a protected template (clinic templates read only when the id is not a built-in one). */
export async function contentIsProtected(db: ServerDb, content: Record<string, unknown>): Promise<boolean> {
  const templateId = content['templateId'];
  if (typeof templateId === 'string' && BUILT_IN_IDS.has(templateId)) return isProtectedContent(content);
  return isProtectedContent(content, await serverTemplateProtection(db));
}

/** What the visibility rule needs about a note row (its author's current supervisor is read). */
export async function audienceOf(db: ServerDb, note: NoteRow): Promise<NoteAudienceFacts> {
  const [author] = await db.select({ supervisorId: users.supervisorId }).from(users).where(eq(users.id, note.authorId));
  return {
    authorId: note.authorId,
    isProtected: note.isProtected,
    sharing: note.sharing ?? null,
    cosign: note.cosign ?? NO_COSIGN,
    authorSupervisorId: author?.supervisorId ?? null,
  };
}

/** Whether `userId` may see `note` (and its addenda and co-signatures). Scope is checked separately. */
export async function canSeeNote(db: ServerDb, note: NoteRow, userId: string): Promise<boolean> {
  return noteVisibleTo(await audienceOf(db, note), userId);
}

/**
 * Everyone who has `clientId` in scope now (scope.ts, the other way round): the active caseload
 * and care-team holders, and the supervisors of those who are clinicians' supervisors.
 */
async function usersInScopeOf(db: ServerDb, clientId: string): Promise<string[]> {
  const holders = await db
    .select({ userId: careAssignments.userId, supervisorId: users.supervisorId })
    .from(careAssignments)
    .innerJoin(users, eq(users.id, careAssignments.userId))
    .where(and(eq(careAssignments.clientId, clientId), isNull(careAssignments.removedAt)));
  const supervisorIds = [...new Set(holders.map((h) => h.supervisorId).filter((id): id is string => id !== null))];
  const supervisors = supervisorIds.length
    ? await db
        .select({ id: users.id })
        .from(users)
        .where(and(inArray(users.id, supervisorIds), eq(users.role, 'supervisor')))
    : [];
  return [...new Set([...holders.map((h) => h.userId), ...supervisors.map((s) => s.id)])];
}

/**
 * After a change of `note` from `before` to its current state (same transaction, after its
 * `changes` row): everyone in the client's scope who could see it before and cannot now is
 * recorded in `note_withdrawals`. Their next pull turns the note's change into a `delete`.
 * Returns how many lost sight of it (for tests and the audit entry: a count, never who).
 */
export async function recordWithdrawals(
  db: ServerDb,
  before: NoteAudienceFacts,
  after: NoteAudienceFacts,
  note: Pick<NoteRow, 'id' | 'clientId'>,
  now: Date,
): Promise<number> {
  if (!after.isProtected) return 0;
  const lost = (await usersInScopeOf(db, note.clientId)).filter(
    (userId) => noteVisibleTo(before, userId) && !noteVisibleTo(after, userId),
  );
  if (lost.length === 0) return 0;
  await db
    .insert(noteWithdrawals)
    .values(lost.map((userId) => ({ noteId: note.id, userId, at: now })))
    .onConflictDoUpdate({ target: [noteWithdrawals.noteId, noteWithdrawals.userId], set: { at: now } });
  return lost.length;
}

/**
 * The note's addenda and co-signatures, announced again (version + 1, a `put` change each, data
 * unchanged): when a protected note becomes visible to users who could not see it (the author
 * shares it), their feed is past those records' changes, and they must receive them with the
 * note. Tombstones and proposals (their author's only) are left alone. Returns how many.
 */
export async function announceLinkedRecords(
  db: ServerDb,
  note: Pick<NoteRow, 'id' | 'clientId'>,
  now: Date,
): Promise<number> {
  const linked = await db
    .update(records)
    .set({ version: sql`${records.version} + 1`, updatedAt: now })
    .where(
      and(
        eq(records.clientId, note.clientId),
        inArray(records.entity, ['addendum', 'cosignature']),
        isNull(records.deletedAt),
        sql`${records.data} ->> 'noteId' = ${note.id}`,
        sql`not coalesce((${records.data} ->> 'proposal')::boolean, false)`,
      ),
    )
    .returning({ id: records.id, entity: records.entity, version: records.version });
  if (linked.length > 0) {
    await db.insert(changes).values(
      linked.map((row) => ({
        entity: row.entity,
        entityId: row.id,
        clientId: note.clientId,
        version: row.version,
        op: 'put' as const,
        at: now,
      })),
    );
  }
  return linked.length;
}

/**
 * The pull's rule in SQL, over a `notes` table reference `n` (the table or an alias): whether
 * the note is visible to `userId` (mirrors `noteVisibleTo`). Cheap for the common case: a note
 * that is not protected is decided by its own column.
 */
export function noteVisibleSql(n: typeof notes | typeof parentNote, userId: string): SQL {
  return sql`(not ${n.isProtected} or ${n.authorId} = ${userId}
    or coalesce((${n.sharing} ->> 'careTeam')::boolean, false)
    or (coalesce((${n.cosign} ->> 'required')::boolean, false)
        and coalesce(${n.cosign} ->> 'status', 'pending') in ${[...SUPERVISOR_ACTION_STATES]}
        and exists (select 1 from ${users} where ${users.id} = ${n.authorId} and ${users.supervisorId} = ${userId})))`;
}

/** Whether `userId` lost sight of the note `n` (it had been visible to them): its changes reach them as deletes. */
export function noteWithdrawnSql(n: typeof notes | typeof parentNote, userId: string): SQL {
  return sql`exists (select 1 from ${noteWithdrawals} where ${noteWithdrawals.noteId} = ${n.id} and ${noteWithdrawals.userId} = ${userId})`;
}

/** The note an addendum or co-signature of the pull's page belongs to (see `pullNoteRules`). */
const PARENT_NOTE = 'parent_note';
export const parentNote = alias(notes, PARENT_NOTE);

/**
 * The pull page's rules for protected notes (src/server/sync/pull.ts, `pageQuery`), given the
 * page's feed row entity `entity` and its joined `records.data`:
 * - `join`: the left join of `parentNote` for addenda and co-signatures (on the record's `noteId`);
 * - `note`: a `note` change is sent when the user may see the note, or lost sight of it;
 * - `noteAsDelete`: a sent `note` change goes as a `delete` (the user lost sight of the note:
 *   their workstation removes it with its addenda and co-signatures);
 * - `linkedRecord`: a record change is sent unless it is an addendum or co-signature of a note
 *   the user may not see (one whose note is not on the server has nothing to follow).
 * A user who never could see a protected note receives nothing about it, not even its id.
 */
export function pullNoteRules(entity: SQL, data: AnyPgColumn, userId: string) {
  const linked = sql`${entity} in ('addendum', 'cosignature')`;
  return {
    // `notes` under the alias's name (an aliased table interpolates as its alias only).
    join: sql`left join ${notes} ${sql.identifier(PARENT_NOTE)} on ${linked} and ${parentNote.id} = (case when ${linked} then (${data} ->> 'noteId')::uuid end)`,
    note: sql`(${noteVisibleSql(notes, userId)} or ${noteWithdrawnSql(notes, userId)})`,
    noteAsDelete: sql`not ${noteVisibleSql(notes, userId)}`,
    // An addendum or co-signature whose note is not on the server (seeded or imported data) has
    // no protected note to follow: it travels as before.
    linkedRecord: sql`(not ${linked} or ${parentNote.id} is null or ${noteVisibleSql(parentNote, userId)})`,
  };
}

/**
 * Notes whose stored protection disagrees with the rule (notes written before protection was
 * stored, or whose template the clinic published as protected since): marked protected, a new
 * version and change each (so every workstation re-reads them), and everyone in scope but who
 * may still see them recorded as having lost sight of them (they were sent to everyone in scope
 * before). Run at server start, after the clinic's templates are published. Returns how many
 * notes changed. A note never becomes unprotected here (its template version cannot change).
 */
export async function reconcileNoteProtection(db: ServerDb, now: Date): Promise<number> {
  return db.transaction(async (tx) => {
    const facts = await clinicTemplateFacts(tx);
    const protection = templateProtection(facts);
    // Only a template id with a protected version can make a note protected (the rule above).
    const protectedIds = [
      ...new Set([...BUILT_IN_TEMPLATES, ...facts].filter((fact) => fact.protected).map((fact) => fact.id)),
    ];
    const candidates = await tx
      .select({ id: notes.id, content: notes.content })
      .from(notes)
      .where(
        and(
          eq(notes.isProtected, false),
          isNull(notes.deletedAt),
          inArray(sql<string>`${notes.content} ->> 'templateId'`, protectedIds),
        ),
      );
    const ids = candidates.filter((note) => isProtectedContent(note.content, protection)).map((note) => note.id);
    if (ids.length === 0) return 0;
    await lockFeed(tx);
    for (const id of ids) {
      const [note] = await tx.select().from(notes).where(eq(notes.id, id)).for('update');
      if (!note || note.isProtected) continue;
      const before = await audienceOf(tx, note);
      const version = note.version + 1;
      await tx.update(notes).set({ isProtected: true, version, updatedAt: now }).where(eq(notes.id, id));
      await tx
        .insert(changes)
        .values({ entity: 'note', entityId: id, clientId: note.clientId, version, op: 'put', at: now });
      await recordWithdrawals(tx, before, { ...before, isProtected: true }, note, now);
    }
    return ids.length;
  });
}
