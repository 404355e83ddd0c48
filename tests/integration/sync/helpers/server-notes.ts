import { randomUUID } from 'node:crypto';
import type { ServerDb } from '../../../../src/server/db/database';
import { changes, notes } from '../../../../src/server/db/schema';
import { soapContent } from './workstation';

/**
 * Draft notes written on the server as another device would have: the rows plus their feed
 * entries, one SOAP note per text (in batches of 500). Returns the note ids in order.
 */
export async function seedServerNotes(
  db: ServerDb,
  clientId: string,
  authorId: string,
  texts: readonly string[],
): Promise<string[]> {
  const ids: string[] = [];
  const now = new Date();
  for (let start = 0; start < texts.length; start += 500) {
    const batch = texts.slice(start, start + 500).map((text) => ({
      id: randomUUID(),
      clientId,
      authorId,
      status: 'draft' as const,
      content: soapContent(text),
      version: 1,
      lastReplicaId: 'r-seeded-elsewhere',
      createdAt: now,
      updatedAt: now,
    }));
    await db.insert(notes).values(batch);
    await db
      .insert(changes)
      .values(
        batch.map((n) => ({ entity: 'note', entityId: n.id, clientId, version: 1, op: 'put' as const, at: now })),
      );
    ids.push(...batch.map((n) => n.id));
  }
  return ids;
}
