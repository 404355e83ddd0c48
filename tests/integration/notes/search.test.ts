import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { NoteContent } from '../../../src/shared/notes/content';
import type { NoteSearchResult } from '../../../src/shared/notes/rpc';
import { assign, createClient, createUser } from '../../server/helpers/fixtures';
import { useClinic } from '../sync/helpers/clinic';
import { PASSPHRASE, startWorkstation } from '../sync/helpers/workstation';
import { completeSoap, paragraph } from './helpers';

/**
 * notes.search over the encrypted cache (FTS5): words, filters by client, date range, template
 * and status, protected notes only the author's own and only when asked, highlights as ranges.
 */
const env = useClinic();

const highlighted = (result: NoteSearchResult) =>
  result.hits.flatMap((hit) => hit.highlights.map(([a, b]) => hit.snippet.slice(a, b).toLowerCase()));

describe('notes search', () => {
  it('finds words with filters, highlights them, and keeps protected notes to their author', async () => {
    const other = await createUser(env.database.db);
    const user = await createUser(env.database.db);
    const first = await createClient(env.database.db);
    const second = await createClient(env.database.db);
    for (const client of [first, second]) await assign(env.database.db, user.id, client, 'caseload');
    const ws = startWorkstation();
    await ws.setUp(env.clinic.url, user.username);
    const rpc = ws.running.client;

    const write = async (clientId: string, templateId: string, date: string, text: string, sign = false) => {
      const draft = await rpc.call('notes.createDraft', { clientId, templateId });
      const narrative = { type: 'richText' as const, doc: paragraph(text) };
      let content: NoteContent;
      if (templateId === 'soap') content = completeSoap(draft.content, text);
      else if (templateId === 'dap') content = { ...draft.content, sections: { data: { data: narrative } } };
      else content = { ...draft.content, sections: { session_content: { session_content: narrative } } };
      content = { ...content, encounter: { ...content.encounter, date } };
      await rpc.call('notes.saveDraft', { noteId: draft.id, content, baseRevision: draft.draftRevision });
      if (sign) await rpc.call('notes.sign', { noteId: draft.id, passphrase: PASSPHRASE });
      return draft.id;
    };
    const signedSoap = await write(first, 'soap', '2026-03-02', 'Discussed cravings after the weekend.', true);
    const dapDraft = await write(first, 'dap', '2026-03-09', 'Craving was low; practised urge surfing.');
    const otherClient = await write(second, 'soap', '2026-02-20', 'No cravings mentioned; sleep improved.');
    const protectedMine = await write(first, 'sud_counseling', '2026-03-03', 'Process notes on cravings and shame.');
    // Another clinician's protected note that reached this cache (the server does not filter them yet).
    const protectedTheirs = randomUUID();
    const now = new Date().toISOString();
    ws.running.core.vault.unlockedStore.sqlite
      .prepare(
        `INSERT INTO session_notes (id, client_id, author_id, note_type, template, is_protected, template_id, template_version,
            status, content, created_at, updated_at)
         VALUES (?, ?, ?, 'sud_counseling', 'SUD_COUNSELING', 1, 'sud_counseling', 1, 'draft', ?, ?, ?)`,
      )
      .run(
        protectedTheirs,
        first,
        other.id,
        JSON.stringify({
          templateId: 'sud_counseling',
          templateVersion: 1,
          encounter: {},
          sections: { narrative: { notes: { type: 'text', value: 'Their process notes about cravings.' } } },
        }),
        now,
        now,
      );
    const ids = (result: NoteSearchResult) => result.hits.map((hit) => hit.note.id).sort();

    const all = await rpc.call('notes.search', { query: 'crav' });
    expect(ids(all)).toEqual([signedSoap, dapDraft, otherClient].sort());
    expect(new Set(highlighted(all))).toEqual(new Set(['cravings', 'craving']));
    for (const hit of all.hits) expect(hit.snippet).not.toMatch(/[\uE000\uE001]/);

    const withProtected = await rpc.call('notes.search', { query: 'cravings', includeProtected: true });
    expect(ids(withProtected)).toContain(protectedMine);
    expect(ids(withProtected)).not.toContain(protectedTheirs);
    expect(withProtected.hits.find((hit) => hit.note.id === protectedMine)?.note.isProtected).toBe(true);

    expect(ids(await rpc.call('notes.search', { query: 'craving', clientId: first }))).toEqual(
      [signedSoap, dapDraft].sort(),
    );
    expect(ids(await rpc.call('notes.search', { query: 'craving', from: '2026-03-01', to: '2026-03-05' }))).toEqual([
      signedSoap,
    ]);
    expect(ids(await rpc.call('notes.search', { query: 'craving', templateId: 'dap' }))).toEqual([dapDraft]);
    expect(ids(await rpc.call('notes.search', { query: 'craving', status: 'signed' }))).toEqual([signedSoap]);
    expect(ids(await rpc.call('notes.search', { query: 'craving', status: 'draft' }))).toEqual(
      [dapDraft, otherClient].sort(),
    );
    // Two words: both must occur.
    expect(ids(await rpc.call('notes.search', { query: 'cravings weekend' }))).toEqual([signedSoap]);
    // Query syntax is taken as words, never as FTS operators.
    expect((await rpc.call('notes.search', { query: 'cravings" OR * NEAR(' })).hits).toEqual([]);
    // No words: the filters alone.
    expect(ids(await rpc.call('notes.search', { query: '', clientId: second }))).toEqual([otherClient]);
    const cut = await rpc.call('notes.search', { query: 'craving', limit: 1 });
    expect(cut.hits).toHaveLength(1);
    expect(cut.more).toBe(true);

    // A search is audited without its words.
    const entries = ws.running.core.vault.unlockedStore.audit.recent(20).filter((e) => e.action === 'notes.searched');
    expect(entries.length).toBeGreaterThan(5);
    expect(JSON.stringify(entries)).not.toMatch(/crav/i);
  });
});
