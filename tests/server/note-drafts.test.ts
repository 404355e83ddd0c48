import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { richTextFromParagraphs, type NoteContent } from '../../src/shared/notes/content.js';
import { contentHash } from '../../src/shared/notes/canonical.js';
import { recordSchemas } from '../../src/shared/sync/records.js';
import { BACKENDS, useBackends, type TestDatabase } from './helpers/backends.js';
import { closeServer } from './helpers/events.js';
import { assign, createClient, createUser, startTestServer, type TestServer } from './helpers/fixtures.js';
import { changesOf, newReplicaId, putOf, syncClient, type SyncSession } from './helpers/sync-session.js';
import type { Change } from '../../src/shared/sync/protocol.js';

/**
 * Drafts across devices (issue 5): the note record says which device last saved a draft and
 * when (so a second device can say "edited elsewhere"), and an author's merge of a conflicted
 * draft resolves the conflict for every device. Real server on loopback, PGlite and PostgreSQL.
 */
const backends = useBackends();

/** The conflict record as last sent (every change of a conflict carries its current state). */
function conflictOf(changes: Change[], id: string) {
  const last = changesOf(changes, id).at(-1);
  if (last?.op !== 'put') throw new Error(`no put of conflict ${id}`);
  return recordSchemas.conflict.parse(last.data);
}

const note = (text: string): NoteContent => ({
  templateId: 'soap',
  templateVersion: 1,
  encounter: { date: '2026-03-02', startTime: '09:00', endTime: '09:50', timeZone: 'America/Chicago' },
  sections: { subjective: { subjective: { type: 'richText', doc: richTextFromParagraphs([text]) } } },
});

describe.each(BACKENDS)('drafts across devices (%s)', (backend) => {
  let database: TestDatabase;
  let server: TestServer;
  let sync: ReturnType<typeof syncClient>;

  beforeAll(async () => {
    database = await backends.open(backend);
    server = await startTestServer(database.db);
    sync = syncClient(server);
  });
  afterAll(async () => closeServer(server));

  /** One author signed in on two devices. */
  async function author() {
    const user = await createUser(database.db);
    const clientId = await createClient(database.db);
    await assign(database.db, user.id, clientId, 'caseload');
    const device = async (): Promise<SyncSession & { deviceId: string }> => {
      const signedIn = await server.signIn(user.username);
      return {
        token: signedIn.accessToken,
        userId: signedIn.user.id,
        replicaId: newReplicaId(),
        next: 1,
        deviceId: signedIn.deviceId,
      };
    };
    const laptop = await device();
    const desktop = await device();
    expect(laptop.deviceId).not.toBe(desktop.deviceId);
    return { clientId, laptop, desktop };
  }

  const saveDraft = (
    clientId: string,
    noteId: string,
    content: NoteContent,
    baseVersion: number | null,
    extra = {},
  ) => ({
    name: 'note.saveDraft' as const,
    clientId,
    args: { noteId, content, baseVersion, ...extra },
  });

  const lastSavedOf = async (s: SyncSession, noteId: string) =>
    recordSchemas.note.parse(putOf((await sync.pullAll(s, null)).changes, noteId).data).lastSaved;

  it('the note record names the device that last saved the draft and when; a signed note names none', async () => {
    const { clientId, laptop, desktop } = await author();
    const noteId = randomUUID();
    const before = Date.now();
    expect(await sync.push(laptop, saveDraft(clientId, noteId, note('first words'), null))).toEqual(['applied']);

    const seenOnDesktop = await lastSavedOf(desktop, noteId);
    expect(seenOnDesktop?.deviceId).toBe(laptop.deviceId);
    expect(Date.parse(seenOnDesktop!.at)).toBeGreaterThanOrEqual(before - 1_000);

    expect(await sync.push(desktop, saveDraft(clientId, noteId, note('more words'), 1))).toEqual(['applied']);
    expect((await lastSavedOf(laptop, noteId))?.deviceId).toBe(desktop.deviceId);

    const signed = note('more words');
    expect(
      await sync.push(desktop, {
        name: 'note.sign',
        clientId,
        args: { noteId, contentHash: contentHash(signed), signedAt: new Date().toISOString(), content: signed },
      }),
    ).toEqual(['applied']);
    expect(await lastSavedOf(laptop, noteId)).toBeNull();
  });

  it("the author's merge of a conflicted draft resolves the conflict, and every device pulls it resolved", async () => {
    const { clientId, laptop, desktop } = await author();
    const noteId = randomUUID();
    expect(await sync.push(laptop, saveDraft(clientId, noteId, note('base'), null))).toEqual(['applied']);
    // Both edit version 1 offline; the laptop's edit reaches the server first.
    expect(await sync.push(laptop, saveDraft(clientId, noteId, note('laptop text'), 1))).toEqual(['applied']);
    const [answer] = (
      await sync.pushRaw(desktop, sync.mutations(desktop, saveDraft(clientId, noteId, note('desktop text'), 1)))
    ).results;
    if (answer?.status !== 'conflict') throw new Error(`expected a conflict, got ${JSON.stringify(answer)}`);

    expect(conflictOf((await sync.pullAll(laptop, null)).changes, answer.conflictId).resolvedAt).toBeNull();

    const merged = note('laptop text and desktop text');
    expect(
      await sync.push(desktop, saveDraft(clientId, noteId, merged, 2, { resolvesConflicts: [answer.conflictId] })),
    ).toEqual(['applied']);
    for (const device of [laptop, desktop]) {
      const { changes } = await sync.pullAll(device, null);
      expect(conflictOf(changes, answer.conflictId).resolvedAt).not.toBeNull();
      expect(recordSchemas.note.parse(putOf(changes, noteId).data).content).toEqual(merged);
    }
  });

  it('a merge cannot resolve another author’s conflict', async () => {
    const first = await author();
    const second = await author();
    const noteId = randomUUID();
    const { clientId, laptop, desktop } = first;
    expect(await sync.push(laptop, saveDraft(clientId, noteId, note('base'), null))).toEqual(['applied']);
    expect(await sync.push(laptop, saveDraft(clientId, noteId, note('laptop'), 1))).toEqual(['applied']);
    const [answer] = (
      await sync.pushRaw(desktop, sync.mutations(desktop, saveDraft(clientId, noteId, note('desktop'), 1)))
    ).results;
    if (answer?.status !== 'conflict') throw new Error('expected a conflict');
    const otherNote = randomUUID();
    expect(
      await sync.push(
        second.laptop,
        saveDraft(second.clientId, otherNote, note('x'), null),
        saveDraft(second.clientId, otherNote, note('y'), 1, { resolvesConflicts: [answer.conflictId] }),
      ),
    ).toEqual(['applied', 'applied']);
    expect(conflictOf((await sync.pullAll(laptop, null)).changes, answer.conflictId).resolvedAt).toBeNull();
  });
});
