import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { searchNotes } from '../../../src/core/store/repositories/notes';
import { changes, notes } from '../../../src/server/db/schema';
import { assign, createClient, createUser, PASSWORD } from '../../server/helpers/fixtures';
import { useClinic } from './helpers/clinic';
import { seedServerNotes } from './helpers/server-notes';
import { PASSPHRASE, soapContent, startWorkstation, type Workstation } from './helpers/workstation';

/**
 * Search over pulled notes. The initial sync writes notes without the per-row search triggers
 * and indexes each bulk transaction's notes at its end (src/core/store/bulk-note-search.ts);
 * later pulls go through the triggers. Either way a clinician's search finds what was pulled.
 * Real core and SQLCipher cache, the real server on loopback (PGlite).
 */
const env = useClinic();
const seedNotes = (clientId: string, authorId: string, texts: string[]) =>
  seedServerNotes(env.database.db, clientId, authorId, texts);

/** Another device's edit of a draft on the server: new text, next version, a feed entry. */
async function editOnServer(noteId: string, clientId: string, text: string): Promise<void> {
  const now = new Date();
  const [updated] = await env.database.db
    .update(notes)
    .set({ content: soapContent(text), version: sql`${notes.version} + 1`, updatedAt: now })
    .where(eq(notes.id, noteId))
    .returning({ version: notes.version });
  await env.database.db
    .insert(changes)
    .values({ entity: 'note', entityId: noteId, clientId, version: updated!.version, op: 'put', at: now });
}

const search = (ws: Workstation, words: string) =>
  searchNotes(ws.running.core.vault.unlockedStore.db, words, { limit: 1_000 })
    .map((hit) => hit.noteId)
    .sort();

/** FTS5's check of the index against the notes' text (rank 1); throws if they disagree. */
const checkIndex = (ws: Workstation) =>
  ws.running.core.vault.unlockedStore.sqlite
    .prepare("INSERT INTO note_search(note_search, rank) VALUES ('integrity-check', 1)")
    .run();

describe('search over pulled notes', () => {
  it('finds notes from the first sync and from later pulls, with their latest text', async () => {
    const user = await createUser(env.database.db);
    const clientId = await createClient(env.database.db);
    await assign(env.database.db, user.id, clientId, 'caseload');
    const first = await seedNotes(
      clientId,
      user.id,
      Array.from({ length: 240 }, (_, i) => `Discussed the lighthouse routine, session ${i}`),
    );
    const special = (await seedNotes(clientId, user.id, ['Craving spiked after the marathon weekend']))[0]!;

    // Small pages and bulk transactions, so the first sync writes several of them.
    const ws = startWorkstation({ sync: { pageLimit: 40, bulkBatchChanges: 100 } });
    await ws.running.client.call('session.signIn', {
      serverUrl: env.clinic.url,
      username: user.username,
      password: PASSWORD,
    });
    await ws.running.client.call('vault.create', { passphrase: PASSPHRASE });
    await ws.waitForStatus((status) => status.state === 'synced');
    expect(ws.value('SELECT count(*) FROM session_notes WHERE client_id = ?', clientId)).toBe(first.length + 1);

    expect(search(ws, 'lighthouse')).toEqual([...first].sort());
    expect(search(ws, 'marathon')).toEqual([special]);
    checkIndex(ws);
    // The triggers are in place again for what comes next.
    const triggers = ws.rows<{ name: string }>(
      "SELECT name FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'session_notes_search_%' ORDER BY name",
    );
    expect(triggers.map((t) => t.name)).toEqual([
      'session_notes_search_ad',
      'session_notes_search_ai',
      'session_notes_search_au',
    ]);

    // Later pulls: a new note, and another device's edit of a pulled one.
    const added = (await seedNotes(clientId, user.id, ['Practised urge surfing before the concert']))[0]!;
    await editOnServer(special, clientId, 'Craving eased after the relay weekend');
    await ws.running.client.call('sync.now', {});

    expect(search(ws, 'concert')).toEqual([added]);
    expect(search(ws, 'relay')).toEqual([special]);
    expect(search(ws, 'marathon')).toEqual([]);
    expect(search(ws, 'weekend')).toEqual([special]);
    expect(search(ws, 'lighthouse')).toHaveLength(first.length);
    checkIndex(ws);
  });
});
