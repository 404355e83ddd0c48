import { and, asc, desc, eq, gte } from 'drizzle-orm';
import type { WorkstationDb } from '../db';
import { clients, measures, medications, safetyPlans, relapsePreventionPlans } from '../schema';
import { recentNotes } from './notes';

/**
 * Everything the between-sessions brief needs for one client, in one read transaction: the
 * client, active medications, current plans, the last 10 notes and the measure series.
 */
export function loadChart(
  db: WorkstationDb,
  clientId: string,
  options: { measuresSince?: string; notes?: number } = {},
) {
  return db.transaction(
    (tx) => {
      const client = tx.select().from(clients).where(eq(clients.id, clientId)).get();
      if (!client) return null;
      const activeMedications = tx
        .select()
        .from(medications)
        .where(and(eq(medications.clientId, clientId), eq(medications.status, 'active')))
        .all();
      const safetyPlan = tx
        .select()
        .from(safetyPlans)
        .where(eq(safetyPlans.clientId, clientId))
        .orderBy(desc(safetyPlans.version))
        .limit(1)
        .get();
      const relapsePlan = tx
        .select()
        .from(relapsePreventionPlans)
        .where(eq(relapsePreventionPlans.clientId, clientId))
        .orderBy(desc(relapsePreventionPlans.version))
        .limit(1)
        .get();
      const notes = recentNotes(tx as unknown as WorkstationDb, clientId, options.notes ?? 10);
      const series = tx
        .select({ code: measures.code, value: measures.value, observedAt: measures.observedAt })
        .from(measures)
        .where(
          options.measuresSince
            ? and(eq(measures.clientId, clientId), gte(measures.observedAt, options.measuresSince))
            : eq(measures.clientId, clientId),
        )
        .orderBy(asc(measures.code), asc(measures.observedAt))
        .all();
      const measureSeries: Record<string, Array<{ value: number; observedAt: string }>> = {};
      for (const point of series)
        (measureSeries[point.code] ??= []).push({ value: point.value, observedAt: point.observedAt });
      return {
        client,
        activeMedications,
        safetyPlan: safetyPlan ?? null,
        relapsePlan: relapsePlan ?? null,
        notes,
        measureSeries,
      };
    },
    { behavior: 'deferred' },
  );
}

export type Chart = NonNullable<ReturnType<typeof loadChart>>;
