import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { z } from 'zod';
import { clientRecordSchema, type RecordData } from '../../shared/sync/records.js';
import type { ServerDb } from '../db/database.js';
import { clients } from '../db/schema.js';
import { putRecord, RecordWriteError } from './store.js';

/**
 * A person in care on the server: the `clients` row is the identity and scope anchor (care
 * assignments point at it; the /clients API lists its display name), and a `client` record with
 * the same id carries the profile in the wire shape (src/shared/sync/records.ts). The two are
 * written together and kept in step: the display name, program and discharge follow the profile.
 */

export type ClientProfile = RecordData<'client'>;

/** What it takes to create a client; timestamps are the server's. */
export const newClientProfileSchema = clientRecordSchema.omit({ createdAt: true, updatedAt: true });
export type NewClientProfile = z.input<typeof newClientProfileSchema>;

/** The name lists show: the preferred name if there is one, else the given name, then the family name. */
export const clientDisplayName = (profile: Pick<ClientProfile, 'preferredName' | 'givenName' | 'familyName'>) =>
  `${profile.preferredName ?? profile.givenName} ${profile.familyName}`;

const anchorOf = (profile: ClientProfile, now: Date) => ({
  displayName: clientDisplayName(profile),
  program: profile.program,
  dischargedAt: profile.status === 'discharged' ? now : null,
});

/** Create the clients row and its profile record (in the caller's transaction); returns the id. */
export async function createClientWithProfile(
  tx: ServerDb,
  input: NewClientProfile,
  now: Date = new Date(),
  id: string = randomUUID(),
): Promise<string> {
  const parsed = newClientProfileSchema.safeParse(input);
  if (!parsed.success) {
    throw new RecordWriteError(
      'INVALID',
      `The client profile does not fit its schema: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  }
  const profile: ClientProfile = { ...parsed.data, createdAt: now.toISOString(), updatedAt: now.toISOString() };
  await tx.insert(clients).values({ id, ...anchorOf(profile, now), createdAt: now });
  await putRecord(tx, { entity: 'client', id, clientId: id, data: profile, now });
  return id;
}

/** After a profile change: the anchor's display name, program and discharge follow it. */
export async function syncClientAnchor(tx: ServerDb, id: string, profile: ClientProfile, now: Date): Promise<void> {
  const [current] = await tx.select({ dischargedAt: clients.dischargedAt }).from(clients).where(eq(clients.id, id));
  if (!current) return;
  const next = anchorOf(profile, now);
  await tx
    .update(clients)
    .set({ ...next, dischargedAt: next.dischargedAt ? (current.dischargedAt ?? now) : null })
    .where(eq(clients.id, id));
}
