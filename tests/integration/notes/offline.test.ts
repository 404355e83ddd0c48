import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it, onTestFinished } from 'vitest';
import { notes, records } from '../../../src/server/db/schema';
import { contentHash } from '../../../src/shared/notes/canonical';
import type { NoteContent } from '../../../src/shared/notes/content';
import { assign, createClient, createUser } from '../../server/helpers/fixtures';
import { startProxy, useClinic } from '../sync/helpers/clinic';
import { PASSPHRASE, startWorkstation, synced, type Workstation } from '../sync/helpers/workstation';
import { completeSoap, eventually, paragraph, subjectiveOf, withSubjective } from './helpers';

/**
 * One clinician, two workstations, offline: a draft edited on both becomes a visible conflict
 * that the clinician merges; a note signed on both keeps the second signer's text as an
 * addendum proposal. Real cores and caches, real server (PGlite) behind proxies that cut the
 * network.
 */
const env = useClinic();

/** A clinician on two devices, both with the same draft (written on A, pulled by B). */
async function draftOnTwoDevices() {
  const user = await createUser(env.database.db);
  const clientId = await createClient(env.database.db);
  await assign(env.database.db, user.id, clientId, 'caseload');
  const devices: Array<{ ws: Workstation; proxy: Awaited<ReturnType<typeof startProxy>> }> = [];
  for (let i = 0; i < 2; i += 1) {
    const proxy = await startProxy(() => env.clinic.port);
    onTestFinished(() => proxy.close());
    const ws = startWorkstation();
    await ws.setUp(proxy.url, user.username);
    devices.push({ ws, proxy });
  }
  const [a, b] = devices as [(typeof devices)[0], (typeof devices)[0]];
  const created = await a.ws.running.client.call('notes.createDraft', { clientId, templateId: 'soap' });
  const base = completeSoap(created.content, 'Shared beginning.');
  await a.ws.running.client.call('notes.saveDraft', { noteId: created.id, content: base, baseRevision: 1 });
  await synced(a.ws);
  const onB = await eventually(
    () => b.ws.running.client.call('notes.list', { clientId }),
    (list) => list.notes.some((n) => n.id === created.id),
  );
  expect(onB.notes).toHaveLength(1);
  return { clientId, noteId: created.id, base, a, b };
}

