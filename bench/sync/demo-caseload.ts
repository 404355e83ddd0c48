import { eq } from 'drizzle-orm';
import type { RequestPrincipal } from '../../src/server/context';
import type { ServerDb } from '../../src/server/db/database';
import { careAssignments, clients, users } from '../../src/server/db/schema';
import { DEMO_SIGN_IN_USERNAME } from '../../src/server/demo/credentials';
import { type DemoCounts, seedDemoClinic } from '../../src/server/demo/seed';

/**
 * The benchmarks' clinic: the demo clinic seeded into an empty server database, with every
 * client on the demo clinician's caseload, so that one sign-in pulls the whole clinic (the
 * initial sync the benchmarks measure). Refuses a database that was seeded before.
 */
export async function seedDemoCaseload(
  db: ServerDb,
  seed: { clients: number; notesPerClient: number; now?: Date },
): Promise<{ principal: RequestPrincipal; clientIds: string[]; counts: DemoCounts }> {
  const seeded = await seedDemoClinic(db, seed);
  if (seeded.status !== 'seeded') throw new Error('the benchmark needs an empty database');
  const [user] = await db.select({ id: users.id }).from(users).where(eq(users.username, DEMO_SIGN_IN_USERNAME));
  if (!user) throw new Error('the demo clinician is missing');
  const clientIds = (await db.select({ id: clients.id }).from(clients).orderBy(clients.id)).map((c) => c.id);
  await db
    .insert(careAssignments)
    .values(clientIds.map((clientId) => ({ userId: user.id, clientId, kind: 'caseload' as const })))
    .onConflictDoNothing();
  return {
    principal: { id: user.id, role: 'clinician', deviceId: crypto.randomUUID() },
    clientIds,
    counts: seeded.counts,
  };
}
