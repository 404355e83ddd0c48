import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { notes } from '../../../src/server/db/schema';
import { contentHash } from '../../../src/shared/notes/canonical';
import { RpcError } from '../../../src/shared/rpc/errors';
import { assign, createClient, createUser } from '../../server/helpers/fixtures';
import { admin, useClinic } from '../sync/helpers/clinic';
import { PASSPHRASE, startWorkstation, synced } from '../sync/helpers/workstation';
import { completeSoap, eventually, paragraph } from './helpers';

/**
 * Notes through real cores and SQLCipher caches and the real clinic server (PGlite) on
 * loopback: a draft written, signed, amended and co-signed across a clinician's and their
 * supervisor's workstations.
 */
const env = useClinic();

async function rejection(promise: Promise<unknown>): Promise<RpcError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RpcError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('notes end to end', () => {
  it('a draft written and signed on a workstation is signed on the clinic server with the same hash', async () => {
    const user = await createUser(env.database.db);
    const clientId = await createClient(env.database.db);
    await assign(env.database.db, user.id, clientId, 'caseload');
    const ws = startWorkstation();
    await ws.setUp(env.clinic.url, user.username);
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

    await synced(ws);
    const [server] = await env.database.db.select().from(notes).where(eq(notes.id, draft.id));
    expect(server?.status).toBe('signed');
    expect(server?.contentHash).toBe(contentHash(content));
  });

  it('draft → sign → return → addendum → co-sign, between a clinician and their supervisor', async () => {
    const supervisor = await createUser(env.database.db, { role: 'supervisor' });
    const clinician = await createUser(env.database.db, { supervisorId: supervisor.id });
    const colleague = await createUser(env.database.db);
    const clientId = await createClient(env.database.db);
    await assign(env.database.db, clinician.id, clientId, 'caseload');
    await assign(env.database.db, colleague.id, clientId, 'care_team');
    await admin(env.database.db, 'set-requires-cosign', { username: clinician.username, value: 'true' });

    const mine = startWorkstation();
    await mine.setUp(env.clinic.url, clinician.username);
    const theirs = startWorkstation();
    await theirs.setUp(env.clinic.url, supervisor.username);
    const other = startWorkstation();
    await other.setUp(env.clinic.url, colleague.username);
    const a = mine.running.client;
    const s = theirs.running.client;

    // The clinician writes and signs; the note needs a co-signature.
    const draft = await a.call('notes.createDraft', { clientId, templateId: 'soap' });
    const content = completeSoap(draft.content, 'Synthetic session: discussed coping plan.');
    await a.call('notes.saveDraft', { noteId: draft.id, content, baseRevision: draft.draftRevision });
    const wrong = await rejection(a.call('notes.sign', { noteId: draft.id, passphrase: 'not the passphrase' }));
    expect(wrong.code).toBe('WRONG_PASSPHRASE');
    const signed = await a.call('notes.sign', { noteId: draft.id, passphrase: PASSPHRASE });
    expect(signed.cosign).toBe('pending');
    expect(signed.canEdit).toBe(false);
    await synced(mine);

    // It reaches the supervisor's queue; only the supervisor may decide.
    const queue = await eventually(
      () => s.call('notes.cosignQueue', {}),
      (q) => q.notes.some((n) => n.id === draft.id),
    );
    expect(queue.notes.find((n) => n.id === draft.id)?.isOwn).toBe(false);
    const seen = await s.call('notes.get', { noteId: draft.id });
    expect(seen.cosignDetail?.canDecide).toBe(true);
    expect(seen.signature?.contentHash).toBe(contentHash(content));
    const notTheirs = await eventually(
      () => other.running.client.call('notes.list', { clientId }),
      (list) => list.notes.some((n) => n.id === draft.id),
    );
    expect(notTheirs.notes.find((n) => n.id === draft.id)?.cosign).toBe('pending');
    const forbidden = await rejection(
      other.running.client.call('notes.cosign', { noteId: draft.id, passphrase: PASSPHRASE }),
    );
    expect(forbidden.code).toBe('FORBIDDEN');

    // Returned with a comment: the clinician sees it.
    const returned = await s.call('notes.returnForRevision', {
      noteId: draft.id,
      comment: 'Add the safety plan review.',
    });
    expect(returned.cosign).toBe('returned');
    await synced(theirs);
    const back = await eventually(
      () => a.call('notes.get', { noteId: draft.id }),
      (note) => note.cosign === 'returned',
    );
    expect(back.cosignDetail?.comment).toBe('Add the safety plan review.');

    // The clinician answers with an addendum: the note goes back to the queue.
    const addendumId = crypto.randomUUID();
    const amended = await a.call('notes.addAddendum', {
      noteId: draft.id,
      addendumId,
      doc: paragraph('Safety plan reviewed with the client.'),
      passphrase: PASSPHRASE,
    });
    expect(amended.cosign).toBe('pending');
    expect(amended.addenda.map((x) => [x.id, x.state])).toEqual([[addendumId, 'signed']]);
    await synced(mine);

    const pendingAgain = await eventually(
      () => s.call('notes.get', { noteId: draft.id }),
      (note) => note.cosign === 'pending' && note.addenda.length === 1,
    );
    expect(pendingAgain.addenda[0]?.body.text).toBe('Safety plan reviewed with the client.');
    const cosigned = await s.call('notes.cosign', { noteId: draft.id, passphrase: PASSPHRASE });
    expect(cosigned.cosign).toBe('cosigned');
    await synced(theirs);

    const final = await eventually(
      () => a.call('notes.get', { noteId: draft.id }),
      (note) => note.cosign === 'cosigned',
    );
    expect(final.cosignDetail?.byName).toBe(`Synthetic ${supervisor.username}`);
    expect(final.content).toEqual(content);
    expect((await s.call('notes.cosignQueue', {})).notes.some((n) => n.id === draft.id)).toBe(false);
    const [server] = await env.database.db.select().from(notes).where(eq(notes.id, draft.id));
    expect(server?.cosign?.status).toBe('cosigned');
    expect(server?.contentHash).toBe(contentHash(content));
  });
});
