import { asc, eq } from 'drizzle-orm';
import { canonicalize } from '../../shared/notes/canonical.js';
import type { RecordData } from '../../shared/sync/records.js';
import type { ServerDb } from '../db/database.js';
import { records, users } from '../db/schema.js';
import { lockFeed, putRecord } from './store.js';

/**
 * Users travel to every workstation of the clinic as `staff` records (clinic-wide: client id
 * null; the record id is the user id), so that care teams, authors and supervisors can be shown
 * by name. Written whenever an admin command creates or changes a user, and reconciled at server
 * start (users created before this existed, or inserted by other means).
 */

type StaffData = RecordData<'staff'>;
type UserRow = Pick<typeof users.$inferSelect, 'id' | 'displayName' | 'role' | 'credentials' | 'supervisorId'> & {
  /** Absent: false (the column's default). */
  requiresCosign?: boolean;
};

/** Account roles as care-team roles: a clinician is a counselor until a richer field exists. */
const STAFF_ROLE: Record<UserRow['role'], StaffData['role']> = {
  clinician: 'counselor',
  supervisor: 'supervisor',
  admin: 'admin',
};

export function staffRecordOf(user: UserRow): StaffData {
  return {
    displayName: user.displayName,
    role: STAFF_ROLE[user.role],
    credentials: user.credentials ?? null,
    supervisorId: user.supervisorId ?? null,
    requiresCosign: user.requiresCosign ?? false,
  };
}

const userColumns = {
  id: users.id,
  displayName: users.displayName,
  role: users.role,
  credentials: users.credentials,
  supervisorId: users.supervisorId,
  requiresCosign: users.requiresCosign,
};

/** Write this user's staff record if it differs from the account (in the caller's transaction). */
export async function refreshStaffRecord(tx: ServerDb, userId: string, now: Date = new Date()): Promise<boolean> {
  const [user] = await tx.select(userColumns).from(users).where(eq(users.id, userId));
  if (!user) throw new Error('refreshStaffRecord: no such user');
  const result = await putRecord(tx, { entity: 'staff', id: user.id, clientId: null, data: staffRecordOf(user), now });
  return result.changed;
}

/** Bring every user's staff record up to date; returns how many were written. */
export async function reconcileStaffRecords(db: ServerDb, now: Date = new Date()): Promise<number> {
  return db.transaction(async (tx) => {
    await lockFeed(tx);
    const accounts = await tx.select(userColumns).from(users).orderBy(asc(users.id));
    const stored = new Map(
      (await tx.select({ id: records.id, data: records.data }).from(records).where(eq(records.entity, 'staff'))).map(
        (row) => [row.id, canonicalize(row.data)],
      ),
    );
    let written = 0;
    for (const user of accounts) {
      const data = staffRecordOf(user);
      if (stored.get(user.id) === canonicalize(data)) continue;
      const result = await putRecord(tx, { entity: 'staff', id: user.id, clientId: null, data, now });
      if (result.changed) written += 1;
    }
    return written;
  });
}
