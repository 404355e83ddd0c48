import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { notes } from '../../../src/server/db/schema';
import { publishTemplates } from '../../../src/server/records/templates';
import { COPIED_FORWARD_MARK, hasCopiedText } from '../../../src/shared/notes/copy-forward';
import { SOAP_TEMPLATE } from '../../../src/shared/notes/templates/builtin';
import { NOTE_LENGTH_WARNING_BYTES, type NoteContent } from '../../../src/shared/notes/content';
import { RpcError } from '../../../src/shared/rpc/errors';
import { assign, createClient, createUser } from '../../server/helpers/fixtures';
import { useClinic } from '../sync/helpers/clinic';
import { PASSPHRASE, startWorkstation, synced } from '../sync/helpers/workstation';
import { completeSoap, paragraph, withSubjective } from './helpers';

/**
 * Writing notes on one workstation against the real server: what signing requires, late entries,
 * copy forward, and the IOP group note filed to each attending member's chart.
 */
const env = useClinic();

async function clinician(clients = 1) {
  const user = await createUser(env.database.db);
  const ids: string[] = [];
  for (let i = 0; i < clients; i += 1) {
    const id = await createClient(env.database.db);
    await assign(env.database.db, user.id, id, 'caseload');
    ids.push(id);
  }
  const ws = startWorkstation();
  await ws.setUp(env.clinic.url, user.username);
  return { user, clientIds: ids, ws, rpc: ws.running.client };
}

/** A session that ended an hour ago (in UTC), so signing now is on time. */
function recentSession(content: NoteContent): NoteContent {
  let start = new Date(Date.now() - 2 * 3_600_000);
  let end = new Date(start.getTime() + 45 * 60_000);
  if (end.toISOString().slice(0, 10) !== start.toISOString().slice(0, 10)) {
    start = new Date(start.getTime() - 3_600_000);
    end = new Date(start.getTime() + 45 * 60_000);
  }
  return {
    ...content,
    encounter: {
      ...content.encounter,
      date: start.toISOString().slice(0, 10),
      startTime: start.toISOString().slice(11, 16),
      endTime: end.toISOString().slice(11, 16),
      timeZone: 'UTC',
    },
  };
}

