import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contentHash } from '../../../src/shared/notes/canonical';
import { assign, createClient, createUser } from '../../server/helpers/fixtures';
import { useClinic } from '../sync/helpers/clinic';
import { PASSPHRASE, startWorkstation } from '../sync/helpers/workstation';
import { completeSoap } from './helpers';

/** notes.exportPdf: the note printed for the record into the workstation's exports folder, audited. */
const env = useClinic();

describe('printing a note', () => {
  it('writes a PDF with the signature block and content hash, readable only by this user, and audits it', async () => {
    const user = await createUser(env.database.db);
    const clientId = await createClient(env.database.db);
    await assign(env.database.db, user.id, clientId, 'caseload');
    const ws = startWorkstation();
    await ws.setUp(env.clinic.url, user.username);
    const rpc = ws.running.client;
    const draft = await rpc.call('notes.createDraft', { clientId, templateId: 'soap' });
    const content = completeSoap(draft.content, 'Synthetic text for the printed record.');
    await rpc.call('notes.saveDraft', { noteId: draft.id, content, baseRevision: 1 });
    await rpc.call('notes.sign', { noteId: draft.id, passphrase: PASSPHRASE });

    const exported = await rpc.call('notes.exportPdf', { noteId: draft.id });
    expect(exported.path.startsWith(ws.profile)).toBe(true);
    expect(exported.fileName).toMatch(/^note-\d{4}-\d{2}-\d{2}-[0-9a-f]{8}\.pdf$/);
    const bytes = readFileSync(exported.path);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(bytes.byteLength).toBe(exported.bytes);
    expect(exported.pages).toBeGreaterThanOrEqual(1);
    expect(statSync(exported.path).mode & 0o777).toBe(0o600);
    const text = execFileSync('pdftotext', ['-layout', exported.path, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
    expect(text).toContain(contentHash(content));
    expect(text).toContain('Synthetictextfortheprintedrecord.');

    const audited = ws.running.core.vault.unlockedStore.audit
      .recent(20)
      .find((entry) => entry.action === 'note.exported' && entry.recordId === draft.id);
    expect(audited?.detail).toMatchObject({ format: 'pdf', status: 'signed', pages: exported.pages });
    await expect(rpc.call('notes.exportPdf', { noteId: crypto.randomUUID() })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
