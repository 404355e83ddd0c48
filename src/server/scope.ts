import { and, eq, isNull, or, sql } from 'drizzle-orm';
import type { ServerDb } from './db/database.js';
import { careAssignments, clients, users } from './db/schema.js';

export type Role = 'clinician' | 'supervisor' | 'admin';

export interface Principal {
  id: string;
  role: Role;
}

/** Why a client is in a user's scope, strongest first. */
export type ScopeRelation = 'caseload' | 'care_team' | 'supervisee';

export interface ScopedClient {
  id: string;
  displayName: string;
  program: 'aftercare' | 'iop';
  relation: ScopeRelation;
}

const strength: Record<ScopeRelation, number> = { caseload: 0, care_team: 1, supervisee: 2 };

/**
 * The assignment rows that decide a principal's scope, removed ones included: their own and, for
 * a supervisor, those of the clinicians they supervise (one level). The pull reads removed ones
 * too (what left the scope, and when the scope last changed).
 */
export function scopeAssignments(principal: Principal) {
  const own = eq(careAssignments.userId, principal.id);
  if (principal.role !== 'supervisor') return own;
  const supervisees = sql`${careAssignments.userId} in (select ${users.id} from ${users} where ${users.supervisorId} = ${principal.id})`;
  return or(own, supervisees);
}

/**
 * The assignments that put clients in a principal's scope: the active rows of
 * `scopeAssignments`, caseload and care team. An admin has no clinical scope (`clientsInScope`
 * answers none; callers that use this condition in their own statement leave admins out
 * themselves). One indexed query (care_assignments_active_user_idx).
 */
export function scopeCondition(principal: Principal) {
  return and(isNull(careAssignments.removedAt), scopeAssignments(principal));
}

export async function clientsInScope(db: ServerDb, principal: Principal): Promise<ScopedClient[]> {
  if (principal.role === 'admin') return [];
  const rows = await db
    .select({
      id: clients.id,
      displayName: clients.displayName,
      program: clients.program,
      userId: careAssignments.userId,
      kind: careAssignments.kind,
    })
    .from(careAssignments)
    .innerJoin(clients, eq(clients.id, careAssignments.clientId))
    .where(scopeCondition(principal));
  const byId = new Map<string, ScopedClient>();
  for (const row of rows) {
    const relation: ScopeRelation = row.userId === principal.id ? row.kind : 'supervisee';
    const seen = byId.get(row.id);
    if (!seen || strength[relation] < strength[seen.relation]) {
      byId.set(row.id, { id: row.id, displayName: row.displayName, program: row.program, relation });
    }
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export async function isClientInScope(db: ServerDb, principal: Principal, clientId: string): Promise<boolean> {
  if (principal.role === 'admin') return false;
  const [row] = await db
    .select({ one: sql<number>`1` })
    .from(careAssignments)
    .where(and(eq(careAssignments.clientId, clientId), scopeCondition(principal)))
    .limit(1);
  return row !== undefined;
}