describe('writing notes', () => {
  it('signing lists what is missing (codes and paths), flags late entries, and audits every view', async () => {
    const { clientIds, rpc, ws } = await clinician();
    const [clientId] = clientIds as [string];
    const empty = await rpc.call('notes.createDraft', { clientId, templateId: 'soap' });
    expect(empty.content.encounter.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const refused = await rpc.call('notes.sign', { noteId: empty.id, passphrase: PASSPHRASE }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RpcError);
    expect((refused as RpcError).code).toBe('NOTE_INCOMPLETE');
    expect((refused as RpcError).message).toContain('required encounter.startTime');
    expect((refused as RpcError).message).toContain('required sections.subjective.subjective');
    expect((await rpc.call('notes.get', { noteId: empty.id })).status).toBe('draft');

    // The session was months ago: a late entry.
    const late = completeSoap(empty.content, 'Written long after the session.');
    await rpc.call('notes.saveDraft', { noteId: empty.id, content: late, baseRevision: 1 });
    expect((await rpc.call('notes.sign', { noteId: empty.id, passphrase: PASSPHRASE })).lateEntry).toBe(true);

    // Signed an hour after the session: on time.
    const timely = await rpc.call('notes.createDraft', { clientId, templateId: 'soap' });
    const onTime = recentSession(completeSoap(timely.content, 'Written right after the session.'));
    await rpc.call('notes.saveDraft', { noteId: timely.id, content: onTime, baseRevision: 1 });
    expect((await rpc.call('notes.sign', { noteId: timely.id, passphrase: PASSPHRASE })).lateEntry).toBe(false);

    await synced(ws);
    const [server] = await env.database.db.select().from(notes).where(eq(notes.id, empty.id));
    expect(server?.status).toBe('signed');
    const actions = ws.running.core.vault.unlockedStore.audit
      .recent(100)
      .filter((entry) => entry.recordId === empty.id)
      .map((entry) => entry.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'note.draft_created',
        'note.sign_refused',
        'note.viewed',
        'note.draft_saved',
        'note.signed',
      ]),
    );
  });

  it('a note longer than a note may be is refused in words, and the saved draft stays as it was', async () => {
    const { clientIds, rpc, ws } = await clinician();
    const [clientId] = clientIds as [string];
    const draft = await rpc.call('notes.createDraft', { clientId, templateId: 'soap' });
    const kept = withSubjective(draft.content, 'What was said in session, saved.');
    const short = await rpc.call('notes.saveDraft', { noteId: draft.id, content: kept, baseRevision: 1 });
    // Each save says how large the note now is (the editor warns near the limit).
    expect(short.contentBytes).toBe(Buffer.byteLength(JSON.stringify(kept)));
    expect(short.contentBytes).toBeLessThan(NOTE_LENGTH_WARNING_BYTES);
    await synced(ws);
    const pendingBefore = ws.value<number>("SELECT count(*) FROM sync_outbox WHERE status = 'pending'");

    // 4.5 MB of pasted text: more than MAX_NOTE_CONTENT_BYTES (4 MiB).
    const tooLong = withSubjective(draft.content, 'A pasted document, far too long. '.repeat(140_000));
    const refused = await rpc
      .call('notes.saveDraft', { noteId: draft.id, content: tooLong, baseRevision: 2 })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RpcError);
    expect(refused).toMatchObject({ code: 'NOTE_TOO_LONG', message: expect.stringMatching(/too long.*at most 4 MB/) });

    const stored = await rpc.call('notes.get', { noteId: draft.id });
    expect(stored.draftRevision).toBe(2);
    expect(stored.content).toEqual(kept);
    expect(ws.value<number>("SELECT count(*) FROM sync_outbox WHERE status = 'pending'")).toBe(pendingBefore);

    // Just under the limit (3.9 MB) it is saved, and reaches the clinic server.
    const longest = withSubjective(draft.content, 'A long but acceptable note. '.repeat(140_000));
    const saved = await rpc.call('notes.saveDraft', { noteId: draft.id, content: longest, baseRevision: 2 });
    expect(saved.contentBytes).toBe(Buffer.byteLength(JSON.stringify(longest)));
    expect(saved.contentBytes).toBeGreaterThanOrEqual(NOTE_LENGTH_WARNING_BYTES);
    await synced(ws);
    const [onServer] = await env.database.db.select().from(notes).where(eq(notes.id, draft.id));
    expect(JSON.stringify(onServer?.content)).toContain('A long but acceptable note. '.repeat(1_000));
  });

  it('offers the built-in templates and the clinic’s own, and writes a note with a clinic template', async () => {
    const { clientIds, rpc } = await clinician();
    await publishTemplates(env.database.db, [{ ...SOAP_TEMPLATE, id: 'clinic_followup', version: 2 }]);
    await rpc.call('sync.now', {});
    const { templates } = await rpc.call('notes.templates', {});
    expect(templates.filter((t) => t.builtIn).map((t) => t.definition.id)).toEqual([
      'soap',
      'dap',
      'birp',
      'girp',
      'iop_group',
      'sud_counseling',
    ]);
    expect(templates.find((t) => t.definition.id === 'clinic_followup')).toMatchObject({
      builtIn: false,
      active: true,
      definition: { version: 2 },
    });
    const draft = await rpc.call('notes.createDraft', { clientId: clientIds[0]!, templateId: 'clinic_followup' });
    expect(draft.templateId).toBe('clinic_followup');
    expect(draft.templateVersion).toBe(2);
    await expect(
      rpc.call('notes.createDraft', { clientId: clientIds[0]!, templateId: 'no_such_template' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('copy forward brings the last plan into a new draft, marked as copied', async () => {
    const { clientIds, rpc } = await clinician();
    const [clientId] = clientIds as [string];
    const first = await rpc.call('notes.createDraft', { clientId, templateId: 'soap' });
    const content = completeSoap(first.content, 'First session.');
    await rpc.call('notes.saveDraft', { noteId: first.id, content, baseRevision: 1 });
    await rpc.call('notes.sign', { noteId: first.id, passphrase: PASSPHRASE });

    const next = await rpc.call('notes.createDraft', { clientId, templateId: 'dap', copyForward: true });
    const plan = next.content.sections['plan']?.['plan'];
    if (plan?.type !== 'richText') throw new Error('no plan copied');
    expect(plan.copiedFrom).toEqual([{ noteId: first.id, sectionId: 'plan', fieldId: 'plan' }]);
    expect(hasCopiedText(plan.doc)).toBe(true);
    expect(JSON.stringify(plan.doc)).toContain(COPIED_FORWARD_MARK);
    expect(JSON.stringify(plan.doc)).toContain('Synthetic plan: continue weekly sessions.');
    const plain = await rpc.call('notes.createDraft', { clientId, templateId: 'soap' });
    expect(plain.content.sections['plan']).toBeUndefined();
  });

  it('an IOP group note is filed to each attending member’s chart, with nothing of the others', async () => {
    const { clientIds, rpc, ws } = await clinician(3);
    const [a, b, absent] = clientIds as [string, string, string];
    const draft = await rpc.call('notes.createDraft', { clientId: a, templateId: 'iop_group', memberIds: [b, absent] });
    expect(Object.keys(draft.content.members ?? {}).sort()).toEqual([a, b, absent].sort());
    const member = (text: string) => ({
      attended: true,
      sections: {
        member: {
          participation: { type: 'choice' as const, value: ['active'] },
          member_presentation: { type: 'richText' as const, doc: paragraph(text) },
          risk_screen: { type: 'riskScreen' as const, result: 'none' as const },
          plan: { type: 'richText' as const, doc: paragraph(`Plan: ${text}`) },
        },
      },
    });
    const content: NoteContent = {
      ...draft.content,
      encounter: {
        ...draft.content.encounter,
        date: '2026-03-02',
        startTime: '09:00',
        endTime: '12:00',
        modality: 'video',
      },
      sections: {
        group: {
          topic: { type: 'text', value: 'Coping with cravings' },
          group_content: { type: 'richText', doc: paragraph('Group discussed coping skills.') },
        },
      },
      members: {
        [a]: member('Member A engaged.'),
        [b]: member('Member B engaged.'),
        [absent]: { attended: false, sections: {} },
      },
    };
    await rpc.call('notes.saveDraft', { noteId: draft.id, content, baseRevision: 1 });
    // The group draft never leaves this workstation (it holds every member's section).
    await synced(ws);
    expect(await env.database.db.select().from(notes).where(eq(notes.id, draft.id))).toEqual([]);

    const signed = await rpc.call('notes.sign', { noteId: draft.id, passphrase: PASSPHRASE });
    expect(signed.id).not.toBe(draft.id);
    expect(signed.clientId).toBe(a);
    expect(Object.keys(signed.content.members ?? {})).toEqual([a]);
    expect(JSON.stringify(signed.content)).not.toContain(b);
    await expect(rpc.call('notes.get', { noteId: draft.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const ofB = (await rpc.call('notes.list', { clientId: b })).notes;
    expect(ofB).toHaveLength(1);
    // Listed with the session's date and start time (two notes of one day are told apart).
    expect(ofB[0]).toMatchObject({ sessionDate: '2026-03-02', sessionTime: '09:00' });
    const filedB = await rpc.call('notes.get', { noteId: ofB[0]!.id });
    expect(filedB.status).toBe('signed');
    expect(Object.keys(filedB.content.members ?? {})).toEqual([b]);
    expect(JSON.stringify(filedB.content)).not.toContain('Member A engaged.');
    expect((await rpc.call('notes.list', { clientId: absent })).notes).toEqual([]);

    await synced(ws);
    const filed = await env.database.db
      .select()
      .from(notes)
      .where(inArray(notes.clientId, [a, b, absent]));
    expect(filed.map((n) => [n.clientId, n.status]).sort()).toEqual(
      [
        [a, 'signed'],
        [b, 'signed'],
      ].sort(),
    );

    // Copy forward into the next group note: each member's own plan.
    const next = await rpc.call('notes.createDraft', {
      clientId: a,
      templateId: 'iop_group',
      memberIds: [b],
      copyForward: true,
    });
    const planOf = (id: string) => JSON.stringify(next.content.members?.[id]?.sections['member']?.['plan'] ?? null);
    expect(planOf(a)).toContain('Plan: Member A engaged.');
    expect(planOf(b)).toContain('Plan: Member B engaged.');
    expect(planOf(a)).not.toContain('Member B');
  });
});
