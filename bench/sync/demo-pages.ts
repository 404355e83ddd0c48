import { openDatabase as openServerDatabase } from '../../src/server/db/database';
import { pullChanges } from '../../src/server/sync/pull';
import { SYNC_PROTOCOL_VERSION } from '../../src/shared/sync/protocol';
import { seedDemoCaseload } from './demo-caseload';

/**
 * The demo clinic's whole caseload as an initial sync receives it: seeded into an in-memory
 * PGlite clinic (60 clients × 333 notes, all on the demo clinician's caseload) and pulled page
 * by page (1,000 changes each, the current protocol), straight from the server's pull code, no
 * HTTP. The bytes of each page's answer, as the server sends them. For the tools that measure
 * one part of an initial sync alone (bench/tools/initial-write.ts, prepare-pages.ts).
 */
export async function pullDemoPages(replicaId: string): Promise<Uint8Array[]> {
  const server = await openServerDatabase({ memory: true });
  try {
    const { principal } = await seedDemoCaseload(server.db, { clients: 60, notesPerClient: 333 });
    const bodies: Uint8Array[] = [];
    for (let cursor: string | null = null; ;) {
      const answer = await pullChanges(
        server.db,
        principal,
        { protocolVersion: SYNC_PROTOCOL_VERSION, replicaId, cursor, limit: 1000 },
        new Date(),
      );
      if (!answer.next) throw new Error('unexpected pull answer');
      bodies.push(answer.json);
      cursor = answer.next.cursor;
      if (!answer.next.hasMore) break;
    }
    return bodies;
  } finally {
    await server.close();
  }
}