describe('notes offline on two devices', () => {
  it('a draft edited offline on both devices shows both texts; the merge becomes the draft everywhere', async () => {
    const { noteId, base, a, b } = await draftOnTwoDevices();

    // Opened on B while the draft was last saved on A: B says so.
    const openedOnB = await b.ws.running.client.call('notes.get', { noteId });
    expect(openedOnB.editedElsewhere).not.toBeNull();
    expect((await a.ws.running.client.call('notes.get', { noteId })).editedElsewhere).toBeNull();

    a.proxy.cut();
    b.proxy.cut();
    const textA = withSubjective(base, 'Written on the laptop.');
    const textB = withSubjective(base, 'Written on the desktop.');
    const savedA = await a.ws.running.client.call('notes.saveDraft', { noteId, content: textA, baseRevision: 2 });
    await b.ws.running.client.call('notes.saveDraft', {
      noteId,
      content: textB,
      baseRevision: openedOnB.draftRevision,
    });

    a.proxy.restore();
    await a.ws.running.client.call('sync.now', {});
    await synced(a.ws);
    b.proxy.restore();
    await b.ws.running.client.call('sync.now', {});

    // B: the server kept A's text; B's own is kept beside it.
    const conflicted = await eventually(
      () => b.ws.running.client.call('notes.get', { noteId }),
      (note) => note.conflictDetail !== null,
    );
    expect(conflicted.conflict).toBe(true);
    expect(subjectiveOf(conflicted.conflictDetail!.mine)).toBe('Written on the desktop.');
    expect(subjectiveOf(conflicted.conflictDetail!.theirs)).toBe('Written on the laptop.');
    const signing = b.ws.running.client.call('notes.sign', { noteId, passphrase: PASSPHRASE });
    await expect(signing).rejects.toMatchObject({ code: 'CONFLICT' });

    // A sees it too (its own text as "mine").
    await a.ws.running.client.call('sync.now', {});
    const onA = await eventually(
      () => a.ws.running.client.call('notes.get', { noteId }),
      (note) => note.conflictDetail !== null,
    );
    expect(subjectiveOf(onA.conflictDetail!.mine)).toBe('Written on the laptop.');
    expect(subjectiveOf(onA.conflictDetail!.theirs)).toBe('Written on the desktop.');
    expect(savedA.draftRevision).toBeGreaterThan(0);

    // B merges; the merge is the draft on the server and on A, and the conflict is gone on both.
    const merged = withSubjective(base, 'Written on the laptop. Written on the desktop.');
    const resolved = await b.ws.running.client.call('notes.resolveConflict', { noteId, content: merged });
    expect(resolved.conflict).toBe(false);
    expect(resolved.conflictDetail).toBeNull();
    await synced(b.ws);
    const [server] = await env.database.db.select().from(notes).where(eq(notes.id, noteId));
    expect(server?.content).toEqual(merged);
    const settledOnA = await eventually(
      () => a.ws.running.client.call('notes.get', { noteId }),
      (note) => !note.conflict && subjectiveOf(note.content) === subjectiveOf(merged),
    );
    expect(settledOnA.content).toEqual(merged);
    expect((await b.ws.running.client.call('sync.details', {})).conflicts).toEqual([]);
  });

  it('a note signed on both devices: the first signature stands, the second signer’s text becomes their addendum proposal', async () => {
    const { noteId, base, a, b } = await draftOnTwoDevices();
    a.proxy.cut();
    b.proxy.cut();
    const textA: NoteContent = withSubjective(base, 'Final text from the laptop.');
    const textB: NoteContent = withSubjective(base, 'Final text from the desktop, with more detail.');
    const current = await b.ws.running.client.call('notes.get', { noteId });
    await a.ws.running.client.call('notes.saveDraft', { noteId, content: textA, baseRevision: 2 });
    await a.ws.running.client.call('notes.sign', { noteId, passphrase: PASSPHRASE });
    await b.ws.running.client.call('notes.saveDraft', { noteId, content: textB, baseRevision: current.draftRevision });
    await b.ws.running.client.call('notes.sign', { noteId, passphrase: PASSPHRASE });

    a.proxy.restore();
    await a.ws.running.client.call('sync.now', {});
    await synced(a.ws);
    b.proxy.restore();
    await b.ws.running.client.call('sync.now', {});

    // B now shows the note as signed on the laptop, and its own text as a proposal.
    const onB = await eventually(
      () => b.ws.running.client.call('notes.get', { noteId }),
      (note) => note.signature?.contentHash === contentHash(textA) && note.proposalCount === 1,
    );
    expect(onB.content).toEqual(textA);
    const proposal = onB.addenda.find((x) => x.state === 'proposal');
    expect(proposal?.proposedContent).toEqual(textB);
    expect(proposal?.body.text).toContain('Final text from the desktop, with more detail.');
    const refused = (await b.ws.running.client.call('sync.details', {})).rejected.map((r) => r.code);
    expect(refused).toContain('ALREADY_SIGNED');

    // B turns it into an addendum; A receives it.
    const addendumId = randomUUID();
    const amended = await b.ws.running.client.call('notes.addAddendum', {
      noteId,
      addendumId,
      proposalId: proposal!.id,
      doc: paragraph(proposal!.body.text),
      passphrase: PASSPHRASE,
    });
    expect(amended.proposalCount).toBe(0);
    expect(amended.addenda.map((x) => x.state)).toEqual(['signed']);
    await synced(b.ws);
    const onA = await eventually(
      () => a.ws.running.client.call('notes.get', { noteId }),
      (note) => note.addendumCount === 1,
    );
    expect(onA.addenda[0]?.body.text).toContain('Final text from the desktop, with more detail.');
    expect(onA.content).toEqual(textA);
  });

  it('a proposal its author discards is gone from the note and from the server', async () => {
    const { noteId, base, a, b } = await draftOnTwoDevices();
    a.proxy.cut();
    b.proxy.cut();
    const current = await b.ws.running.client.call('notes.get', { noteId });
    await a.ws.running.client.call('notes.sign', { noteId, passphrase: PASSPHRASE });
    const textB = withSubjective(base, 'A second thought written on the desktop.');
    await b.ws.running.client.call('notes.saveDraft', { noteId, content: textB, baseRevision: current.draftRevision });
    a.proxy.restore();
    await a.ws.running.client.call('sync.now', {});
    await synced(a.ws);
    b.proxy.restore();
    await b.ws.running.client.call('sync.now', {});

    const withProposal = await eventually(
      () => b.ws.running.client.call('notes.get', { noteId }),
      (note) => note.status === 'signed' && note.proposalCount === 1,
    );
    const proposal = withProposal.addenda.find((x) => x.state === 'proposal')!;
    expect(proposal.proposedContent).toEqual(textB);
    const discarded = await b.ws.running.client.call('notes.discardProposal', { noteId, proposalId: proposal.id });
    expect(discarded.proposalCount).toBe(0);
    expect(discarded.addenda).toEqual([]);
    await synced(b.ws);
    const [record] = await env.database.db.select().from(records).where(eq(records.id, proposal.id));
    expect(record?.deletedAt).not.toBeNull();
    await expect(
      b.ws.running.client.call('notes.discardProposal', { noteId, proposalId: proposal.id }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('the merge may be made on the device whose edit won: the device whose edit conflicted then shows no conflict either', async () => {
    const { noteId, base, a, b } = await draftOnTwoDevices();
    const openedOnB = await b.ws.running.client.call('notes.get', { noteId });
    a.proxy.cut();
    b.proxy.cut();
    await a.ws.running.client.call('notes.saveDraft', {
      noteId,
      content: withSubjective(base, 'Written on the laptop.'),
      baseRevision: 2,
    });
    await b.ws.running.client.call('notes.saveDraft', {
      noteId,
      content: withSubjective(base, 'Written on the desktop.'),
      baseRevision: openedOnB.draftRevision,
    });
    a.proxy.restore();
    await a.ws.running.client.call('sync.now', {});
    await synced(a.ws);
    b.proxy.restore();
    await b.ws.running.client.call('sync.now', {});
    // B's push was answered "conflict"; both devices show the conflict.
    await eventually(
      () => b.ws.running.client.call('notes.get', { noteId }),
      (note) => note.conflictDetail !== null,
    );
    await a.ws.running.client.call('sync.now', {});
    await eventually(
      () => a.ws.running.client.call('notes.get', { noteId }),
      (note) => note.conflictDetail !== null,
    );

    // Merged on A (whose edit won); B, whose push reported the conflict, settles too.
    const merged = withSubjective(base, 'Written on the laptop. Written on the desktop.');
    await a.ws.running.client.call('notes.resolveConflict', { noteId, content: merged });
    await synced(a.ws);
    await b.ws.running.client.call('sync.now', {});
    const onB = await eventually(
      () => b.ws.running.client.call('notes.get', { noteId }),
      (note) => subjectiveOf(note.content) === subjectiveOf(merged),
    );
    expect(onB.conflict).toBe(false);
    expect(onB.conflictDetail).toBeNull();
    expect((await b.ws.running.client.call('sync.details', {})).conflicts).toEqual([]);
    // B goes on writing and signs: no conflict stands in the way.
    const next = await b.ws.running.client.call('notes.saveDraft', {
      noteId,
      content: withSubjective(base, 'Written on the laptop. Written on the desktop. Signed on the desktop.'),
      baseRevision: onB.draftRevision,
    });
    expect(next.keptBeside).toBeUndefined();
    const signed = await b.ws.running.client.call('notes.sign', { noteId, passphrase: PASSPHRASE });
    expect(signed.status).toBe('signed');
  });

  it('an editor still open on an older revision never writes over a newer one: its text is kept beside it to merge', async () => {
    const { noteId, base, a, b } = await draftOnTwoDevices();
    const serverContent = async () =>
      (await env.database.db.select().from(notes).where(eq(notes.id, noteId)))[0]?.content;

    // A's own save comes back from the server unchanged: the revision its editor works from stays valid.
    const laptop = withSubjective(base, 'Typed on the laptop.');
    const savedA = await a.ws.running.client.call('notes.saveDraft', { noteId, content: laptop, baseRevision: 2 });
    await synced(a.ws);
    await b.ws.running.client.call('sync.now', {});
    const onB = await eventually(
      () => b.ws.running.client.call('notes.get', { noteId }),
      (note) => subjectiveOf(note.content) === 'Typed on the laptop.',
    );
    await a.ws.running.client.call('sync.now', {});
    expect((await a.ws.running.client.call('notes.get', { noteId })).draftRevision).toBe(savedA.draftRevision);

    // The desktop edits the draft; the laptop receives it while its editor is still open.
    const desktop = withSubjective(base, 'Typed on the laptop. Added on the desktop.');
    await b.ws.running.client.call('notes.saveDraft', { noteId, content: desktop, baseRevision: onB.draftRevision });
    await synced(b.ws);
    await a.ws.running.client.call('sync.now', {});
    const pulled = await eventually(
      () => a.ws.running.client.call('notes.get', { noteId }),
      (note) => subjectiveOf(note.content) === 'Typed on the laptop. Added on the desktop.',
    );
    expect(pulled.draftRevision).toBeGreaterThan(savedA.draftRevision);

    // The laptop's editor goes on from what it showed: its text is kept beside the newer draft.
    const stale = withSubjective(base, 'Typed on the laptop. More typed on the laptop.');
    const kept = await a.ws.running.client.call('notes.saveDraft', {
      noteId,
      content: stale,
      baseRevision: savedA.draftRevision,
    });
    expect(kept.keptBeside).toBe(true);
    expect(kept.draftRevision).toBe(savedA.draftRevision);
    const staler = withSubjective(base, 'Typed on the laptop. More typed on the laptop. And more.');
    await a.ws.running.client.call('notes.saveDraft', { noteId, content: staler, baseRevision: kept.draftRevision });
    const conflicted = await a.ws.running.client.call('notes.get', { noteId });
    expect(subjectiveOf(conflicted.content)).toBe('Typed on the laptop. Added on the desktop.');
    expect(subjectiveOf(conflicted.conflictDetail!.mine)).toBe(
      'Typed on the laptop. More typed on the laptop. And more.',
    );
    expect(subjectiveOf(conflicted.conflictDetail!.theirs)).toBe('Typed on the laptop. Added on the desktop.');
    expect((await a.ws.running.client.call('sync.details', {})).conflicts).toHaveLength(1);
    await expect(a.ws.running.client.call('notes.sign', { noteId, passphrase: PASSPHRASE })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    // Nothing of it reached the clinic server, which keeps the desktop's text.
    await a.ws.running.client.call('sync.now', {});
    await synced(a.ws);
    expect(await serverContent()).toEqual(desktop);

    // The merge is the draft everywhere, with no conflict left on either device.
    const merged = withSubjective(
      base,
      'Typed on the laptop. Added on the desktop. More typed on the laptop. And more.',
    );
    expect((await a.ws.running.client.call('notes.resolveConflict', { noteId, content: merged })).conflict).toBe(false);
    await synced(a.ws);
    expect(await serverContent()).toEqual(merged);
    await b.ws.running.client.call('sync.now', {});
    const onBMerged = await eventually(
      () => b.ws.running.client.call('notes.get', { noteId }),
      (note) => subjectiveOf(note.content) === subjectiveOf(merged),
    );
    expect(onBMerged.conflict).toBe(false);
    expect((await a.ws.running.client.call('sync.details', {})).conflicts).toEqual([]);
    expect((await b.ws.running.client.call('sync.details', {})).conflicts).toEqual([]);
  });
});
