import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/server/db/database';
import { notes } from '../../../src/server/db/schema';
import { contentHash } from '../../../src/shared/notes/canonical';
import { waitFor } from '../../helpers/async';
import { assign, createClient, createUser } from '../../server/helpers/fixtures';
import { startClinic, type Clinic } from '../sync/helpers/clinic';
import { PASSPHRASE, startWorkstation } from '../sync/helpers/workstation';
import { completeSoap } from './helpers';

/**
 * Notes through the real core and the real clinic server (PGlite) on loopback: drafts, signing,
 * addenda, co-signature, across workstations.
 */
let database: Database;
let clinic: Clinic;

beforeAll(async () => {
  database = await openDatabase({ memory: true });
  clinic = await startClinic(database.db);
}, 60_000);

afterAll(async () => {
  await clinic?.close();
  await database?.close();
});

describe('notes end to end', () => {
  it('a draft written and signed on a workstation is signed on the clinic server with the same hash', async () => {
    const user = await createUser(database.db);
    const clientId = await createClient(database.db);
    await assign(database.db, user.id, clientId, 'caseload');
    const ws = startWorkstation();
    await ws.setUp(clinic.url, user.username);
    const rpc = ws.running.client;

    const draft = await rpc.call('notes.createDraft', { clientId, templateId: 'soap' });
    expect(draft.status).toBe('draft');
    expect(draft.canEdit).toBe(true);
    const content = completeSoap(draft.content, 'Synthetic subjective text for signing.');
    const saved = await rpc.call('notes.saveDraft', { noteId: draft.id, content, baseRevision: draft.draftRevision });
    expect(saved.draftRevision).toBe(draft.draftRevision + 1);

    const signed = await rpc.call('notes.sign', { noteId: draft.id, passphrase: PASSPHRASE });
    expect(signed.status).toBe('signed');
    expect(signed.signature?.contentHash).toBe(contentHash(content));

    await waitFor(() => ws.running.core.sync.status().pending === 0, 10_000);
    const [server] = await database.db.select().from(notes).where(eq(notes.id, draft.id));
    expect(server?.status).toBe('signed');
    expect(server?.contentHash).toBe(contentHash(content));
  });
});
